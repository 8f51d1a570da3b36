import { describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate } from '../migrations';
import { databaseAt, h, insertJournal, zero32 } from './helpers';

type Db = ReturnType<typeof databaseAt>;

function insertEvent(db: Db, seq: number, prev: Buffer, hash: Buffer) {
  db.prepare(
    'INSERT INTO journal (seq, at, actor, kind, body, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)',
  ).run(seq, '2026-01-01T00:00:00.000Z', 'station', 'journal.checkpoint', Buffer.from('{}'), prev, hash);
}

function insertCheckpoint(db: Db, n: number, size: number, head: Buffer, eventSeq: number | null) {
  db.prepare(
    'INSERT INTO journal_checkpoint (n, size, head_hash, at, key_id, alg, signature, event_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  ).run(n, size, head, 'at', 'key', 'alg', Buffer.from('sig'), eventSeq);
}

describe('migration 0009_checkpoint_event', () => {
  it('keeps legacy rows (event_seq NULL); new rows come with their event right after the head', () => {
    const db = databaseAt(8);
    insertJournal(db, 1, zero32, h(1));
    db.prepare('INSERT INTO journal_checkpoint VALUES (?, ?, ?, ?, ?, ?, ?)').run(
      1,
      1,
      h(1),
      'at',
      'key',
      'alg',
      Buffer.from('sig'),
    );
    migrate(db, MIGRATIONS.slice(0, 9));
    insertEvent(db, 2, h(1), h(2));
    insertCheckpoint(db, 2, 1, h(1), 2);
    expect(db.prepare('SELECT n, size, event_seq FROM journal_checkpoint ORDER BY n').all()).toEqual([
      { n: 1, size: 1, event_seq: null },
      { n: 2, size: 1, event_seq: 2 },
    ]);
  });

  it('refuses a row without its event, with its event elsewhere, or naming a row of another kind', () => {
    const db = databaseAt(9);
    insertJournal(db, 1, zero32, h(1));
    expect(() => insertCheckpoint(db, 1, 1, h(1), null)).toThrow(/journal event/);
    expect(() => insertCheckpoint(db, 1, 1, h(1), 2)).toThrow(/journal event/);
    insertJournal(db, 2, h(1), h(2));
    expect(() => insertCheckpoint(db, 1, 1, h(1), 2)).toThrow(/journal event/);
    insertEvent(db, 3, h(2), h(3));
    expect(() => insertCheckpoint(db, 1, 1, h(1), 3)).toThrow(/journal event/);
    insertCheckpoint(db, 1, 2, h(2), 3);
    // The 0002 rules still hold: numbering without gaps, never shrinking, an existing head.
    expect(() => insertCheckpoint(db, 3, 2, h(2), 3)).toThrow(/must follow/);
    expect(() => insertCheckpoint(db, 2, 1, h(1), 2)).toThrow(/must follow/);
  });

  it('UPDATE and DELETE stay refused', () => {
    const db = databaseAt(9);
    insertJournal(db, 1, zero32, h(1));
    insertEvent(db, 2, h(1), h(2));
    insertCheckpoint(db, 1, 1, h(1), 2);
    expect(() => db.prepare('UPDATE journal_checkpoint SET event_seq = NULL').run()).toThrow(
      /UPDATE refused/,
    );
    expect(() => db.prepare('DELETE FROM journal_checkpoint').run()).toThrow(/DELETE refused/);
  });
});
