import { describe, expect, it } from 'vitest';
import {
  checkHighWater,
  checkImportKind,
  checkSigner,
  IMPORTABLE_KINDS,
  SIGNABLE_KINDS,
  type BundleSigner,
} from './import-policy';
import { BUNDLE_KINDS, type BundlePredicate } from './statement';

const station: BundleSigner = {
  kind: 'station',
  name: 'Vault B',
  fingerprint: 'b'.repeat(64),
  registeredName: 'Vault B',
};
const reviewer: BundleSigner = {
  kind: 'reviewer',
  name: 'Bob Board',
  fingerprint: 'c'.repeat(64),
  registeredName: 'Bob Board',
};
const predicate = (over: Partial<BundlePredicate> = {}): BundlePredicate => ({
  bundleKind: 'custody-report',
  packetId: 'custody-report',
  version: 2,
  title: 'Custody report',
  createdAt: '2026-11-25T10:00:00.000Z',
  station: {
    stationId: '0b6f4a52-8d8e-4c57-9d1c-8f0a9d3e6b21',
    name: 'Vault B',
    fingerprint: 'b'.repeat(64),
  },
  holder: null,
  journal: null,
  ...over,
});
const code = (s: BundleSigner, p: BundlePredicate) => {
  const r = checkSigner(s, p);
  return r ? [r.code, r.check] : null;
};

describe('BND-SIGNER-ROLE: each kind of key signs only its own kinds of bundle', () => {
  it('every bundle kind is signable by exactly one kind of key', () => {
    for (const k of BUNDLE_KINDS)
      expect([...SIGNABLE_KINDS.station, ...SIGNABLE_KINDS.reviewer].filter((x) => x === k)).toHaveLength(1);
  });
  it('a reviewer key signing a station bundle (the issue #10 forgery) is refused, whatever it claims', () => {
    for (const bundleKind of SIGNABLE_KINDS.station) {
      expect(code(reviewer, predicate({ bundleKind }))).toEqual([
        'BUNDLE_SIGNER_NOT_ALLOWED',
        'BND-SIGNER-ROLE',
      ]);
      expect(
        code(
          reviewer,
          predicate({ bundleKind, station: { ...predicate().station!, fingerprint: reviewer.fingerprint } }),
        ),
      ).toEqual(['BUNDLE_SIGNER_NOT_ALLOWED', 'BND-SIGNER-ROLE']);
    }
  });
  it('a station key signing a key registration is refused', () => {
    expect(code(station, predicate({ bundleKind: 'key-registration' }))).toEqual([
      'BUNDLE_SIGNER_NOT_ALLOWED',
      'BND-SIGNER-ROLE',
    ]);
  });
});

describe('BND-SIGNER-STATION: the bundle names its signer', () => {
  it('a station bundle naming the signing station passes; another station, none, or a holder is refused', () => {
    expect(code(station, predicate())).toBeNull();
    const mismatch = ['BUNDLE_STATION_MISMATCH', 'BND-SIGNER-STATION'];
    expect(
      code(station, predicate({ station: { ...predicate().station!, fingerprint: 'a'.repeat(64) } })),
    ).toEqual(mismatch);
    expect(code(station, predicate({ station: null }))).toEqual(mismatch);
    expect(code(station, predicate({ holder: { name: 'Bob Board', organisation: '' } }))).toEqual(mismatch);
  });
  it('a key registration names its holder and no station', () => {
    const reg = { bundleKind: 'key-registration' as const, packetId: 'key-registration', version: 1 };
    expect(
      code(reviewer, predicate({ ...reg, station: null, holder: { name: 'Bob Board', organisation: '' } })),
    ).toBeNull();
    expect(code(reviewer, predicate({ ...reg, holder: { name: 'Bob Board', organisation: '' } }))).toEqual([
      'BUNDLE_STATION_MISMATCH',
      'BND-SIGNER-STATION',
    ]);
    expect(code(reviewer, predicate({ ...reg, station: null }))).toEqual([
      'BUNDLE_STATION_MISMATCH',
      'BND-SIGNER-STATION',
    ]);
  });
  it('BND-SIGNER-STATION: the holder a registered key signs for is the name its trust entry holds', () => {
    const reg = { bundleKind: 'key-registration' as const, packetId: 'key-registration', station: null };
    const holder = (name: string) => predicate({ ...reg, holder: { name, organisation: 'Example' } });
    // The same name in another case or letter form is the same name (nameKey).
    expect(code(reviewer, holder('BOB BOARD'))).toBeNull();
    expect(code(reviewer, holder('Ｂｏｂ Ｂｏａｒｄ'))).toBeNull();
    expect(code(reviewer, holder('Alice Approver'))).toEqual([
      'BUNDLE_HOLDER_MISMATCH',
      'BND-SIGNER-STATION',
    ]);
    // A self-signed registration being inspected has no registered name yet: a person confirms it.
    expect(code({ ...reviewer, registeredName: null }, holder('Alice Approver'))).toBeNull();
  });
});

describe('BND-KIND: an import takes content, never a registration or an identity', () => {
  it('packets, reports, evidence and journal segments import; key registrations and identities do not', () => {
    expect(IMPORTABLE_KINDS).toEqual([
      'journal-segment',
      'custody-report',
      'packet',
      'packet-broad',
      'evidence',
      'portal-evidence',
      'ceremony-transcript',
    ]);
    for (const k of IMPORTABLE_KINDS) expect(checkImportKind(k)).toBeNull();
    for (const k of ['key-registration', 'identity'] as const)
      expect(checkImportKind(k)).toMatchObject({ code: 'BUNDLE_KIND_UNEXPECTED', check: 'BND-KIND' });
  });
});

describe('BND-REPLAY: per signer, packet and kind, each version once and never backwards', () => {
  const b = { bundleKind: 'custody-report' as const, packetId: 'custody-report', version: 2 };
  it.each([
    [0, null],
    [1, null],
    [2, 'BUNDLE_REPLAYED'],
    [3, 'BUNDLE_ROLLBACK'],
  ])('version 2 against high-water %i → %s', (highest, expected) => {
    const r = checkHighWater(b, highest);
    expect(r?.code ?? null).toBe(expected);
    if (r) expect(r.check).toBe('BND-REPLAY');
  });
});
