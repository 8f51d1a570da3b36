import { originOf } from '../../../core/findings/batch';
import type { POLICY_SCHEMAS } from '../../../core/findings/policy';
import type { SourceRecord } from '../../../core/findings/model';
import {
  policiesImportedAfter,
  policyRecordRows,
  recordsImportedAfter,
  recordsImportRows,
  recordsOfFamilies,
} from '../../adapters/store/repos/records';
import type { Station } from '../../station/station';
import { firstHandEventsAfter, firstHandRecords } from './firsthand';
import { defaultPolicy, policyAt, type PolicyInForce } from './policy';

/** Read models other domains use: the records an evaluation reads, and what came in after a seq. */
export { policyAt, type PolicyInForce } from './policy';
export { sha256hex } from './records';
export { firstHandRecords, readBackKeyName, STATION_SYSTEM, type FirstHandRecord } from './firsthand';

/**
 * Every record (all versions) of the given families an evaluation reads: the imported ones, then the
 * station's own first-hand records of the same families, built from its journal (./firsthand).
 */
export function storedRecords(station: Station, families: readonly string[]): SourceRecord[] {
  return [
    ...recordsOfFamilies(station.store.db, families),
    ...firstHandRecords(station, families).map((f) => f.record),
  ];
}

/**
 * The records of these families as they stood when journal entry `seq` was appended: the imported ones
 * whose import came before it (import seq < seq) and the first-hand ones made from entries before it —
 * what an evaluation recorded at `seq` read (storedRecords at that moment), so it can be recomputed.
 *
 * A stored record's digest covers its provenance (file digest, system, export time), so the import
 * that brought it in is the first import of that file as that family, system and export time: later
 * imports of the same file add nothing (docs/records.md, "Imports").
 */
export function storedRecordsBefore(
  station: Station,
  families: readonly string[],
  seq: number,
): SourceRecord[] {
  const key = (family: string, version: number, system: string, exportedAt: string, file: string) =>
    [family, version, system, exportedAt, file].join('\u0000');
  const firstImport = new Map<string, number>();
  for (const i of recordsImportRows(station.store.db)) {
    const k = key(i.family, i.familyVersion, i.system, i.exportedAt, i.fileSha256);
    const held = firstImport.get(k);
    if (held === undefined || i.seq < held) firstImport.set(k, i.seq);
  }
  const imported = recordsOfFamilies(station.store.db, families).filter((r) => {
    const o = originOf(r);
    const at = firstImport.get(key(r.family, r.familyVersion, o.system, o.exportedAt, o.fileSha256));
    return at !== undefined && at < seq;
  });
  return [
    ...imported,
    ...firstHandRecords(station, families)
      .filter((f) => f.seq < seq)
      .map((f) => f.record),
  ];
}

/**
 * The version of a policy that was in force at `asOf` as the station knew it when entry `seq` was
 * appended: the latest imported before `seq` to take effect by `asOf`, else the default (policyAt as
 * it answered then; a version imported later does not count, even if it takes effect earlier).
 */
export function policyBefore(
  station: Station,
  name: string,
  asOf: string,
  seq: number,
  schemas: typeof POLICY_SCHEMAS | undefined = undefined,
): PolicyInForce {
  const now = policyAt(station, name, asOf, schemas);
  if (now.seq === null || now.seq < seq) return now;
  const row = policyRecordRows(station.store.db)
    .filter((r) => r.policy === name && r.seq < seq && r.exportedAt <= asOf)
    .reduce<ReturnType<typeof policyRecordRows>[number] | null>(
      (best, r) =>
        best === null ||
        r.exportedAt > best.exportedAt ||
        (r.exportedAt === best.exportedAt && r.seq > best.seq)
          ? r
          : best,
      null,
    );
  if (row)
    return {
      policy: row.policy,
      version: row.version,
      content: row.content,
      digest: row.digest,
      source: 'imported',
      seq: row.seq,
      system: row.system,
      exportedAt: row.exportedAt,
      fileName: row.fileName,
    };
  const d = defaultPolicy(name, schemas);
  if (!d) return now;
  return { ...d, source: 'default', seq: null, system: null, exportedAt: null, fileName: null };
}

/**
 * Whether records of these families (imported, or first-hand from journal entries) or versions of this
 * policy came in after `seq`.
 */
export function importedAfter(
  station: Station,
  seq: number,
  what: { families: readonly string[]; policy: string },
): { records: boolean; policy: boolean } {
  return {
    records:
      recordsImportedAfter(station.store.db, what.families, seq) > 0 ||
      firstHandEventsAfter(station, what.families, seq),
    policy: policiesImportedAfter(station.store.db, what.policy, seq) > 0,
  };
}
