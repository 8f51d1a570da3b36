import { z } from 'zod';
import { utf8Bytes } from '../../bytes';
import type { RuleContext, Workflow } from '../engine';
import { rosterSnapshot } from '../families/catalogue';
import { ISSUANCE_FAMILIES } from '../families/issuance';
import type { Finding } from '../model';
import type { PortalIssuancePolicy } from '../policy/portal-issuance';
import { assess } from '../rules/issuance/assess';
import { ISSUANCE_RULES } from '../rules/issuance/rules';
import { sha256Hex } from '../../schema';

/**
 * Workflow 004 — approved PKI-portal issuance submission (online mode). Before any entry into the
 * browser-only portal, and again immediately before submit, the station re-checks the governed issuance
 * request against its prerequisites (approvals, locked CSR, scope, profile, custody, window, subscriber,
 * duplicates, investigations, trust deadline). It never issues, activates or deploys a certificate.
 *
 * Outcome, the first that applies:
 *   stop-before-entry  — any blocking ISS finding: nothing is typed, the owner named in each finding acts
 *   ready-for-portal   — every pre-check stands; the entry below is exactly what may be typed
 */
export const ISSUANCE_OUTCOMES = ['stop-before-entry', 'ready-for-portal'] as const;
export type IssuanceOutcome = (typeof ISSUANCE_OUTCOMES)[number];

/**
 * What the driver types, by the portal profile's `take` vocabulary (docs/portal-profiles.md). Lines
 * values (`sans`, `approvalRefs`) are lists, one portal line each.
 */
export const ENTRY_TAKES = [
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
export type EntryTake = (typeof ENTRY_TAKES)[number];
export const LINES_TAKES: readonly EntryTake[] = ['sans', 'approvalRefs'];

const entryValueSchema = z.strictObject({
  value: z.union([z.string(), z.array(z.string())]),
  /** SHA-256 of the value's UTF-8 bytes (a list: its lines joined with "\n"). */
  sha256: sha256Hex,
});

/** The derived entry of a ready request (absent when the pre-checks stop it). */
export const issuanceEntrySchema = z.strictObject({
  requestId: z.string(),
  /** The request-content digest the counted approvals bind. */
  requestDigest: sha256Hex,
  /** The accountable certificate-operations owner (takeover decisions, evidence completeness). */
  owner: z.string(),
  /** SHA-256 over the locked CSR's DER. */
  csrFingerprint: sha256Hex,
  values: z.strictObject(
    Object.fromEntries(ENTRY_TAKES.map((t) => [t, entryValueSchema])) as Record<
      EntryTake,
      typeof entryValueSchema
    >,
  ),
});
export type IssuanceEntry = z.output<typeof issuanceEntrySchema>;

/** The text a value is hashed and typed as: a list is its lines joined with "\n". */
export const entryText = (value: string | readonly string[]): string =>
  typeof value === 'string' ? value : value.join('\n');

/**
 * The entry of a request no check blocks, built only from its records: the subscriber's service name,
 * the request's subject and SANs (in the request's order), the profile's portal label, the custody
 * attestation id, the CSR key's SHA-256, the locked PEM (line ends as LF, outer whitespace trimmed), the
 * justification, the window id, and the counted approvals' ids in the policy's role order.
 */
export function deriveEntry(
  ctx: RuleContext<PortalIssuancePolicy>,
  findings: readonly Finding[],
): IssuanceEntry | undefined {
  if (findings.some((f) => f.blocking)) return undefined;
  const a = assess(ctx);
  const sha256 = ctx.sha256;
  if (
    !a.request ||
    !a.csr ||
    !a.subscriber ||
    !a.profile ||
    !a.custody ||
    !a.window ||
    !a.requestDigest ||
    !sha256
  )
    return undefined;
  const c = a.request.content;
  const raw: Record<EntryTake, string | string[]> = {
    subscriberService: a.subscriber.content.serviceName,
    organization: c.organization,
    commonName: c.commonName,
    environment: c.environment,
    profile: a.profile.content.portalLabel,
    sans: [...c.sanSet],
    custodyAttestation: a.custody.content.attestationId,
    keyFingerprint: a.csr.spkiSha256,
    csrPem: a.csr.lock.content.csrPem.replace(/\r\n?/g, '\n').trim(),
    justification: c.justification,
    issuanceWindow: a.window.content.windowId,
    approvalRefs: a.approvals.map((x) => x.approval.content.approvalId),
  };
  const values = Object.fromEntries(
    ENTRY_TAKES.map((t) => [t, { value: raw[t], sha256: sha256(utf8Bytes(entryText(raw[t]))) }]),
  ) as IssuanceEntry['values'];
  return {
    requestId: c.requestId,
    requestDigest: a.requestDigest,
    owner: c.owner,
    csrFingerprint: c.csrFingerprint,
    values,
  };
}

export function issuanceOutcome(findings: readonly Finding[]): { outcome: IssuanceOutcome; reason: string } {
  const blocking = findings.filter((f) => f.blocking);
  if (blocking.length > 0)
    return {
      outcome: 'stop-before-entry',
      reason: `${blocking.length} pre-check${blocking.length === 1 ? '' : 's'} failed; nothing may be entered in the portal: ${blocking
        .slice(0, 3)
        .map((f) => `${f.checkId} ${f.subject}`)
        .join('; ')}${blocking.length > 3 ? ` and ${blocking.length - 3} more` : ''}.`,
    };
  return {
    outcome: 'ready-for-portal',
    reason: 'Every pre-check stands on current records; the entry may be typed into the portal as derived.',
  };
}

export const issuanceWorkflow: Workflow<PortalIssuancePolicy, IssuanceOutcome, IssuanceEntry | undefined> = {
  id: 'portal-issuance',
  families: [...Object.keys(ISSUANCE_FAMILIES), rosterSnapshot.name],
  rules: ISSUANCE_RULES,
  derive: deriveEntry,
  outcome: (findings) => issuanceOutcome(findings),
};
