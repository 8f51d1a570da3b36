import { describe, expect, it } from 'vitest';
import {
  baseline,
  checks,
  declaration,
  holding,
  holds,
  inspection,
  lineOf,
  rollbackPkg,
  run,
  withRecords,
  without,
} from './testkit';
import { rec } from '../deferral/testkit';

const one = (category: string, subject = 'RB-1') => [`ACT-ROLLBACK ${category} ${subject} non-waivable`];
const lifecycle = (
  event: 'sealed' | 'resealed' | 'replaced' | 'retired',
  bagSerial: string | null,
  at: string,
) =>
  rec(
    'media-lifecycle',
    { eventId: `ML-${event}`, mediaId: 'MED-1', event, bagSerial, at },
    '2026-12-01T05:00:00.000Z',
  );

describe('ACT-ROLLBACK: each package ready, of the train, held, sealed in its bag, freshly inspected intact', () => {
  it('a declaration naming no package is missing on the declaration', () => {
    const e = run(withRecords(baseline(), declaration({ rollbackPackages: [] })));
    expect(holds(e)).toEqual(one('missing', 'DECL-1'));
    expect(e.outcome).toBe('hold');
  });

  it('a package in scope with no record is missing, and its ledger line says so', () => {
    const e = run(without(baseline(), 'rollback-package'));
    expect(holds(e)).toEqual(one('missing'));
    expect(lineOf(e, 'rollback', 'RB-1')?.state).toBe('hold');
  });

  it('a withdrawn package is missing; a package of another train is disputed', () => {
    expect(holds(run(withRecords(baseline(), rollbackPkg({ status: 'withdrawn' }))))).toEqual(one('missing'));
    expect(holds(run(withRecords(baseline(), rollbackPkg({ trainId: 'T-2' }))))).toEqual(one('disputed'));
  });

  it('no inspection is missing; tampered or missing at inspection is disputed', () => {
    expect(holds(run(without(baseline(), 'seal-inspection')))).toEqual(one('missing'));
    for (const result of ['tampered', 'missing'] as const)
      expect(holds(run(withRecords(baseline(), inspection({ result }))))).toEqual(one('disputed'));
  });

  it('inspected in another bag than the package records: disputed, naming both bags', () => {
    const e = run(withRecords(baseline(), inspection({ bagSerial: 'BAG-101' })));
    expect(holds(e)).toEqual(one('disputed'));
    expect(e.findings[0]?.sentence).toContain('BAG-101');
    expect(e.findings[0]?.sentence).toContain('BAG-100');
    expect(lineOf(e, 'rollback', 'RB-1')?.facts).toMatchObject({
      bagSerial: 'BAG-100',
      inspectedBag: 'BAG-101',
    });
  });

  it('an inspection older than the policy allows is stale; exactly at the limit is not', () => {
    expect(holds(run(withRecords(baseline(), inspection({ at: '2026-11-01T05:59:00.000Z' }))))).toEqual(
      one('stale'),
    );
    expect(checks(run(withRecords(baseline(), inspection({ at: '2026-11-01T06:00:00.000Z' }))))).toEqual([]);
  });

  it('the medium resealed into another bag, replaced or retired after its last inspection: stale', () => {
    for (const [event, bag] of [
      ['resealed', 'BAG-102'],
      ['replaced', 'BAG-100'],
      ['retired', null],
    ] as const) {
      const e = run([...baseline(), lifecycle(event, bag, '2026-11-30T12:00:00.000Z')]);
      expect(holds(e)).toEqual(one('stale'));
    }
  });

  it('nobody holds the medium now (the last holding ended): missing', () => {
    const e = run(withRecords(baseline(), holding({ until: '2026-11-30T00:00:00.000Z' })));
    expect(holds(e)).toEqual(one('missing'));
    expect(e.findings[0]?.sentence).toContain('Nobody holds medium MED-1');
  });

  it('look-alikes: a tampered inspection of another medium; an older tampered one superseded; a lifecycle event before the inspection; a handover', () => {
    const e = run([
      ...baseline(),
      inspection({
        inspectionId: 'SI-9',
        mediaId: 'MED-9',
        bagSerial: 'BAG-900',
        result: 'tampered',
        at: '2026-11-30T23:00:00.000Z',
      }),
      inspection({ inspectionId: 'SI-0', result: 'tampered', at: '2026-11-20T09:00:00.000Z' }),
      lifecycle('resealed', 'BAG-100', '2026-11-20T10:00:00.000Z'),
      holding({
        holdingId: 'CH-0',
        holder: 'former.keeper',
        since: '2026-10-01T00:00:00.000Z',
        until: '2026-11-01T00:00:00.000Z',
      }),
    ]);
    expect(checks(e)).toEqual([]);
    expect(lineOf(e, 'rollback', 'RB-1')?.facts).toMatchObject({
      inspection: 'intact',
      holders: ['vault.keeper'],
    });
    expect(lineOf(e, 'rollback', 'RB-1')?.state).toBe('ready');
  });

  it('several holds on one package are each listed', () => {
    const e = run(withRecords(baseline(), inspection({ bagSerial: 'BAG-101', result: 'tampered' })));
    expect(holds(e)).toEqual([...one('disputed'), ...one('disputed')]);
    expect(e.findings).toHaveLength(2);
  });
});
