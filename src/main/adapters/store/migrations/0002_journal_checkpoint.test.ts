import { describe, expect, it } from 'vitest';
import { databaseAt, h, insertJournal, zero32 } from './helpers';

function insertCheckpoint(db: ReturnType<typeof databaseAt>, n: number, size: number, head: Buffer) {
  db.prepare('INSERT INTO journal_checkpoint VALUES (?, ?, ?, ?, ?, ?, ?)').run(
    n,
    size,
    head,
    'at',
    'key',
    'alg',
    Buffer.from('sig'),
  );
}

describe('migration 0002_journal_checkpoint', () => {
  it('accepts the next checkpoint naming an existing head, including the empty journal', () => {
    const db = databaseAt(2);
    insertCheckpoint(db, 1, 0, zero32);
    insertJournal(db, 1, zero32, h(1));
    insertJournal(db, 2, h(1), h(2));
    insertCheckpoint(db, 2, 2, h(2));
    insertCheckpoint(db, 3, 2, h(2));
    expect(db.prepare('SELECT count(*) FROM journal_checkpoint').pluck().get()).toBe(3);
  });

  it('refuses a gap in numbering, a shrinking size, or a head that is not the journal’s', () => {
    const db = databaseAt(2);
    insertJournal(db, 1, zero32, h(1));
    insertJournal(db, 2, h(1), h(2));
    insertCheckpoint(db, 1, 2, h(2));
    expect(() => insertCheckpoint(db, 3, 2, h(2))).toThrow(/must follow/);
    expect(() => insertCheckpoint(db, 2, 1, h(1))).toThrow(/must follow/);
    expect(() => insertCheckpoint(db, 2, 2, h(9))).toThrow(/must follow/);
    expect(() => insertCheckpoint(db, 2, 5, h(5))).toThrow(/must follow/);
  });

  it('refuses UPDATE and DELETE', () => {
    const db = databaseAt(2);
    insertCheckpoint(db, 1, 0, zero32);
    expect(() => db.prepare('UPDATE journal_checkpoint SET size = 5').run()).toThrow(/UPDATE refused/);
    expect(() => db.prepare('DELETE FROM journal_checkpoint').run()).toThrow(/DELETE refused/);
  });
});
