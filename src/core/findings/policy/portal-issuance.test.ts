import { describe, expect, it } from 'vitest';
import policyJson from '../../../../resources/policy/portal-issuance.json';
import { DEFAULT_PORTAL_ISSUANCE_POLICY, portalIssuancePolicySchema } from './portal-issuance';

describe('portal-issuance policy', () => {
  it('the TS default equals resources/policy/portal-issuance.json and passes its schema', () => {
    expect(portalIssuancePolicySchema.parse(policyJson)).toEqual(DEFAULT_PORTAL_ISSUANCE_POLICY);
  });

  it('may add an approval role, never drop one of the three issue #16 names, nor name one twice', () => {
    const more = {
      ...DEFAULT_PORTAL_ISSUANCE_POLICY,
      approvalRoles: [...DEFAULT_PORTAL_ISSUANCE_POLICY.approvalRoles, 'legal-reviewer'],
    };
    expect(portalIssuancePolicySchema.safeParse(more).success).toBe(true);
    const fewer = portalIssuancePolicySchema.safeParse({
      ...DEFAULT_PORTAL_ISSUANCE_POLICY,
      approvalRoles: ['release-integrity-owner', 'ca-delegate'],
    });
    expect(fewer.success ? null : fewer.error.issues[0]?.message).toContain(
      'cryptography-engineering-manager missing',
    );
    const twice = portalIssuancePolicySchema.safeParse({
      ...DEFAULT_PORTAL_ISSUANCE_POLICY,
      approvalRoles: [...DEFAULT_PORTAL_ISSUANCE_POLICY.approvalRoles, 'ca-delegate'],
    });
    expect(twice.success).toBe(false);
    expect(
      portalIssuancePolicySchema.safeParse({ ...DEFAULT_PORTAL_ISSUANCE_POLICY, custodyFreshnessDays: 0 })
        .success,
    ).toBe(false);
    expect(
      portalIssuancePolicySchema.safeParse({ ...DEFAULT_PORTAL_ISSUANCE_POLICY, extra: 1 }).success,
    ).toBe(false);
  });
});
