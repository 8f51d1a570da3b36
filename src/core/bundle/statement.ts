import { z } from 'zod';
import { nameSchema, textSchema } from '../names';
import { isoTime, packetIdSchema, roleSchema, sha256Hex, uuid } from '../schema';

/**
 * in-toto Statement v1 (in-toto/attestation spec): subjects are the files a bundle carries, each with
 * its SHA-256; the predicate says what the bundle is. The station names its own predicate types.
 */
export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const PREDICATE_TYPES = {
  bundle: 'https://ceremony-station.example/predicate/bundle/v1',
  approval: 'https://ceremony-station.example/predicate/approval/v1',
} as const;

const person = nameSchema(80);
/**
 * Free text a bundle or approval carries and others read (titles, comments): no terminal controls and
 * no bidi or other invisible format characters (TEXT-CONTROL, TEXT-FORMAT in src/core/names.ts).
 */
const title = textSchema(200).trim().min(1);
/** An organisation is a name, or nothing. */
const organisation = z.union([z.literal(''), nameSchema(120)]);

/**
 * A subject's DigestSet (in-toto ResourceDescriptor): algorithm → digest text. The station reads only
 * sha256, which is required and checked; other algorithms are accepted as the spec allows and dropped
 * from what the parse returns, so nothing downstream can use them.
 */
const digestSetSchema = z
  .record(z.string().min(1).max(64), z.string().min(1).max(1024))
  .pipe(z.object({ sha256: sha256Hex }));

/**
 * in-toto consumers ignore fields they do not recognise "unless otherwise noted in the predicate
 * specification" (attestation spec v1, "Parsing rules"): the statement and its subjects are plain
 * `z.object`, which accepts unknown keys and strips them, so what a parse returns is exactly the fields
 * the station knows. The station's own predicates note otherwise: they stay strict.
 */
export const subjectSchema = z.object({
  name: z.string().min(1).max(255),
  digest: digestSetSchema,
});

export const BUNDLE_KINDS = [
  'journal-segment',
  'custody-report',
  'packet',
  'evidence',
  'identity',
  'key-registration',
  /** The broad view of a compromise-authority evaluation (no custody, exposure or disclosure detail). */
  'packet-broad',
  /** One portal run's evidence: the run, its approval trace and its masked screenshots (online stations). */
  'portal-evidence',
  /** One ceremony run's transcript: its journal entries, the ceremony file's bytes, its outputs, the PDF. */
  'ceremony-transcript',
] as const;
export type BundleKind = (typeof BUNDLE_KINDS)[number];

/** What a bundle is: its kind, the packet and version it carries, who made it and which journal it rests on. */
export const bundlePredicateSchema = z.strictObject({
  bundleKind: z.enum(BUNDLE_KINDS),
  packetId: packetIdSchema,
  version: z.number().int().min(1).max(1_000_000),
  title,
  createdAt: isoTime,
  /** The station that made it; null for a reviewer's key-registration bundle. */
  station: z.strictObject({ stationId: uuid, name: person, fingerprint: sha256Hex }).nullable(),
  /** The key holder, for a key-registration bundle. */
  holder: z.strictObject({ name: person, organisation }).nullable(),
  /** The journal segment the content was built from, and the checkpoint that anchors it. */
  journal: z
    .strictObject({
      fromSeq: z.number().int().min(1),
      toSeq: z.number().int().min(1),
      headHash: sha256Hex,
      checkpoint: z.strictObject({ n: z.number().int().min(1), size: z.number().int().min(1) }).nullable(),
    })
    .nullable(),
});
export type BundlePredicate = z.infer<typeof bundlePredicateSchema>;

export const DECISIONS = ['approve', 'reject', 'request-changes'] as const;
export type Decision = (typeof DECISIONS)[number];

/** A reviewer's signed decision on one exact packet version. */
export const approvalPredicateSchema = z.strictObject({
  packetId: packetIdSchema,
  packetVersion: z.number().int().min(1).max(1_000_000),
  packetDigest: sha256Hex,
  role: roleSchema,
  decision: z.enum(DECISIONS),
  comment: textSchema(4000),
  expiresAt: isoTime,
  /** Chosen by the reviewer, strictly increasing per packet: replay and rollback need no trusted clock. */
  sequence: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  reviewer: z.strictObject({ name: person }),
  signedAt: isoTime,
});
export type ApprovalPredicate = z.infer<typeof approvalPredicateSchema>;

const statementShape = <P extends z.ZodType>(predicateType: string, predicate: P) =>
  z.object({
    _type: z.literal(STATEMENT_TYPE),
    subject: z.array(subjectSchema).min(1).max(10_000),
    predicateType: z.literal(predicateType),
    predicate,
  });

export const bundleStatementSchema = statementShape(PREDICATE_TYPES.bundle, bundlePredicateSchema);
export const approvalStatementSchema = statementShape(PREDICATE_TYPES.approval, approvalPredicateSchema);
export type BundleStatement = z.infer<typeof bundleStatementSchema>;
export type ApprovalStatement = z.infer<typeof approvalStatementSchema>;

/** The subject name an approval statement uses for the packet version it decides on. */
export function approvalSubjectName(packetId: string, version: number): string {
  return `${packetId}@v${version}`;
}
