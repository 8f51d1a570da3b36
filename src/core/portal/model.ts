import { z } from 'zod';
import { hexBytes, isoTime, screenshotName, uuid } from '../schema';

/**
 * Online-mode portal submission (docs/portal-submission.md): the words a run, its halts and its
 * outcome are recorded in. The station drives a browser-only PKI portal with the values the
 * portal-issuance workflow derived from records (its `entry` view), never with typed ones.
 */

/** The packet values a portal profile may `take` (docs/portal-profiles.md): a fixed vocabulary. */
export const ENTRY_KEYS = [
  'subscriberService',
  'organization',
  'commonName',
  'environment',
  'profile',
  'sans',
  'custodyAttestation',
  'keyFingerprint',
  'csrPem',
  'justification',
  'issuanceWindow',
  'approvalRefs',
] as const;
export type EntryKey = (typeof ENTRY_KEYS)[number];

/** What the portal page showed (the driver's halts; docs/portal-profiles.md describes each). */
export const PORTAL_HALT_KINDS = [
  'prefill',
  'truncation',
  'extra-value',
  'different-value',
  'unexpected-control',
  'layout-changed',
  'warning-banner',
  'duplicate-notice',
  'captcha',
  'login-required',
  'session-expired',
  'navigation-blocked',
  'error-page',
  'timeout',
] as const;
/** The station's own reasons (docs/portal-submission.md). */
export const STATION_HALT_KINDS = ['facts-changed', 'interrupted', 'browser-failed', 'cancelled'] as const;
/**
 * Why a run stopped before submit. The portal's own (what the page showed) and the station's:
 * `facts-changed` — the pre-check immediately before submit no longer gave the entry the run started
 * with; `interrupted` — the station stopped (crash, restart) before any submit intent; `browser-failed`
 * — the browser could not be started or died before submit.
 */
export const HALT_KINDS = [...PORTAL_HALT_KINDS, ...STATION_HALT_KINDS] as const;
export type HaltKind = (typeof HALT_KINDS)[number];

/** What became of the portal draft at a halt: saved where the profile allows, else the session abandoned. */
export const DRAFT_DISPOSITIONS = ['draft-saved', 'abandoned'] as const;

/**
 * A run's state, derived from the journal alone (portal run read model):
 * STOPPED — a pre-check failed, nothing entered; RUNNING — entering (this process); HALTED — a safe halt
 * before submit, resumable by a person; SUBMITTING — the submit intent is journaled and the click is in
 * flight (this process); HALTED-AMBIGUOUS — an intent without a positive confirmation (or the process
 * died after it): reconciliation first, never a retry; SUBMITTED — a confirmation with a request id,
 * or reconciliation found the request; NOT-FOUND — reconciliation searched and found no request: a
 * person may start a new run.
 */
export const PORTAL_RUN_STATES = [
  'STOPPED',
  'RUNNING',
  'HALTED',
  'SUBMITTING',
  'HALTED-AMBIGUOUS',
  'SUBMITTED',
  'NOT-FOUND',
] as const;
export type PortalRunState = (typeof PORTAL_RUN_STATES)[number];

/** A field's read-back: digests only (values of the entry are in the records; secrets never). */
export const readBackSchema = z.strictObject({
  tab: z.string().min(1).max(80),
  take: z.enum(ENTRY_KEYS),
  expectedSha256: hexBytes(32),
  foundSha256: hexBytes(32).nullable(),
  match: z.boolean(),
});

/** A masked screenshot kept in the station's evidence store (its bytes are in the file, its digest here). */
export const screenshotRefSchema = z.strictObject({
  name: screenshotName,
  sha256: hexBytes(32),
  bytes: z.number().int().min(1),
});

export const portalRunIdSchema = uuid;
export const portalTimeSchema = isoTime;

/**
 * The portal-issuance workflow's derived view (`entry` on its evaluation): the exact values a run types,
 * derived only from records, each with its SHA-256, and the digest of them all. `fields` is empty and
 * `digest` null when the outcome stops before entry; `owner` is the request's accountable owner.
 */
export const entryViewSchema = z.strictObject({
  requestId: z.string().min(1).max(120),
  owner: z.string().min(1).max(120).nullable(),
  digest: hexBytes(32).nullable(),
  fields: z
    .array(
      z.strictObject({
        take: z.enum(ENTRY_KEYS),
        value: z.union([z.string().max(20_000), z.array(z.string().max(2000)).max(200)]),
        sha256: hexBytes(32),
      }),
    )
    .max(40),
  /** What reconciliation searches by: the subject's common name and the CSR fingerprint. */
  search: z.array(z.string().min(1).max(300)).max(5),
});
export type EntryView = z.output<typeof entryViewSchema>;

/** The outcome of the portal-issuance workflow that lets a run enter the portal. */
export const READY_FOR_PORTAL = 'ready-for-portal';
