import { describe, expect, it } from 'vitest';
import { databaseAt, h, insertJournal, zero32 } from './helpers';

describe('migration 0001_journal', () => {
  it('creates a STRICT journal table', () => {
    const db = databaseAt(1);
    const sql = db.prepare("SELECT sql FROM sqlite_schema WHERE name = 'journal'").pluck().get() as string;
    expect(sql).toMatch(/\) STRICT$/);
    expect(() =>
      db
        .prepare('INSERT INTO journal VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(1, 'at', 'a', 'k', 'text-not-blob', zero32, h(1)),
    ).toThrow(/cannot store TEXT value in BLOB column/);
  });

  it('keeps hash fields at 32 bytes', () => {
    const db = databaseAt(1);
    insertJournal(db, 1, zero32, h(1));
    expect(() => insertJournal(db, 2, h(1), Buffer.alloc(31))).toThrow(/CHECK constraint/);
    expect(() => insertJournal(db, 2, Buffer.alloc(33), h(2))).toThrow(/CHECK constraint/);
  });

  it('with recursive_triggers on (as the station connects), INSERT OR REPLACE cannot replace a row', () => {
    const db = databaseAt(1);
    db.pragma('recursive_triggers = ON');
    insertJournal(db, 1, zero32, h(1));
    expect(() =>
      db
        .prepare('INSERT OR REPLACE INTO journal VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(1, 'a', 'b', 'c', Buffer.from('{}'), zero32, h(7)),
    ).toThrow(/DELETE refused/);
    expect(db.prepare('SELECT hash FROM journal WHERE seq = 1').pluck().get()).toEqual(h(1));
  });

  it('refuses UPDATE and DELETE', () => {
    const db = databaseAt(1);
    insertJournal(db, 1, zero32, h(1));
    expect(() => db.prepare("UPDATE journal SET actor = 'mallory'").run()).toThrow(
      /append-only: UPDATE refused/,
    );
    expect(() => db.prepare('DELETE FROM journal').run()).toThrow(/append-only: DELETE refused/);
    expect(db.prepare('SELECT actor FROM journal').pluck().get()).toBe('demo');
  });
});
