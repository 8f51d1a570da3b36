import { describe, expect, it } from 'vitest';
import type { RosterEntry } from './roster';
import {
  evaluateKeyFileSignIn,
  evaluateSignIn,
  keyFileKind,
  keyFileSignInEntry,
  lockAt,
  rosterCredentials,
  operatorSessionState,
  signInStatement,
  type OperatorSession,
} from './signin';

const challenge = {
  challengeId: '6f1c2a8e-6a51-4d8e-9a51-2a6f3c1d9b10',
  stationId: 'st-1',
  nonce: 'ab'.repeat(32),
  issuedAt: '2026-06-01T08:00:00.000Z',
};
const alice: RosterEntry = {
  custodianId: 'alice',
  name: 'Alice',
  roles: ['custodian'],
  spki: '',
  fingerprint: 'a'.repeat(64),
  algorithm: 'ecdsa-p256-sha256',
  validFrom: '2026-01-01T00:00:00.000Z',
  validUntil: '2027-01-01T00:00:00.000Z',
  revokedAt: null,
};
const session: OperatorSession = {
  sessionId: 's',
  custodianId: 'alice',
  name: 'Alice',
  roles: ['custodian'],
  fingerprint: alice.fingerprint,
  startedAt: '2026-06-01T08:00:00.000Z',
  expiresAt: '2026-06-01T16:00:00.000Z',
  idleMinutes: 15,
  lastActiveAt: '2026-06-01T08:00:00.000Z',
  endedAt: null,
};

describe('OPS-PROVEN: sign-in', () => {
  it('signs exactly this station’s challenge, readable line by line', () => {
    expect(new TextDecoder().decode(signInStatement(challenge))).toBe(
      `ceremony-station operator sign-in v1\nstation: st-1\nchallenge: ${challenge.challengeId}\nnonce: ${challenge.nonce}\nissued: ${challenge.issuedAt}\n`,
    );
  });

  it('proves a valid roster entry whose key signed it, and nobody else', () => {
    const signed = { fingerprint: alice.fingerprint, signature: new Uint8Array([1]) };
    const good = () => true;
    const now = '2026-06-01T08:00:01.000Z';
    expect(evaluateSignIn(challenge, [alice], signed, good, now)).toEqual({ ok: true, entry: alice });
    expect(
      evaluateSignIn(challenge, [alice], { ...signed, fingerprint: 'b'.repeat(64) }, good, now),
    ).toMatchObject({
      ok: false,
      code: 'SIGNIN_OFF_ROSTER',
    });
    expect(evaluateSignIn(challenge, [alice], signed, () => false, now)).toMatchObject({
      ok: false,
      code: 'SIGNIN_BAD_SIGNATURE',
      custodianId: 'alice',
    });
    const revoked = { ...alice, revokedAt: '2026-05-01T00:00:00.000Z' };
    expect(evaluateSignIn(challenge, [revoked], signed, good, now)).toMatchObject({
      code: 'SIGNIN_ENTRY_NOT_VALID',
    });
    expect(evaluateSignIn(challenge, [alice], signed, good, '2027-01-01T00:00:00.000Z')).toMatchObject({
      code: 'SIGNIN_ENTRY_NOT_VALID',
    });
    // The check sees the statement of this challenge, not another.
    let seen = '';
    evaluateSignIn(
      challenge,
      [alice],
      signed,
      (_e, statement) => ((seen = new TextDecoder().decode(statement)), true),
      now,
    );
    expect(seen).toContain(`challenge: ${challenge.challengeId}`);
  });
});

describe('OPS-CREDENTIAL: which credential the roster accepts', () => {
  const now = '2026-06-01T08:00:01.000Z';
  const both = ['token', 'key-file'] as const;

  it('accepts a token from everyone, a key file only where the latest roster change for that person allows it', () => {
    expect(rosterCredentials('alice', [])).toEqual(['token']);
    const allowed = [{ custodianId: 'alice', credentials: both }];
    expect(rosterCredentials('alice', allowed)).toEqual(['token', 'key-file']);
    // Somebody else's change is not hers; a later change withdraws it.
    expect(rosterCredentials('bob', allowed)).toEqual(['token']);
    expect(
      rosterCredentials('alice', [...allowed, { custodianId: 'alice', credentials: ['token'] }]),
    ).toEqual(['token']);
  });

  it('OPS-CREDENTIAL before any passphrase: on the roster, valid now, and allowed a key file', () => {
    expect(keyFileSignInEntry([alice], 'alice', both, now)).toEqual({ ok: true, entry: alice });
    expect(keyFileSignInEntry([alice], 'alice', ['token'], now)).toMatchObject({
      ok: false,
      code: 'SIGNIN_KEY_FILE_NOT_ALLOWED',
      custodianId: 'alice',
    });
    expect(keyFileSignInEntry([alice], 'mallory', both, now)).toMatchObject({
      code: 'SIGNIN_OFF_ROSTER',
      custodianId: null,
    });
    const revoked = { ...alice, revokedAt: '2026-05-01T00:00:00.000Z' };
    expect(keyFileSignInEntry([revoked], 'alice', both, now)).toMatchObject({
      code: 'SIGNIN_ENTRY_NOT_VALID',
    });
  });

  it('OPS-PROVEN for a key file: the signature must verify with the roster’s key for the person named', () => {
    const attempt = { custodianId: 'alice', signature: new Uint8Array([1]) };
    let checked: { fingerprint: string; statement: string } | null = null;
    const verify = (e: RosterEntry, statement: Uint8Array) => {
      checked = { fingerprint: e.fingerprint, statement: new TextDecoder().decode(statement) };
      return true;
    };
    expect(evaluateKeyFileSignIn(challenge, [alice], attempt, both, verify, now)).toEqual({
      ok: true,
      entry: alice,
    });
    // The same statement a token signs, checked against the roster entry's key.
    expect(checked).toEqual({
      fingerprint: alice.fingerprint,
      statement: new TextDecoder().decode(signInStatement(challenge)),
    });
    expect(evaluateKeyFileSignIn(challenge, [alice], attempt, both, () => false, now)).toMatchObject({
      ok: false,
      code: 'SIGNIN_KEY_NOT_REGISTERED',
      custodianId: 'alice',
    });
    // Withdrawn between the passphrase and the signature: refused, never verified.
    expect(evaluateKeyFileSignIn(challenge, [alice], attempt, ['token'], () => true, now)).toMatchObject({
      code: 'SIGNIN_KEY_FILE_NOT_ALLOWED',
    });
  });

  it('tells an encrypted PKCS#8 key file from an unprotected key and from anything else', () => {
    const pem = (label: string, body = 'MIIBvTBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG9w0BBQww', headers = '') =>
      `-----BEGIN ${label}-----\n${headers}${body}\n-----END ${label}-----\n`;
    expect(keyFileKind(pem('ENCRYPTED PRIVATE KEY'))).toBe('encrypted-pkcs8');
    expect(keyFileKind(`\r\n${pem('ENCRYPTED PRIVATE KEY').replaceAll('\n', '\r\n')}`)).toBe(
      'encrypted-pkcs8',
    );
    expect(keyFileKind(pem('PRIVATE KEY'))).toBe('unencrypted');
    expect(keyFileKind(pem('EC PRIVATE KEY'))).toBe('unencrypted');
    expect(keyFileKind(pem('RSA PRIVATE KEY'))).toBe('unencrypted');
    // A legacy OpenSSL-encrypted block is not PKCS#8; a public key or certificate is no private key.
    expect(
      keyFileKind(pem('EC PRIVATE KEY', 'MHcCAQEE', 'Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,00\n\n')),
    ).toBe('invalid');
    expect(keyFileKind(pem('PUBLIC KEY'))).toBe('invalid');
    expect(keyFileKind(pem('CERTIFICATE'))).toBe('invalid');
    // Two keys in one file, mismatched labels, text that is not base64, nothing at all.
    expect(keyFileKind(pem('ENCRYPTED PRIVATE KEY') + pem('ENCRYPTED PRIVATE KEY'))).toBe('invalid');
    expect(keyFileKind('-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----')).toBe(
      'invalid',
    );
    expect(keyFileKind(pem('ENCRYPTED PRIVATE KEY', 'MII*not base64'))).toBe('invalid');
    expect(keyFileKind('')).toBe('invalid');
  });
});

describe('OPS-ACTIVE: session state', () => {
  it('is ACTIVE, then LOCKED after the idle minutes, EXPIRED at its end — the worst true state', () => {
    expect(operatorSessionState(session, '2026-06-01T08:14:59.999Z', 'VALID')).toBe('ACTIVE');
    expect(operatorSessionState(session, '2026-06-01T08:15:00.000Z', 'VALID')).toBe('LOCKED');
    const busy = { ...session, lastActiveAt: '2026-06-01T15:50:00.000Z' };
    expect(operatorSessionState(busy, '2026-06-01T15:59:59.999Z', 'VALID')).toBe('ACTIVE');
    expect(operatorSessionState(busy, '2026-06-01T16:00:00.000Z', 'VALID')).toBe('EXPIRED');
    expect(lockAt(session)).toBe('2026-06-01T08:15:00.000Z');
    expect(lockAt(busy)).toBe('2026-06-01T16:00:00.000Z');
  });

  it('never outlives the roster entry that proved it, stays ENDED whatever the clock says, and a clock set back locks it', () => {
    const now = '2026-06-01T08:05:00.000Z';
    for (const status of ['REVOKED', 'EXPIRED', 'NOT-YET-VALID', 'MISSING'] as const)
      expect(operatorSessionState(session, now, status)).toBe('OFF-ROSTER');
    // Signed out at 08:10: reading the clock as 08:05 afterwards does not revive it.
    const ended = { ...session, endedAt: '2026-06-01T08:10:00.000Z' };
    expect(operatorSessionState(ended, now, 'VALID')).toBe('ENDED');
    // The clock now reads before the last act (set back): locked, not stretched.
    const acted = { ...session, lastActiveAt: '2026-06-01T08:10:00.000Z' };
    expect(operatorSessionState(acted, now, 'VALID')).toBe('LOCKED');
    expect(operatorSessionState(session, '2026-06-01T07:59:00.000Z', 'VALID')).toBe('LOCKED');
  });
});
