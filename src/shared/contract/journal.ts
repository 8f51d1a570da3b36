import { z } from 'zod';
import type { JournalFilter } from '../../core/journal/filter';
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

/** The journal's report: the verdict, the identity key it was judged with, and the mark it read. */
export const journalReportSchema = z.strictObject({
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
});

/**
 * A verification stopped by the operator before it reached the head: no verdict, and never VERIFIED
 * (docs/journal-format.md, "Verification as a job"). Entries 1..cancelledAtSeq-1 were checked, nothing
 * from cancelledAtSeq on was looked at, and no checkpoint or mark was judged.
 */
export const cancelledVerificationSchema = z.strictObject({
  status: z.literal('CANCELLED'),
  /** Entries checked from seq 1 before the cancel. */
  entries: z.number().int(),
  /** Entries there were to check (the head when the verification started). */
  total: z.number().int(),
  /** The first seq not checked. */
  cancelledAtSeq: seq,
  reason: z.string(),
});

const kindName = z.string().min(1).max(100);

/** Which entries a list shows (src/core/journal/filter.ts): kinds (any of), an actor, a seq range. */
export const journalFilterSchema = z.strictObject({
  kinds: z.array(kindName).max(64).optional(),
  actor: z.string().min(1).max(200).optional(),
  fromSeq: seq.optional(),
  toSeq: seq.optional(),
}) satisfies z.ZodType<JournalFilter>;

const valueCount = z.strictObject({ value: z.string(), count: z.number().int() });
const jobRef = z.strictObject({ jobId: z.string().uuid() });

export const journalChannels = {
  journalPage: {
    input: z.strictObject({
      /** The page starts at the first matching entry with seq ≥ fromSeq… */
      fromSeq: seq,
      limit: z.number().int().min(1).max(500),
      /** …after skipping this many of them: a filtered list's row index (a virtualised list's page). */
      offset: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
      /** Only the entries that match; a bad range is INVALID_INPUT naming fromSeq or toSeq. */
      filter: journalFilterSchema.optional(),
    }),
    output: z.strictObject({
      entries: z.array(journalSummarySchema),
      /** Entries in the journal (its head's seq). */
      total: z.number().int(),
      /** Entries the filter matches: present when the page was asked with a filter or an offset. */
      matched: z.number().int().optional(),
    }),
  },
  /** The kinds and actors present in the journal, with counts: the filter's choices. */
  journalFilterChoices: {
    input: empty,
    output: z.strictObject({
      kinds: z.array(valueCount),
      actors: z.array(valueCount),
      total: z.number().int(),
    }),
  },
  journalEntry: { input: z.strictObject({ seq }), output: journalEntrySchema },
  /** The whole verification in one call (quick checks, tests); the UI runs it as a job. */
  journalVerify: { input: empty, output: journalReportSchema },
  /**
   * Starts verification as a job: progress (entries checked of total) and cancel through jobStatus and
   * jobCancel, the outcome through journalVerifyOutcome.
   */
  journalVerifyStart: { input: empty, output: jobRef },
  /** A verification job's outcome: still running, its report, or cancelled at a seq (never VERIFIED). */
  journalVerifyOutcome: {
    input: jobRef,
    output: z.discriminatedUnion('state', [
      z.strictObject({ state: z.literal('running'), done: z.number().int(), total: z.number().int() }),
      z.strictObject({ state: z.literal('complete'), report: journalReportSchema }),
      z.strictObject({ state: z.literal('cancelled'), verdict: cancelledVerificationSchema }),
    ]),
  },
  journalCheckpoints: { input: empty, output: z.array(checkpointSchema) },
} as const satisfies Channels;

export type JournalSummary = z.output<typeof journalSummarySchema>;
export type JournalEntry = z.output<typeof journalEntrySchema>;
export type CheckpointInfo = z.output<typeof checkpointSchema>;
export type JournalFilterInput = z.output<typeof journalFilterSchema>;
export type JournalReportView = z.output<typeof journalReportSchema>;
export type CancelledVerification = z.output<typeof cancelledVerificationSchema>;
export type JournalVerifyOutcome = z.output<(typeof journalChannels)['journalVerifyOutcome']['output']>;
