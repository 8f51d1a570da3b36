import { z } from 'zod';
import { canonicalBytes } from '../canonical';
import { coreError } from '../errors';
import { isoTime } from '../schema';
import { firstIssue } from '../validate';
import type { Sha256Hex } from './engine';
import { FAMILIES, isFamilyName } from './families/catalogue';
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
  const interned = new Map<string, string>();
  return env.data.records.map((raw, i) => {
    const r = family.schema.safeParse(raw);
    if (!r.success) {
      const { field, message } = firstIssue(r.error, `${file.name}.records.${i}`);
      throw coreError('RECORD_INVALID', `${field} ${message}`, { field, file: file.name, family: name });
    }
    // The family schema accepted it, so it is a plain object with exactly the schema's fields (or fewer).
    const content = compact(
      raw as Record<string, unknown>,
      r.data as Record<string, unknown>,
      family,
      interned,
    );
    const recordId = String(content[family.idField]);
    if (seen.has(recordId))
      throw coreError(
        'RECORD_INVALID',
        `${file.name}.records.${i}.${family.idField} "${recordId}" appears twice in one export`,
        { field: `${file.name}.records.${i}.${family.idField}`, file: file.name, family: name },
      );
    seen.add(recordId);
    const provenance = { system, recordId, exportedAt, fileSha256: file.sha256, firstHand };
    return {
      family: name,
      familyVersion,
      provenance,
      content,
      digest: sha256(canonicalBytes({ family: name, familyVersion, provenance, content })),
    };
  });
}

/**
 * The validated content, held as compactly as the engine can read it: a million audit entries are what an
 * evaluation keeps in memory (bench/findings). The validated values are written back into the object
 * JSON.parse made (it has exactly the fields the strict schema allowed, laid out tightly, and is dropped
 * otherwise), and values that repeat within one export — HSM serials, operators, references, events — are
 * kept once. The id and time fields are unique per record and are not interned.
 */
function compact(
  raw: Record<string, unknown>,
  parsed: Record<string, unknown>,
  family: { readonly idField: string; readonly timeField: string | null },
  interned: Map<string, string>,
): Record<string, unknown> {
  for (const key of Object.keys(parsed)) {
    let v = parsed[key];
    if (typeof v === 'string' && key !== family.idField && key !== family.timeField) {
      const held = interned.get(v);
      if (held === undefined) interned.set(v, v);
      else v = held;
    }
    if (raw[key] !== v) raw[key] = v;
  }
  return raw;
}
