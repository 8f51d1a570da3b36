import { describe, expect, it } from 'vitest';
import { defAuditChain, defAuditSign } from './audit';
import { ctxOf, ids, inventory, rec, request } from './testkit';

type Ev = 'sign' | 'login' | 'audit-cleared';
const entry = (
  sequence: number,
  at: string,
  event: Ev = 'login',
  operator: string | null = 'ana ruiz',
  reference: string | null = null,
) =>
  rec('hsm-audit-log', {
    entryId: `HSM-A-${sequence}`,
    hsmSerial: 'HSM-A',
    sequence,
    at,
    event,
    keyId: event === 'sign' ? 'K-1' : null,
    operator,
    result: 'success',
    reference,
  });
const roster = (entryId: string, person: string, validFrom: string, validUntil: string | null) =>
  rec('roster-snapshot', {
    entryId,
    person,
    roles: ['key-operator'],
    validFrom,
    validUntil,
    status: 'active',
    snapshotAt: '2026-11-30',
  });
const ceremony = (ceremonyId: string, at: string, people: string[]) =>
  rec('ceremony-log', {
    ceremonyId,
    at,
    kind: 'signing',
    keyId: 'K-1',
    participants: people.map((person) => ({ person, role: 'key-operator', act: 'operator' as const })),
    outcome: 'completed',
  });
const base = [request(), inventory(), roster('R-1', 'Ana Ruiz', '2024-01-01', null)];

describe('DEF-AUDIT-CHAIN', () => {
  it('DEF-AUDIT-CHAIN: a sequence gap and a cleared log are invalid', () => {
    const log = [
      entry(1, '2026-11-01'),
      entry(2, '2026-11-02'),
      entry(5, '2026-11-03'),
      entry(6, '2026-11-04', 'audit-cleared'),
    ];
    expect(ids(defAuditChain.run(ctxOf([...base, ...log])))).toEqual([
      'DEF-AUDIT-CHAIN invalid HSM-A#2',
      'DEF-AUDIT-CHAIN invalid HSM-A#6',
    ]);
  });
  it('DEF-AUDIT-CHAIN: a whole log exported in two files is not a gap', () => {
    const first = [entry(1, '2026-11-01'), entry(2, '2026-11-02')];
    const second = [entry(3, '2026-11-03'), entry(4, '2026-11-04')];
    expect(defAuditChain.run(ctxOf([...base, ...first, ...second]))).toEqual([]);
  });
});

describe('DEF-AUDIT-SIGN', () => {
  it('DEF-AUDIT-SIGN: a sign under a logged ceremony by a rostered participant is accounted for', () => {
    expect(
      defAuditSign.run(
        ctxOf([
          ...base,
          ceremony('CER-9', '2026-11-10T09:00:00.000Z', ['Ana Ruiz']),
          entry(1, '2026-11-10T09:30:00.000Z', 'sign', 'ana ruiz', 'CER-9'),
        ]),
      ),
    ).toEqual([]);
  });
  it('DEF-AUDIT-SIGN: no reference, an operator absent from the ceremony log, or off the roster then, is stop', () => {
    const c = ceremony('CER-9', '2026-11-10T09:00:00.000Z', ['Ana Ruiz']);
    expect(
      ids(
        defAuditSign.run(ctxOf([...base, c, entry(1, '2026-11-10T22:00:00.000Z', 'sign', 'ana ruiz', null)])),
      ),
    ).toEqual(['DEF-AUDIT-SIGN stop HSM-A-1']);
    expect(
      ids(
        defAuditSign.run(
          ctxOf([
            ...base,
            c,
            roster('R-2', 'Tom Berg', '2024-01-01', null),
            entry(2, '2026-11-10T09:40:00.000Z', 'sign', 'tom berg', 'CER-9'),
          ]),
        ),
      ),
    ).toEqual(['DEF-AUDIT-SIGN stop HSM-A-2']);
    const left = roster('R-2', 'Tom Berg', '2024-01-01', '2026-10-01');
    const c2 = ceremony('CER-10', '2026-11-12T09:00:00.000Z', ['Tom Berg']);
    expect(
      ids(
        defAuditSign.run(
          ctxOf([...base, c2, left, entry(3, '2026-11-12T09:10:00.000Z', 'sign', 'tom berg', 'CER-10')]),
        ),
      ),
    ).toEqual(['DEF-AUDIT-SIGN stop HSM-A-3']);
  });
  it('DEF-AUDIT-SIGN: a sign under an approved change whose window covers it is accounted for', () => {
    const change = rec('change-record', {
      changeId: 'CHG-77',
      changeType: 'scheduled',
      summary: 'release 4.2 signing',
      approvedBy: ['j.lindqvist'],
      approvedAt: '2026-11-01',
      windowStart: '2026-11-14',
      windowEnd: '2026-11-16',
      status: 'approved',
    });
    expect(
      defAuditSign.run(
        ctxOf([...base, change, entry(1, '2026-11-15T03:00:00.000Z', 'sign', 'ana ruiz', 'CHG-77')]),
      ),
    ).toEqual([]);
    expect(
      ids(
        defAuditSign.run(
          ctxOf([...base, change, entry(1, '2026-11-18T03:00:00.000Z', 'sign', 'ana ruiz', 'CHG-77')]),
        ),
      ),
    ).toEqual(['DEF-AUDIT-SIGN stop HSM-A-1']);
  });
});
