import { validCustodians, type RosterEntry } from '../../../core/custody/roster';
import { journalTime } from '../../../core/journal/events';
import {
  quorumCheckins,
  quorumSession,
  quorumSessions,
  rosterQuorum,
  rosterRows,
} from '../../adapters/store/repos/custodians';
import type { Station } from '../../station/station';

export function rosterEntries(station: Station): RosterEntry[] {
  return rosterRows(station.store.db);
}

export function rosterPolicy(station: Station): { quorum: number } | null {
  const quorum = rosterQuorum(station.store.db);
  return quorum === null ? null : { quorum };
}

/**
 * What the banner says of quorum: M (the roster's quorum) of N (custodians valid now), and the newest
 * quorum session still open — how many valid custodians have checked in to it. Null without a roster.
 */
export function quorumSummary(station: Station): {
  threshold: number;
  custodians: number;
  open: {
    sessionId: string;
    operation: string;
    checkedIn: number;
    threshold: number;
    expiresAt: string;
  } | null;
} | null {
  const policy = rosterPolicy(station);
  if (!policy) return null;
  const now = journalTime(station.deps.clock());
  const valid = validCustodians(rosterEntries(station), now);
  const open = quorumSessions(station.store.db)
    .filter((s) => s.closedReason === null && now < s.expiresAt)
    .sort((a, b) => (a.openedAt < b.openedAt ? 1 : -1))[0];
  const ids = new Set(valid.map((c) => c.custodianId));
  return {
    threshold: policy.quorum,
    custodians: valid.length,
    open: open
      ? {
          sessionId: open.sessionId,
          operation: open.operation,
          // Each valid custodian once, as quorumState counts them.
          checkedIn: new Set(
            quorumCheckins(station.store.db, open.sessionId)
              .map((c) => c.custodianId)
              .filter((id) => ids.has(id)),
          ).size,
          threshold: quorumSession(station.store.db, open.sessionId)?.threshold ?? policy.quorum,
          expiresAt: open.expiresAt,
        }
      : null,
  };
}

export * from './splits';
