import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readExport } from './read';

const dir = mkdtempSync(join(tmpdir(), 'records-read-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string | Buffer) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const failure = (work: () => unknown) => {
  try {
    work();
    return null;
  } catch (e) {
    return e as { code: string; data: Record<string, unknown> };
  }
};
const meta = { system: 'iam', exportedAt: '2026-11-30T12:00:00.000Z' };

describe('reading staged exports', () => {
  it('a CSV with a BOM, quoted cells and a detected family reads as its envelope', () => {
    const p = file(
      'roster.csv',
      '\uFEFFentryId,person,roles,validFrom,validUntil,status,snapshotAt\r\nr-1,"Doe, Alice","key-custodian;auditor",2026-01-01,,active,2026-11-30\r\n',
    );
    expect(readExport(p, 'roster.csv', meta)).toEqual({
      family: 'roster-snapshot',
      ...meta,
      records: [
        {
          entryId: 'r-1',
          person: 'Doe, Alice',
          roles: ['key-custodian', 'auditor'],
          validFrom: '2026-01-01',
          validUntil: null,
          status: 'active',
          snapshotAt: '2026-11-30',
        },
      ],
    });
  });

  it('a CSV needs its system and export time; malformed CSV and non-UTF-8 are RECORD_INVALID', () => {
    const p = file('r2.csv', 'entryId,person\nr-1,a\n');
    expect(failure(() => readExport(p, 'r2.csv', { exportedAt: meta.exportedAt }))).toMatchObject({
      code: 'INVALID_INPUT',
      data: { field: 'system' },
    });
    const broken = file('b.csv', 'entryId,person\n"r-1,a\n');
    expect(failure(() => readExport(broken, 'b.csv', meta))).toMatchObject({ code: 'RECORD_INVALID' });
    const latin = file('l.csv', Buffer.from([0x65, 0x6e, 0x74, 0xff, 0x0a]));
    expect(failure(() => readExport(latin, 'l.csv', meta))).toMatchObject({
      code: 'RECORD_INVALID',
      data: { field: 'l.csv' },
    });
  });

  it('a JSON envelope is read as it is; a declared family that disagrees with it is refused', () => {
    const env = { family: 'roster-snapshot', system: 'iam', exportedAt: meta.exportedAt, records: [] };
    const p = file('e.json', JSON.stringify(env));
    expect(readExport(p, 'e.json', {})).toEqual(env);
    expect(failure(() => readExport(p, 'e.json', { family: 'custody-registry' }))).toMatchObject({
      code: 'RECORD_INVALID',
      data: { field: 'e.json.family' },
    });
    expect(failure(() => readExport(file('n.json', '[1,2]'), 'n.json', {}))).toMatchObject({
      code: 'RECORD_INVALID',
    });
  });
});
