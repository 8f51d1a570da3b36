import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { objectPath } from '../../../src/main/adapters/fs/staging';
import { journalEvents } from '../../../src/main/adapters/store/repos/events';
import { systemDeps } from '../../../src/main/runtime';
import { importRecordsFile, listRecords, showRecord } from '../../../src/main/services/records';
import { Station } from '../../../src/main/station/station';
import { suiteTempDir } from '../../helpers/temp';
import { noise, rosterEntry, rosterExport } from './support';

/**
 * Source record imports on a real SQLite station: all or nothing, one journal entry per import, the file
 * kept content-addressed, idempotent re-import, a changed record in a later export kept as a new version.
 */
const suite = suiteTempDir('records-import-');
afterAll(() => suite.remove());
let station: Station;
let n = 0;
beforeEach(() => {
  station = Station.init(
    join(suite.dir, `st-${++n}`),
    { name: 'Vault', mode: 'offline', demo: false, actor: 'operator:so' },
    systemDeps,
  );
  return () => station.close();
});
const actor = 'operator:alice';
const failure = async (work: () => Promise<unknown>) => {
  try {
    await work();
    return null;
  } catch (e) {
    return e as { code: string; data: Record<string, unknown> };
  }
};
const rows = () => listRecords(station, { family: 'roster-snapshot' }).records;

describe('records import', () => {
  it('imports a JSON export: every record with provenance, the file kept, one records.imported entry', async () => {
    const path = rosterExport(suite.dir, 'roster.json', [rosterEntry('r-1', 'Alice'), ...noise(20)]);
    const r = await importRecordsFile(station, { path, actor });
    expect(r).toMatchObject({
      family: 'roster-snapshot',
      system: 'iam',
      count: 21,
      newRecords: 21,
      alreadyHeld: false,
    });
    expect(existsSync(objectPath(station, r.fileSha256))).toBe(true);
    const events = journalEvents(station.store.db, ['records.imported']);
    expect(events.map((e) => e.body)).toEqual([
      {
        family: 'roster-snapshot',
        familyVersion: 1,
        system: 'iam',
        exportedAt: '2026-11-30T12:00:00.000Z',
        fileSha256: r.fileSha256,
        fileName: 'roster.json',
        count: 21,
        recordsDigest: r.recordsDigest,
        newRecords: 21,
      },
    ]);
    const [alice] = showRecord(station, {
      family: 'roster-snapshot',
      system: 'iam',
      recordId: 'r-1',
    }).versions;
    expect(alice).toMatchObject({
      provenance: { system: 'iam', recordId: 'r-1', fileSha256: r.fileSha256, firstHand: false },
      content: { person: 'Alice', roles: ['key-custodian'] },
      importSeq: r.seq,
    });
  });

  it('the same file again is idempotent: 0 new records, said so, nothing duplicated', async () => {
    const path = rosterExport(suite.dir, 'again.json', [rosterEntry('r-1', 'Alice'), ...noise(5)]);
    await importRecordsFile(station, { path, actor });
    const again = await importRecordsFile(station, { path, actor });
    expect(again).toMatchObject({ count: 6, newRecords: 0, alreadyHeld: true });
    expect(rows()).toHaveLength(6);
    expect(rows().every((x) => x.versions === 1)).toBe(true);
  });

  it('imports a CSV, its family detected from the header, with --system and --exported-at', async () => {
    const path = join(suite.dir, 'roster.csv');
    writeFileSync(
      path,
      'entryId,person,roles,validFrom,validUntil,status,snapshotAt\nr-1,Alice,key-custodian;auditor,2026-01-01,,active,2026-11-30\n',
    );
    const r = await importRecordsFile(station, {
      path,
      actor,
      system: 'iam-csv',
      exportedAt: '2026-11-30T00:00:00.000Z',
    });
    expect(r).toMatchObject({ family: 'roster-snapshot', system: 'iam-csv', count: 1, newRecords: 1 });
    const [v] = showRecord(station, {
      family: 'roster-snapshot',
      system: 'iam-csv',
      recordId: 'r-1',
    }).versions;
    expect(v?.content).toMatchObject({ roles: ['key-custodian', 'auditor'], validUntil: null });
  });

  it('one bad record refuses the whole file with its field path, journals the refusal, keeps nothing', async () => {
    const records = [...noise(5), rosterEntry('r-bad', 'Mallory', { roles: ['Key Custodian'] }), ...noise(3)];
    const path = rosterExport(suite.dir, 'bad.json', records);
    const objectsBefore = existsSync(join(station.dataDir, 'objects'))
      ? readdirSync(join(station.dataDir, 'objects'))
      : [];
    const e = await failure(() => importRecordsFile(station, { path, actor }));
    expect(e).toMatchObject({ code: 'RECORD_INVALID', data: { field: 'bad.json.records.5.roles.0' } });
    expect(listRecords(station, {}).imports).toEqual([]);
    expect(rows()).toEqual([]);
    const objectsAfter = existsSync(join(station.dataDir, 'objects'))
      ? readdirSync(join(station.dataDir, 'objects'))
      : [];
    expect(objectsAfter).toEqual(objectsBefore);
    const refused = journalEvents(station.store.db, ['records.import-refused', 'records.imported']);
    // The refused file's name stays out of the journal (its family may be restricted): a name made
    // from its digest stands in for it, in the field path too.
    const sha = refused[0]?.body.fileSha256 ?? '';
    expect(refused.map((x) => [x.kind, x.body])).toEqual([
      [
        'records.import-refused',
        {
          fileSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
          fileName: `refused-${sha.slice(0, 12)}.json`,
          code: 'RECORD_INVALID',
          field: `refused-${sha.slice(0, 12)}.json.records.5.roles.0`,
        },
      ],
    ]);
    expect(JSON.stringify(refused)).not.toContain('bad.json');
  });

  it('an unknown family is refused by name and journaled', async () => {
    const path = join(suite.dir, 'odd.json');
    writeFileSync(
      path,
      JSON.stringify({
        family: 'rosters',
        system: 'iam',
        exportedAt: '2026-11-30T12:00:00.000Z',
        records: [],
      }),
    );
    expect(await failure(() => importRecordsFile(station, { path, actor }))).toMatchObject({
      code: 'RECORD_FAMILY_UNKNOWN',
      data: { field: 'odd.json.family' },
    });
    expect(journalEvents(station.store.db, ['records.import-refused']).map((x) => x.body.code)).toEqual([
      'RECORD_FAMILY_UNKNOWN',
    ]);
  });

  it('a record changed in a later export is a new version; both are kept, the later one is current', async () => {
    await importRecordsFile(station, {
      path: rosterExport(suite.dir, 'v1.json', [rosterEntry('r-1', 'Alice')]),
      actor,
    });
    const later = rosterExport(
      suite.dir,
      'v2.json',
      [rosterEntry('r-1', 'Alice', { status: 'revoked', snapshotAt: '2026-12-05' })],
      '2026-12-05T08:00:00.000Z',
    );
    const r = await importRecordsFile(station, { path: later, actor });
    expect(r.newRecords).toBe(1);
    const { versions } = showRecord(station, { family: 'roster-snapshot', system: 'iam', recordId: 'r-1' });
    expect(versions.map((v) => [v.provenance.exportedAt, (v.content as { status: string }).status])).toEqual([
      ['2026-11-30T12:00:00.000Z', 'active'],
      ['2026-12-05T08:00:00.000Z', 'revoked'],
    ]);
    expect(rows()).toEqual([
      expect.objectContaining({ recordId: 'r-1', versions: 2, exportedAt: '2026-12-05T08:00:00.000Z' }),
    ]);
  });

  it('a record shown that the station does not hold is NOT_FOUND', () => {
    expect(() => showRecord(station, { family: 'roster-snapshot', system: 'iam', recordId: 'nope' })).toThrow(
      expect.objectContaining({ code: 'NOT_FOUND' }),
    );
  });
});
