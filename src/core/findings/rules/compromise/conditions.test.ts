import { describe, expect, it } from 'vitest';
import { matrixRuleSchema, type Condition } from '../../policy/authority-matrix';
import { factsOf, holds, ruleState, type Facts } from './conditions';

const UNKNOWN: Facts = {
  anomalousSignatures: null,
  untracedSignatures: null,
  artifactsAffected: null,
  customersAffected: null,
  noticeDeadlineHours: null,
  hsmAuditGap: null,
  externalDistribution: null,
  contractualNotice: null,
  regulatoryNotice: null,
  legalHold: null,
  severity: null,
  custodyExposure: null,
};
const facts = (f: Partial<Facts>): Facts => ({ ...UNKNOWN, ...f });

describe('matrix conditions in three values: an unknown fact is never false', () => {
  it('each operator: known facts decide, an unknown fact is unknown', () => {
    expect(
      holds({ op: 'at-least', fact: 'artifactsAffected', value: 250 }, facts({ artifactsAffected: 250 })),
    ).toBe(true);
    expect(
      holds({ op: 'at-least', fact: 'artifactsAffected', value: 250 }, facts({ artifactsAffected: 249 })),
    ).toBe(false);
    expect(holds({ op: 'below', fact: 'customersAffected', value: 1 }, facts({ customersAffected: 0 }))).toBe(
      true,
    );
    expect(holds({ op: 'is', fact: 'legalHold', value: true }, facts({ legalHold: false }))).toBe(false);
    expect(
      holds(
        { op: 'one-of', fact: 'custodyExposure', values: ['suspected', 'confirmed'] },
        facts({ custodyExposure: 'confirmed' }),
      ),
    ).toBe(true);
    const unknownOf: Condition[] = [
      { op: 'at-least', fact: 'artifactsAffected', value: 0 },
      { op: 'below', fact: 'customersAffected', value: 1 },
      { op: 'is', fact: 'legalHold', value: false },
      { op: 'one-of', fact: 'severity', values: ['sev1'] },
    ];
    for (const c of unknownOf) expect(holds(c, UNKNOWN)).toBeNull();
  });

  it('all / any follow Kleene logic: a false (all) or a true (any) decides over unknowns', () => {
    const rule = (match: 'all' | 'any') =>
      matrixRuleSchema.parse({
        id: 'PSC-L9',
        title: 't',
        match,
        when: [
          { op: 'is', fact: 'contractualNotice', value: true },
          { op: 'is', fact: 'regulatoryNotice', value: true },
        ],
      });
    const table: [boolean | null, boolean | null, boolean | null, boolean | null][] = [
      // contractual, regulatory, all, any
      [true, true, true, true],
      [true, false, false, true],
      [false, false, false, false],
      [true, null, null, true],
      [false, null, false, null],
      [null, null, null, null],
    ];
    for (const [c, r, all, any] of table) {
      const f = facts({ contractualNotice: c, regulatoryNotice: r });
      expect([ruleState(rule('all'), f), ruleState(rule('any'), f)], `${c} ${r}`).toEqual([all, any]);
    }
    expect(factsOf(rule('all'))).toEqual(['contractualNotice', 'regulatoryNotice']);
  });
});
