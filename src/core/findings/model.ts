import { z } from 'zod';
import { checkId, isoTime, sha256Hex } from '../schema';

/**
 * The findings engine's vocabulary (docs/findings.md). The station finds, people decide: every register
 * entry, hold and outcome is derived by rules from imported source records and policy records, judged
 * as of one instant, and each finding names the exact records it rests on.
 */

/** Where a record came from: the source system, that system's own id for it, and the file it came in. */
export const provenanceSchema = z.strictObject({
  /** The source system as the export names it, e.g. `hsm-admin`, `ceremony-records`, or `station`. */
  system: z.string().trim().min(1).max(80),
  /** The source system's own id of this record (unique per family and system). */
  recordId: z.string().trim().min(1).max(200),
  /** When the source system exported it (the fact is as of this instant, at the latest). */
  exportedAt: isoTime,
  /** SHA-256 of the file the record was imported from (or of the station record it was made from). */
  fileSha256: sha256Hex,
  /** First-hand: made by this station from its own journal or HSM read-back, not imported. */
  firstHand: z.boolean(),
});
export type Provenance = z.output<typeof provenanceSchema>;

/** A pointer to one record: what a finding rests on, what a claim cites, what a UI link opens. */
export const recordRefSchema = z.strictObject({
  family: z.string().min(1).max(80),
  system: z.string().min(1).max(80),
  recordId: z.string().min(1).max(200),
});
export type RecordRef = z.output<typeof recordRefSchema>;

/** One source record as the engine sees it: family, provenance, validated content, content digest. */
export interface SourceRecord<C = unknown> {
  readonly family: string;
  readonly familyVersion: number;
  readonly provenance: Provenance;
  readonly content: C;
  /** SHA-256 of the canonical JSON of { family, familyVersion, provenance, content }. */
  readonly digest: string;
}

/**
 * Finding categories, in the order the deferral outcome weighs them (stop first). `stop` halts the
 * workflow into incident handling; scope/routing and source-completion categories hold it; the rest may
 * be handed off as open exceptions when the outcome allows.
 */
export const FINDING_CATEGORIES = [
  'stop',
  'scope-unclear',
  'routing-unclear',
  'missing',
  'invalid',
  'disputed',
  'stale',
  'partial',
  'carryover',
  'expired',
  'policy-criterion-unmet',
] as const;
export type FindingCategory = (typeof FINDING_CATEGORIES)[number];

export const findingSchema = z.strictObject({
  /** The rule that found it, e.g. DEF-CUSTODY-FRESH; one rule per check ID in src/core/findings/rules. */
  checkId: checkId(),
  category: z.enum(FINDING_CATEGORIES),
  /** A blocking finding keeps a packet from going clean; only a person's recorded act can carry it. */
  blocking: z.boolean(),
  /** Whether policy lets a person waive it (never a station decision; non-waivable is never downgraded). */
  waivable: z.boolean(),
  /** What it is about (a key, a person, an item, a path), so one rule may find several things. */
  subject: z.string().min(1).max(200),
  /** The exact records it rests on. */
  records: z.array(recordRefSchema).max(200),
  /** One plain sentence. */
  sentence: z.string().min(1).max(1000),
});
export type Finding = z.output<typeof findingSchema>;

export const evaluationInputsSchema = z.strictObject({
  asOf: isoTime,
  /** Digest of the policy record set the evaluation was judged under. */
  policyDigest: sha256Hex,
  /** Digest of the sorted record digests the evaluation read. */
  recordsDigest: sha256Hex,
  recordCount: z.number().int().min(0),
});
export type EvaluationInputs = z.output<typeof evaluationInputsSchema>;
