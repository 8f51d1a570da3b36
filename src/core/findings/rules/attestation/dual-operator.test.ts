import { describe, expect, it } from 'vitest';
import { DEFAULT_ATTESTATION_POLICY } from '../../policy/attestation';
import { attDualOperator } from './dual-operator';
import { brief, cleanWorld, runRule } from './testkit';

type Participant = { person: string; role: string; act: string };
const change = (ceremonyId: string, at: string, participants: Participant[], kind = 'key-policy-change') => ({
  ceremonyId,
  at,
  kind,
  keyId: 'K2',
  participants,
  outcome: 'completed',
});
const op = (person: string, role = 'hsm-operator'): Participant => ({ person, role, act: 'operator' });
const temp = {
  entryId: 'r-erin-oncall',
  person: 'erin',
  roles: ['hsm-operator'],
  validFrom: '2026-04-01',
  validUntil: '2026-04-15',
  status: 'temporary',
  snapshotAt: '2026-07-01',
};

describe('ATT-DUAL-OPERATOR', () => {
  it('ATT-DUAL-OPERATOR: a clean quorum change with two roster operators gives nothing', () => {
    expect(runRule(attDualOperator, cleanWorld())).toEqual([]);
  });

  it('ATT-DUAL-OPERATOR: one operator named is missing evidence', () => {
    const w = cleanWorld();
    w['ceremony-log']!.push(
      change('C2', '2026-04-02', [
        op('Alice Moreau'),
        { person: 'dan', role: 'ceremony-witness', act: 'witness' },
      ]),
    );
    expect(brief(runRule(attDualOperator, w))).toEqual(['ATT-DUAL-OPERATOR C2 missing']);
  });

  it('ATT-DUAL-OPERATOR: a temporary operator acting after their window leaves one valid operator (invalid)', () => {
    const w = cleanWorld();
    w['roster-snapshot']!.push(temp);
    w['ceremony-log']!.push(change('C3', '2026-05-20', [op('Alice Moreau'), op('Erin')]));
    const f = runRule(attDualOperator, w);
    expect(brief(f)).toEqual(['ATT-DUAL-OPERATOR C3 invalid']);
    expect(f[0]!.sentence).toContain('r-erin-oncall');
    expect(f[0]!.records.map((r) => r.recordId)).toEqual(['C3', 'r-alice', 'r-erin-oncall']);
  });

  it('ATT-DUAL-OPERATOR look-alike: the same temporary operator inside their window counts', () => {
    const w = cleanWorld();
    w['roster-snapshot']!.push(temp);
    w['ceremony-log']!.push(change('C3', '2026-04-10', [op('Alice Moreau'), op('erin')]));
    expect(runRule(attDualOperator, w)).toEqual([]);
  });

  it('ATT-DUAL-OPERATOR look-alike: a one-operator change outside the period, or aborted, or a signing ceremony, is not judged', () => {
    const w = cleanWorld();
    w['ceremony-log']!.push(
      change('C-old', '2025-12-20', [op('Alice Moreau')]),
      { ...change('C-abort', '2026-02-02', [op('Alice Moreau')]), outcome: 'aborted' },
      change('C-sign', '2026-02-03', [op('Alice Moreau')], 'signing'),
    );
    expect(runRule(attDualOperator, w)).toEqual([]);
  });

  it('ATT-DUAL-OPERATOR: the minimum is policy (three operators needed)', () => {
    const policy = { ...structuredClone(DEFAULT_ATTESTATION_POLICY), dualOperatorMinimum: 3 };
    expect(brief(runRule(attDualOperator, cleanWorld(), { policy }))).toEqual([
      'ATT-DUAL-OPERATOR C1 missing',
    ]);
  });
});
