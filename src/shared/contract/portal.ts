import { z } from 'zod';
import { exportResultSchema } from './bundles';
import { actor, empty, mediaPath, pin, type Channels } from './common';
import { portalProfileName } from '../../core/schema';
import { DRAFT_DISPOSITIONS, ENTRY_KEYS, HALT_KINDS, PORTAL_RUN_STATES } from '../../core/portal/model';

/**
 * Online-mode portal submission (services/portal, docs/portal-submission.md). Every act is refused on an
 * offline station (PORTAL_OFFLINE_STATION). Portal credentials pass through once for the login and are
 * never recorded, logged or returned.
 */
const requestId = z.string().trim().min(1).max(120);
const runId = z.string().uuid();
const profileName = portalProfileName;
const portalUrl = z
  .string()
  .trim()
  .max(2000)
  .refine((s) => URL.canParse(s) && /^https?:$/.test(new URL(s).protocol), {
    message: 'a portal address (https://…, or http:// on this machine)',
  });
const credentials = {
  username: z.string().min(1).max(200).optional(),
  password: z.string().min(1).max(500).optional(),
};

const screenshot = z.strictObject({ name: z.string(), sha256: z.string(), bytes: z.number().int() });

export const portalRunViewSchema = z.strictObject({
  runId: z.string(),
  requestId: z.string(),
  state: z.enum(PORTAL_RUN_STATES),
  sentence: z.string(),
  startedAt: z.string(),
  actor: z.string(),
  profile: z.string(),
  origin: z.string(),
  evaluationSeq: z.number().int(),
  entryDigest: z.string(),
  fields: z.array(z.strictObject({ take: z.enum(ENTRY_KEYS), sha256: z.string() })),
  stopped: z
    .strictObject({
      stage: z.enum(['before-entry', 'before-submit']),
      outcome: z.string(),
      owner: z.string().nullable(),
      blockers: z.array(z.strictObject({ checkId: z.string(), sentence: z.string() })),
    })
    .nullable(),
  halt: z
    .strictObject({
      kind: z.enum(HALT_KINDS),
      tab: z.string().nullable(),
      field: z.string().nullable(),
      detail: z.string(),
      disposition: z.enum(DRAFT_DISPOSITIONS),
      draftId: z.string().nullable(),
    })
    .nullable(),
  intentSeq: z.number().int().nullable(),
  ambiguousReason: z.string().nullable(),
  portalRequestId: z.string().nullable(),
  readBack: z.array(z.strictObject({ tab: z.string(), take: z.enum(ENTRY_KEYS), match: z.boolean() })),
  screenshots: z.array(screenshot),
  reconciliations: z.array(
    z.strictObject({
      seq: z.number().int(),
      actor: z.string(),
      result: z.enum(['found', 'not-found', 'several']),
      portalRequestId: z.string().nullable(),
      rows: z.number().int(),
    }),
  ),
  /** What a person may do next: reconcile (ambiguous), start a new run, nothing (submitted). */
  next: z.enum(['reconcile', 'new-run', 'none', 'wait']),
});
export type PortalRunView = z.output<typeof portalRunViewSchema>;

export const portalStopViewSchema = z.strictObject({
  seq: z.number().int(),
  at: z.string(),
  actor: z.string(),
  requestId: z.string(),
  stage: z.enum(['before-entry', 'before-submit']),
  evaluationSeq: z.number().int(),
  outcome: z.string(),
  owner: z.string().nullable(),
  blockers: z.array(z.strictObject({ checkId: z.string(), sentence: z.string() })),
});

export const portalStatusSchema = z.strictObject({
  mode: z.enum(['offline', 'online']),
  runs: z.array(portalRunViewSchema),
  /** Pre-checks that stopped before any run began (nothing entered). */
  stops: z.array(portalStopViewSchema),
});

export const portalProfileViewSchema = z.strictObject({
  name: z.string(),
  title: z.string(),
  sha256: z.string(),
  takes: z.array(z.enum(ENTRY_KEYS)),
});

export const portalChannels = {
  portalProfiles: { input: empty, output: z.array(portalProfileViewSchema) },
  portalStatus: { input: z.strictObject({ requestId: requestId.optional() }), output: portalStatusSchema },
  /** Pre-check, enter, read back, pre-check again, submit intent, submit: the run as it ended. */
  portalSubmit: {
    input: z.strictObject({
      requestId,
      profile: profileName,
      url: portalUrl,
      headless: z.boolean().optional(),
      ...credentials,
      actor,
    }),
    output: z.strictObject({ run: portalRunViewSchema.nullable(), stop: portalStopViewSchema.nullable() }),
  },
  /** Searches the portal for a HALTED-AMBIGUOUS run's request (never submits) and records what it found. */
  portalReconcile: {
    input: z.strictObject({ runId, url: portalUrl, headless: z.boolean().optional(), ...credentials, actor }),
    output: portalRunViewSchema,
  },
  /**
   * Exports one run's signed evidence bundle (kind portal-evidence) to a volume (default: the only ready
   * one): the run, its approval trace, its masked screenshots re-hashed against the journal, the journal
   * segment and checkpoint; signed with the station token (its PIN).
   */
  portalEvidence: {
    input: z.strictObject({ runId, volume: mediaPath.optional(), pin, actor }),
    output: exportResultSchema,
  },
} as const satisfies Channels;
