import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { systemDeps } from '../../src/main/runtime';
import { createDemoStation } from '../../src/main/demo/demo';
import {
  exportJournal,
  journalEntry,
  journalPage,
  verifyStationJournal,
} from '../../src/main/services/journal/queries';
import { Station } from '../../src/main/station/station';
import { tamperJournalRow } from '../helpers/tamper';
import { tempDir } from '../helpers/temp';

describe('journal on a real SQLite file', () => {
  it('the append-only triggers refuse UPDATE and DELETE through any connection', async () => {
    const dir = tempDir();
    (await createDemoStation(dir, systemDeps)).close();
    const raw = new Database(join(dir, 'station.sqlite'));
    expect(() => raw.prepare("UPDATE journal SET actor = 'x' WHERE seq = 2").run()).toThrow(/UPDATE refused/);
    expect(() => raw.prepare('DELETE FROM journal WHERE seq = 4').run()).toThrow(/DELETE refused/);
    raw.close();
  });

  it('a raw edit made after dropping the trigger is reported as TAMPERED at that seq', async () => {
    const dir = tempDir();
    (await createDemoStation(dir, systemDeps)).close();
    tamperJournalRow(join(dir, 'station.sqlite'), 3);
    const s = Station.open(dir, systemDeps);
    expect((await verifyStationJournal(s)).verdict).toMatchObject({
      status: 'TAMPERED',
      check: 'JNL-HASH',
      firstBadSeq: 3,
    });
    s.close();
  });

  it('a row whose hash field was cut short (CHECK constraints bypassed) is JNL-ROW at that seq', async () => {
    const dir = tempDir();
    (await createDemoStation(dir, systemDeps)).close();
    const raw = new Database(join(dir, 'station.sqlite'));
    raw.pragma('ignore_check_constraints = ON');
    raw.exec('DROP TRIGGER journal_refuse_update');
    raw.prepare('UPDATE journal SET prev_hash = substr(prev_hash, 1, 31) WHERE seq = 3').run();
    raw.close();
    const s = Station.open(dir, systemDeps);
    expect((await verifyStationJournal(s)).verdict).toMatchObject({
      status: 'TAMPERED',
      check: 'JNL-ROW',
      firstBadSeq: 3,
    });
    s.close();
  });

  it('the station connection refuses INSERT OR REPLACE over an existing entry', async () => {
    const dir = tempDir();
    const s = await createDemoStation(dir, systemDeps);
    const row = s.journal.get(2)!;
    expect(() =>
      s.store.db
        .prepare('INSERT OR REPLACE INTO journal VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(
          2,
          row.at,
          'operator:mallory',
          row.kind,
          Buffer.from(row.body),
          Buffer.from(row.prevHash),
          Buffer.from(row.hash),
        ),
    ).toThrow(/DELETE refused/);
    expect(s.journal.get(2)?.actor).toBe(row.actor);
    s.close();
  });

  it('a raw deletion is reported as TAMPERED at the missing seq', async () => {
    const dir = tempDir();
    (await createDemoStation(dir, systemDeps)).close();
    const raw = new Database(join(dir, 'station.sqlite'));
    raw.exec('DROP TRIGGER journal_refuse_delete');
    raw.prepare('DELETE FROM journal WHERE seq = 2').run();
    raw.close();
    const s = Station.open(dir, systemDeps);
    expect((await verifyStationJournal(s)).verdict).toMatchObject({
      status: 'TAMPERED',
      check: 'JNL-SEQ',
      firstBadSeq: 2,
    });
    s.close();
  });

  it('pages and entries read back exactly what was recorded', async () => {
    const dir = tempDir();
    const s = await createDemoStation(dir, systemDeps);
    s.record([{ kind: 'operator.note', actor: 'operator:alice', body: { text: 'x'.repeat(400) } }]);
    const page = journalPage(s, { fromSeq: 1, limit: 500 });
    const n = page.total;
    expect(page.entries.map((e) => e.seq)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(page.entries[n - 1]?.preview.length).toBeLessThanOrEqual(160);
    const e = journalEntry(s, { seq: n });
    expect(JSON.parse(e.bodyText)).toEqual({ text: 'x'.repeat(400) });
    expect(e.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(journalEntry(s, { seq: n - 1 }).hash).toBe(e.prevHash);
    try {
      expect(() => journalEntry(s, { seq: n + 1 })).toThrowError(
        expect.objectContaining({ code: 'NOT_FOUND' }),
      );
    } finally {
      s.close();
    }
  });

  it('export writes JSON lines for the range to a new file and never overwrites one', async () => {
    const dir = tempDir();
    const s = await createDemoStation(dir, systemDeps);
    const out = join(dir, 'export.jsonl');
    expect(exportJournal(s, { fromSeq: 2, toSeq: 3 }, { path: out })).toBe(2);
    const lines = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { seq: number; hash: string });
    expect(lines.map((l) => l.seq)).toEqual([2, 3]);
    expect(() => exportJournal(s, { fromSeq: 1, toSeq: 4 }, { path: out })).toThrowError(
      expect.objectContaining({ code: 'OUTPUT_EXISTS' }),
    );
    expect(() => exportJournal(s, { fromSeq: 3, toSeq: 2 }, { write: () => {} })).toThrowError(
      expect.objectContaining({ code: 'INVALID_INPUT', data: { field: 'to' } }),
    );
    expect(lstatSync(out).mode & 0o777).toBe(0o600);
    s.close();
  });

  it('an export whose reading fails part-way leaves no file: never a cut-short export under the name', async () => {
    const dir = tempDir();
    const s = await createDemoStation(dir, systemDeps);
    try {
      // The read error a real SQLite file cannot be made to give: the first page (2 rows) reads, the next fails.
      const failing = {
        journal: {
          page: (from: number) => {
            if (from === 1) return s.journal.page(1, 2);
            throw new Error('disk I/O error');
          },
        },
      } as unknown as Station;
      const media = tempDir();
      expect(() =>
        exportJournal(failing, { fromSeq: 1, toSeq: 4 }, { path: join(media, 'j.jsonl') }),
      ).toThrow('disk I/O error');
      expect(readdirSync(media)).toEqual([]);
    } finally {
      s.close();
    }
  });
});
