import { describe, expect, it } from 'vitest';
import type { View } from '../../../shared/contract';
import { compareExpectation, scenarioSchema } from './scenario';

/**
 * compareExpectation: findings and outcome as before, and for workflow compromise-authority the
 * recommended lane and each expected lane's status, holder and via, against the authority view.
 */
type Authority = NonNullable<View<'findingsEvaluate'>['authority']>;
type LaneView = Authority['lanes'][number];

const lane = (laneId: string, status: LaneView['status'], person: string | null, via = 'holder'): LaneView =>
  ({
    laneId,
    status,
    holder: person === null ? null : { person, via, scope: null, record: null, until: null },
  }) as unknown as LaneView;

const view = (recommended: string | null, lanes: LaneView[]) => ({
  findings: [],
  outcome: 'recommend',
  authority: { recommended, lanes } as unknown as Authority,
});

const expectation = (e: unknown) => {
  const s = scenarioSchema.parse({
    workflow: 'compromise-authority',
    title: 't',
    asOf: '2026-12-03T18:00:00.000Z',
    subject: 'INC-1',
    expect: e,
  });
  return s.expect as NonNullable<typeof s.expect>;
};

describe('scenario expectations of an authority view', () => {
  const lanes = [
    lane('psc', 'blocked', 'Priya Raman'),
    lane('ecc', 'recommended', 'Hannah Lindqvist', 'delegation'),
  ];

  it('without recommended or lanes, the output shape is the one deferral and attestation use', () => {
    const r = compareExpectation(expectation({ outcome: 'recommend' }), true, view('ecc', lanes));
    expect(r).toEqual({
      matched: true,
      outcome: { expected: 'recommend', actual: 'recommend' },
      missing: [],
      present: [],
      unexpected: [],
    });
  });

  it('matches when recommended, status, holder and via agree', () => {
    const r = compareExpectation(
      expectation({
        outcome: 'recommend',
        recommended: 'ecc',
        lanes: {
          psc: { status: 'blocked' },
          ecc: { status: 'recommended', holder: 'Hannah Lindqvist', via: 'delegation' },
        },
      }),
      true,
      view('ecc', lanes),
    );
    expect(r.matched).toBe(true);
    expect(r.authority).toEqual([]);
  });

  it('every difference is a mismatch, named by field', () => {
    const r = compareExpectation(
      expectation({
        outcome: 'recommend',
        recommended: 'psc',
        lanes: {
          psc: { status: 'recommended', holder: null },
          ecc: { status: 'recommended', holder: 'Daniel Mercer', via: 'holder' },
          lto: { status: 'not_required' },
        },
      }),
      true,
      view('ecc', lanes),
    );
    expect(r.matched).toBe(false);
    expect(r.authority).toEqual([
      { field: 'recommended', expected: 'psc', actual: 'ecc' },
      { field: 'ecc.holder', expected: 'Daniel Mercer', actual: 'Hannah Lindqvist' },
      { field: 'ecc.via', expected: 'holder', actual: 'delegation' },
      { field: 'lto.status', expected: 'not_required', actual: null },
      { field: 'psc.status', expected: 'recommended', actual: 'blocked' },
      { field: 'psc.holder', expected: null, actual: 'Priya Raman' },
    ]);
  });

  it('an expected null recommendation matches none, and a view without authority mismatches', () => {
    const none = compareExpectation(
      expectation({ outcome: 'recommend', recommended: null }),
      true,
      view(null, lanes),
    );
    expect(none.matched).toBe(true);
    const absent = compareExpectation(expectation({ outcome: 'recommend', recommended: 'ecc' }), true, {
      findings: [],
      outcome: 'recommend',
    });
    expect(absent.authority).toEqual([{ field: 'recommended', expected: 'ecc', actual: null }]);
    expect(absent.matched).toBe(false);
  });

  it('refuses an unknown lane status or an unknown field', () => {
    expect(() => expectation({ outcome: 'x', lanes: { psc: { status: 'green' } } })).toThrow();
    expect(() => expectation({ outcome: 'x', lanes: { psc: { status: 'viable', person: 'P' } } })).toThrow();
  });
});
