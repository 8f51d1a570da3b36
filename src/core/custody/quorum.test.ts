import { createHash, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  challengeStatement,
  evaluateCheckIn,
  quorumState,
  sessionStatus,
  type AcceptedCheckIn,
  type QuorumSession,
} from './quorum';
import { keyHolder, rosterStatus, validCustodians, type RosterEntry } from './roster';

function custodian(id: string, overrides: Partial<RosterEntry> = {}) {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const entry: RosterEntry = {
    custodianId: id,
    name: id.toUpperCase(),
    roles: ['custodian'],
    spki: der.toString('base64'),
    fingerprint: createHash('sha256').update(der).digest('hex'),
    algorithm: 'ecdsa-p256-sha256',
    validFrom: '2026-01-01T00:00:00.000Z',
    validUntil: '2027-01-01T00:00:00.000Z',
    revokedAt: null,
    ...overrides,
  };
  return { entry, privateKey };
}

const check = (e: RosterEntry, statement: Uint8Array, signature: Uint8Array) =>
  verify(
    'sha256',
    statement,
    { key: Buffer.from(e.spki, 'base64'), format: 'der', type: 'spki', dsaEncoding: 'ieee-p1363' },
    signature,
  );

const session = (over: Partial<QuorumSession> = {}): QuorumSession => ({
  sessionId: 's-1',
  stationId: 'station-a',
  operation: 'token-login:abc:keygen',
  ceremonyId: 'KSK-2026-Q4',
  step: '7',
  threshold: 2,
  nonce: '11'.repeat(32),
  openedAt: '2026-11-25T10:00:00.000Z',
  expiresAt: '2026-11-25T11:00:00.000Z',
  ...over,
});

const NOW = '2026-11-25T10:05:00.000Z';
const sig = (k: KeyObject, s: QuorumSession) => {
  const statement = challengeStatement(s);
  return {
    statement,
    signature: new Uint8Array(sign('sha256', statement, { key: k, dsaEncoding: 'ieee-p1363' })),
  };
};

describe('roster', () => {
  it('ROSTER-VALID: valid between from and until, unless revoked', () => {
    const { entry } = custodian('a');
    expect(rosterStatus(entry, NOW)).toBe('VALID');
    expect(rosterStatus(entry, '2025-12-31T23:59:59.999Z')).toBe('NOT-YET-VALID');
    expect(rosterStatus(entry, '2027-01-01T00:00:00.000Z')).toBe('EXPIRED');
    expect(rosterStatus({ ...entry, revokedAt: '2026-06-01T00:00:00.000Z' }, NOW)).toBe('REVOKED');
    expect(rosterStatus({ ...entry, revokedAt: '2026-12-01T00:00:00.000Z' }, NOW)).toBe('VALID');
    expect(
      validCustodians([entry, { ...entry, custodianId: 'b', revokedAt: NOW }], NOW).map((e) => e.custodianId),
    ).toEqual(['a']);
  });

  it('ROSTER-UNIQUE-KEY: finds who already holds a key', () => {
    const { entry } = custodian('a');
    expect(keyHolder([entry], entry.fingerprint)).toBe('a');
    expect(keyHolder([{ ...entry, revokedAt: NOW }], entry.fingerprint)).toBeNull();
  });
});

describe('quorum check-ins', () => {
  const a = custodian('alice');
  const b = custodian('bob');
  const c = custodian('carol');
  const roster = [a.entry, b.entry, c.entry];
  const s = session();
  const open = { closed: false, accepted: [] as AcceptedCheckIn[] };

  it('accepts a valid custodian signing this challenge with their own key', () => {
    const v = evaluateCheckIn(
      s,
      open,
      roster,
      { ...sig(a.privateKey, s), fingerprint: a.entry.fingerprint },
      check,
      NOW,
    );
    expect(v).toEqual({ ok: true, custodianId: 'alice' });
  });

  it.each([
    [
      'QUORUM_FOREIGN_CHALLENGE',
      () => ({ ...sig(a.privateKey, session({ nonce: '22'.repeat(32) })), fingerprint: a.entry.fingerprint }),
    ],
    [
      'QUORUM_FOREIGN_CHALLENGE',
      () => ({ ...sig(a.privateKey, session({ sessionId: 's-0' })), fingerprint: a.entry.fingerprint }),
    ],
    [
      'QUORUM_OFF_ROSTER',
      () => {
        const x = custodian('mallory');
        return { ...sig(x.privateKey, s), fingerprint: x.entry.fingerprint };
      },
    ],
    ['QUORUM_BAD_SIGNATURE', () => ({ ...sig(b.privateKey, s), fingerprint: a.entry.fingerprint })],
  ] as const)('refuses %s', (code, attempt) => {
    expect(evaluateCheckIn(s, open, roster, attempt(), check, NOW)).toMatchObject({ ok: false, code });
  });

  it('refuses an expired or revoked entry, a closed or expired session, and the same person or key twice', () => {
    const attempt = { ...sig(a.privateKey, s), fingerprint: a.entry.fingerprint };
    const expired = [{ ...a.entry, validUntil: '2026-11-01T00:00:00.000Z' }, b.entry];
    expect(evaluateCheckIn(s, open, expired, attempt, check, NOW)).toMatchObject({
      code: 'QUORUM_ENTRY_NOT_VALID',
      custodianId: 'alice',
    });
    const revoked = [{ ...a.entry, revokedAt: '2026-11-20T00:00:00.000Z' }, b.entry];
    expect(evaluateCheckIn(s, open, revoked, attempt, check, NOW)).toMatchObject({
      code: 'QUORUM_ENTRY_NOT_VALID',
    });
    expect(evaluateCheckIn(s, { closed: true, accepted: [] }, roster, attempt, check, NOW)).toMatchObject({
      code: 'QUORUM_SESSION_CLOSED',
    });
    expect(evaluateCheckIn(s, open, roster, attempt, check, s.expiresAt)).toMatchObject({
      code: 'QUORUM_SESSION_EXPIRED',
    });
    const already = {
      closed: false,
      accepted: [{ custodianId: 'alice', fingerprint: a.entry.fingerprint, at: NOW }],
    };
    expect(evaluateCheckIn(s, already, roster, attempt, check, NOW)).toMatchObject({
      code: 'QUORUM_DUPLICATE_PERSON',
    });
    // The same key registered under a second name still counts once.
    const alias = { ...a.entry, custodianId: 'alice-2', name: 'ALICE AGAIN' };
    const aliasRoster = [alias, b.entry];
    const byAlias = {
      closed: false,
      accepted: [{ custodianId: 'alice', fingerprint: a.entry.fingerprint, at: NOW }],
    };
    expect(evaluateCheckIn(s, byAlias, aliasRoster, attempt, check, NOW)).toMatchObject({
      code: 'QUORUM_DUPLICATE_KEY',
    });
  });

  it('quorum state lists every valid check-in and stops counting a revoked one', () => {
    const accepted = [a, b, c].map((x) => ({
      custodianId: x.entry.custodianId,
      fingerprint: x.entry.fingerprint,
      at: NOW,
    }));
    expect(quorumState(s, accepted, roster, NOW)).toMatchObject({ reached: true, threshold: 2 });
    expect(quorumState(s, accepted, roster, NOW).checkedIn).toHaveLength(3);
    const revokedBob = [a.entry, { ...b.entry, revokedAt: NOW }, c.entry];
    expect(quorumState(s, accepted.slice(0, 2), revokedBob, NOW)).toMatchObject({ reached: false });
    expect(quorumState(s, accepted, roster, s.expiresAt)).toMatchObject({ reached: false });
  });
});

describe('QUORUM-CLAIM: where a session stands', () => {
  it('QUORUM-CLAIM: a claimed session is CLAIMED until it expires, then EXPIRED like any session; a closed one stays CLOSED', () => {
    const s = { expiresAt: '2026-05-01T11:00:00.000Z' };
    const before = '2026-05-01T10:59:59.999Z';
    expect(sessionStatus(s, null, before)).toBe('OPEN');
    expect(sessionStatus(s, 'claimed', before)).toBe('CLAIMED');
    expect(sessionStatus(s, 'claimed', s.expiresAt)).toBe('EXPIRED');
    expect(sessionStatus(s, null, s.expiresAt)).toBe('EXPIRED');
    for (const reason of ['used', 'cancelled', 'outcome-unknown']) {
      expect(sessionStatus(s, reason, before)).toBe('CLOSED');
      expect(sessionStatus(s, reason, s.expiresAt)).toBe('CLOSED');
    }
  });
});
