import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { csvToEnvelope, detectFamily, fieldShape } from './csv';
import { recordsFromEnvelope } from './envelope';
import { FAMILIES } from './families/catalogue';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const meta = { system: 'iam', exportedAt: '2026-11-30T12:00:00.000Z' };
const ROSTER_HEADER = ['entryId', 'person', 'roles', 'validFrom', 'validUntil', 'status', 'snapshotAt'];
const failure = (work: () => unknown) => {
  try {
    work();
    return null;
  } catch (e) {
    return e as { code: string; message: string; data: Record<string, unknown> };
  }
};

describe('CSV exports: family detection from the header', () => {
  it('detects a family whose signature fields all appear in the header', () => {
    expect(detectFamily(ROSTER_HEADER, 'roster.csv')).toBe('roster-snapshot');
    expect(
      detectFamily(
        ['entryId', 'hsmSerial', 'sequence', 'at', 'event', 'keyId', 'operator', 'result'],
        'a.csv',
      ),
    ).toBe('hsm-audit-log');
  });

  it('a header matching no family is RECORD_FAMILY_UNKNOWN naming no candidates', () => {
    const e = failure(() => detectFamily(['a', 'b'], 'x.csv'));
    expect(e).toMatchObject({
      code: 'RECORD_FAMILY_UNKNOWN',
      data: { field: 'x.csv.family', candidates: [] },
    });
  });

  it('a header matching several families is RECORD_FAMILY_UNKNOWN naming them all', () => {
    // Both custody-registry (itemId, holder, since) and seal-inspection (mediaId, bagSerial, inspector, result).
    const header = ['itemId', 'holder', 'since', 'mediaId', 'bagSerial', 'inspector', 'result'];
    const e = failure(() => detectFamily(header, 'mixed.csv'));
    expect(e?.code).toBe('RECORD_FAMILY_UNKNOWN');
    expect(e?.data.candidates).toEqual(expect.arrayContaining(['custody-registry', 'seal-inspection']));
    expect(e?.message).toMatch(/several record families/);
  });

  it('a declared family wins over detection; an unknown declared one is refused by name', () => {
    expect(detectFamily(['a'], 'x.csv', 'roster-snapshot')).toBe('roster-snapshot');
    expect(failure(() => detectFamily(ROSTER_HEADER, 'x.csv', 'rosters'))).toMatchObject({
      code: 'RECORD_FAMILY_UNKNOWN',
      data: { family: 'rosters' },
    });
  });
});

describe('CSV exports: cells read as their fields', () => {
  it('field shapes come from the family schema: lists, numbers, booleans, JSON, nullable, defaulted', () => {
    const roster = FAMILIES['roster-snapshot'].schema.shape;
    expect(fieldShape(roster.roles).kind).toBe('list');
    expect(fieldShape(roster.validUntil)).toMatchObject({ nullable: true });
    const audit = FAMILIES['hsm-audit-log'].schema.shape;
    expect(fieldShape(audit.sequence).kind).toBe('number');
    expect(fieldShape(audit.reference)).toMatchObject({ kind: 'text', nullable: true, omittable: true });
    expect(fieldShape(FAMILIES['ceremony-plan'].schema.shape.requiredRoles).kind).toBe('json');
    expect(fieldShape(FAMILIES['signer-availability'].schema.shape.confirmed).kind).toBe('boolean');
  });

  it('a roster CSV becomes records: roles split on ";", an empty nullable cell is null', () => {
    const env = csvToEnvelope(
      {
        header: ROSTER_HEADER,
        rows: [['r-1', 'Alice', 'key-custodian; auditor', '2026-01-01', '', 'active', '2026-11-30']],
      },
      { family: 'roster-snapshot', ...meta },
      'roster.csv',
    );
    const [r] = recordsFromEnvelope(env, { sha256: 'ab'.repeat(32), name: 'roster.csv' }, sha256);
    expect(r?.content).toMatchObject({
      person: 'Alice',
      roles: ['key-custodian', 'auditor'],
      validUntil: null,
    });
    expect(r?.provenance).toMatchObject({ system: 'iam', recordId: 'r-1' });
  });

  it('a number cell that is not a number is RECORD_INVALID naming the record and field', () => {
    const header = ['entryId', 'hsmSerial', 'sequence', 'at', 'event', 'keyId', 'operator', 'result'];
    const e = failure(() =>
      csvToEnvelope(
        {
          header,
          rows: [
            ['e1', 'H1', '1', '2026-01-01', 'sign', 'k', 'alice', 'success'],
            ['e2', 'H1', 'two', '2026-01-01', 'sign', 'k', 'a', 'success'],
          ],
        },
        { family: 'hsm-audit-log', ...meta },
        'audit.csv',
      ),
    );
    expect(e).toMatchObject({ code: 'RECORD_INVALID', data: { field: 'audit.csv.records.1.sequence' } });
  });

  it('an unknown column, a repeated column or a short row is refused by name, never dropped', () => {
    const rows = [['r-1', 'Alice', 'key-custodian', '2026-01-01', '', 'active', '2026-11-30']];
    const unknown = failure(() =>
      csvToEnvelope(
        { header: [...ROSTER_HEADER.slice(0, 6), 'snapshot'], rows },
        { family: 'roster-snapshot', ...meta },
        'r.csv',
      ),
    );
    expect(unknown).toMatchObject({ code: 'RECORD_INVALID', data: { field: 'r.csv.header.6' } });
    const twice = failure(() =>
      csvToEnvelope(
        { header: [...ROSTER_HEADER.slice(0, 6), 'person'], rows },
        { family: 'roster-snapshot', ...meta },
        'r.csv',
      ),
    );
    expect(twice).toMatchObject({ code: 'RECORD_INVALID', data: { field: 'r.csv.header' } });
    const short = failure(() =>
      csvToEnvelope(
        { header: ROSTER_HEADER, rows: [rows[0]?.slice(0, 5) ?? []] },
        { family: 'roster-snapshot', ...meta },
        'r.csv',
      ),
    );
    expect(short).toMatchObject({ code: 'RECORD_INVALID', data: { field: 'r.csv.records.0' } });
  });

  it('an empty required cell stays empty and the family schema refuses it by field', () => {
    const env = csvToEnvelope(
      {
        header: ROSTER_HEADER,
        rows: [['r-1', '', 'key-custodian', '2026-01-01', '', 'active', '2026-11-30']],
      },
      { family: 'roster-snapshot', ...meta },
      'r.csv',
    );
    expect(
      failure(() => recordsFromEnvelope(env, { sha256: 'ab'.repeat(32), name: 'r.csv' }, sha256)),
    ).toMatchObject({
      code: 'RECORD_INVALID',
      data: { field: 'r.csv.records.0.person' },
    });
  });
});
