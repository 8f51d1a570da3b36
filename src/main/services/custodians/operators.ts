import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { entryForKey, rosterStatus } from '../../../core/custody/roster';
import { CodedError } from '../../../core/errors';
import {
  evaluateSignIn,
  lockAt,
  operatorActor,
  operatorSessionState,
  SESSION_LIMITS,
  signInStatement,
  STATION_ACTOR,
  type OperatorSession,
  type OperatorSessionState,
} from '../../../core/custody/signin';
import { journalTime } from '../../../core/journal/events';
import { sha256Hex } from '../../../core/schema';
import {
  openOperatorSessions,
  operatorSessionById,
  operatorSessionBySecret,
  touchOperatorSession,
  type OperatorSessionRow,
} from '../../adapters/store/repos/operators';
import { stationError } from '../../errors';
import { writeExclusive } from '../../platform/durable';
import type { Station } from '../../station/station';
import { rosterEntries, rosterPolicy } from './queries';
import { rosterSignatureCheck, signWithRosterKey, tokenKeyFingerprints } from './quorum';

/**
 * Operator sessions (docs/operators.md; core: src/core/custody/signin.ts). A roster member signs in with
 * their own token: the station makes a fresh challenge, the token signs it after the PIN, the signature
 * is checked against the roster key, and `operator.signed-in` is journaled under `operator:<id>`. The
 * caller gets the session's secret once (the console keeps it in memory, the CLI in a private file);
 * every later act presents it and is recorded under the person it proves (`actingOperator`).
 */

export type SessionPlace = 'console' | 'cli';

export interface OperatorSessionView {
  readonly sessionId: string;
  readonly custodianId: string;
  readonly name: string;
  readonly roles: readonly string[];
  /** What every act under it is recorded as. */
  readonly actor: string;
  readonly fingerprint: string;
  readonly via: SessionPlace;
  readonly startedAt: string;
  readonly expiresAt: string;
  /** When it locks if nothing is done before (at most its end). */
  readonly locksAt: string;
  readonly idleMinutes: number;
  readonly state: OperatorSessionState;
  /** The journal entry that proved it. */
  readonly seq: number;
}

function viewOf(station: Station, row: OperatorSessionRow): OperatorSessionView {
  const now = journalTime(station.deps.clock());
  // The entry the session was proven with (same person, same key): a session never outlives it.
  const entry = rosterEntries(station).find(
    (e) => e.custodianId === row.custodianId && e.fingerprint === row.fingerprint,
  );
  const s: OperatorSession = {
    sessionId: row.sessionId,
    custodianId: row.custodianId,
    name: entry?.name ?? row.custodianId,
    roles: entry?.roles ?? [],
    fingerprint: row.fingerprint,
    startedAt: row.startedAt,
    expiresAt: row.expiresAt,
    idleMinutes: row.idleMinutes,
    lastActiveAt: row.lastActiveAt,
    endedAt: row.endedAt,
  };
  return {
    sessionId: s.sessionId,
    custodianId: s.custodianId,
    name: s.name,
    roles: s.roles,
    actor: operatorActor(s.custodianId),
    fingerprint: s.fingerprint,
    via: row.via,
    startedAt: s.startedAt,
    expiresAt: s.expiresAt,
    locksAt: lockAt(s),
    idleMinutes: s.idleMinutes,
    state: operatorSessionState(s, now, entry ? rosterStatus(entry, now) : 'MISSING'),
    seq: row.startedSeq,
  };
}

const secretSha256 = (secret: string) => createHash('sha256').update(secret, 'utf8').digest('hex');

/**
 * Signs a roster member in with their own token (OPS-PROVEN). A sign-in at a place ends the open
 * session there (`replaced`), in the same append. A refusal is journaled under operator:station and
 * thrown with its code; a wrong PIN or a token without a roster key fails before anything is signed.
 */
export function signInWithToken(
  station: Station,
  opts: { moduleId: string; serial: string; pin: string; minutes?: number | undefined; via: SessionPlace },
): { session: OperatorSessionView; secret: string } {
  station.assertWritable();
  if (!rosterPolicy(station))
    throw stationError(
      'OPERATOR_NO_ROSTER',
      'nobody can sign in yet: the station has no approved roster',
      {},
    );
  const minutes = opts.minutes ?? SESSION_LIMITS.defaultMinutes;
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > SESSION_LIMITS.maxMinutes)
    throw stationError(
      'INVALID_INPUT',
      `minutes: a session lasts 1 to ${SESSION_LIMITS.maxMinutes} minutes (one shift)`,
      { field: 'minutes' },
    );
  const now = station.deps.clock();
  const challenge = {
    challengeId: randomUUID(),
    stationId: station.stationRecord().stationId,
    nonce: randomBytes(32).toString('hex'),
    issuedAt: journalTime(now),
  };
  // OPS-PROVEN, before any PIN: a token holding no key on the roster is refused, and that is journaled
  // (public keys are readable without a login).
  const roster = rosterEntries(station);
  const fingerprints = tokenKeyFingerprints(station, opts.moduleId, opts.serial, 'operator sign-in');
  if (!fingerprints.some((f) => roster.some((e) => e.fingerprint === f))) {
    const reason = `no key on token ${opts.serial} belongs to anybody on the approved roster`;
    station.record([
      {
        kind: 'operator.sign-in-refused',
        actor: STATION_ACTOR,
        body: { code: 'SIGNIN_OFF_ROSTER', custodianId: null, fingerprint: fingerprints[0] ?? null, reason },
      },
    ]);
    throw stationError('SIGNIN_OFF_ROSTER', reason, { field: 'serial' });
  }
  let signed: ReturnType<typeof signWithRosterKey>;
  try {
    signed = signWithRosterKey(station, {
      moduleId: opts.moduleId,
      serial: opts.serial,
      pin: opts.pin,
      statement: signInStatement(challenge),
      purpose: 'operator sign-in',
    });
  } catch (e) {
    // A PIN the token refused is an attempt on somebody's credential: it is journaled (whose key the
    // token holds, from its public keys), then reported as the token said.
    const code = e instanceof CodedError ? e.code : null;
    if (code === 'PIN_INCORRECT' || code === 'PIN_LOCKED') {
      const fingerprint = fingerprints.find((f) => roster.some((r) => r.fingerprint === f)) ?? null;
      const holder = fingerprint === null ? undefined : entryForKey(roster, fingerprint, journalTime(now));
      station.record([
        {
          kind: 'operator.sign-in-refused',
          actor: STATION_ACTOR,
          body: {
            code: 'SIGNIN_PIN_REFUSED',
            custodianId: holder?.custodianId ?? null,
            fingerprint,
            reason: `token ${opts.serial} refused the PIN (${code})`,
          },
        },
      ]);
    }
    throw e;
  }
  const signedAt = station.deps.clock();
  const verdict = evaluateSignIn(
    challenge,
    roster,
    { fingerprint: signed.fingerprint, signature: signed.signature },
    rosterSignatureCheck,
    journalTime(signedAt),
  );
  if (!verdict.ok) {
    station.record([
      {
        kind: 'operator.sign-in-refused',
        actor: STATION_ACTOR,
        body: {
          code: verdict.code,
          custodianId: verdict.custodianId,
          fingerprint: signed.fingerprint,
          reason: verdict.reason,
        },
      },
    ]);
    throw stationError(verdict.code, verdict.reason, { field: 'serial' });
  }
  const secret = randomBytes(32).toString('hex');
  const sessionId = randomUUID();
  const actor = operatorActor(verdict.entry.custodianId);
  const replaced = openOperatorSessions(station.store.db, opts.via);
  station.record([
    ...replaced.map((r) => ({
      kind: 'operator.signed-out' as const,
      actor,
      body: { sessionId: r.sessionId, reason: 'replaced' as const },
    })),
    {
      kind: 'operator.signed-in',
      actor,
      body: {
        sessionId,
        custodianId: verdict.entry.custodianId,
        fingerprint: signed.fingerprint,
        challengeId: challenge.challengeId,
        nonce: challenge.nonce,
        issuedAt: challenge.issuedAt,
        signature: Buffer.from(signed.signature).toString('base64'),
        // From when the token signed: a slow PIN entry never shortens (or inverts) the session.
        expiresAt: journalTime(new Date(signedAt.getTime() + minutes * 60_000)),
        idleMinutes: SESSION_LIMITS.idleMinutes,
        secretSha256: secretSha256(secret),
        via: opts.via,
      },
    },
  ]);
  const row = operatorSessionById(station.store.db, sessionId);
  if (!row)
    throw stationError('INTERNAL', `operator session ${sessionId} was recorded but cannot be read`, {});
  return { session: viewOf(station, row), secret };
}

/** The session a secret holds, as it stands now (any state), or null for an unknown secret. */
export function operatorSessionFor(station: Station, secret: string): OperatorSessionView | null {
  const row = operatorSessionBySecret(station.store.db, secretSha256(secret));
  return row ? viewOf(station, row) : null;
}

/**
 * OPS-ACTIVE: the journal actor for an act under this secret — the proven person — or a coded refusal
 * unless the session is ACTIVE (none, ended, off the roster, expired or idle-locked). It does not move the
 * idle clock: `operatorActed` does, once the act has been recorded.
 */
export function actingOperator(station: Station, secret: string | null): string {
  if (!rosterPolicy(station))
    throw stationError(
      'OPERATOR_NO_ROSTER',
      'acts need a signed-in roster member, and the station has no roster',
      {},
    );
  const session = secret === null ? null : operatorSessionFor(station, secret);
  if (!session)
    throw stationError(
      'OPERATOR_SIGN_IN_REQUIRED',
      'nobody is signed in: sign in with your own token first',
      {},
    );
  if (session.state !== 'ACTIVE') {
    const code = (
      {
        ENDED: 'OPERATOR_SESSION_ENDED',
        'OFF-ROSTER': 'OPERATOR_OFF_ROSTER',
        EXPIRED: 'OPERATOR_SESSION_EXPIRED',
        LOCKED: 'OPERATOR_SESSION_LOCKED',
      } as const
    )[session.state];
    throw stationError(code, `${session.name}'s session is ${session.state.toLowerCase()}`, {
      sessionId: session.sessionId,
    });
  }
  return session.actor;
}

/** An act was recorded under this secret's session: its idle clock moves to now (never back). */
export function operatorActed(station: Station, secret: string): void {
  const row = operatorSessionBySecret(station.store.db, secretSha256(secret));
  if (row) touchOperatorSession(station.store.db, row.sessionId, journalTime(station.deps.clock()));
}

/** Ends the session a secret holds, journaled under its person (an ended one stays ended). */
export function signOut(station: Station, secret: string): OperatorSessionView | null {
  const session = operatorSessionFor(station, secret);
  if (!session || session.state === 'ENDED') return session;
  station.record([
    {
      kind: 'operator.signed-out',
      actor: session.actor,
      body: { sessionId: session.sessionId, reason: 'signed-out' },
    },
  ]);
  return operatorSessionFor(station, secret);
}

/**
 * The one operator session of a station console (the Electron window or the browser-mode host): its
 * secret is held here, in the main process, and never sent to the renderer. The dispatcher asks it for
 * the actor of every act (src/main/ipc/dispatcher.ts); the renderer can neither name nor change it.
 */
export class ConsoleOperator {
  private secret: string | null = null;

  constructor(private readonly station: Station) {}

  signIn(opts: {
    moduleId: string;
    serial: string;
    pin: string;
    minutes?: number | undefined;
  }): OperatorSessionView {
    const r = signInWithToken(this.station, { ...opts, via: 'console' });
    this.secret = r.secret;
    return r.session;
  }

  signOut(): { session: OperatorSessionView | null } {
    const ended = this.secret === null ? null : signOut(this.station, this.secret);
    this.secret = null;
    return { session: ended };
  }

  /** What the banner shows: whether acts need a session here, and the session (any state) or none. */
  view(): { required: boolean; session: OperatorSessionView | null } {
    return {
      required: rosterPolicy(this.station) !== null,
      session: this.secret === null ? null : operatorSessionFor(this.station, this.secret),
    };
  }

  /** The actor of an act made now at this console (OPS-ACTIVE), or a coded refusal. */
  actor(): string {
    return actingOperator(this.station, this.secret);
  }

  /** The act under this console's session was recorded: the idle lock starts again. */
  acted(): void {
    if (this.secret !== null) operatorActed(this.station, this.secret);
  }
}

/** The console's operator channels (operatorSession, operatorSignIn, operatorSignOut). */
export const consoleOperatorView = (operator: ConsoleOperator) => operator.view();
export const consoleSignIn = (
  operator: ConsoleOperator,
  input: { moduleId: string; serial: string; pin: string; minutes?: number | undefined },
) => operator.signIn(input);
export const consoleSignOut = (operator: ConsoleOperator) => operator.signOut();

/**
 * The CLI's session (docs/operators.md): `station session sign-in` keeps the secret in this file beside
 * the station's database, readable by the station's user only; every CLI act reads it.
 */
export const CLI_SESSION_FILE = 'operator-session';

/** The CLI's session secret, or null when nobody signed in from the CLI (no file). */
export function cliSessionSecret(station: Station): string | null {
  let text: string;
  try {
    text = readFileSync(join(station.dataDir, CLI_SESSION_FILE), 'utf8').trim();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  if (!sha256Hex.safeParse(text).success)
    throw stationError(
      'OPERATOR_SIGN_IN_REQUIRED',
      `${CLI_SESSION_FILE} in the station's folder is not a session: sign in again (station session sign-in)`,
      { field: 'session' },
    );
  return text;
}

/** Signs a roster member in for the CLI; the secret replaces the CLI's session file (mode 0600). */
export function cliSignIn(
  station: Station,
  opts: { moduleId: string; serial: string; pin: string; minutes?: number | undefined },
): OperatorSessionView {
  const { session, secret } = signInWithToken(station, { ...opts, via: 'cli' });
  const path = join(station.dataDir, CLI_SESSION_FILE);
  rmSync(path, { force: true });
  writeExclusive(path, `${secret}\n`, { mode: 0o600, field: 'session' });
  return session;
}

/** The CLI's session as it stands, or null when there is none. */
export function cliSession(station: Station): OperatorSessionView | null {
  const secret = cliSessionSecret(station);
  return secret === null ? null : operatorSessionFor(station, secret);
}

/** Signs the CLI's operator out and removes the session file. */
export function cliSignOut(station: Station): OperatorSessionView | null {
  const secret = cliSessionSecret(station);
  const ended = secret === null ? null : signOut(station, secret);
  rmSync(join(station.dataDir, CLI_SESSION_FILE), { force: true });
  return ended;
}
