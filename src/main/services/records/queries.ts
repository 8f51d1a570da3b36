import type { SourceRecord } from '../../../core/findings/model';
import {
  policiesImportedAfter,
  recordsImportedAfter,
  recordsOfFamilies,
} from '../../adapters/store/repos/records';
import type { Station } from '../../station/station';
import { firstHandEventsAfter, firstHandRecords } from './firsthand';

/** Read models other domains use: the records an evaluation reads, and what came in after a seq. */
export { policyAt, type PolicyInForce } from './policy';
export { sha256hex } from './records';
export { firstHandRecords, STATION_SYSTEM, type FirstHandRecord } from './firsthand';

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
