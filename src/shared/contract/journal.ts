import { z } from 'zod';
import type { JournalVerdict } from '../../core/journal/verify';
import { empty, seq, sha256Hex, type Channels } from './common';

/**
 * The journal's channels (services/journal): pages and entries as stored, verification, checkpoints.
 * Signing a checkpoint is the identity key's act: `journalCheckpoint` lives in ./identity.ts.
 */

const checkpointRef = z.strictObject({
  n: z.number().int(),
  size: z.number().int(),
  at: z.string(),
  /** Seq of the checkpoint's chained event (the journal is anchored through it); null for legacy. */
  eventSeq: z.number().int().nullable(),
});

/** What the station token's journal high-water mark said (docs/journal-format.md). */
const markState = z.strictObject({
  status: z.enum(['CONFIRMED', 'BEHIND', 'NOT CHECKED']),
  n: z.number().int().nullable(),
  reason: z.string(),
});

export const journalVerdictSchema = z.discriminatedUnion('status', [
  z.strictObject({
    status: z.literal('VERIFIED'),
    entries: z.number().int(),
    headHash: sha256Hex.nullable(),
    checkpoint: checkpointRef,
    mark: markState,
  }),
  z.strictObject({
    status: z.literal('UNANCHORED'),
    check: z.literal('JNL-ANCHOR'),
    entries: z.number().int(),
    headHash: sha256Hex.nullable(),
    checkpoint: checkpointRef.nullable(),
    unanchoredFromSeq: z.number().int().nullable(),
    reason: z.string(),
    mark: markState,
  }),
  z.strictObject({
    status: z.literal('TAMPERED'),
    check: z.enum([
      'JNL-SEQ',
      'JNL-ROW',
      'JNL-LINK',
      'JNL-HASH',
      'JNL-CKPT-ORDER',
      'JNL-CKPT-SIG',
      'JNL-CKPT-HEAD',
      'JNL-CKPT-TRUNC',
      'JNL-CKPT-EVENT',
      'JNL-ROLLBACK',
      'JNL-MARK',
      'JNL-IDENTITY',
    ]),
    entries: z.number().int(),
    firstBadSeq: z.number().int().nullable(),
    lastPossibleSeq: z.number().int().nullable(),
    checkpointN: z.number().int().nullable(),
    reason: z.string(),
  }),
]) satisfies z.ZodType<JournalVerdict>;

export const journalSummarySchema = z.strictObject({
  seq,
  at: z.string(),
  actor: z.string(),
  kind: z.string(),
  /** A one-line preview of the body (truncated canonical JSON). */
  preview: z.string(),
});

export const journalEntrySchema = z.strictObject({
  seq,
  at: z.string(),
  actor: z.string(),
  kind: z.string(),
  /** The stored canonical JSON, exactly as hashed. */
  bodyText: z.string(),
  prevHash: z.string(),
  hash: z.string(),
});

export const checkpointSchema = z.strictObject({
  n: z.number().int(),
  size: z.number().int(),
  headHash: z.string(),
  at: z.string(),
  keyId: z.string(),
  alg: z.string(),
  /** Seq of the checkpoint's chained `journal.checkpoint` event; null for a legacy checkpoint. */
  eventSeq: z.number().int().nullable(),
});

export const journalChannels = {
  journalPage: {
    input: z.strictObject({ fromSeq: seq, limit: z.number().int().min(1).max(500) }),
    output: z.strictObject({ entries: z.array(journalSummarySchema), total: z.number().int() }),
  },
  journalEntry: { input: z.strictObject({ seq }), output: journalEntrySchema },
  journalVerify: {
    input: empty,
    output: z.strictObject({
      verdict: journalVerdictSchema,
      /** The identity key the checkpoints were checked with, and whether the station token confirms it. */
      identity: z
        .strictObject({
          fingerprint: sha256Hex,
          tokenSerial: z.string(),
          token: z.strictObject({
            status: z.enum(['CONFIRMED', 'MISMATCH', 'UNAVAILABLE']),
            reason: z.string(),
          }),
          /** The station token's module: the registration it is loaded from, and later ones ignored. */
          module: z.strictObject({
            moduleId: z.string(),
            registeredAt: z.number().int().nullable(),
            ignored: z.array(z.number().int()),
          }),
        })
        .nullable(),
      /** The mark the verdict judged: the public copy, or (with the PIN, CLI) the PIN-protected mark. */
      markChecked: z.enum(['public', 'private']),
      /** Seqs where the journal mark was re-established (`journal repair-mark --reset`). */
      markResets: z.array(z.number().int()),
    }),
  },
  journalCheckpoints: { input: empty, output: z.array(checkpointSchema) },
} as const satisfies Channels;

export type JournalSummary = z.output<typeof journalSummarySchema>;
export type JournalEntry = z.output<typeof journalEntrySchema>;
export type CheckpointInfo = z.output<typeof checkpointSchema>;
