import { describe, expect, it } from 'vitest';
import type { Finding, FindingCategory } from '../model';
import { deferralOutcome, deferralWorkflow } from './deferral';

const f = (checkId: string, category: FindingCategory, subject = 'K-1'): Finding => ({
  checkId,
  category,
  blocking: true,
  waivable: false,
  subject,
  records: [],
  sentence: `${checkId} ${category}`,
});

describe('deferral outcome ladder', () => {
  it('stop wins over every hold, and the reason names the deciding findings only', () => {
    const r = deferralOutcome([
      f('DEF-ROUTING', 'routing-unclear'),
      f('DEF-INCIDENT', 'stop', 'IN-1'),
      f('DEF-HSM-ATTEST', 'disputed'),
    ]);
    expect(r.outcome).toBe('stop-and-escalate');
    expect(r.reason).toMatch(/DEF-INCIDENT IN-1/);
    expect(r.reason).not.toMatch(/DEF-ROUTING/);
  });
  it('a routing hold comes before source completion, which comes before a handoff with exceptions', () => {
    expect(
      deferralOutcome([f('DEF-HSM-ATTEST', 'disputed'), f('DEF-ROUTING', 'routing-unclear')]).outcome,
    ).toBe('hold-scope-routing');
    expect(deferralOutcome([f('DEF-CUSTODY-FRESH', 'stale'), f('DEF-SEAL', 'missing')]).outcome).toBe(
      'hold-source-completion',
    );
    expect(deferralOutcome([f('DEF-CUSTODY-FRESH', 'stale'), f('DEF-CARRYOVER', 'carryover')]).outcome).toBe(
      'handoff-with-exceptions',
    );
    expect(deferralOutcome([]).outcome).toBe('handoff-clean');
  });
  it('every category has a step, and every rule has a DEF- check ID of its own', () => {
    const ids = deferralWorkflow.rules.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => /^DEF-[A-Z-]+$/.test(id))).toBe(true);
    const cats: FindingCategory[] = [
      'stop',
      'scope-unclear',
      'routing-unclear',
      'missing',
      'invalid',
      'disputed',
      'stale',
      'partial',
      'carryover',
      'expired',
      'policy-criterion-unmet',
    ];
    for (const c of cats) expect(deferralOutcome([f('DEF-X', c)]).outcome).not.toBe('handoff-clean');
  });
});
