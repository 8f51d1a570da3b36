import { afterEach, describe, expect, it } from 'vitest';
import {
  identityFromStoredBody,
  identityProjection,
  identityTokenCommitment,
  identityTokenLocator,
  recordIdentityToken,
  stationIdFromStoredBody,
} from './identity';
import { hex, refusal, SPKI, testStore, type TestStore } from './test-support';

let s: TestStore;
afterEach(() => s.close());

const MODULE = {
  moduleId: 'softhsm',
  profile: 'softhsm2',
  path: '/usr/lib/softhsm/libsofthsm2.so',
  librarySha256: hex('a'),
  environment: { SOFTHSM2_CONF: '/tmp/softhsm2.conf' },
};
const IDENTITY = {
  moduleId: 'softhsm',
  tokenSerial: '1234abcd',
  tokenLabel: 'station',
  keyLabel: 'station-identity',
  keyId: '01',
  algorithm: 'ec-p256',
  spki: SPKI,
  fingerprint: hex('b'),
  certificatePem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
} as const;

function withModule(): TestStore {
  s = testStore();
  s.record('station.initialised', {
    stationId: '0b5f0c1e-1c2d-4e3f-8a9b-0c1d2e3f4a5b',
    name: 'Room B',
    mode: 'offline',
    demo: false,
  });
  s.record('hsm.module-registered', MODULE);
  return s;
}

/** A station whose identity entry records its token (as stations made before issue #16 do). */
function withIdentity(): TestStore {
  withModule().record('station.identity-created', IDENTITY);
  return s;
}

describe('identity repository', () => {
  it('reads the identity projection with its SPKI as bytes, and the same identity from the journal body', () => {
    withIdentity();
    const projected = identityProjection(s.db);
    expect(projected).toMatchObject({ moduleId: 'softhsm', keyId: '01', fingerprint: hex('b') });
    expect(projected?.spki).toEqual(Buffer.from(SPKI, 'base64'));
    const [event] = s.journal.eventsOfKind('station.identity-created');
    expect(event?.seq).toBe(3);
    const entry = s.journal.get(3)!;
    expect(identityFromStoredBody(s.db, entry.body, entry.seq)).toEqual(projected);
    expect(stationIdFromStoredBody(s.journal.get(1)!.body, 1)).toBe('0b5f0c1e-1c2d-4e3f-8a9b-0c1d2e3f4a5b');
  });

  it('an identity recorded without its token serial takes it from the station file, bound by the journal’s commitment, never from the journal', () => {
    withModule();
    const { tokenSerial: _serial, tokenLabel: _label, ...withoutToken } = IDENTITY;
    const token = { tokenSerial: '1234abcd', tokenLabel: 'station' };
    const salt = 'a'.repeat(64);
    const body = { ...withoutToken, tokenCommitment: identityTokenCommitment(token, salt) };
    // A commitment without the station file's record (which the identity's own append writes first)
    // is refused: nothing is appended.
    expect(refusal(() => s.record('station.identity-created', body))).toMatchObject({
      code: 'IDENTITY_MISMATCH',
    });
    expect(s.journal.head().seq).toBe(2);
    recordIdentityToken(s.db, token, salt, IDENTITY.fingerprint);
    expect(() => s.db.prepare('DELETE FROM station_identity_token').run()).toThrow(/written once/);
    expect(() => s.db.prepare("UPDATE station_identity_token SET token_serial = 'x'").run()).toThrow(
      /written once/,
    );
    // A body names its token or commits to it, not both.
    expect(
      refusal(() => s.record('station.identity-created', { ...body, tokenSerial: '1234abcd' })),
    ).toMatchObject({ code: 'JOURNAL_BODY_INVALID' });
    // A body that commits to no token, or to another one, is not this record's.
    expect(refusal(() => s.record('station.identity-created', withoutToken))).toMatchObject({
      code: 'IDENTITY_TOKEN_UNKNOWN',
    });
    const other = identityTokenCommitment({ tokenSerial: '99990000', tokenLabel: 'station' }, salt);
    expect(
      refusal(() => s.record('station.identity-created', { ...body, tokenCommitment: other })),
    ).toMatchObject({
      code: 'IDENTITY_MISMATCH',
    });
    expect(s.journal.head().seq).toBe(2);
    s.record('station.identity-created', body);
    const entry = s.journal.get(3)!;
    expect(Buffer.from(entry.body).includes('1234abcd')).toBe(false);
    expect(Buffer.from(entry.body).includes('"tokenLabel"')).toBe(false);
    expect(identityTokenLocator(s.db)).toEqual({ ...token, salt, fingerprint: IDENTITY.fingerprint });
    expect(identityProjection(s.db)?.tokenSerial).toBe('1234abcd');
    expect(identityProjection(s.db)?.tokenLabel).toBe('station');
    expect(identityFromStoredBody(s.db, entry.body, entry.seq).tokenSerial).toBe('1234abcd');
    // The record changed afterwards (past its triggers) no longer matches the chained commitment.
    s.db.exec('DROP TRIGGER station_identity_token_no_update');
    s.db.prepare("UPDATE station_identity_token SET token_serial = '99990000'").run();
    expect(refusal(() => identityFromStoredBody(s.db, entry.body, entry.seq))).toMatchObject({
      code: 'IDENTITY_MISMATCH',
    });
  });

  it('an identity entry whose body is JSON but not the catalogue shape is refused, naming the entry and the field', () => {
    withIdentity();
    const { keyId: _dropped, ...withoutKeyId } = IDENTITY;
    const seq = s.forgeEntry('station.identity-created', withoutKeyId);
    expect(refusal(() => s.journal.eventsOfKind('station.identity-created'))).toMatchObject({
      code: 'STORE_ROW_INVALID',
      data: {
        table: 'journal',
        row: `seq ${seq} (station.identity-created)`,
        column: 'body',
        path: 'body.keyId',
      },
    });
    expect(refusal(() => identityFromStoredBody(s.db, s.journal.get(seq)!.body, seq))).toMatchObject({
      code: 'STORE_ROW_INVALID',
      data: { column: 'body', path: 'body.keyId' },
    });
  });

  it('a body that is not UTF-8 JSON at all is refused the same way, not thrown as a SyntaxError', () => {
    withIdentity();
    const seq = s.journal.head().seq + 1;
    s.db
      .prepare(
        'INSERT INTO journal (seq, at, actor, kind, body, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        seq,
        '2026-05-01T10:00:00.000Z',
        'demo',
        'station.initialised',
        Buffer.from([0x7b, 0xff]),
        Buffer.alloc(32),
        Buffer.alloc(32),
      );
    expect(refusal(() => stationIdFromStoredBody(s.journal.get(seq)!.body, seq))).toMatchObject({
      code: 'STORE_ROW_INVALID',
      data: { column: 'body' },
      message: expect.stringContaining('(not UTF-8 JSON)'),
    });
  });
});
