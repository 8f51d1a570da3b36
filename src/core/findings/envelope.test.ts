import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { recordsFromEnvelope } from './envelope';
import { FAMILIES } from './families/catalogue';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const file = { sha256: 'ab'.repeat(32), name: 'roster.json' };
const roster = (records: unknown[]) => ({
  family: 'roster-snapshot',
  system: 'iam',
  exportedAt: '2026-11-30T12:00:00.000Z',
  records,
});
const alice = {
  entryId: 'r-1',
  person: 'alice',
  roles: ['key-custodian'],
  validFrom: '2026-01-01',
  validUntil: null,
  status: 'active',
  snapshotAt: '2026-11-30T12:00:00.000Z',
};

describe('record families and export envelopes', () => {
  it('each family is catalogued under its own name', () => {
    for (const [name, f] of Object.entries(FAMILIES)) expect(f.name).toBe(name);
  });

  it('takes every record with provenance and a digest that depends on content and provenance', () => {
    const [r] = recordsFromEnvelope(roster([alice]), file, sha256);
    expect(r).toMatchObject({
      family: 'roster-snapshot',
      provenance: { system: 'iam', recordId: 'r-1', fileSha256: file.sha256, firstHand: false },
    });
    const [other] = recordsFromEnvelope(
      { ...roster([alice]), exportedAt: '2026-12-01T12:00:00.000Z' },
      file,
      sha256,
    );
    expect(other!.digest).not.toBe(r!.digest);
  });

  it('refuses the whole file for one bad record, naming the record and field', () => {
    expect(() =>
      recordsFromEnvelope(roster([alice, { ...alice, entryId: 'r-2', roles: [] }]), file, sha256),
    ).toThrowError(
      expect.objectContaining({
        code: 'RECORD_INVALID',
        data: expect.objectContaining({ field: 'roster.json.records.1.roles' }),
      }),
    );
  });

  it('refuses an unknown family, an unknown version and a duplicate record id', () => {
    expect(() => recordsFromEnvelope({ ...roster([alice]), family: 'rooster' }, file, sha256)).toThrowError(
      expect.objectContaining({ code: 'RECORD_FAMILY_UNKNOWN' }),
    );
    expect(() => recordsFromEnvelope({ ...roster([alice]), familyVersion: 2 }, file, sha256)).toThrowError(
      expect.objectContaining({ code: 'RECORD_FAMILY_UNKNOWN' }),
    );
    expect(() => recordsFromEnvelope(roster([alice, alice]), file, sha256)).toThrowError(/appears twice/);
  });

  it('keeps the validated content of every record (trimmed, defaults filled), not the raw one', () => {
    const audit = (entryId: string, sequence: number) => ({
      entryId,
      hsmSerial: `HSM-LUNA-${'0412'} `,
      sequence,
      at: '2026-06-01T02:21:33.631Z',
      event: 'sign',
      keyId: 'K-REL-INT-2024',
      operator: ' r.iyer',
    });
    const input = JSON.parse(
      JSON.stringify({
        family: 'hsm-audit-log',
        system: 'hsm-admin',
        exportedAt: '2026-11-27T06:00:00.000Z',
        records: [
          { ...audit('a-1', 1), result: 'success' },
          { ...audit('a-2', 2), result: 'success' },
        ],
      }),
    ) as unknown;
    const [a] = recordsFromEnvelope(input, { ...file, name: 'audit.json' }, sha256);
    expect(a!.content).toEqual({
      ...audit('a-1', 1),
      hsmSerial: 'HSM-LUNA-0412',
      operator: 'r.iyer',
      result: 'success',
      reference: null,
    });
    expect(FAMILIES['hsm-audit-log'].schema.parse(a!.content)).toEqual(a!.content);
  });

  it('refuses a record that is not an object, naming it', () => {
    expect(() => recordsFromEnvelope(roster([alice, 'r-2']), file, sha256)).toThrowError(
      expect.objectContaining({
        code: 'RECORD_INVALID',
        data: expect.objectContaining({ field: 'roster.json.records.1' }),
      }),
    );
  });
});
