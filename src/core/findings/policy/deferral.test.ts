import { describe, expect, it } from 'vitest';
import policyJson from '../../../../resources/policy/deferral.json';
import { DEFAULT_DEFERRAL_POLICY, deferralPolicySchema, treatment } from './deferral';

describe('deferral policy', () => {
  it('the TS default equals resources/policy/deferral.json and passes its schema', () => {
    expect(deferralPolicySchema.parse(policyJson)).toEqual(DEFAULT_DEFERRAL_POLICY);
    expect(deferralPolicySchema.parse(DEFAULT_DEFERRAL_POLICY)).toEqual(DEFAULT_DEFERRAL_POLICY);
  });

  it('refuses unknown fields, a non-role seat and a zero freshness window by field', () => {
    expect(deferralPolicySchema.safeParse({ ...DEFAULT_DEFERRAL_POLICY, extra: 1 }).success).toBe(false);
    expect(
      deferralPolicySchema.safeParse({ ...DEFAULT_DEFERRAL_POLICY, requiredReviewerSeats: ['Board'] })
        .success,
    ).toBe(false);
    const r = deferralPolicySchema.safeParse({
      ...DEFAULT_DEFERRAL_POLICY,
      freshnessDays: { ...DEFAULT_DEFERRAL_POLICY.freshnessDays, readiness: 0 },
    });
    expect(r.success ? [] : r.error.issues[0]?.path).toEqual(['freshnessDays', 'readiness']);
  });

  it('waivability comes from the handoff categories and the non-waivable checks, blocking from advisory', () => {
    expect(treatment(DEFAULT_DEFERRAL_POLICY, 'DEF-RUNWAY', 'expired')).toEqual({
      blocking: true,
      waivable: true,
    });
    expect(treatment(DEFAULT_DEFERRAL_POLICY, 'DEF-HSM-ATTEST', 'disputed')).toEqual({
      blocking: true,
      waivable: false,
    });
    const p = {
      ...DEFAULT_DEFERRAL_POLICY,
      nonWaivableChecks: ['DEF-RUNWAY'],
      advisoryChecks: ['DEF-INVENTORY'],
    };
    expect(treatment(p, 'DEF-RUNWAY', 'expired').waivable).toBe(false);
    expect(treatment(p, 'DEF-INVENTORY', 'stale').blocking).toBe(false);
  });
});
