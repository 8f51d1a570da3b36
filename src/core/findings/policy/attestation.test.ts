import { describe, expect, it } from 'vitest';
import policyJson from '../../../../resources/policy/attestation.json';
import { ATTESTATION_RULES } from '../workflows/attestation';
import { DEFAULT_ATTESTATION_POLICY, attestationPolicySchema, waivableFor } from './attestation';

describe('attestation policy (the control library as data)', () => {
  it('the TS default equals resources/policy/attestation.json and passes its schema', () => {
    expect(attestationPolicySchema.parse(policyJson)).toEqual(DEFAULT_ATTESTATION_POLICY);
  });

  it('every rule of the workflow belongs to exactly one requirement of the default library', () => {
    const checks = DEFAULT_ATTESTATION_POLICY.requirements.flatMap((r) => r.checks).sort();
    expect(checks).toEqual(
      ATTESTATION_RULES.map((r) => r.id)
        .filter((id) => id !== 'ATT-SCOPE')
        .sort(),
    );
  });

  it('refuses a check claimed by two requirements, an unknown evidence family and a one-operator minimum, by field', () => {
    const p = structuredClone(DEFAULT_ATTESTATION_POLICY);
    p.requirements[1]!.checks.push('ATT-HSM-RESIDENT');
    expect(attestationPolicySchema.safeParse(p).error?.issues[0]?.path).toEqual([
      'requirements',
      1,
      'checks',
      1,
    ]);
    const [first, ...rest] = DEFAULT_ATTESTATION_POLICY.requirements;
    const q: unknown = {
      ...DEFAULT_ATTESTATION_POLICY,
      requirements: [{ ...first, evidence: ['hsm-inventory'] }, ...rest],
    };
    expect(attestationPolicySchema.safeParse(q).error?.issues[0]?.path).toEqual([
      'requirements',
      0,
      'evidence',
      0,
    ]);
    expect(
      attestationPolicySchema.safeParse({ ...DEFAULT_ATTESTATION_POLICY, dualOperatorMinimum: 1 }).success,
    ).toBe(false);
  });

  it('waivability comes from the requirement a check belongs to; an unmapped check is never waivable', () => {
    expect(waivableFor(DEFAULT_ATTESTATION_POLICY, 'ATT-HSM-FIRMWARE')).toBe(true);
    expect(waivableFor(DEFAULT_ATTESTATION_POLICY, 'ATT-ESCROW-INSPECTION')).toBe(false);
    expect(waivableFor(DEFAULT_ATTESTATION_POLICY, 'ATT-SCOPE')).toBe(false);
  });
});
