import { afterEach, describe, expect, it } from 'vitest';
import {
  quorumCheckins,
  quorumRefusals,
  quorumSession,
  quorumSessions,
  rosterQuorum,
  rosterRows,
  shareSplits,
} from './custodians';
import { hex, refusal, SPKI, testStore, type TestStore } from './test-support';

let s: TestStore;
afterEach(() => s.close());

const custodian = (custodianId: string, name: string, fp: string) => ({
  custodianId,
  name,
  roles: ['custodian'],
  spki: SPKI,
  fingerprint: hex(fp),
  algorithm: 'ecdsa-p256-sha256' as const,
  validFrom: '2026-01-01T00:00:00.000Z',
  validUntil: '2027-01-01T00:00:00.000Z',
});
const SESSION = '2b5f0c1e-1c2d-4e3f-8a9b-0c1d2e3f4a5b';

function withRoster(): TestStore {
  s = testStore();
  s.record('roster.initialised', {
    quorum: 2,
    custodians: [custodian('ada', 'Ada Lovelace', 'a'), custodian('bob', 'Bob Board', 'b')],
    witnesses: ['Wendy Witness'],
  });
  s.record('quorum.session-opened', {
    sessionId: SESSION,
    operation: 'roster-change:abc',
    ceremonyId: 'c-1',
    step: 'add',
    threshold: 2,
    nonce: hex('c'),
    openedAt: '2026-05-01T10:00:00.000Z',
    expiresAt: '2026-05-01T11:00:00.000Z',
  });
  s.record('quorum.checked-in', {
    sessionId: SESSION,
    custodianId: 'ada',
    fingerprint: hex('a'),
    signature: 'c2ln',
  });
  s.record('quorum.check-in-refused', {
    sessionId: SESSION,
    code: 'QUORUM_NOT_ON_ROSTER',
    custodianId: null,
    fingerprint: null,
    reason: 'unknown key',
  });
  s.record('shares.split-created', {
    splitId: hex('d').slice(0, 32),
    moduleId: 'softhsm',
    tokenSerial: '1234abcd',
    threshold: 2,
    total: 2,
    holders: [
      { position: 1, custodianId: 'ada' },
      { position: 2, custodianId: 'bob' },
    ],
    shareCommitments: [hex('e'), hex('f')],
    secretCommitment: hex('1'),
    quorumSessionId: null,
  });
  return s;
}

describe('custodians repository', () => {
  it('reads the roster, its quorum, sessions, check-ins, refusals and splits as typed records', () => {
    withRoster();
    expect(rosterQuorum(s.db)).toBe(2);
    expect(rosterRows(s.db)).toEqual([
      { ...custodian('ada', 'Ada Lovelace', 'a'), revokedAt: null },
      { ...custodian('bob', 'Bob Board', 'b'), revokedAt: null },
    ]);
    expect(quorumSession(s.db, SESSION)).toMatchObject({ threshold: 2, closedReason: null, closedSeq: null });
    expect(quorumSession(s.db, 'no-such-session')).toBeNull();
    expect(quorumSessions(s.db).map((x) => x.sessionId)).toEqual([SESSION]);
    expect(quorumCheckins(s.db, SESSION)).toEqual([
      { custodianId: 'ada', fingerprint: hex('a'), at: '2026-05-01T10:00:00.000Z' },
    ]);
    expect(quorumRefusals(s.db, SESSION)).toMatchObject([
      { code: 'QUORUM_NOT_ON_ROSTER', custodianId: null },
    ]);
    expect(shareSplits(s.db)[0]?.holders).toEqual([
      { position: 1, custodianId: 'ada' },
      { position: 2, custodianId: 'bob' },
    ]);
  });

  it('an empty station has no roster quorum yet', () => {
    s = testStore();
    expect(rosterQuorum(s.db)).toBeNull();
    expect(rosterRows(s.db)).toEqual([]);
  });

  it.each([
    [
      'an algorithm no check-in can verify',
      "UPDATE custodian SET algorithm = 'rsa-9000' WHERE custodian_id = 'bob'",
      'algorithm',
      'algorithm',
    ],
    [
      'roles that are not JSON',
      "UPDATE custodian SET roles = 'custodian' WHERE custodian_id = 'bob'",
      'roles',
      'roles',
    ],
    [
      'roles that are not a list of roles',
      "UPDATE custodian SET roles = '[7]' WHERE custodian_id = 'bob'",
      'roles',
      'roles.0',
    ],
  ])('a custodian row with %s is refused, naming the column', (_what, sql, column, path) => {
    withRoster();
    s.tamper(sql);
    expect(refusal(() => rosterRows(s.db))).toMatchObject({
      code: 'STORE_ROW_INVALID',
      data: { table: 'custodian', row: 'custodian_id="bob"', column, path },
    });
  });

  it('a session closed for a reason the station never writes is refused, naming closed_reason', () => {
    withRoster();
    s.tamper("UPDATE quorum_session SET closed_reason = 'waved-through'");
    expect(refusal(() => quorumSession(s.db, SESSION))).toMatchObject({
      code: 'STORE_ROW_INVALID',
      data: { table: 'quorum_session', row: `session_id="${SESSION}"`, column: 'closed_reason' },
    });
    expect(refusal(() => quorumSessions(s.db))).toMatchObject({ data: { column: 'closed_reason' } });
  });

  it('a split whose holders are not positions held by custodians is refused, naming holders', () => {
    withRoster();
    s.tamper(`UPDATE share_split SET holders = '[{"position":"one","custodianId":"ada"}]'`);
    expect(refusal(() => shareSplits(s.db))).toMatchObject({
      code: 'STORE_ROW_INVALID',
      data: { table: 'share_split', column: 'holders', path: 'holders.0.position' },
    });
  });

  it('a roster quorum below two is refused: it would let one custodian act alone', () => {
    withRoster();
    s.tamper('UPDATE roster_policy SET quorum = 1');
    expect(refusal(() => rosterQuorum(s.db))).toMatchObject({
      code: 'STORE_ROW_INVALID',
      data: { table: 'roster_policy', column: 'quorum' },
    });
  });
});
