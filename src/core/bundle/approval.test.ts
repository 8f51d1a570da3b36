import { describe, expect, it } from 'vitest';
import {
  approvalStatus,
  evaluateApproval,
  type AcceptedApproval,
  type IssuedVersion,
  type TrustedKey,
} from './approval';
import type { ApprovalPredicate } from './statement';

const NOW = '2026-11-25T12:00:00.000Z';
const D1 = 'a'.repeat(64);
const D2 = 'b'.repeat(64);
const alice: TrustedKey = {
  trustId: 'alice',
  name: 'Alice',
  kind: 'reviewer',
  fingerprint: '1'.repeat(64),
  roles: ['board-reviewer', 'release-integrity-owner'],
  validFrom: '2026-01-01T00:00:00.000Z',
  validUntil: '2027-01-01T00:00:00.000Z',
  revokedAt: null,
};
const issued: IssuedVersion[] = [
  {
    packetId: 'custody-report',
    version: 1,
    digest: D1,
    requiredRoles: ['board-reviewer', 'release-integrity-owner'],
  },
  {
    packetId: 'custody-report',
    version: 2,
    digest: D2,
    requiredRoles: ['board-reviewer', 'release-integrity-owner'],
  },
];
const approval = (over: Partial<ApprovalPredicate> = {}): ApprovalPredicate => ({
  packetId: 'custody-report',
  packetVersion: 2,
  packetDigest: D2,
  role: 'board-reviewer',
  decision: 'approve',
  comment: '',
  expiresAt: '2026-12-01T00:00:00.000Z',
  sequence: 5,
  reviewer: { name: 'Alice' },
  signedAt: NOW,
  ...over,
});
const accepted = (a: ApprovalPredicate, seq = 10): AcceptedApproval => ({
  packetId: a.packetId,
  packetVersion: a.packetVersion,
  role: a.role,
  decision: a.decision,
  sequence: a.sequence,
  signerFingerprint: alice.fingerprint,
  trustId: alice.trustId,
  reviewer: a.reviewer.name,
  comment: a.comment,
  expiresAt: a.expiresAt,
  seq,
});
const evaluate = (a: ApprovalPredicate, prior: AcceptedApproval[] = [], signer = alice) =>
  evaluateApproval({ signer, approval: a, issued, accepted: prior, now: NOW })?.code ?? null;

describe('approval acceptance (APR-*)', () => {
  it('accepts a valid approval of the current version', () => {
    expect(evaluate(approval())).toBeNull();
  });
  it('APR-SIGNER-VALID: an expired, not yet valid or revoked key is refused', () => {
    expect(evaluate(approval(), [], { ...alice, validUntil: NOW })).toBe('APPROVAL_SIGNER_NOT_VALID');
    expect(evaluate(approval(), [], { ...alice, validFrom: '2026-11-26T00:00:00.000Z' })).toBe(
      'APPROVAL_SIGNER_NOT_VALID',
    );
    expect(evaluate(approval(), [], { ...alice, revokedAt: '2026-11-01T00:00:00.000Z' })).toBe(
      'APPROVAL_SIGNER_NOT_VALID',
    );
  });
  it('APR-ROLE: a role the key does not hold, or the packet does not ask for, is refused', () => {
    expect(evaluate(approval({ role: 'ca-delegate' }))).toBe('APPROVAL_ROLE_NOT_HELD');
    expect(evaluate(approval(), [], { ...alice, roles: ['board-reviewer', 'ca-delegate'] })).toBeNull();
    expect(evaluate(approval({ role: 'ca-delegate' }), [], { ...alice, roles: ['ca-delegate'] })).toBe(
      'APPROVAL_ROLE_NOT_REQUIRED',
    );
  });
  it('APR-ROLE: a station key never approves, even one registered with the role', () => {
    expect(evaluate(approval(), [], { ...alice, kind: 'station' })).toBe('APPROVAL_ROLE_NOT_HELD');
  });
  it('APR-PACKET / APR-DIGEST / APR-VERSION: unknown packet, wrong digest, older version', () => {
    expect(evaluate(approval({ packetId: 'other' }))).toBe('APPROVAL_PACKET_UNKNOWN');
    expect(evaluate(approval({ packetDigest: D1 }))).toBe('APPROVAL_DIGEST_MISMATCH');
    expect(evaluate(approval({ packetVersion: 3 }))).toBe('APPROVAL_DIGEST_MISMATCH');
    expect(evaluate(approval({ packetVersion: 1, packetDigest: D1 }))).toBe('APPROVAL_VERSION_SUPERSEDED');
  });
  it('APR-EXPIRY: an approval past its expiry is refused', () => {
    expect(evaluate(approval({ expiresAt: NOW }))).toBe('APPROVAL_EXPIRED');
  });
  it('APR-SEQUENCE: the same or a lower sequence from the same key for the packet is a replay or rollback', () => {
    const prior = [accepted(approval({ sequence: 5 }))];
    expect(evaluate(approval({ sequence: 5 }), prior)).toBe('APPROVAL_REPLAYED');
    expect(evaluate(approval({ sequence: 4, decision: 'reject' }), prior)).toBe('APPROVAL_REPLAYED');
    expect(evaluate(approval({ sequence: 6, decision: 'reject' }), prior)).toBeNull();
    // Sequences run per packet: an older version's approvals still bind the key.
    const older = [accepted(approval({ packetVersion: 1, packetDigest: D1, sequence: 9 }))];
    expect(evaluate(approval({ sequence: 9 }), older)).toBe('APPROVAL_REPLAYED');
  });
  it('APR-KEY-ONCE: one key cannot fill a second role for the same version', () => {
    const prior = [accepted(approval({ sequence: 5 }))];
    expect(evaluate(approval({ sequence: 6, role: 'release-integrity-owner' }), prior)).toBe(
      'APPROVAL_KEY_COUNTED',
    );
  });
});

describe('approval status', () => {
  const v2 = issued[1]!;
  it('lists every valid approval, newest per key, and the roles still missing', () => {
    const bob = {
      ...accepted(approval({ role: 'release-integrity-owner', sequence: 1 }), 11),
      signerFingerprint: '2'.repeat(64),
      trustId: 'bob',
      reviewer: 'Bob',
    };
    const s = approvalStatus(
      v2,
      [accepted(approval({ decision: 'reject', sequence: 4 }), 9), accepted(approval(), 10), bob],
      NOW,
    );
    expect(s.approvals.map((a) => [a.reviewer, a.decision])).toEqual([
      ['Alice', 'approve'],
      ['Bob', 'approve'],
    ]);
    expect(s.satisfiedRoles).toEqual(['board-reviewer', 'release-integrity-owner']);
    expect(s.missingRoles).toEqual([]);
  });
  it('a rejection is listed as an objection and satisfies nothing; an expired approval no longer counts', () => {
    const s = approvalStatus(v2, [accepted(approval({ decision: 'reject' }))], NOW);
    expect(s.missingRoles).toEqual(['board-reviewer', 'release-integrity-owner']);
    expect(s.objections).toEqual(['board-reviewer']);
    const later = approvalStatus(v2, [accepted(approval())], '2026-12-02T00:00:00.000Z');
    expect(later.approvals[0]?.expired).toBe(true);
    expect(later.missingRoles).toContain('board-reviewer');
  });
  it('approvals of another version do not count for this one', () => {
    const s = approvalStatus(v2, [accepted(approval({ packetVersion: 1, packetDigest: D1 }))], NOW);
    expect(s.approvals).toEqual([]);
  });
});
