import { z } from 'zod';
import { EVENT_BODIES } from '../../core/journal/events';
import { findingSchema, FINDING_CATEGORIES } from '../../core/findings/model';
import {
  annotationSchema,
  checkIdSchema,
  claimSchema,
  CLAIM_STATUSES,
  evidenceSchema,
  findingKeySchema,
  itemIdSchema,
  PACKET_KINDS,
  packetContentSchema,
  reviewerSchema,
} from '../../core/packet/model';
import { actor, empty, isoTime, mediaPath, seq, sha256Hex, words, type Channels } from './common';

/**
 * Governance packets (services/packets): drafts, evidence, completeness, versions, handoff, print. The
 * draft and its parts are core's packet model itself (src/core/packet/model.ts), not a copy of it.
 */

const packetId = packetContentSchema.shape.packetId;
const gate = z.enum(['STOPPED', 'HOLD-SOURCE', 'HOLD-ROUTING', 'READY']);

const packetCheckSchema = z.strictObject({
  id: z.string(),
  title: z.string(),
  group: z.enum(['stop', 'source', 'routing']),
  pass: z.boolean(),
  findings: z.array(z.string()),
  refs: z.array(z.string()),
});
const stopNoticeSchema = z.strictObject({
  seq,
  at: z.string(),
  notice: z.string(),
  findings: z.array(z.strictObject({ evidenceId: z.string(), indicator: z.string(), detail: z.string() })),
  /** Set when a custodian quorum reviewed the stop and cleared it (the stop stays on record). */
  cleared: z
    .strictObject({ seq, quorumSessionId: z.string(), reason: z.string(), clearedBy: z.string() })
    .nullable(),
});
/** A handoff as the journal recorded it, at its seq. */
const handoffSchema = EVENT_BODIES['packet.handoff-recorded'].extend({
  seq,
  at: z.string(),
  /**
   * A derived packet's handoff: whether the facts it was decided on still stand. STALE-BASIS when its
   * evaluation went STALE (records or policy it read changed since): what was handed off must not be
   * relied on until a new version is handed off. Absent for a handoff without an evaluation.
   */
  basis: z.strictObject({ status: z.enum(['FRESH', 'STALE-BASIS']), sentence: z.string() }).optional(),
});
/** A recorded version without its content (the diff and the print read that). */
export const packetVersionSchema = z.strictObject({
  version: z.number().int(),
  digest: sha256Hex,
  words,
  parentDigest: sha256Hex.nullable(),
  gate: z.string(),
  failedChecks: z.array(z.string()),
  at: z.string(),
  seq,
});
export const packetSummarySchema = z.strictObject({
  packetId,
  kind: z.enum(PACKET_KINDS),
  title: z.string(),
  stopped: z.boolean(),
  versions: z.number().int(),
  gate,
  failed: z.number().int(),
  updatedSeq: seq,
});

/**
 * A derived packet (rotation-deferral): the latest evaluation of its subject with FRESH / STALE, the
 * outcome and reason, the policy version, the register (open findings plus people's annotations) and each
 * claim's status from its checks ('asserted': bound to no check, never counted as complete).
 */
export const derivedPacketSchema = z.strictObject({
  workflow: z.string(),
  subject: z.string(),
  evaluation: z
    .strictObject({
      seq,
      asOf: z.string(),
      status: z.enum(['FRESH', 'STALE']),
      changed: z.array(z.enum(['records', 'policy'])),
      sentence: z.string(),
      outcome: z.string(),
      reason: z.string(),
      holds: z.enum(['stop', 'source', 'routing']).nullable(),
      policy: z.strictObject({ policy: z.string(), version: z.number().int(), digest: sha256Hex }),
      recordsDigest: sha256Hex,
      policyDigest: sha256Hex,
      findingsDigest: sha256Hex,
    })
    .nullable(),
  findings: z.array(findingSchema),
  register: z.array(
    z.strictObject({
      finding: findingSchema,
      notes: z.array(z.string()),
      owner: z.string().nullable(),
      dueAt: z.string().nullable(),
      acknowledgeable: z.boolean(),
    }),
  ),
  claims: z.array(
    z.strictObject({
      claimId: z.string(),
      text: z.string(),
      checks: z.array(z.string()),
      status: z.enum([...CLAIM_STATUSES, 'asserted']),
    }),
  ),
  handoffExceptionCategories: z.array(z.enum(FINDING_CATEGORIES)),
});

/** One packet as the UI shows it and `station packet show` prints it. */
export const packetViewSchema = z.strictObject({
  draft: packetContentSchema,
  completeness: z.strictObject({
    gate,
    checks: z.array(packetCheckSchema),
    passed: z.number().int(),
    failed: z.number().int(),
    blockers: z.array(z.string()),
  }),
  stops: z.array(stopNoticeSchema),
  versions: z.array(packetVersionSchema),
  handoffs: z.array(handoffSchema),
  /** Each evidence item's freshness verdict now, PKT-EVIDENCE-FRESH (null: the item has no rule). */
  freshness: z.record(
    z.string(),
    z.strictObject({ fresh: z.boolean(), ageDays: z.number().int().nullable() }).nullable(),
  ),
  /** A derived packet's evaluation, outcome, register and claim statuses (null for other kinds). */
  derived: derivedPacketSchema.nullable(),
  /** What the validity runway draws (the same as the printed packet), and where it came from. */
  runway: z.strictObject({
    certificates: z.array(
      z.strictObject({
        key: z.string(),
        subject: z.string(),
        serial: z.string(),
        notBefore: z.string(),
        notAfter: z.string(),
        source: z.string(),
        status: z.string().nullable(),
      }),
    ),
    windowStart: z.string().nullable(),
    windowEnd: z.string().nullable(),
    rotationDue: z.string().nullable(),
    from: z.string(),
  }),
});

/** What an edit tells its author: the seq it was recorded at, and the stop it raised, if any. */
const editReceiptSchema = z.strictObject({ seq, stopped: stopNoticeSchema.nullable() });
const evidenceMeta = {
  packetId,
  evidenceId: itemIdSchema,
  title: evidenceSchema.shape.title,
  system: evidenceSchema.shape.source.shape.system,
  effectiveAt: evidenceSchema.shape.effectiveAt,
  freshnessDays: evidenceSchema.shape.freshnessDays,
  sensitive: z.boolean(),
  actor,
};

export const packetsChannels = {
  packetList: { input: empty, output: z.array(packetSummarySchema) },
  /** One packet: its draft, completeness now, stop notices, versions, handoffs, evidence freshness. */
  packetGet: { input: z.strictObject({ packetId }), output: packetViewSchema },
  /** Opens a draft with its kind's title, boundary, required roles and pending claims. */
  packetCreate: {
    input: z.strictObject({
      packetId,
      kind: z.enum(PACKET_KINDS),
      covers: z.string().trim().min(1).max(2000),
      subject: packetContentSchema.shape.subject,
      actor,
    }),
    output: packetContentSchema,
  },
  packetSetClaim: {
    input: z.strictObject({ packetId, claim: claimSchema, actor }),
    output: editReceiptSchema,
  },
  /** A note, owner or due date on one open finding of the latest evaluation (never its category or blocking). */
  packetAnnotate: {
    input: z.strictObject({
      packetId,
      checkId: checkIdSchema,
      subject: annotationSchema.shape.subject,
      note: annotationSchema.shape.note.optional(),
      owner: annotationSchema.shape.owner.optional(),
      dueAt: annotationSchema.shape.dueAt.optional(),
      actor,
    }),
    output: editReceiptSchema,
  },
  /** Evaluates a derived packet's subject as of an instant (default now); answers its derived view. */
  packetEvaluate: {
    input: z.strictObject({ packetId, asOf: isoTime.optional(), actor }),
    output: derivedPacketSchema,
  },
  packetSetReviewers: {
    input: z.strictObject({ packetId, reviewers: z.array(reviewerSchema).max(20), actor }),
    output: editReceiptSchema,
  },
  /** A listed file from media (bundles' packetEvidenceFiles) staged, parsed and added as evidence. */
  packetImportEvidence: {
    input: z.strictObject({
      ...evidenceMeta,
      path: mediaPath,
    }),
    output: editReceiptSchema.extend({ evidence: evidenceSchema, summary: z.string() }),
  },
  packetAttest: {
    input: z.strictObject({
      ...evidenceMeta,
      text: z.string().trim().min(1).max(4000),
      attestedBy: evidenceSchema.shape.attestedBy.unwrap(),
    }),
    output: editReceiptSchema.extend({ evidence: evidenceSchema }),
  },
  packetRecordVersion: { input: z.strictObject({ packetId, actor }), output: packetVersionSchema },
  packetDiff: {
    input: z.strictObject({ packetId, from: z.number().int().min(1), to: z.number().int().min(1) }),
    output: z.array(
      z.strictObject({
        section: z.enum(['scope', 'subject', 'routing', 'claims', 'evidence', 'annotations']),
        id: z.string(),
        change: z.enum(['added', 'removed', 'changed']),
        fields: z.array(z.string()),
      }),
    ),
  },
  packetHandoff: {
    input: z.strictObject({
      packetId,
      version: z.number().int().min(1).optional(),
      /** Other packets: hand off although source checks fail (the record lists them). */
      acknowledgeBlockers: z.boolean().optional(),
      /** A derived packet: each blocking finding acknowledged, of a category the policy allows. */
      acknowledge: z.array(findingKeySchema).max(500).optional(),
      actor,
    }),
    output: handoffSchema,
  },
  /** A printable PDF of one version (digest words on every page, space for initials). */
  packetPrint: {
    input: z.strictObject({ packetId, version: z.number().int().min(1).optional() }),
    output: z.strictObject({ path: z.string(), sha256: sha256Hex, pages: z.number().int().nullable() }),
  },
} as const satisfies Channels;

export type PacketView = z.output<typeof packetViewSchema>;
export type PacketSummaryView = z.output<typeof packetSummarySchema>;
