import { z } from 'zod';
import { activationLedgerSchema } from '../../core/activation/model';
import { FINDING_CATEGORIES, recordRefSchema } from '../../core/findings/model';
import { packetIdSchema } from '../../core/schema';
import { actor, isoTime, seq, sha256Hex, type Channels } from './common';

/**
 * The offline-signing continuity activation gate (services/activation; workflow `activation-gate`,
 * issue #15): the gate's state, readiness ledger and hold register, the packet versions that bind a
 * ledger and the approvals of them, and the lineage of what changed between versions. No channel here
 * signs, publishes or clears a hold: a hold clears only when a record fixes the fact.
 */
export const GATE_STATE_WORDS = [
  'NOT-EVALUATED',
  'STALE',
  'ESCALATE',
  'HOLD',
  'VERSION-NEEDED',
  'AWAITING-APPROVAL',
  'REFUSED',
  'OPEN',
] as const;

const holdSchema = z.strictObject({
  checkId: z.string(),
  kind: z.string(),
  category: z.enum(FINDING_CATEGORIES),
  subject: z.string(),
  waivable: z.boolean(),
  blocking: z.boolean(),
  sentence: z.string(),
  records: z.array(recordRefSchema),
});

export const gateViewSchema = z.strictObject({
  packetId: packetIdSchema,
  declarationId: z.string(),
  state: z.enum(GATE_STATE_WORDS),
  sentence: z.string(),
  evaluation: z
    .strictObject({
      seq,
      asOf: isoTime,
      status: z.enum(['FRESH', 'STALE']),
      sentence: z.string(),
      outcome: z.string(),
      reason: z.string(),
      policyDigest: sha256Hex,
      ledgerDigest: z.string(),
    })
    .nullable(),
  ledger: activationLedgerSchema.nullable(),
  holds: z.array(holdSchema),
  quarantine: z.array(holdSchema),
  versions: z.array(
    z.strictObject({
      version: z.number().int(),
      digest: sha256Hex,
      ledgerDigest: z.string().nullable(),
      evaluationSeq: z.number().int().nullable(),
      at: z.string(),
      seq,
      current: z.boolean(),
    }),
  ),
  approvals: z.array(
    z.strictObject({
      version: z.number().int(),
      reviewer: z.string(),
      role: z.string(),
      decision: z.string(),
      expiresAt: z.string(),
      expired: z.boolean(),
      seq,
      standing: z.enum(['valid', 'invalidated', 'expired', 'key-revoked', 'not-the-owner', 'wrong-role']),
      why: z.string(),
    }),
  ),
  approvalRole: z.string(),
  approvalOwner: z.string().nullable(),
});
export type GateViewOut = z.output<typeof gateViewSchema>;

export const gateLineageSchema = z.array(
  z.strictObject({
    version: z.number().int(),
    at: z.string(),
    evaluationSeq: z.number().int().nullable(),
    reproduced: z.boolean(),
    changes: z.array(
      z.strictObject({
        area: z.string(),
        item: z.string(),
        change: z.enum(['added', 'removed', 'changed']),
        facts: z.array(z.strictObject({ fact: z.string(), before: z.string(), after: z.string() })),
      }),
    ),
    holdsOpened: z.array(z.string()),
    holdsCleared: z.array(z.string()),
  }),
);

const packetId = packetIdSchema;

export const activationChannels = {
  /** The gate of an activation-gate packet as the station finds it now. */
  gateStatus: { input: z.strictObject({ packetId }), output: gateViewSchema },
  /** Evaluates the packet's declaration now (or as of `asOf`), recorded under the actor; returns the gate. */
  gateEvaluate: {
    input: z.strictObject({ packetId, asOf: isoTime.optional(), actor }),
    output: gateViewSchema,
  },
  /** Records the next packet version bound to the latest (FRESH) evaluation's ledger. */
  gateRecordVersion: { input: z.strictObject({ packetId, actor }), output: gateViewSchema },
  /** What changed between the packet's versions: ledger lines and holds. */
  gateLineage: { input: z.strictObject({ packetId }), output: gateLineageSchema },
} as const satisfies Channels;
