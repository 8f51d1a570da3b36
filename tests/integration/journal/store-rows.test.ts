import { afterEach, describe, expect, it } from 'vitest';
import { sha256 } from '../../../src/main/crypto';
import { verifySegment } from '../../../src/main/workers/segment';
import { rebuildProjections } from '../../../src/main/adapters/store/projections';
import { AT, refusal, testStore, type TestStore } from '../../../src/main/adapters/store/repos/test-support';

let s: TestStore;
afterEach(() => s.close());

const INIT = {
  stationId: '0b5f0c1e-1c2d-4e3f-8a9b-0c1d2e3f4a5b',
  name: 'Room B',
  mode: 'offline',
  demo: false,
} as const;

/**
 * Someone with the file and the sqlite3 shell rebuilds a table without STRICT, so a BLOB column can hold
 * TEXT: the copy keeps the rows, the column types are gone.
 */
function unstrict(table: 'journal' | 'journal_checkpoint', columns: string): void {
  s.db.pragma('foreign_keys = OFF');
  s.db.exec(`ALTER TABLE ${table} RENAME TO ${table}_strict`);
  s.db.exec(`CREATE TABLE ${table} (${columns})`);
  s.db.exec(`INSERT INTO ${table} SELECT * FROM ${table}_strict`);
}

describe('journal repository (rows parsed by zod: STORE_ROW_INVALID, never a TypeError)', () => {
  it('a checkpoint row whose head_hash is TEXT is refused naming the table, the row and the column', () => {
    s = testStore();
    s.record('station.initialised', INIT);
    unstrict(
      'journal_checkpoint',
      'n INTEGER PRIMARY KEY, size, head_hash, at, key_id, alg, signature, event_seq',
    );
    s.db
      .prepare('INSERT INTO journal_checkpoint VALUES (1, 1, ?, ?, ?, ?, ?, NULL)')
      .run('ab'.repeat(32), AT, 'key', 'ecdsa-p256-sha256', Buffer.alloc(64));
    for (const read of [() => s.journal.checkpoints(), () => s.journal.latestCheckpoint()]) {
      const e = refusal(read);
      expect(e.code).toBe('STORE_ROW_INVALID');
      expect(e.data).toMatchObject({ table: 'journal_checkpoint', row: 'n=1', column: 'head_hash' });
    }
  });

  it('a journal row whose hash is TEXT: the store refuses it, and the verifier reports JNL-ROW at its seq', () => {
    s = testStore();
    s.record('station.initialised', INIT);
    s.record('operator.note', { text: 'second' });
    s.record('operator.note', { text: 'third' });
    unstrict('journal', 'seq INTEGER PRIMARY KEY, at, actor, kind, body, prev_hash, hash');
    const hash = Buffer.from(s.journal.get(2)?.hash ?? []).toString('hex');
    s.db.prepare('UPDATE journal SET hash = ? WHERE seq = 2').run(hash);
    const e = refusal(() => s.journal.get(2));
    expect(e.code).toBe('STORE_ROW_INVALID');
    expect(e.data).toMatchObject({ table: 'journal', row: 'seq=2', column: 'hash' });
    expect(refusal(() => s.journal.page(1, 10)).code).toBe('STORE_ROW_INVALID');
    // The verifier reads the same rows: row 1 verifies, row 2 is named as unreadable.
    const seg = verifySegment(s.journal.reader, sha256, 1, 3, new Set());
    expect(seg.verified).toBe(1);
    expect(seg.failure).toMatchObject({ seq: 2, check: 'JNL-ROW' });
  });

  it('a stored body that is not its kind’s shape: projections refuse it (STORE_ROW_INVALID), on rebuild too', () => {
    s = testStore();
    s.forgeEntry('station.initialised', { ...INIT, name: 7 });
    const e = refusal(() => rebuildProjections(s.db, s.journal));
    expect(e.code).toBe('STORE_ROW_INVALID');
    expect(e.data).toMatchObject({ table: 'journal', row: 'seq 1 (station.initialised)', column: 'body' });
    expect(e.message).toContain('body.name');
  });
});
