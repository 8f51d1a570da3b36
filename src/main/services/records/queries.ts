import type { SourceRecord } from '../../../core/findings/model';
import {
  policiesImportedAfter,
  recordsImportedAfter,
  recordsOfFamilies,
} from '../../adapters/store/repos/records';
import type { Station } from '../../station/station';

/** Read models other domains use: the records an evaluation reads, and what came in after a seq. */
export { policyAt, type PolicyInForce } from './policy';
export { sha256hex } from './records';

/** Every stored record (all versions) of the given families. */
export function storedRecords(station: Station, families: readonly string[]): SourceRecord[] {
  return recordsOfFamilies(station.store.db, families);
}

/** Whether records of these families, or versions of this policy, were imported after `seq`. */
export function importedAfter(
  station: Station,
  seq: number,
  what: { families: readonly string[]; policy: string },
): { records: boolean; policy: boolean } {
  return {
    records: recordsImportedAfter(station.store.db, what.families, seq) > 0,
    policy: policiesImportedAfter(station.store.db, what.policy, seq) > 0,
  };
}
