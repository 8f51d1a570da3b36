import { describe, expect, it } from 'vitest';
import { defRotationDue } from './rotation-due';
import { ctxOf, ids, inventory, rec, request } from './testkit';

const generated = (at: string) =>
  rec('ceremony-log', {
    ceremonyId: 'CER-GEN-1',
    at,
    kind: 'key-generation',
    keyId: 'K-1',
    participants: [{ person: 'r.iyer', role: 'key-operator', act: 'operator' }],
    outcome: 'completed',
  });

describe('DEF-ROTATION-DUE', () => {
  it('DEF-ROTATION-DUE: a due date matching the inventory and generation + 730 days is consistent', () => {
    expect(
      defRotationDue.run(
        ctxOf([request(), inventory({ rotationDueAt: '2027-01-01' }), generated('2025-01-01')]),
      ),
    ).toEqual([]);
  });
  it('DEF-ROTATION-DUE: a request deferring from a later date than the inventory schedules is disputed', () => {
    expect(ids(defRotationDue.run(ctxOf([request(), inventory({ rotationDueAt: '2026-11-15' })])))).toEqual([
      'DEF-ROTATION-DUE disputed K-1@HSM-A',
    ]);
  });
  it('DEF-ROTATION-DUE: a due date past generation + the rotation interval is policy-criterion-unmet, unless policy allows longer', () => {
    const records = [request(), inventory(), generated('2024-10-01')];
    expect(ids(defRotationDue.run(ctxOf(records)))).toEqual(['DEF-ROTATION-DUE policy-criterion-unmet K-1']);
    expect(defRotationDue.run(ctxOf(records, { policy: { rotationIntervalDays: 1095 } }))).toEqual([]);
  });
});
