import { type RosterEntry } from '../../../core/custody/roster';
import { rosterQuorum, rosterRows } from '../../adapters/store/repos/custodians';
import type { Station } from '../../station/station';

export function rosterEntries(station: Station): RosterEntry[] {
  return rosterRows(station.store.db);
}

export function rosterPolicy(station: Station): { quorum: number } | null {
  const quorum = rosterQuorum(station.store.db);
  return quorum === null ? null : { quorum };
}

export * from './splits';
