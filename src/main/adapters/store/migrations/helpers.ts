import Database from 'better-sqlite3';
import { MIGRATIONS, migrate } from '../migrations';

/** A fresh in-memory database migrated up to (and including) `version`. */
export function databaseAt(version: number): Database.Database {
  const db = new Database(':memory:');
  migrate(db, MIGRATIONS.slice(0, version));
  return db;
}

export const zero32 = Buffer.alloc(32);
export const h = (byte: number) => Buffer.alloc(32, byte);

export function insertJournal(db: Database.Database, seq: number, prev: Buffer, hash: Buffer): void {
  db.prepare(
    'INSERT INTO journal (seq, at, actor, kind, body, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)',
  ).run(seq, '2026-01-01T00:00:00.000Z', 'demo', 'operator.note', Buffer.from('{}'), prev, hash);
}
