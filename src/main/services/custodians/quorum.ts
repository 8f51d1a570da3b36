import { createHash, randomBytes, randomUUID, verify as verifySignature } from 'node:crypto';
import {
  CLAIMED,
  challengeStatement,
  evaluateCheckIn,
  quorumState,
  sessionStatus,
  type AcceptedCheckIn,
  type CheckInAttempt,
  type CheckInVerdict,
  type QuorumSession,
  type QuorumState,
  type SessionStatus,
  type SignatureCheck,
} from '../../../core/custody/quorum';
import { dsaEncodingOption, signatureAlgorithm, type HashName } from '../../../core/crypto/algorithms';
import { validCustodians, type RosterEntry } from '../../../core/custody/roster';
import { journalTime, type NewEvent, assertActor } from '../../../core/journal/events';
import { digestWords } from '../../../core/words';
import { sha256Hex } from '../../../core/schema';
import type { SignAlgorithm } from '../../adapters/hsm/module';
import {
  quorumCheckins,
  quorumRefusals,
  quorumSession,
  quorumSessions,
} from '../../adapters/store/repos/custodians';
import { stationError } from '../../errors';
import { rosterEntries, rosterPolicy } from './queries';
import { operatorActor, STATION_ACTOR } from '../../../core/custody/signin';
import type { Station } from '../../station/station';
import { withOnlineAllowance } from '../../station/hsm-registry';
import {
  describeOperationText,
  encodeOperation,
  parseOperation,
  type QuorumOperation,
} from '../../../core/custody/operation';

const DEFAULT_TTL_MINUTES = 60;
const sha = (alg: HashName, d: Buffer) => createHash(alg).update(d).digest();

/** Verifies a custodian's challenge signature with their roster key (raw r||s for ECDSA, as tokens sign). */
export const rosterSignatureCheck: SignatureCheck = (entry, statement, signature) => {
  const key = { key: Buffer.from(entry.spki, 'base64'), format: 'der' as const, type: 'spki' as const };
  const row = signatureAlgorithm(entry.algorithm);
  try {
    return verifySignature(row.hash, statement, { ...key, ...dsaEncodingOption(row, 'token') }, signature);
  } catch {
    return false;
  }
};

function tokenAlgorithm(entry: RosterEntry): SignAlgorithm {
  return signatureAlgorithm(entry.algorithm).token;
}

/** The act holding a session (QUORUM-CLAIM): its claim's journal seq, when and by whom. */
export interface QuorumClaim {
  readonly seq: number;
  readonly at: string;
  readonly actor: string;
}

function loadSession(
  station: Station,
  sessionId: string,
): { session: QuorumSession; closed: boolean; closedReason: string | null; claim: QuorumClaim | null } {
  const r = quorumSession(station.store.db, sessionId);
  if (!r)
    throw stationError('QUORUM_SESSION_NOT_FOUND', `no quorum session ${sessionId}`, { field: 'sessionId' });
  return {
    session: {
      sessionId: r.sessionId,
      stationId: station.stationRecord().stationId,
      operation: r.operation,
      ceremonyId: r.ceremonyId,
      step: r.step,
      threshold: r.threshold,
      nonce: r.nonce,
      openedAt: r.openedAt,
      expiresAt: r.expiresAt,
    },
    // A claimed session is closed to everyone but its claimant: no check-ins, no other use.
    closed: r.closedReason !== null,
    closedReason: r.closedReason,
    claim: r.closedReason === CLAIMED && r.closedSeq !== null ? claimAt(station, r.closedSeq) : null,
  };
}

function claimAt(station: Station, seq: number): QuorumClaim {
  const row = station.journal.get(seq);
  return { seq, at: row?.at ?? '', actor: row?.actor ?? '' };
}

function accepted(station: Station, sessionId: string): AcceptedCheckIn[] {
  return quorumCheckins(station.store.db, sessionId);
}

/**
 * A session's quorum now: its valid check-ins against the roster now, needing the session's own threshold
 * or the roster's quorum now, whichever is higher — a roster change that raised the quorum
 * (roster.quorum-set) binds the sessions already open too. The challenge keeps the threshold it was
 * opened with: that is what the custodians signed.
 */
function stateNow(
  station: Station,
  session: QuorumSession,
  roster: readonly RosterEntry[],
  now: string,
): QuorumState {
  const quorum = rosterPolicy(station)?.quorum ?? 0;
  return quorumState(
    { ...session, threshold: Math.max(session.threshold, quorum) },
    accepted(station, session.sessionId),
    roster,
    now,
  );
}

/** Opens a quorum session for exactly one operation, with a fresh 32-byte challenge nonce. */
export function openQuorumSession(
  station: Station,
  opts: {
    /**
     * The operation: its text (src/core/custody/operation.ts; refused unless canonical), or the typed
     * union itself (the UI's ceremony-presence purpose, as typed); either is refused if it does not fit
     * the journal.
     */
    operation: string | QuorumOperation;
    ceremonyId: string;
    step: string;
    threshold?: number;
    ttlMinutes?: number;
    actor: string;
  },
): QuorumSession {
  station.assertWritable();
  const policy = rosterPolicy(station);
  if (!policy) throw stationError('ROSTER_MISSING', 'a quorum needs an approved roster first', {});
  const threshold = opts.threshold ?? policy.quorum;
  if (threshold < policy.quorum) {
    throw stationError(
      'INVALID_INPUT',
      `the threshold may not be below the roster's quorum of ${policy.quorum}`,
      { field: 'threshold' },
    );
  }
  const now = station.deps.clock();
  const body = {
    sessionId: randomUUID(),
    operation: encodeOperation(
      typeof opts.operation === 'string' ? parseOperation(opts.operation) : opts.operation,
    ),
    ceremonyId: opts.ceremonyId,
    step: opts.step,
    threshold,
    nonce: randomBytes(32).toString('hex'),
    openedAt: journalTime(now),
    expiresAt: journalTime(new Date(now.getTime() + (opts.ttlMinutes ?? DEFAULT_TTL_MINUTES) * 60_000)),
  };
  station.record([{ kind: 'quorum.session-opened', actor: opts.actor, body }]);
  return { ...body, stationId: station.stationRecord().stationId };
}

export interface SessionView {
  readonly session: QuorumSession;
  readonly status: SessionStatus;
  readonly closed: boolean;
  readonly closedReason: string | null;
  /** The act holding the session, or null (QUORUM-CLAIM). */
  readonly claim: QuorumClaim | null;
  readonly state: QuorumState;
  readonly challenge: { readonly text: string; readonly sha256: string; readonly words: readonly string[] };
  /** Custodians who could check in now (ROSTER-VALID at the station's clock). */
  readonly seats: readonly { readonly custodianId: string; readonly name: string }[];
  readonly refusals: readonly {
    seq: number;
    code: string;
    custodianId: string | null;
    reason: string;
    at: string;
  }[];
}

export function quorumSessionView(station: Station, { sessionId }: { sessionId: string }): SessionView {
  const { session, closed, closedReason, claim } = loadSession(station, sessionId);
  const roster = rosterEntries(station);
  const statement = challengeStatement(session);
  const digest = createHash('sha256').update(statement).digest();
  const now = journalTime(station.deps.clock());
  return {
    session,
    status: sessionStatus(session, closedReason, now),
    closed,
    closedReason,
    claim,
    state: stateNow(station, session, roster, now),
    challenge: {
      text: Buffer.from(statement).toString('utf8'),
      sha256: digest.toString('hex'),
      words: digestWords(digest),
    },
    seats: validCustodians(roster, now).map(({ custodianId, name }) => ({ custodianId, name })),
    refusals: quorumRefusals(station.store.db, sessionId),
  };
}

/** Decides a check-in and journals the outcome either way (accepted, or refused with its code). */
export function submitCheckIn(
  station: Station,
  sessionId: string,
  attempt: CheckInAttempt,
  /**
   * Optional, and never who is recorded: an accepted check-in is journaled under the roster entry of the
   * key that signed (`operator:<custodianId>`), a refused one under operator:station (nobody was proven).
   * A name given here that is not the signing key's entry refuses the check-in (QUORUM_ACTOR_MISMATCH).
   */
  typedActor?: string,
): CheckInVerdict {
  station.assertWritable();
  if (typedActor !== undefined) assertActor(typedActor);
  const { session, closed } = loadSession(station, sessionId);
  const roster = rosterEntries(station);
  const now = journalTime(station.deps.clock());
  const decided = evaluateCheckIn(
    session,
    { closed, accepted: accepted(station, sessionId) },
    roster,
    attempt,
    rosterSignatureCheck,
    now,
  );
  const verdict: CheckInVerdict =
    decided.ok && typedActor !== undefined && typedActor !== operatorActor(decided.custodianId)
      ? {
          ok: false,
          code: 'QUORUM_ACTOR_MISMATCH',
          custodianId: decided.custodianId,
          reason: `the key that signed is ${decided.custodianId}'s (${operatorActor(decided.custodianId)}), not ${typedActor}'s`,
        }
      : decided;
  if (verdict.ok) {
    station.record([
      {
        kind: 'quorum.checked-in',
        actor: operatorActor(verdict.custodianId),
        body: {
          sessionId,
          custodianId: verdict.custodianId,
          fingerprint: attempt.fingerprint,
          signature: Buffer.from(attempt.signature).toString('base64'),
        },
      },
    ]);
  } else {
    station.record([
      {
        kind: 'quorum.check-in-refused',
        actor: STATION_ACTOR,
        body: {
          sessionId,
          code: verdict.code,
          custodianId: verdict.custodianId,
          fingerprint: sha256Hex.safeParse(attempt.fingerprint).success ? attempt.fingerprint : null,
          reason: verdict.reason,
        },
      },
    ]);
  }
  return verdict;
}

/**
 * A custodian checks in with their own token: the station finds the token key registered on the roster
 * (by its public key's fingerprint), has the token sign this session's challenge after the custodian's
 * PIN login, and decides the check-in like any other.
 */
export function checkInWithToken(
  station: Station,
  opts: {
    sessionId: string;
    moduleId: string;
    serial: string;
    pin: string;
    /**
     * Optional, and never who is recorded: a check-in is journaled under the roster entry of the key
     * that signed (`operator:<custodianId>`). A name given here that disagrees refuses the check-in.
     */
    actor?: string | undefined;
  },
): CheckInVerdict {
  // A malformed name is refused before any PIN is asked for.
  if (opts.actor !== undefined) assertActor(opts.actor);
  const { session } = loadSession(station, opts.sessionId);
  const roster = rosterEntries(station);
  const statement = Buffer.from(challengeStatement(session));
  // Which of this token's keys are on the roster? Public keys are readable before any login.
  const fingerprints = tokenKeyFingerprints(station, opts.moduleId, opts.serial, 'quorum check-in');
  if (!fingerprints.some((f) => roster.some((e) => e.fingerprint === f))) {
    const reason = 'no key on the token offered belongs to anybody on the approved roster';
    station.record([
      {
        // Before a key has signed nobody is proven: the refusal is the station's own record.
        kind: 'quorum.check-in-refused',
        actor: STATION_ACTOR,
        body: {
          sessionId: opts.sessionId,
          code: 'QUORUM_OFF_ROSTER',
          custodianId: null,
          fingerprint: fingerprints[0] ?? null,
          reason,
        },
      },
    ]);
    return { ok: false, code: 'QUORUM_OFF_ROSTER', custodianId: null, reason };
  }
  const signed = signWithRosterKey(station, {
    moduleId: opts.moduleId,
    serial: opts.serial,
    pin: opts.pin,
    statement,
    purpose: 'quorum check-in',
  });
  return submitCheckIn(
    station,
    opts.sessionId,
    { statement, signature: signed.signature, fingerprint: signed.fingerprint },
    opts.actor,
  );
}

/** The SHA-256 fingerprints of the public keys on a token, read without a login. */
export function tokenKeyFingerprints(
  station: Station,
  moduleId: string,
  serial: string,
  purpose: 'operator sign-in' | 'quorum check-in',
): string[] {
  // A person's own token: an online station may read it for this (never a ceremony key).
  return withOnlineAllowance({ moduleId, serial }, purpose, () =>
    station.hsm.module(moduleId).withSession(serial, { write: false, purpose }, (s) => s.listKeys()),
  )
    .filter((k) => k.spki)
    .map((k) =>
      createHash('sha256')
        .update(k.spki as Buffer)
        .digest('hex'),
    );
}

/**
 * Logs in to a person's own token with their PIN and has the one roster key it holds sign `statement`
 * (a check-in's challenge, a sign-in's). Refused when the token holds no roster key, or more than one.
 */
export function signWithRosterKey(
  station: Station,
  opts: {
    moduleId: string;
    serial: string;
    pin: string;
    statement: Uint8Array;
    purpose: 'operator sign-in' | 'quorum check-in';
  },
): { fingerprint: string; signature: Uint8Array; entry: RosterEntry } {
  return withOnlineAllowance(opts, opts.purpose, () => signWithOwnKey(station, opts));
}

function signWithOwnKey(
  station: Station,
  opts: { moduleId: string; serial: string; pin: string; statement: Uint8Array; purpose: string },
): { fingerprint: string; signature: Uint8Array; entry: RosterEntry } {
  const roster = rosterEntries(station);
  return station.hsm
    .module(opts.moduleId)
    .withSession(
      opts.serial,
      { write: false, login: { user: 'user', pin: opts.pin }, purpose: opts.purpose },
      (s) => {
        const mine = s
          .listKeys()
          .filter((k) => k.hasPrivate && k.spki)
          .map((k) => ({
            key: k,
            fingerprint: createHash('sha256')
              .update(k.spki as Buffer)
              .digest('hex'),
          }))
          .map((k) => ({ ...k, entry: roster.find((e) => e.fingerprint === k.fingerprint) }))
          .filter((k): k is typeof k & { entry: RosterEntry } => k.entry !== undefined);
        if (mine.length === 0) {
          throw stationError(
            'NO_ROSTER_KEY_ON_TOKEN',
            `no key on token ${opts.serial} is registered on the roster`,
            { serial: opts.serial },
          );
        }
        if (mine.length > 1)
          throw stationError('ROSTER_KEY_REUSED', `token ${opts.serial} holds more than one roster key`, {
            serial: opts.serial,
          });
        const { key, fingerprint, entry } = mine[0] as (typeof mine)[number];
        return {
          fingerprint,
          entry,
          signature: s.sign(key.id, tokenAlgorithm(entry), Buffer.from(opts.statement), sha),
        };
      },
    );
}

/**
 * Throws unless the session is open (not claimed by an act: QUORUM-CLAIM), bound to exactly
 * `operation`, and has reached quorum now. Callers recheck it inside the append that uses the quorum.
 */
export function requireQuorum(station: Station, sessionId: string, op: QuorumOperation): QuorumState {
  const operation = encodeOperation(op);
  const { session, closed, claim } = loadSession(station, sessionId);
  const now = journalTime(station.deps.clock());
  if (claim && now < session.expiresAt) throw claimedError(sessionId, claim, session.expiresAt);
  if (closed || now >= session.expiresAt)
    throw stationError('QUORUM_SESSION_CLOSED', `quorum session ${sessionId} is closed or expired`, {
      sessionId,
    });
  if (session.operation !== operation) {
    throw stationError(
      'QUORUM_WRONG_OPERATION',
      `session ${sessionId} authorises "${session.operation}" (${describeOperationText(session.operation)}), not "${operation}" (${describeOperationText(operation)})`,
      {
        sessionId,
        expected: operation,
      },
    );
  }
  const state = stateNow(station, session, rosterEntries(station), now);
  if (!state.reached) {
    throw stationError(
      'QUORUM_NOT_REACHED',
      `${state.checkedIn.length} of ${state.threshold} custodians have checked in`,
      {
        sessionId,
        checkedIn: state.checkedIn.length,
        threshold: state.threshold,
      },
    );
  }
  return state;
}

function claimedError(sessionId: string, claim: QuorumClaim, expiresAt: string) {
  return stationError(
    'QUORUM_SESSION_CLAIMED',
    `quorum session ${sessionId} is claimed by an act (seq ${claim.seq}, ${claim.actor}, ${claim.at}) [QUORUM-CLAIM]; unless that act records its result or a release, the session stays unusable until it expires at ${expiresAt}`,
    { sessionId, claimSeq: claim.seq },
  );
}

/**
 * QUORUM-CLAIM: takes the session for one act before that act touches a token. The quorum is rechecked
 * under the append's write lock (open, unexpired, bound to `operation`, reached, not claimed), so of two
 * processes with the same session exactly one gets it; the other is QUORUM_SESSION_CLAIMED having done
 * nothing. Returns the claim's seq, which the act's result (assertClaimHeld), release or spend names.
 */
export function claimQuorum(
  station: Station,
  opts: {
    sessionId: string;
    operation: QuorumOperation;
    actor: string;
    /** Checked under the same write lock as the quorum: what else must still hold for the act. */
    recheck?: () => void;
  },
): { claimSeq: number } {
  const r = station.record(
    [
      {
        kind: 'quorum.session-claimed',
        actor: opts.actor,
        body: { sessionId: opts.sessionId, operation: encodeOperation(opts.operation) },
      },
    ],
    () => {
      requireQuorum(station, opts.sessionId, opts.operation);
      opts.recheck?.();
    },
  );
  return { claimSeq: r.lastSeq };
}

/** A recheck for the claimed act's result: the session is still held by exactly this claim. */
export function assertClaimHeld(station: Station, sessionId: string, claimSeq: number): void {
  const { claim } = loadSession(station, sessionId);
  if (claim?.seq !== claimSeq) {
    throw stationError(
      'QUORUM_SESSION_CLOSED',
      `quorum session ${sessionId} is no longer held by the claim at seq ${claimSeq}`,
      { sessionId, claimSeq },
    );
  }
}

/**
 * Resolves a claim whose act failed (QUORUM-CLAIM): `released` when the act changed nothing (the same
 * quorum may be used for a retry), `spent` when its outcome on the token is unknown (closed for good).
 */
export function resolveFailedClaim(
  station: Station,
  opts: { sessionId: string; claimSeq: number; outcome: 'released' | 'spent'; code: string; actor: string },
): void {
  const body = { sessionId: opts.sessionId, claimSeq: opts.claimSeq, code: opts.code };
  station.record(
    [
      opts.outcome === 'released'
        ? { kind: 'quorum.session-released', actor: opts.actor, body }
        : { kind: 'quorum.session-spent', actor: opts.actor, body },
    ],
    () => assertClaimHeld(station, opts.sessionId, opts.claimSeq),
  );
}

/**
 * The event that closes a session as used for the operation it authorised: one quorum, one act. Record
 * it in the same call as the act's own event, so both land or neither does (the projection refuses to
 * close a session twice, which stops a second use at commit time).
 */
export function quorumUsed(
  sessionId: string,
  operation: QuorumOperation,
  actor: string,
): NewEvent<'quorum.session-closed'> {
  return {
    kind: 'quorum.session-closed',
    actor,
    body: { sessionId, reason: 'used', usedFor: encodeOperation(operation) },
  };
}

/** Cancels an open session; refused while an act holds it (QUORUM-CLAIM): that act's result must land. */
export function cancelQuorumSession(station: Station, sessionId: string, actor: string): void {
  const assertCancellable = () => {
    const { session, closed, claim } = loadSession(station, sessionId);
    if (claim) throw claimedError(sessionId, claim, session.expiresAt);
    if (closed)
      throw stationError('QUORUM_SESSION_CLOSED', `quorum session ${sessionId} is already closed`, {
        sessionId,
      });
  };
  assertCancellable();
  station.record(
    [{ kind: 'quorum.session-closed', actor, body: { sessionId, reason: 'cancelled', usedFor: null } }],
    assertCancellable,
  );
}

export function listQuorumSessions(station: Station): {
  sessionId: string;
  operation: string;
  ceremonyId: string;
  step: string;
  openedAt: string;
  expiresAt: string;
  closedReason: string | null;
  /** Valid check-ins so far, of the threshold the session needs (QUORUM: REACHED only at threshold). */
  checkedIn: number;
  threshold: number;
  reached: boolean;
}[] {
  const now = journalTime(station.deps.clock());
  const roster = rosterEntries(station);
  return quorumSessions(station.store.db).map((row) => {
    const { session } = loadSession(station, row.sessionId);
    const state = stateNow(station, session, roster, now);
    return { ...row, checkedIn: state.checkedIn.length, threshold: state.threshold, reached: state.reached };
  });
}
