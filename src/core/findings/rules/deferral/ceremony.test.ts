import { describe, expect, it } from 'vitest';
import { defPlan, defReadiness, defSigners } from './ceremony';
import { ctxOf, ids, rec, request } from './testkit';

const plan = (plannedAt = '2027-02-20', ceremonyId = 'CER-2') =>
  rec('ceremony-plan', {
    ceremonyId,
    purpose: 'key-rotation',
    keyId: 'K-1',
    hsmSerial: 'HSM-A',
    plannedAt,
    requiredRoles: [{ role: 'key-custodian', count: 2 }],
    status: 'planned',
  });
const roster = (
  entryId: string,
  person: string,
  validFrom: string,
  validUntil: string | null,
  status: 'active' | 'temporary' = 'active',
) =>
  rec('roster-snapshot', {
    entryId,
    person,
    roles: ['key-custodian'],
    validFrom,
    validUntil,
    status,
    snapshotAt: '2026-11-30',
  });
const confirm = (confirmationId: string, person: string, recordedAt = '2026-11-25', confirmed = true) =>
  rec('signer-availability', {
    confirmationId,
    person,
    role: 'key-custodian',
    ceremonyId: 'CER-2',
    availableFrom: '2027-02-01',
    availableUntil: '2027-03-01',
    confirmed,
    recordedAt,
  });
const ready = (resultId: string, check: string, checkedAt: string, result: 'ready' | 'not-ready') =>
  rec('readiness-result', { resultId, ceremonyId: 'CER-2', check, result, checkedAt });

describe('DEF-PLAN', () => {
  it('DEF-PLAN: a plan within the window is fine; none is missing; after the window is unmet', () => {
    expect(defPlan.run(ctxOf([request(), plan()]))).toEqual([]);
    expect(ids(defPlan.run(ctxOf([request()])))).toEqual(['DEF-PLAN missing K-1']);
    expect(ids(defPlan.run(ctxOf([request(), plan('2027-04-10')])))).toEqual([
      'DEF-PLAN policy-criterion-unmet CER-2',
    ]);
  });
});

describe('DEF-SIGNERS', () => {
  const people = [
    roster('R-1', 'Ana Ruiz', '2024-01-01', null),
    roster('R-2', 'Tom Berg', '2024-01-01', null),
  ];
  it('DEF-SIGNERS: two confirmed, rostered custodians satisfy a count of two', () => {
    expect(
      defSigners.run(
        ctxOf([request(), plan(), ...people, confirm('SA-1', 'ana ruiz'), confirm('SA-2', 'Tom Berg')]),
      ),
    ).toEqual([]);
  });
  it('DEF-SIGNERS: one of two is partial; a later withdrawal removes a confirmation; none is missing', () => {
    expect(ids(defSigners.run(ctxOf([request(), plan(), ...people, confirm('SA-1', 'Ana Ruiz')])))).toEqual([
      'DEF-SIGNERS partial CER-2/key-custodian',
    ]);
    expect(
      ids(
        defSigners.run(
          ctxOf([
            request(),
            plan(),
            ...people,
            confirm('SA-1', 'Ana Ruiz'),
            confirm('SA-2', 'Tom Berg'),
            confirm('SA-3', 'Tom Berg', '2026-11-28', false),
          ]),
        ),
      ),
    ).toEqual(['DEF-SIGNERS partial CER-2/key-custodian']);
    expect(ids(defSigners.run(ctxOf([request(), plan(), ...people])))).toEqual([
      'DEF-SIGNERS missing CER-2/key-custodian',
    ]);
  });
  it('DEF-SIGNERS: a signer whose roster term ends before the ceremony does not count; a temporary role covering it does', () => {
    const ends = roster('R-2', 'Tom Berg', '2024-01-01', '2027-01-31');
    const records = [
      request(),
      plan(),
      people[0]!,
      ends,
      confirm('SA-1', 'Ana Ruiz'),
      confirm('SA-2', 'Tom Berg'),
    ];
    expect(ids(defSigners.run(ctxOf(records)))).toEqual(['DEF-SIGNERS partial CER-2/key-custodian']);
    const cover = roster('R-3', 'Tom Berg', '2027-02-15', '2027-02-25', 'temporary');
    expect(defSigners.run(ctxOf([...records, cover]))).toEqual([]);
  });
  it('DEF-SIGNERS: confirmations older than 30 days are stale', () => {
    expect(
      ids(
        defSigners.run(
          ctxOf([
            request(),
            plan(),
            ...people,
            confirm('SA-1', 'Ana Ruiz', '2026-09-01'),
            confirm('SA-2', 'Tom Berg', '2026-09-01'),
          ]),
        ),
      ),
    ).toEqual(['DEF-SIGNERS stale CER-2/key-custodian']);
  });
});

describe('DEF-READINESS', () => {
  it('DEF-READINESS: a not-ready not followed by ready is disputed; none is missing', () => {
    expect(
      ids(
        defReadiness.run(
          ctxOf([request(), plan(), ready('RR-1', 'firmware attestation', '2026-11-25', 'not-ready')]),
        ),
      ),
    ).toEqual(['DEF-READINESS disputed CER-2/firmware attestation']);
    expect(ids(defReadiness.run(ctxOf([request(), plan()])))).toEqual(['DEF-READINESS missing CER-2']);
  });
  it('DEF-READINESS: a not-ready followed by a ready re-check is not a gap; an old ready is stale', () => {
    expect(
      defReadiness.run(
        ctxOf([
          request(),
          plan(),
          ready('RR-1', 'dry run', '2026-11-20', 'not-ready'),
          ready('RR-2', 'dry run', '2026-11-27', 'ready'),
        ]),
      ),
    ).toEqual([]);
    expect(
      ids(defReadiness.run(ctxOf([request(), plan(), ready('RR-1', 'dry run', '2026-10-01', 'ready')]))),
    ).toEqual(['DEF-READINESS stale CER-2/dry run']);
  });
});
