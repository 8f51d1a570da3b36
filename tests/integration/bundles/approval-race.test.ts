import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalSubjectName, PREDICATE_TYPES, STATEMENT_TYPE } from '../../../src/core/bundle/statement';
import { canonicalBytes } from '../../../src/core/canonical';
import type { EventKind, NewEvent } from '../../../src/core/journal/events';
import { systemDeps } from '../../../src/main/runtime';
import { acceptApprovalBytes } from '../../../src/main/services/bundles/approvals';
import { Station } from '../../../src/main/station/station';
import { envelopeFor, forgeKey, sha256 } from '../../helpers/bundle-forge';
import { suiteTempDir } from '../../helpers/temp';

/**
 * The approval acceptance matrix must hold when the approval lands (hostile review of issue #10): the
 * same signed approval imported by a second process between this import's evaluation and its record is
 * a replay, refused and journaled as such — never counted twice. Process B is a second connection that
 * commits exactly in that window.
 */
let suite: ReturnType<typeof suiteTempDir>;
let a: Station;
let b: Station;
const reviewer = forgeKey();
const packetDigest = sha256(Buffer.from('packet v1'));

beforeAll(() => {
  suite = suiteTempDir();
  const dir = join(suite.dir, 'st');
  a = Station.init(dir, { name: 'Vault', mode: 'offline', demo: false, actor: 'operator:so' }, systemDeps);
  b = Station.open(dir, systemDeps);
  a.record([
    {
      kind: 'trust.registered',
      actor: 'operator:so',
      body: {
        trustId: 'bob',
        name: 'Bob Board',
        entryKind: 'reviewer',
        roles: ['board-reviewer'],
        spki: reviewer.spki.toString('base64'),
        fingerprint: reviewer.fingerprint,
        algorithm: reviewer.algorithm,
        validFrom: '2026-01-01T00:00:00.000Z',
        validUntil: '2099-06-01T00:00:00.000Z',
        registrationDigest: sha256(reviewer.spki),
        confirmedBy: 'Security Officer',
      },
    },
    {
      kind: 'bundle.exported',
      actor: 'operator:so',
      body: {
        bundleKind: 'custody-report',
        packetId: 'custody-report',
        version: 1,
        title: 'Custody report',
        digest: packetDigest,
        fileSha256: sha256(Buffer.from('file')),
        fileName: 'custody-report-v1.bundle.zip',
        volume: '/media/usb',
        sizeBytes: 4,
        files: [],
        requiredRoles: ['board-reviewer'],
        journalToSeq: 1,
        checkpoint: null,
      },
    },
  ]);
});
afterAll(() => {
  b?.close();
  a?.close();
  suite?.remove();
});

function approvalBytes(): Buffer {
  const statement = {
    _type: STATEMENT_TYPE,
    subject: [{ name: approvalSubjectName('custody-report', 1), digest: { sha256: packetDigest } }],
    predicateType: PREDICATE_TYPES.approval,
    predicate: {
      packetId: 'custody-report',
      packetVersion: 1,
      packetDigest,
      role: 'board-reviewer',
      decision: 'approve',
      comment: 'Seals and serials match the custody log.',
      expiresAt: '2099-01-01T00:00:00.000Z',
      sequence: 1,
      reviewer: { name: 'Bob Board' },
      signedAt: '2026-12-01T10:00:00.000Z',
    },
  };
  return Buffer.from(JSON.stringify(envelopeFor(Buffer.from(canonicalBytes(statement)), reviewer)));
}

describe('approval import under a concurrent writer', () => {
  it('the import that loses the race is refused as a replay and journaled; the approval counts once', () => {
    const bytes = approvalBytes();
    const record = a.record.bind(a);
    a.record = (events: readonly NewEvent<EventKind>[], recheck?: () => void) => {
      const accepted = events.find((e) => e.kind === 'approval.accepted');
      if (accepted) b.record([accepted]);
      return record(events, recheck);
    };
    expect(() => acceptApprovalBytes(a, bytes, 'operator:so')).toThrowError(
      expect.objectContaining({ code: 'APPROVAL_REPLAYED' }),
    );
    const kinds = (
      a.store.db.prepare('SELECT kind FROM journal ORDER BY seq').pluck().all() as string[]
    ).slice(-2);
    expect(kinds).toEqual(['approval.accepted', 'approval.refused']);
  });
});
