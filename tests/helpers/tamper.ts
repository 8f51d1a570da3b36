import { closeSync, openSync, writeSync } from 'node:fs';
import Database from 'better-sqlite3';

/**
 * Raw writes an attacker (or a faulty disk tool) could make with direct file access: drop the
 * append-only trigger, then change a stored row. Used by tests to prove the verifier catches it.
 */
export function tamperJournalRow(dbPath: string, seq: number, sql = "actor = 'operator:mallory'"): void {
  const db = new Database(dbPath);
  try {
    db.exec('DROP TRIGGER IF EXISTS journal_refuse_update');
    db.prepare(`UPDATE journal SET ${sql} WHERE seq = ?`).run(seq);
  } finally {
    db.close();
  }
}

/** Corrupts one B-tree page of `table` so that PRAGMA quick_check fails. */
export function corruptTablePage(dbPath: string, table: string): void {
  const db = new Database(dbPath);
  const pages = db
    .prepare('SELECT pageno FROM dbstat WHERE name = ? ORDER BY pageno')
    .pluck()
    .all(table) as number[];
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  const target = pages[Math.min(2, pages.length - 1)];
  if (target === undefined) throw new Error(`table ${table} has no pages`);
  const fd = openSync(dbPath, 'r+');
  writeSync(fd, Buffer.alloc(200, 0x41), 0, 200, (target - 1) * pageSize + 1000);
  closeSync(fd);
}
