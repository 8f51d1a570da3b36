import type { SignatureCheck } from './quorum';
import { entryForKey, rosterStatus, type RosterEntry, type RosterStatus } from './roster';

/**
 * Operator sessions (docs/operators.md): a person signs in to the station as a member of the approved
 * roster by having their own token sign a fresh challenge, exactly as a quorum check-in does, and every
 * human act afterwards is recorded under that proven person (`operator:<custodianId>`). Pure: time is
 * passed in as ISO strings, the signature check is injected.
 *
 * Check IDs:
 *   OPS-PROVEN      a session exists only after a roster key signed this station's fresh challenge
 *   OPS-ACTIVE      an act is recorded only under a session that is neither ended, expired nor idle-locked
 *   OPS-CREDENTIAL  the credential that signed is one the person's roster entry accepts: a token always, a
 *                   passphrase-protected key file only where a quorum-approved roster change allows it
 */

/** The challenge a token signs to sign its holder in; fresh per attempt, bound to this station. */
export interface SignInChallenge {
  readonly challengeId: string;
  readonly stationId: string;
  /** 32 random bytes, hex. */
  readonly nonce: string;
  readonly issuedAt: string;
}

/** The bytes a token signs to sign in (text lines; what a witness can read back). */
export function signInStatement(c: SignInChallenge): Uint8Array {
  return new TextEncoder().encode(
    [
      'ceremony-station operator sign-in v1',
      `station: ${c.stationId}`,
      `challenge: ${c.challengeId}`,
      `nonce: ${c.nonce}`,
      `issued: ${c.issuedAt}`,
      '',
    ].join('\n'),
  );
}

export type SignInRefusal =
  | 'SIGNIN_OFF_ROSTER'
  | 'SIGNIN_ENTRY_NOT_VALID'
  | 'SIGNIN_BAD_SIGNATURE'
  | 'SIGNIN_KEY_FILE_NOT_ALLOWED'
  | 'SIGNIN_KEY_NOT_REGISTERED';

export type SignInVerdict =
  | { readonly ok: true; readonly entry: RosterEntry }
  | {
      readonly ok: false;
      readonly code: SignInRefusal;
      readonly custodianId: string | null;
      readonly reason: string;
    };

/** OPS-PROVEN: whose signature this is, if anybody's on the roster who may sign in now. */
export function evaluateSignIn(
  challenge: SignInChallenge,
  roster: readonly RosterEntry[],
  attempt: { readonly fingerprint: string; readonly signature: Uint8Array },
  verify: SignatureCheck,
  now: string,
): SignInVerdict {
  const entry = entryForKey(roster, attempt.fingerprint, now);
  if (!entry)
    return {
      ok: false,
      code: 'SIGNIN_OFF_ROSTER',
      custodianId: null,
      reason: `key ${attempt.fingerprint.slice(0, 16)}… belongs to nobody on the approved roster`,
    };
  const status = rosterStatus(entry, now);
  if (status !== 'VALID')
    return {
      ok: false,
      code: 'SIGNIN_ENTRY_NOT_VALID',
      custodianId: entry.custodianId,
      reason: `${entry.name}’s roster entry is ${status}`,
    };
  if (!verify(entry, signInStatement(challenge), attempt.signature))
    return {
      ok: false,
      code: 'SIGNIN_BAD_SIGNATURE',
      custodianId: entry.custodianId,
      reason: `the signature does not verify with ${entry.name}’s registered key`,
    };
  return { ok: true, entry };
}

/** What signed a sign-in's challenge (OPS-CREDENTIAL). */
export type CredentialKind = 'token' | 'key-file';

/** A roster change of a custodian's credentials (`roster.credentials-set`), in journal order. */
export interface CredentialsChange {
  readonly custodianId: string;
  readonly credentials: readonly CredentialKind[];
}

/**
 * OPS-CREDENTIAL: the credentials the roster accepts from a custodian now — a token always; a key file
 * only where the latest roster change for them lists it. A custodian nobody changed signs in by token.
 */
export function rosterCredentials(
  custodianId: string,
  changes: readonly CredentialsChange[],
): readonly CredentialKind[] {
  const latest = changes.filter((c) => c.custodianId === custodianId).at(-1);
  return latest?.credentials.includes('key-file') ? ['token', 'key-file'] : ['token'];
}

/** The longest key file text the station reads (an RSA-4096 encrypted PKCS#8 PEM is about 3.5 KiB). */
export const KEY_FILE_MAX_CHARS = 16_384;

/**
 * What a key file's text is, before any passphrase: one PEM block of an encrypted PKCS#8 private key
 * (`ENCRYPTED PRIVATE KEY`), a private key anybody holding the file can use (`PRIVATE KEY`, or a
 * legacy `EC`/`RSA PRIVATE KEY` — a key file without a passphrase is not a credential), or neither.
 * The label is only a first look: the station also proves the key does not open without the passphrase.
 */
export function keyFileKind(text: string): 'encrypted-pkcs8' | 'unencrypted' | 'invalid' {
  const m = /^-----BEGIN ([A-Z0-9 ]{1,40})-----\r?\n([\s\S]*?)\r?\n-----END \1-----$/.exec(text.trim());
  if (!m) return 'invalid';
  const [, label, inner = ''] = m;
  if (inner.includes('-----')) return 'invalid';
  const headers = /^[A-Za-z-]+:/m.test(inner);
  const base64 = inner
    .split(/\r?\n/)
    .filter((l) => !/^[A-Za-z-]+:/.test(l) && l.trim() !== '')
    .join('');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || base64.length % 4 !== 0) return 'invalid';
  if (label === 'ENCRYPTED PRIVATE KEY') return headers ? 'invalid' : 'encrypted-pkcs8';
  if (label === 'PRIVATE KEY' || label === 'EC PRIVATE KEY' || label === 'RSA PRIVATE KEY')
    // A legacy OpenSSL-encrypted block (Proc-Type: 4,ENCRYPTED) is not PKCS#8: refused as not a key file.
    return headers ? 'invalid' : 'unencrypted';
  return 'invalid';
}

/**
 * OPS-PROVEN and OPS-CREDENTIAL for a key file, before its passphrase is tried: the person named is on
 * the roster, their entry is VALID now, and it accepts a key file.
 */
export function keyFileSignInEntry(
  roster: readonly RosterEntry[],
  custodianId: string,
  credentials: readonly CredentialKind[],
  now: string,
): SignInVerdict {
  const entry = roster.find((e) => e.custodianId === custodianId);
  if (!entry)
    return {
      ok: false,
      code: 'SIGNIN_OFF_ROSTER',
      custodianId: null,
      reason: `nobody with custodian id ${custodianId} is on the approved roster`,
    };
  const status = rosterStatus(entry, now);
  if (status !== 'VALID')
    return {
      ok: false,
      code: 'SIGNIN_ENTRY_NOT_VALID',
      custodianId: entry.custodianId,
      reason: `${entry.name}’s roster entry is ${status}`,
    };
  if (!credentials.includes('key-file'))
    return {
      ok: false,
      code: 'SIGNIN_KEY_FILE_NOT_ALLOWED',
      custodianId: entry.custodianId,
      reason: `${entry.name}’s roster entry accepts a token only, not a key file`,
    };
  return { ok: true, entry };
}

/**
 * OPS-PROVEN for a key file: the entry still admits a key file at `now` (when the key signed), and the
 * signature verifies with the public key the roster registered for that person — never with anything the
 * key file says of itself. A signature by any other key is SIGNIN_KEY_NOT_REGISTERED.
 */
export function evaluateKeyFileSignIn(
  challenge: SignInChallenge,
  roster: readonly RosterEntry[],
  attempt: { readonly custodianId: string; readonly signature: Uint8Array },
  credentials: readonly CredentialKind[],
  verify: SignatureCheck,
  now: string,
): SignInVerdict {
  const pre = keyFileSignInEntry(roster, attempt.custodianId, credentials, now);
  if (!pre.ok) return pre;
  if (!verify(pre.entry, signInStatement(challenge), attempt.signature))
    return {
      ok: false,
      code: 'SIGNIN_KEY_NOT_REGISTERED',
      custodianId: pre.entry.custodianId,
      reason: `the key file’s key is not ${pre.entry.name}’s registered roster key`,
    };
  return pre;
}

/** The station's own automatic acts, and records made before anybody is proven (a refused sign-in). */
export const STATION_ACTOR = 'operator:station';

/** The journal actor of a proven person: their roster id, never a typed name. */
export const operatorActor = (custodianId: string): string => `operator:${custodianId}`;

/** How long a session lasts, and after how long without an act it locks (station defaults). */
export const SESSION_LIMITS = {
  /** One ceremony shift. */
  defaultMinutes: 8 * 60,
  maxMinutes: 12 * 60,
  idleMinutes: 15,
} as const;

export interface OperatorSession {
  readonly sessionId: string;
  readonly custodianId: string;
  readonly name: string;
  readonly roles: readonly string[];
  readonly fingerprint: string;
  readonly startedAt: string;
  readonly expiresAt: string;
  readonly idleMinutes: number;
  /** The last act recorded under it (its start before any). */
  readonly lastActiveAt: string;
  readonly endedAt: string | null;
}

export type OperatorSessionState = 'ACTIVE' | 'LOCKED' | 'EXPIRED' | 'OFF-ROSTER' | 'ENDED';

/**
 * OPS-ACTIVE, the worst true state: ENDED once signed out or replaced (final, whatever the clock says);
 * OFF-ROSTER when the person's roster entry is no longer VALID (revoked, expired, removed) — a session
 * never outlives the roster entry that proved it; EXPIRED at its end; LOCKED after `idleMinutes` without
 * an act, and also when the clock reads earlier than the session's start or last act (a clock set back
 * must not stretch a session); ACTIVE otherwise.
 */
export function operatorSessionState(
  s: OperatorSession,
  now: string,
  roster: RosterStatus | 'MISSING',
): OperatorSessionState {
  if (s.endedAt !== null) return 'ENDED';
  if (roster !== 'VALID') return 'OFF-ROSTER';
  if (now >= s.expiresAt) return 'EXPIRED';
  if (now < s.startedAt || now < s.lastActiveAt) return 'LOCKED';
  if (Date.parse(now) - Date.parse(s.lastActiveAt) >= s.idleMinutes * 60_000) return 'LOCKED';
  return 'ACTIVE';
}

/** When the session locks for idleness if nothing is done before (never after it expires). */
export function lockAt(s: OperatorSession): string {
  const idle = new Date(Date.parse(s.lastActiveAt) + s.idleMinutes * 60_000).toISOString();
  return idle < s.expiresAt ? idle : s.expiresAt;
}
