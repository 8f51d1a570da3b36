import { canonicalBytes } from '../canonical';
import { bytesEqual } from '../bytes';
import { entryForKey, rosterStatus, type RosterEntry, type RosterStatus } from './roster';

/**
 * Quorum sessions: M custodians on the approved roster prove presence by signing a fresh challenge
 * with the key on their own token. The evaluation is pure; signature checking is injected.
 *
 * Check IDs (each refusal is journaled with its code):
 *   QUORUM-SESSION-OPEN      the session is open and not expired
 *   QUORUM-CHALLENGE         the check-in signs this session's challenge (not a replayed or foreign one)
 *   QUORUM-ON-ROSTER         the key belongs to a custodian on the roster
 *   QUORUM-ROSTER-VALID      that custodian's entry is valid now (not expired, revoked, or not yet valid)
 *   QUORUM-SIGNATURE         the signature verifies with the roster key
 *   QUORUM-ONCE              each person and each key counts once
 *   QUORUM-CLAIM             one act at a time: a session is claimed (journaled, under the write lock)
 *                            before its act touches a token; a claimed session cannot be used, cancelled
 *                            or claimed again until the act's result closes it, a release reopens it
 *                            (the act changed nothing) or a spend closes it (the outcome is unknown)
 */
export interface QuorumSession {
  readonly sessionId: string;
  readonly stationId: string;
  /** What the quorum authorises, bound exactly: an operation text (src/core/custody/operation.ts). */
  readonly operation: string;
  readonly ceremonyId: string;
  readonly step: string;
  readonly threshold: number;
  /** 32 random bytes, hex. */
  readonly nonce: string;
  readonly openedAt: string;
  readonly expiresAt: string;
}

export const CHALLENGE_TYPE = 'ceremony-station/quorum-challenge/v1';

/** The exact bytes each custodian signs: RFC 8785 canonical JSON of the session's challenge. */
export function challengeStatement(s: QuorumSession): Uint8Array {
  return canonicalBytes({
    _type: CHALLENGE_TYPE,
    station: s.stationId,
    session: s.sessionId,
    operation: s.operation,
    ceremony: s.ceremonyId,
    step: s.step,
    threshold: s.threshold,
    nonce: s.nonce,
    openedAt: s.openedAt,
    expiresAt: s.expiresAt,
  });
}

export interface CheckInAttempt {
  /** The statement the custodian signed, as presented. */
  readonly statement: Uint8Array;
  readonly signature: Uint8Array;
  /** SHA-256 of the presenting key's SubjectPublicKeyInfo. */
  readonly fingerprint: string;
}

export interface AcceptedCheckIn {
  readonly custodianId: string;
  readonly fingerprint: string;
  readonly at: string;
}

export type CheckInRefusal =
  | 'QUORUM_SESSION_CLOSED'
  | 'QUORUM_SESSION_EXPIRED'
  | 'QUORUM_FOREIGN_CHALLENGE'
  | 'QUORUM_OFF_ROSTER'
  | 'QUORUM_ENTRY_NOT_VALID'
  | 'QUORUM_BAD_SIGNATURE'
  | 'QUORUM_DUPLICATE_PERSON'
  | 'QUORUM_DUPLICATE_KEY'
  /** A name given with the check-in is not the roster entry of the key that signed. */
  | 'QUORUM_ACTOR_MISMATCH';

export type CheckInVerdict =
  | { readonly ok: true; readonly custodianId: string }
  | {
      readonly ok: false;
      readonly code: CheckInRefusal;
      readonly custodianId: string | null;
      readonly reason: string;
    };

export type SignatureCheck = (entry: RosterEntry, statement: Uint8Array, signature: Uint8Array) => boolean;

/** Decides one check-in. Order matters: the first failing check is the one reported. */
export function evaluateCheckIn(
  session: QuorumSession,
  state: { readonly closed: boolean; readonly accepted: readonly AcceptedCheckIn[] },
  roster: readonly RosterEntry[],
  attempt: CheckInAttempt,
  verify: SignatureCheck,
  now: string,
): CheckInVerdict {
  const refuse = (code: CheckInRefusal, custodianId: string | null, reason: string): CheckInVerdict => ({
    ok: false,
    code,
    custodianId,
    reason,
  });
  if (state.closed) return refuse('QUORUM_SESSION_CLOSED', null, `session ${session.sessionId} is closed`);
  if (now >= session.expiresAt)
    return refuse(
      'QUORUM_SESSION_EXPIRED',
      null,
      `session ${session.sessionId} expired at ${session.expiresAt}`,
    );
  if (!bytesEqual(attempt.statement, challengeStatement(session))) {
    return refuse(
      'QUORUM_FOREIGN_CHALLENGE',
      null,
      'the signed statement is not this session’s challenge (replayed or from another session)',
    );
  }
  const entry = entryForKey(roster, attempt.fingerprint, now);
  if (!entry)
    return refuse(
      'QUORUM_OFF_ROSTER',
      null,
      `key ${attempt.fingerprint.slice(0, 16)}… belongs to nobody on the approved roster`,
    );
  const status: RosterStatus = rosterStatus(entry, now);
  if (status !== 'VALID')
    return refuse('QUORUM_ENTRY_NOT_VALID', entry.custodianId, `${entry.name}’s roster entry is ${status}`);
  if (!verify(entry, attempt.statement, attempt.signature)) {
    return refuse(
      'QUORUM_BAD_SIGNATURE',
      entry.custodianId,
      `the signature does not verify with ${entry.name}’s registered key`,
    );
  }
  if (state.accepted.some((a) => a.custodianId === entry.custodianId)) {
    return refuse('QUORUM_DUPLICATE_PERSON', entry.custodianId, `${entry.name} has already checked in`);
  }
  if (state.accepted.some((a) => a.fingerprint === attempt.fingerprint)) {
    return refuse('QUORUM_DUPLICATE_KEY', entry.custodianId, 'this key has already been counted');
  }
  return { ok: true, custodianId: entry.custodianId };
}

export interface QuorumState {
  readonly threshold: number;
  /** Every valid check-in, not just the first M. */
  readonly checkedIn: readonly AcceptedCheckIn[];
  readonly reached: boolean;
}

/**
 * Whether quorum holds now: counts check-ins whose roster entries are still valid at `now` (an entry
 * revoked after checking in no longer counts), once per person and key.
 */
export function quorumState(
  session: QuorumSession,
  accepted: readonly AcceptedCheckIn[],
  roster: readonly RosterEntry[],
  now: string,
): QuorumState {
  const people = new Set<string>();
  const keys = new Set<string>();
  const counted: AcceptedCheckIn[] = [];
  for (const a of accepted) {
    const entry = roster.find((e) => e.custodianId === a.custodianId && e.fingerprint === a.fingerprint);
    if (
      !entry ||
      rosterStatus(entry, now) !== 'VALID' ||
      people.has(a.custodianId) ||
      keys.has(a.fingerprint)
    )
      continue;
    people.add(a.custodianId);
    keys.add(a.fingerprint);
    counted.push(a);
  }
  return {
    threshold: session.threshold,
    checkedIn: counted,
    reached: counted.length >= session.threshold && now < session.expiresAt,
  };
}

/** How a session's projection marks a claim and a spend (quorum_session.closed_reason). */
export const CLAIMED = 'claimed';
export const OUTCOME_UNKNOWN = 'outcome-unknown';

export type SessionStatus = 'OPEN' | 'CLAIMED' | 'EXPIRED' | 'CLOSED';

/**
 * Where a session stands at `now` (QUORUM-CLAIM): a claim left by a station that stopped during its
 * act stays CLAIMED, unusable, until the session expires like any other.
 */
export function sessionStatus(
  session: Pick<QuorumSession, 'expiresAt'>,
  closedReason: string | null,
  now: string,
): SessionStatus {
  if (closedReason !== null && closedReason !== CLAIMED) return 'CLOSED';
  if (now >= session.expiresAt) return 'EXPIRED';
  return closedReason === CLAIMED ? 'CLAIMED' : 'OPEN';
}
