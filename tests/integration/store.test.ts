import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/main/adapters/store/database';
import { LATEST_SCHEMA_VERSION } from '../../src/main/adapters/store/migrations';
import { systemDeps } from '../../src/main/runtime';
import { createDemoStation } from '../../src/main/demo/demo';
import { Station } from '../../src/main/station/station';
import { verifyStationJournal } from '../../src/main/services/journal/queries';
import { corruptTablePage } from '../helpers/tamper';
import { tempDir } from '../helpers/temp';
import { stationInfo } from '../../src/main/services/identity/station-info';

describe('station store on a real SQLite file', () => {
  it('opens with WAL, synchronous=FULL, foreign keys on, at the latest schema', async () => {
    const dir = tempDir();
    (await createDemoStation(dir, systemDeps)).close();
    const opened = openDatabase(join(dir, 'station.sqlite'), { create: false });
    try {
      expect(opened.db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(opened.db.pragma('synchronous', { simple: true })).toBe(2);
      expect(opened.db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(opened.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
      expect(opened.readOnly).toBe(false);
    } finally {
      opened.db.close();
    }
  });

  it('keeps every entry across close and reopen', async () => {
    const dir = tempDir();
    const s = await createDemoStation(dir, systemDeps);
    const head = s.journal.head();
    s.close();
    const again = Station.open(dir, systemDeps);
    expect(again.journal.head()).toEqual(head);
    again.close();
  });

  it('a database that fails quick_check opens read-only, says why, and refuses writes', async () => {
    const dir = tempDir();
    const s = await createDemoStation(dir, systemDeps);
    s.record(
      Array.from({ length: 3000 }, (_, i) => ({
        kind: 'operator.note' as const,
        actor: 'demo',
        body: { text: `note ${i} ${'x'.repeat(60)}` },
      })),
    );
    s.close();
    corruptTablePage(join(dir, 'station.sqlite'), 'journal');

    const damaged = Station.open(dir, systemDeps);
    try {
      expect(damaged.store.readOnly).toBe(true);
      expect(damaged.store.readOnlyReason).toMatch(/^quick_check failed: /);
      expect(stationInfo(damaged, 'browser').store.readOnly).toBe(true);
      expect(() =>
        damaged.record([{ kind: 'operator.note', actor: 'demo', body: { text: 'x' } }]),
      ).toThrowError(expect.objectContaining({ code: 'STORE_READ_ONLY' }));
      // Verification reports the damage as evidence rather than crashing.
      const v = (await verifyStationJournal(damaged)).verdict;
      expect(v.status).toBe('TAMPERED');
    } finally {
      damaged.close();
    }
  });

  it('a file that is not a database is refused with STORE_CORRUPT and left untouched', async () => {
    const dir = tempDir();
    const path = join(dir, 'station.sqlite');
    writeFileSync(
      path,
      'this is not sqlite, it is a text file that someone copied over the database\n'.repeat(100),
    );
    expect(() => Station.open(dir, systemDeps)).toThrowError(
      expect.objectContaining({ code: 'STORE_CORRUPT' }),
    );
  });

  it('a database from a newer station version is refused, not migrated down or opened', async () => {
    const dir = tempDir();
    (await createDemoStation(dir, systemDeps)).close();
    const raw = new Database(join(dir, 'station.sqlite'));
    raw.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 5}`);
    raw.close();
    expect(() => Station.open(dir, systemDeps)).toThrowError(
      expect.objectContaining({ code: 'STORE_FROM_FUTURE' }),
    );
  });

  it('a missing station is STATION_NOT_INITIALISED; init refuses an existing one and a bad name writes nothing', async () => {
    const dir = tempDir();
    expect(() => Station.open(dir, systemDeps)).toThrowError(
      expect.objectContaining({ code: 'STATION_NOT_INITIALISED' }),
    );
    expect(() =>
      Station.init(dir, { name: ' ', mode: 'offline', demo: false, actor: 'operator:a' }, systemDeps),
    ).toThrowError(
      expect.objectContaining({
        code: 'JOURNAL_BODY_INVALID',
        data: expect.objectContaining({ field: 'body.name' }),
      }),
    );
    expect(() => Station.open(dir, systemDeps)).toThrowError(
      expect.objectContaining({ code: 'STATION_NOT_INITIALISED' }),
    );
    Station.init(
      dir,
      { name: 'Room A', mode: 'offline', demo: false, actor: 'operator:a' },
      systemDeps,
    ).close();
    expect(() =>
      Station.init(dir, { name: 'Room A', mode: 'offline', demo: false, actor: 'operator:a' }, systemDeps),
    ).toThrowError(expect.objectContaining({ code: 'STATION_EXISTS' }));
  });
});
