import {
  createHash,
  createPrivateKey,
  createPublicKey,
  randomBytes,
  randomUUID,
  sign as signStatement,
  type KeyObject,
} from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { dsaEncodingOption, signatureAlgorithm } from '../../../core/crypto/algorithms';
import { entryForKey, rosterStatus, type RosterEntry } from '../../../core/custody/roster';
import { CodedError } from '../../../core/errors';
import {
  evaluateKeyFileSignIn,
  evaluateSignIn,
  KEY_FILE_MAX_CHARS,
  keyFileKind,
  keyFileSignInEntry,
  lockAt,
  operatorActor,
  operatorSessionState,
  SESSION_LIMITS,
  signInStatement,
  STATION_ACTOR,
  type CredentialKind,
  type OperatorSession,
  type OperatorSessionState,
  type SignInChallenge,
} from '../../../core/custody/signin';
import { journalTime } from '../../../core/journal/events';
import { sha256Hex } from '../../../core/schema';
import { parseEventBody } from '../../adapters/store/repos/events';
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
import { custodianCredentials } from './roster';

/**
 * Operator sessions (docs/operators.md; core: src/core/custody/signin.ts). A roster member signs in with
 * their own token (or, where the roster allows it, their passphrase-protected key file): the station
 * makes a fresh challenge, the credential signs it, the signature is checked against the roster key, and `operator.signed-in` is journaled under `operator:<id>`. The
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
  /** What signed its challenge: the person's token, or their key file (OPS-CREDENTIAL). */
  readonly credential: CredentialKind;
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
  const credential = credentialOf(station, row.startedSeq);
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
    credential,
    via: row.via,
    startedAt: s.startedAt,
    expiresAt: s.expiresAt,
    locksAt: lockAt(s),
    idleMinutes: s.idleMinutes,
    // A key-file session ends with the permission that allowed it (withdrawn when a key file is lost):
    // it is then off the roster's terms, as a session whose entry was revoked.
    state: operatorSessionState(
      s,
      now,
      credential === 'key-file' && !custodianCredentials(station, s.custodianId).includes('key-file')
        ? 'REVOKED'
        : entry
          ? rosterStatus(entry, now)
          : 'MISSING',
    ),
    seq: row.startedSeq,
  };
}

/** The credential the sign-in at `seq` recorded (entries from before key files say none: a token). */
function credentialOf(station: Station, seq: number): CredentialKind {
  const row = station.journal.get(seq);
  if (!row) throw stationError('INTERNAL', `the sign-in at journal seq ${seq} cannot be read`, {});
  return parseEventBody('operator.signed-in', row.body, seq).credential ?? 'token';
}

const secretSha256 = (secret: string) => createHash('sha256').update(secret, 'utf8').digest('hex');

/** What a person signs in with: their own token and PIN, or their key file and its passphrase. */
export type SignInCredentials =
  | { credential?: 'token' | undefined; moduleId: string; serial: string; pin: string }
  | { credential: 'key-file'; custodianId: string; keyPem: string; passphrase: string };

/**
 * Signs a roster member in (OPS-PROVEN, OPS-CREDENTIAL) with the credential they chose: their token, or a
 * passphrase-protected key file where their roster entry allows it. A sign-in at a place ends the open
 * session there (`replaced`), in the same append. A refusal is journaled under operator:station and
 * thrown with its code.
 */
export function signIn(
  station: Station,
  opts: SignInCredentials & { minutes?: number | undefined; via: SessionPlace },
): { session: OperatorSessionView; secret: string } {
  return opts.credential === 'key-file' ? signInWithKeyFile(station, opts) : signInWithToken(station, opts);
}

/** A fresh challenge of this station, after the checks every sign-in makes first (roster, length). */
function beginSignIn(station: Station, minutes: number | undefined) {
  station.assertWritable();
  if (!rosterPolicy(station))
    throw stationError(
      'OPERATOR_NO_ROSTER',
      'nobody can sign in yet: the station has no approved roster',
      {},
    );
  const length = minutes ?? SESSION_LIMITS.defaultMinutes;
  if (!Number.isInteger(length) || length < 1 || length > SESSION_LIMITS.maxMinutes)
    throw stationError(
      'INVALID_INPUT',
      `minutes: a session lasts 1 to ${SESSION_LIMITS.maxMinutes} minutes (one shift)`,
      { field: 'minutes' },
    );
  const now = station.deps.clock();
  const challenge: SignInChallenge = {
    challengeId: randomUUID(),
    stationId: station.stationRecord().stationId,
    nonce: randomBytes(32).toString('hex'),
    issuedAt: journalTime(now),
  };
  return { minutes: length, now, challenge, roster: rosterEntries(station) };
}

/** A sign-in that proved nobody: journaled under operator:station (nobody was proven). */
function recordRefusal(
  station: Station,
  body: { code: string; custodianId: string | null; fingerprint: string | null; reason: string },
): void {
  station.record([{ kind: 'operator.sign-in-refused', actor: STATION_ACTOR, body }]);
}

/** The session a verified signature opens, journaled under its person with everything to check it again. */
function openSession(
  station: Station,
  opts: {
    entry: RosterEntry;
    credential: CredentialKind;
    fingerprint: string;
    signature: Uint8Array;
    challenge: SignInChallenge;
    signedAt: Date;
    minutes: number;
    via: SessionPlace;
  },
): { session: OperatorSessionView; secret: string } {
  const secret = randomBytes(32).toString('hex');
  const sessionId = randomUUID();
  const actor = operatorActor(opts.entry.custodianId);
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
        custodianId: opts.entry.custodianId,
        fingerprint: opts.fingerprint,
        challengeId: opts.challenge.challengeId,
        nonce: opts.challenge.nonce,
        issuedAt: opts.challenge.issuedAt,
        signature: Buffer.from(opts.signature).toString('base64'),
        // From when the credential signed: a slow PIN entry never shortens (or inverts) the session.
        expiresAt: journalTime(new Date(opts.signedAt.getTime() + opts.minutes * 60_000)),
        idleMinutes: SESSION_LIMITS.idleMinutes,
        secretSha256: secretSha256(secret),
        via: opts.via,
        credential: opts.credential,
      },
    },
  ]);
  const row = operatorSessionById(station.store.db, sessionId);
  if (!row)
    throw stationError('INTERNAL', `operator session ${sessionId} was recorded but cannot be read`, {});
  return { session: viewOf(station, row), secret };
}

/**
 * Signs a roster member in with their own token (OPS-PROVEN): a token holding no roster key is refused
 * before any PIN; a wrong PIN fails before anything is signed, and is journaled.
 */
export function signInWithToken(
  station: Station,
  opts: { moduleId: string; serial: string; pin: string; minutes?: number | undefined; via: SessionPlace },
): { session: OperatorSessionView; secret: string } {
  const { minutes, now, challenge, roster } = beginSignIn(station, opts.minutes);
  // OPS-PROVEN, before any PIN: a token holding no key on the roster is refused, and that is journaled
  // (public keys are readable without a login).
  const fingerprints = tokenKeyFingerprints(station, opts.moduleId, opts.serial, 'operator sign-in');
  if (!fingerprints.some((f) => roster.some((e) => e.fingerprint === f))) {
    const reason = 'no key on the token offered belongs to anybody on the approved roster';
    recordRefusal(station, {
      code: 'SIGNIN_OFF_ROSTER',
      custodianId: null,
      fingerprint: fingerprints[0] ?? null,
      reason,
    });
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
      recordRefusal(station, {
        code: 'SIGNIN_PIN_REFUSED',
        custodianId: holder?.custodianId ?? null,
        fingerprint,
        reason: `the token offered refused the PIN (${code})`,
      });
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
    recordRefusal(station, {
      code: verdict.code,
      custodianId: verdict.custodianId,
      fingerprint: signed.fingerprint,
      reason: verdict.reason,
    });
    throw stationError(verdict.code, verdict.reason, { field: 'serial' });
  }
  return openSession(station, {
    entry: verdict.entry,
    credential: 'token',
    fingerprint: signed.fingerprint,
    signature: signed.signature,
    challenge,
    signedAt,
    minutes,
    via: opts.via,
  });
}

/**
 * Signs a roster member in with their passphrase-protected key file, where their roster entry allows it
 * (OPS-CREDENTIAL). The person names who they are; the key file signs the same challenge a token would,
 * and the signature must verify with the public key the roster registered for them (the key file's own
 * public part is never trusted). Refused, and journaled: an entry that does not allow a key file, an
 * unencrypted key file, a passphrase that does not open it, a key that is not theirs. The passphrase's
 * bytes are overwritten once tried; it is never logged or journaled.
 */
export function signInWithKeyFile(
  station: Station,
  opts: {
    custodianId: string;
    keyPem: string;
    passphrase: string;
    minutes?: number | undefined;
    via: SessionPlace;
  },
): { session: OperatorSessionView; secret: string } {
  const { minutes, now, challenge, roster } = beginSignIn(station, opts.minutes);
  if (opts.keyPem.length > KEY_FILE_MAX_CHARS)
    throw stationError('SIGNIN_KEY_FILE_INVALID', `a key file is at most ${KEY_FILE_MAX_CHARS} characters`, {
      field: 'keyFile',
    });
  const refuse = (
    code: Parameters<typeof stationError>[0] & `SIGNIN_${string}`,
    custodianId: string | null,
    fingerprint: string | null,
    reason: string,
    field: string,
  ): never => {
    recordRefusal(station, { code, custodianId, fingerprint, reason });
    throw stationError(code, reason, { field });
  };
  const credentials = custodianCredentials(station, opts.custodianId);
  // Before the passphrase is tried: the person is on the roster, valid now, and allowed a key file.
  const pre = keyFileSignInEntry(roster, opts.custodianId, credentials, journalTime(now));
  if (!pre.ok) return refuse(pre.code, pre.custodianId, null, pre.reason, 'custodianId');
  const who = pre.entry;
  const kind = keyFileKind(opts.keyPem);
  if (kind === 'invalid')
    throw stationError(
      'SIGNIN_KEY_FILE_INVALID',
      'the key file is not one PEM private key (an encrypted PKCS#8 key: -----BEGIN ENCRYPTED PRIVATE KEY-----)',
      { field: 'keyFile' },
    );
  // A key that opens without any passphrase is no credential, whatever its label says.
  if (kind === 'unencrypted' || opensWithoutPassphrase(opts.keyPem))
    return refuse(
      'SIGNIN_KEY_FILE_UNENCRYPTED',
      who.custodianId,
      null,
      `the key file offered for ${who.name} is not passphrase-protected`,
      'keyFile',
    );
  // An empty passphrase protects nothing (a key encrypted with "" opens with ""): never a credential.
  if (opts.passphrase.length === 0)
    throw stationError('INVALID_INPUT', 'a key file is signed in with its passphrase: it cannot be empty', {
      field: 'passphrase',
    });
  const passphrase = Buffer.from(opts.passphrase, 'utf8');
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: opts.keyPem, format: 'pem', passphrase });
  } catch {
    // A well-formed encrypted key the passphrase does not open (bad decrypt, or garbage once decrypted):
    // an attempt on this person's credential, journaled like a refused PIN.
    return refuse(
      'SIGNIN_PASSPHRASE_REFUSED',
      who.custodianId,
      null,
      `the passphrase did not open the key file offered for ${who.name}`,
      'passphrase',
    );
  } finally {
    passphrase.fill(0);
  }
  const presented = presentedFingerprint(key);
  const statement = signInStatement(challenge);
  const signature = signWithKeyFile(key, who, statement);
  const signedAt = station.deps.clock();
  const verdict = evaluateKeyFileSignIn(
    challenge,
    roster,
    { custodianId: who.custodianId, signature },
    credentials,
    rosterSignatureCheck,
    journalTime(signedAt),
  );
  if (!verdict.ok)
    return refuse(
      verdict.code,
      verdict.custodianId,
      presented,
      verdict.reason,
      verdict.code === 'SIGNIN_KEY_NOT_REGISTERED' ? 'keyFile' : 'custodianId',
    );
  return openSession(station, {
    entry: verdict.entry,
    credential: 'key-file',
    // The roster key the signature verified with: what proved the person.
    fingerprint: verdict.entry.fingerprint,
    signature,
    challenge,
    signedAt,
    minutes,
    via: opts.via,
  });
}

/** Whether a key file's key loads with no passphrase at all (then it protects nothing). */
function opensWithoutPassphrase(pem: string): boolean {
  // No passphrase at all, or the empty one (OpenSSL opens a key encrypted with "" with "").
  for (const passphrase of [undefined, '']) {
    try {
      createPrivateKey({ key: pem, format: 'pem', ...(passphrase === undefined ? {} : { passphrase }) });
      return true;
    } catch {
      // does not open this way
    }
  }
  return false;
}

/**
 * The challenge signed as the person's token would sign it (their roster entry's algorithm; ECDSA raw
 * r||s). A key of another type signs nothing: an empty signature, which verifies with no key.
 */
function signWithKeyFile(key: KeyObject, entry: RosterEntry, statement: Uint8Array): Uint8Array {
  const row = signatureAlgorithm(entry.algorithm);
  try {
    return signStatement(row.hash, statement, { key, ...dsaEncodingOption(row, 'token') });
  } catch {
    return new Uint8Array(0);
  }
}

/** SHA-256 of the SPKI the key file's key implies: named in a refusal, never trusted to prove anyone. */
function presentedFingerprint(key: KeyObject): string | null {
  try {
    return createHash('sha256')
      .update(createPublicKey(key).export({ type: 'spki', format: 'der' }))
      .digest('hex');
  } catch {
    return null;
  }
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

  signIn(opts: SignInCredentials & { minutes?: number | undefined }): OperatorSessionView {
    const r = signIn(this.station, { ...opts, via: 'console' });
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
  input: SignInCredentials & { minutes?: number | undefined },
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
  opts: SignInCredentials & { minutes?: number | undefined },
): OperatorSessionView {
  const { session, secret } = signIn(station, { ...opts, via: 'cli' });
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
