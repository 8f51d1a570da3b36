import { describe, expect, it } from 'vitest';
import type { RosterEntry } from './roster';
import {
  evaluateSignIn,
  lockAt,
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
