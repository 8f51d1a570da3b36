import { describe, expect, it } from 'vitest';
import { baseline, checks, only, run, window, withRecords, withRequest, without } from './testkit';

describe('ISS-WINDOW: the window is reserved, not superseded or released, and open now', () => {
  it('an unknown window is missing; a released one is missing', () => {
    expect(only(run(without(baseline(), 'issuance-window')), 'ISS-WINDOW')).toEqual([
      'ISS-WINDOW missing WIN-1',
    ]);
    expect(only(run(withRecords(baseline(), window({ status: 'released' }))), 'ISS-WINDOW')).toEqual([
      'ISS-WINDOW missing WIN-1',
    ]);
  });

  it('a superseded window is stale and names its replacement; look-alike: a request on the replacing window', () => {
    const old = window({ status: 'superseded', supersededBy: 'WIN-2' });
    const next = window({
      windowId: 'WIN-2',
      opensAt: '2026-12-01T09:00:00.000Z',
      closesAt: '2026-12-04T09:00:00.000Z',
    });
    const e = run(withRecords(baseline(), old, next));
    expect(only(e, 'ISS-WINDOW')).toEqual(['ISS-WINDOW stale WIN-1']);
    expect(e.findings.find((f) => f.checkId === 'ISS-WINDOW')?.sentence).toContain(
      'superseded by WIN-2 (reserved',
    );
    expect(checks(run(withRequest({ windowId: 'WIN-2' }, old, next)))).toEqual([]);
  });

  it('not yet open, closed, or reserved for another service stops', () => {
    expect(
      only(run(withRecords(baseline(), window({ opensAt: '2026-12-01T10:00:01.000Z' }))), 'ISS-WINDOW'),
    ).toEqual(['ISS-WINDOW policy-criterion-unmet WIN-1']);
    expect(only(run(baseline(), { asOf: '2026-12-03T08:00:00.000Z' }), 'ISS-WINDOW')).toEqual([
      'ISS-WINDOW expired WIN-1',
    ]);
    expect(only(run(baseline(), { asOf: '2026-12-03T07:59:59.000Z' }), 'ISS-WINDOW')).toEqual([]);
    expect(only(run(withRecords(baseline(), window({ serviceId: 'svc-other' }))), 'ISS-WINDOW')).toEqual([
      'ISS-WINDOW disputed WIN-1',
    ]);
  });
});
