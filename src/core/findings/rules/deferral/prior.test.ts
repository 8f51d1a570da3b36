import { describe, expect, it } from 'vitest';
import { defCarryover, defDeferralCount } from './prior';
import { ctxOf, ids, rec, request } from './testkit';

type Cond = { conditionId: string; text: string; status: 'open' | 'met' | 'waived' };
const prior = (
  deferralId: string,
  over: {
    keyId?: string;
    decision?: 'granted' | 'refused' | 'withdrawn';
    windowEnd?: string;
    renews?: string | null;
    conditions?: Cond[];
  } = {},
) =>
  rec('prior-deferral', {
    deferralId,
    keyId: over.keyId ?? 'K-1',
    decidedAt: '2025-10-01',
    decision: over.decision ?? 'granted',
    windowStart: '2025-10-01',
    windowEnd: over.windowEnd ?? '2025-12-15',
    renews: over.renews ?? null,
    conditions: over.conditions ?? [],
  });

describe('DEF-DEFERRAL-COUNT', () => {
  it('DEF-DEFERRAL-COUNT: a granted deferral of the key within 730 days exceeds the count of 1', () => {
    const f = defDeferralCount.run(ctxOf([request(), prior('PD-1')]));
    expect(ids(f)).toEqual(['DEF-DEFERRAL-COUNT policy-criterion-unmet K-1']);
    expect(f[0]!.records.map((r) => r.recordId)).toEqual(['DR-1', 'PD-1']);
  });
  it('DEF-DEFERRAL-COUNT: refused deferrals, another key’s deferral and one outside the window do not count', () => {
    expect(
      defDeferralCount.run(
        ctxOf([
          request(),
          prior('PD-1', { decision: 'refused' }),
          prior('PD-2', { keyId: 'K-OTHER' }),
          prior('PD-3', { windowEnd: '2024-06-01' }),
        ]),
      ),
    ).toEqual([]);
  });
  it('DEF-DEFERRAL-COUNT: a deferral of a renamed key counts through the renews lineage', () => {
    const old = prior('PD-0', { keyId: 'K-1-legacy' });
    const renewal = prior('PD-1', { renews: 'PD-0', windowEnd: '2024-01-01' });
    const f = defDeferralCount.run(ctxOf([request(), old, renewal]));
    expect(f[0]!.sentence).toMatch(/PD-0/);
  });
});

describe('DEF-CARRYOVER', () => {
  it('DEF-CARRYOVER: an open condition of a granted prior deferral is carryover', () => {
    const p = prior('PD-1', {
      conditions: [{ conditionId: 'C-1', text: 'weekly key-use review', status: 'open' }],
    });
    expect(ids(defCarryover.run(ctxOf([request(), p])))).toEqual(['DEF-CARRYOVER carryover C-1']);
  });
  it('DEF-CARRYOVER: a condition met in the renewal that lists it again is not carried over', () => {
    const p0 = prior('PD-0', {
      conditions: [{ conditionId: 'C-1', text: 'weekly key-use review', status: 'open' }],
    });
    const p1 = rec('prior-deferral', {
      deferralId: 'PD-1',
      keyId: 'K-1',
      decidedAt: '2025-12-10',
      decision: 'granted',
      windowStart: '2025-12-15',
      windowEnd: '2026-01-15',
      renews: 'PD-0',
      conditions: [{ conditionId: 'C-1', text: 'weekly key-use review', status: 'met' }],
    });
    expect(defCarryover.run(ctxOf([request(), p0, p1]))).toEqual([]);
  });
});
