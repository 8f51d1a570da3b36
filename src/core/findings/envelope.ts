import { z } from 'zod';
import { canonicalBytes } from '../canonical';
import { coreError } from '../errors';
import { isoTime } from '../schema';
import { firstIssue } from '../validate';
import type { Sha256Hex } from './engine';
import { FAMILIES, isFamilyName } from './families/catalogue';
import { RecordBatch } from './batch';
import type { SourceRecord } from './model';

/**
 * A source export as the station takes it: one family per file, the system that exported it, when, and
 * the records (docs/records.md). CSV exports become this shape once their columns are read.
 */
const MAX_RECORDS = 2_000_000;

export const exportEnvelopeSchema = z.strictObject({
  family: z.string().min(1).max(80),
  /** The family version the records are written to (default 1). */
  familyVersion: z.number().int().min(1).default(1),
  system: z.string().trim().min(1).max(80),
  exportedAt: isoTime,
  records: z.array(z.record(z.string(), z.unknown())).max(MAX_RECORDS),
});
export type ExportEnvelope = z.input<typeof exportEnvelopeSchema>;

/**
 * The envelope as recordsFromEnvelope checks it: each record is left as the file had it, for its family
 * schema to judge (a copy of every record here would double the memory of a million-entry export).
 */
const envelopeHeadSchema = exportEnvelopeSchema.extend({
  records: z.array(z.unknown()).max(MAX_RECORDS),
});

/**
 * Validates every record of an export against its family and returns them with provenance and digest,
 * or throws a coded error naming the record and field (nothing is taken from a file with one bad record).
 */
export function recordsFromEnvelope(
  input: unknown,
  file: { sha256: string; name: string },
  sha256: Sha256Hex,
  firstHand = false,
): SourceRecord[] {
  const env = envelopeHeadSchema.safeParse(input);
  if (!env.success) {
    const { field, message } = firstIssue(env.error, file.name);
    throw coreError('RECORD_INVALID', `${field} ${message}`, { field, file: file.name });
  }
  const { family: name, familyVersion, system, exportedAt } = env.data;
  if (!isFamilyName(name))
    throw coreError(
      'RECORD_FAMILY_UNKNOWN',
      `${file.name}: "${name}" is not a record family the station knows (see docs/records.md)`,
      { field: `${file.name}.family`, family: name },
    );
  const family = FAMILIES[name];
  if (familyVersion !== family.version)
    throw coreError(
      'RECORD_FAMILY_UNKNOWN',
      `${file.name}: ${name} version ${familyVersion} is not known (the station reads version ${family.version})`,
      { field: `${file.name}.familyVersion`, family: name },
    );
  const seen = new Set<string>();
  const origin = { family: name, familyVersion, system, exportedAt, fileSha256: file.sha256, firstHand };
  const unique = family.timeField === null ? [] : [family.timeField];
  const batch = new RecordBatch(origin, family.idField, unique, env.data.records.length);
  const out = new Array<SourceRecord>(env.data.records.length);
  for (const [i, raw] of env.data.records.entries()) {
    const r = family.schema.safeParse(raw);
    if (!r.success) {
      const { field, message } = firstIssue(r.error, `${file.name}.records.${i}`);
      throw coreError('RECORD_INVALID', `${field} ${message}`, { field, file: file.name, family: name });
    }
    // The family schema accepted it, so it is a plain object with exactly the schema's fields (or fewer).
    const content = validatedInPlace(raw as Record<string, unknown>, r.data as Record<string, unknown>);
    const recordId = String(content[family.idField]);
    if (seen.has(recordId))
      throw coreError(
        'RECORD_INVALID',
        `${file.name}.records.${i}.${family.idField} "${recordId}" appears twice in one export`,
        { field: `${file.name}.records.${i}.${family.idField}`, file: file.name, family: name },
      );
    seen.add(recordId);
    const provenance = { system, recordId, exportedAt, fileSha256: file.sha256, firstHand };
    const digest = sha256(canonicalBytes({ family: name, familyVersion, provenance, content }));
    out[i] = batch.add(recordId, content, digest);
  }
  batch.seal();
  return out;
}

/**
 * The validated content, kept in the object JSON.parse made: it has exactly the fields the strict schema
 * allowed, laid out tightly (a fresh object per record would cost more), so the validated values are
 * written back into it and zod's copy is dropped. The batch then keeps repeating values once.
 */
function validatedInPlace(
  raw: Record<string, unknown>,
  parsed: Record<string, unknown>,
): Record<string, unknown> {
  for (const key of Object.keys(parsed)) if (raw[key] !== parsed[key]) raw[key] = parsed[key];
  return raw;
}
