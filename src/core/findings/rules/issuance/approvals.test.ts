import { describe, expect, it } from 'vitest';
import {
  APPROVERS,
  approval,
  baseline,
  checks,
  digestOf,
  only,
  request,
  roster,
  run,
  withRecords,
  withRequest,
} from './testkit';

const A = (k: number) => APPROVERS[k] as readonly [string, string];

describe('ISS-APPROVALS: each required role approved this request, current, by three distinct people', () => {
  it('a missing role is named; look-alike: an approval of another request in that role counts for nothing', () => {
    const [role] = A(2);
    const base = baseline().filter(
      (x) => !(x.family === 'issuance-approval' && x.provenance.recordId === `APR-${role}`),
    );
    expect(only(run(base), 'ISS-APPROVALS')).toEqual(['ISS-APPROVALS missing ca-delegate']);
    const elsewhere = approval(role, 'tom.okafor', { approvalId: 'APR-X', requestId: 'ISR-9' });
    expect(only(run([...base, elsewhere]), 'ISS-APPROVALS')).toEqual(['ISS-APPROVALS missing ca-delegate']);
  });

  it('an approval bound to another digest is stale; re-bound to the changed request it counts again', () => {
    // The justification changed after approval: the approvals bind the old content.
    const changed = request({ justification: 'Changed after approval' });
    const e = run(withRecords(baseline(), changed));
    expect(only(e, 'ISS-APPROVALS')).toEqual([
      'ISS-APPROVALS stale ca-delegate',
      'ISS-APPROVALS stale cryptography-engineering-manager',
      'ISS-APPROVALS stale release-integrity-owner',
    ]);
    expect(e.derived).toMatchObject({ fields: [], digest: null });
    expect(checks(run(withRequest({ justification: 'Changed after approval' })))).toEqual([]);
    expect(digestOf(changed)).not.toBe(digestOf(request()));
  });

  it('an expired approval is expired; look-alike: one expiring after as-of counts', () => {
    const [role, who] = A(0);
    const expired = approval(role, who, { expiresAt: '2026-12-01T10:00:00.000Z' });
    expect(only(run(withRecords(baseline(), expired)), 'ISS-APPROVALS')).toEqual([
      'ISS-APPROVALS expired release-integrity-owner',
    ]);
    const later = approval(role, who, { expiresAt: '2026-12-01T10:00:01.000Z' });
    expect(checks(run(withRecords(baseline(), later)))).toEqual([]);
  });

  it('a rejection is the approver’s latest decision; an approval after the rejection holds', () => {
    const [role, who] = A(1);
    const rejected = approval(role, who, {
      approvalId: 'APR-R',
      decision: 'reject',
      approvedAt: '2026-11-30T12:00:00.000Z',
    });
    expect(only(run([...baseline(), rejected]), 'ISS-APPROVALS')).toEqual([
      'ISS-APPROVALS disputed cryptography-engineering-manager',
    ]);
    const again = approval(role, who, { approvalId: 'APR-R2', approvedAt: '2026-11-30T18:00:00.000Z' });
    expect(checks(run([...baseline(), rejected, again]))).toEqual([]);
  });

  it('an approver who held the role when approving but no longer holds it now does not count; look-alike: a role that ends after as-of, or renewed', () => {
    const [role, who] = A(2);
    const endedSince = roster(who, [role], { validUntil: '2026-11-30T23:00:00.000Z' });
    expect(only(run(withRecords(baseline(), endedSince)), 'ISS-APPROVALS')).toEqual([
      'ISS-APPROVALS stale ca-delegate',
    ]);
    const endsLater = roster(who, [role], { validUntil: '2026-12-01T11:00:00.000Z' });
    expect(checks(run(withRecords(baseline(), endsLater)))).toEqual([]);
    const renewed = roster(who, [role], {
      entryId: `RS-${who}-renewed`,
      validFrom: '2026-11-30T23:00:00.000Z',
    });
    expect(checks(run([...withRecords(baseline(), endedSince), renewed]))).toEqual([]);
  });

  it('an approver not holding the role at approval time does not count; look-alike: a role held then and now', () => {
    const [role, who] = A(2);
    const notYet = roster(who, [role], { validFrom: '2026-11-30T00:00:00.000Z' });
    expect(only(run(withRecords(baseline(), notYet)), 'ISS-APPROVALS')).toEqual([
      'ISS-APPROVALS invalid ca-delegate',
    ]);
    const otherRole = roster(who, ['release-signer']);
    expect(only(run(withRecords(baseline(), otherRole)), 'ISS-APPROVALS')).toEqual([
      'ISS-APPROVALS invalid ca-delegate',
    ]);
    const heldThroughout = roster(who, [role], { validUntil: '2027-03-01T00:00:00.000Z' });
    expect(checks(run(withRecords(baseline(), heldThroughout)))).toEqual([]);
  });

  it('one person in two roles counts once; three distinct people are needed', () => {
    const [r0, p0] = A(0);
    const [r2] = A(2);
    const both = roster(p0, [r0, r2]);
    const swapped = approval(r2, p0);
    const e = run(withRecords(baseline(), both, swapped));
    expect(only(e, 'ISS-APPROVALS')).toHaveLength(1);
    expect(only(e, 'ISS-APPROVALS')[0]).toMatch(
      /^ISS-APPROVALS invalid (ca-delegate|release-integrity-owner)$/,
    );
    // Look-alike: the same person holding two roles but approving in one, a third person in the other.
    const fine = run(withRecords(baseline(), both));
    expect(checks(fine)).toEqual([]);
  });

  it('the owner or the requester cannot approve, even holding the role', () => {
    const [role] = A(0);
    for (const who of ['elena.park', 'K.Moreno']) {
      const e = run(withRecords(baseline(), roster(who, [role]), approval(role, who)));
      expect(only(e, 'ISS-APPROVALS'), who).toEqual(['ISS-APPROVALS invalid release-integrity-owner']);
      expect(e.findings[0]?.sentence).toContain('cannot approve');
    }
  });

  it('a policy that requires a fourth role asks for it', () => {
    const e = run(baseline(), {
      policy: {
        approvalRoles: [
          'release-integrity-owner',
          'cryptography-engineering-manager',
          'ca-delegate',
          'legal-reviewer',
        ],
      },
    });
    expect(checks(e)).toEqual(['ISS-APPROVALS missing legal-reviewer']);
  });
});
