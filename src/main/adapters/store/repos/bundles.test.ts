import { afterEach, describe, expect, it } from 'vitest';
import type { EventBody } from '../../../../core/journal/events';
import {
  approvalRefusalRows,
  approvalRows,
  importedHighWater,
  importedRows,
  issuedFileName,
  issuedRows,
  latestIssuedVersion,
  mediaRefusalRows,
  trustRows,
} from './bundles';
import { hex, refusal, SPKI, testStore, type TestStore } from './test-support';

let s: TestStore;
afterEach(() => s.close());

const TRUST: EventBody<'trust.registered'> = {
  trustId: 'bob',
  name: 'Bob Board',
  entryKind: 'reviewer',
  roles: ['board-reviewer'],
  spki: SPKI,
  fingerprint: hex('b'),
  algorithm: 'ecdsa-p256-sha256',
  validFrom: '2026-01-01T00:00:00.000Z',
  validUntil: '2027-01-01T00:00:00.000Z',
  registrationDigest: hex('c'),
  confirmedBy: 'Pat Manager',
};

function withBundles(): TestStore {
  s = testStore();
  s.record('trust.registered', TRUST);
  s.record('bundle.exported', {
    bundleKind: 'packet',
    packetId: 'p-1',
    version: 1,
    title: 'Packet',
    digest: hex('d'),
    fileSha256: hex('e'),
    fileName: 'p-1-v1.zip',
    volume: '/media/usb',
    sizeBytes: 10,
    files: [],
    requiredRoles: ['board-reviewer'],
    journalToSeq: 2,
    checkpoint: null,
  });
  s.record('bundle.imported', {
    bundleKind: 'packet',
    packetId: 'p-2',
    version: 3,
    digest: hex('f'),
    fileSha256: hex('1'),
    fileName: 'p-2-v3.zip',
    signerFingerprint: hex('2'),
    signerName: 'Other Station',
    files: [{ name: 'packet/packet.json', sha256: hex('3'), size: 5 }],
  });
  s.record('bundle.import-refused', {
    code: 'BUNDLE_SIGNATURE_INVALID',
    check: 'BND-SIG',
    fileName: 'x.zip',
    fileSha256: null,
    detail: 'bad',
  });
  s.record('approval.refused', {
    code: 'APPROVAL_UNTRUSTED',
    check: null,
    packetId: null,
    signerFingerprint: null,
    envelopeSha256: null,
    detail: 'who?',
  });
  s.record('approval.accepted', {
    packetId: 'p-1',
    packetVersion: 1,
    packetDigest: hex('d'),
    role: 'board-reviewer',
    decision: 'approve',
    comment: 'ok',
    expiresAt: '2026-06-01T00:00:00.000Z',
    sequence: 1,
    reviewer: 'Bob Board',
    trustId: 'bob',
    signerFingerprint: hex('b'),
    envelopeSha256: hex('4'),
    envelope: 'ZW52',
  });
  return s;
}

describe('bundles repository', () => {
  it('reads the trust store, issued and imported bundles, refusals and approvals as typed records', () => {
    withBundles();
    expect(trustRows(s.db)).toEqual([
      {
        trustId: 'bob',
        name: 'Bob Board',
        entryKind: 'reviewer',
        roles: ['board-reviewer'],
        spki: SPKI,
        fingerprint: hex('b'),
        algorithm: 'ecdsa-p256-sha256',
        validFrom: '2026-01-01T00:00:00.000Z',
        validUntil: '2027-01-01T00:00:00.000Z',
        revokedAt: null,
      },
    ]);
    expect(issuedRows(s.db)).toMatchObject([
      { packetId: 'p-1', version: 1, requiredRoles: ['board-reviewer'] },
    ]);
    expect(issuedFileName(s.db, 'p-1', 1)).toBe('p-1-v1.zip');
    expect(issuedFileName(s.db, 'p-1', 2)).toBeNull();
    expect(latestIssuedVersion(s.db, 'p-1')).toBe(1);
    expect(latestIssuedVersion(s.db, 'p-9')).toBe(0);
    expect(importedHighWater(s.db, hex('2'), 'p-2', 'packet')).toBe(3);
    expect(importedHighWater(s.db, hex('2'), 'p-2', 'evidence')).toBe(0);
    expect(importedRows(s.db, 500)).toMatchObject([
      { seq: 3, files: [{ name: 'packet/packet.json', size: 5 }] },
    ]);
    expect(mediaRefusalRows(s.db, 200)).toMatchObject([
      { code: 'BUNDLE_SIGNATURE_INVALID', check: 'BND-SIG' },
    ]);
    expect(approvalRefusalRows(s.db, 200)).toMatchObject([
      { code: 'APPROVAL_UNTRUSTED', check: null, packetId: null },
    ]);
    expect(approvalRows(s.db)).toMatchObject([{ packetId: 'p-1', decision: 'approve', sequence: 1 }]);
  });

  it.each([
    [
      'an entry kind that is neither reviewer nor station',
      "UPDATE trust_entry SET entry_kind = 'admin'",
      'entry_kind',
    ],
    ['roles that are not JSON', "UPDATE trust_entry SET roles = 'board-reviewer'", 'roles'],
    ['an algorithm the verifier does not know', "UPDATE trust_entry SET algorithm = 'md5'", 'algorithm'],
  ])('a trust entry with %s is refused, naming the column', (_what, sql, column) => {
    withBundles();
    s.tamper(sql);
    expect(refusal(() => trustRows(s.db))).toMatchObject({
      code: 'STORE_ROW_INVALID',
      data: { table: 'trust_entry', row: 'trust_id="bob"', column },
    });
  });

  it('an issued bundle whose required roles are not a list is refused, naming required_roles', () => {
    withBundles();
    s.tamper(`UPDATE bundle_issued SET required_roles = '{"board-reviewer":true}'`);
    expect(refusal(() => issuedRows(s.db))).toMatchObject({
      data: { table: 'bundle_issued', row: 'packet_id="p-1" version=1', column: 'required_roles' },
    });
  });

  it('an imported bundle whose file list lost its digests is refused, naming files', () => {
    withBundles();
    s.tamper(`UPDATE bundle_imported SET files = '[{"name":"packet/packet.json","size":5}]'`);
    expect(refusal(() => importedRows(s.db, 500))).toMatchObject({
      code: 'STORE_ROW_INVALID',
      data: { table: 'bundle_imported', row: 'seq=3', column: 'files', path: 'files.0.sha256' },
    });
  });

  it('an approval with a decision no reviewer can sign is refused, naming decision', () => {
    withBundles();
    s.tamper("UPDATE approval SET decision = 'rubber-stamp'");
    expect(refusal(() => approvalRows(s.db))).toMatchObject({
      code: 'STORE_ROW_INVALID',
      data: { table: 'approval', row: 'seq=6', column: 'decision' },
    });
  });
});
