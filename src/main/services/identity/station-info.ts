import { CodedError } from '../../../core/errors';
import type { StationInfo } from '../../../shared/contract';
import type { Station } from '../../station/station';
import { quorumSummary } from '../custodians/queries';
import { identitySummary, projectedIdentity, stationIdentity, type StationIdentity } from './queries';

/**
 * What the banner shows and `station info` prints: the station record, its identity and whether the
 * identity token answers now, the store's state and the journal's unsigned tail.
 */
export function stationInfo(station: Station, host: 'electron' | 'browser'): StationInfo {
  const r = station.stationRecord();
  const { identity, problem } = checkedIdentity(station);
  return {
    ...r,
    identity: identity ? identitySummary(identity) : null,
    hsm: identity
      ? {
          tokenSerial: identity.tokenSerial,
          tokenLabel: identity.tokenLabel,
          ...(problem ?? tokenStatus(station, identity)),
        }
      : null,
    quorum: quorumSummary(station),
    store: {
      path: station.store.path,
      schemaVersion: station.store.schemaVersion,
      readOnly: station.store.readOnly,
      readOnlyReason: station.store.readOnlyReason,
    },
    journal: journalTail(station),
    host,
  };
}

/**
 * The identity, or — when the station file's record of its token is missing or not the one the journal
 * committed to (issue #16) — the stored identity with no token and the refusal as an ERROR: the banner
 * never shows a token PRESENT that no act could use.
 */
function checkedIdentity(station: Station): {
  identity: StationIdentity | null;
  problem: { status: 'ERROR'; detail: string } | null;
} {
  try {
    return { identity: stationIdentity(station), problem: null };
  } catch (e) {
    if (!(e instanceof CodedError && (e.code === 'IDENTITY_MISMATCH' || e.code === 'IDENTITY_TOKEN_UNKNOWN')))
      throw e;
    const stored = projectedIdentity(station);
    return {
      identity: stored ? { ...stored, tokenSerial: '', tokenLabel: '' } : null,
      problem: { status: 'ERROR', detail: `${e.code}: ${e.message}` },
    };
  }
}

/**
 * The unsigned tail the banner shows: entries after the latest checkpoint's own event (after its head
 * for a legacy checkpoint). Two indexed reads, no verification: the verdict says whether they hold.
 * Null when a damaged (read-only) store cannot be read that far.
 */
function journalTail(station: Station): StationInfo['journal'] {
  try {
    const entries = station.journal.head().seq;
    const latest = station.journal.latestCheckpoint();
    const anchored = latest ? (latest.eventSeq ?? latest.size) : 0;
    return { entries, checkpoint: latest?.n ?? null, unsigned: Math.max(0, entries - anchored) };
  } catch (e) {
    // A damaged store (read-only) must still describe itself: the banner then shows no count.
    if (station.store.readOnly) return null;
    throw e;
  }
}

/**
 * Whether the identity token answers now. A module that cannot load is an ERROR with its code, not
 * "absent": a library that changed since it was registered is a tamper signal, not a missing token.
 */
function tokenStatus(
  station: Station,
  identity: StationIdentity,
): { status: 'PRESENT' | 'BUSY' | 'ABSENT' | 'ERROR'; detail: string } {
  try {
    const module = station.hsm.module(identity.moduleId);
    const present = module.tokens().some((t) => t.serial === identity.tokenSerial);
    // Busy: an operation has the token (it runs one at a time); the next one waits or is refused.
    const busy = present ? module.busy(identity.tokenSerial) : null;
    if (busy)
      return { status: 'BUSY', detail: `${identity.tokenSerial}: ${busy.purpose} since ${busy.since}` };
    return present
      ? { status: 'PRESENT', detail: identity.tokenSerial }
      : { status: 'ABSENT', detail: identity.tokenSerial };
  } catch (e) {
    return {
      status: 'ERROR',
      detail: e instanceof CodedError ? `${e.code}: ${e.message}` : 'the module could not be read',
    };
  }
}
