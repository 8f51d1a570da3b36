import { closeSync, openSync, writeSync } from 'node:fs';
import Database from 'better-sqlite3';
import { EntryHasher, GENESIS_PREV_HASH, type JournalRow } from '../../src/core/journal/entry';
import { sha256 } from '../../src/main/crypto';

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

/**
 * Raw access as someone holding the database file has it: every trigger on the journal and checkpoint
 * tables is dropped, `change` runs, and the triggers are re-created exactly as they were, so the schema
 * looks untouched afterwards.
 */
export function withTriggersDropped(dbPath: string, change: (db: Database.Database) => void): void {
  const db = new Database(dbPath);
  try {
    const triggers = db
      .prepare(
        "SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' AND tbl_name IN ('journal', 'journal_checkpoint')",
      )
      .all() as { name: string; sql: string }[];
    db.transaction(() => {
      for (const t of triggers) db.exec(`DROP TRIGGER "${t.name}"`);
      change(db);
      for (const t of triggers) db.exec(t.sql);
    })();
  } finally {
    db.close();
  }
}

/**
 * Rolls the database back to checkpoint `n`: the later checkpoint rows and every entry after n's own
 * event (after its head, for a legacy checkpoint) are deleted — issue #10 finding 3.
 */
export function rollBackToCheckpoint(dbPath: string, n: number): void {
  withTriggersDropped(dbPath, (db) => {
    const keep = db
      .prepare('SELECT coalesce(event_seq, size) FROM journal_checkpoint WHERE n = ?')
      .pluck()
      .get(n) as number | undefined;
    if (keep === undefined) throw new Error(`no checkpoint ${n}`);
    db.prepare('DELETE FROM journal_checkpoint WHERE n > ?').run(n);
    db.prepare('DELETE FROM journal WHERE seq > ?').run(keep);
  });
}

/**
 * Rewrites the journal from `fromSeq` on: `edit` gets those rows and returns the new tail (rows may be
 * changed, dropped or added; they are renumbered from fromSeq), which is re-chained with correct hashes
 * — everything someone with write access but without the identity key can do.
 */
export function rewriteJournal(
  dbPath: string,
  fromSeq: number,
  edit: (rows: JournalRow[]) => JournalRow[],
): void {
  withTriggersDropped(dbPath, (db) => {
    const read = (sql: string, ...args: number[]) =>
      (
        db.prepare(sql).all(...args) as {
          seq: number;
          at: string;
          actor: string;
          kind: string;
          body: Buffer;
          prev_hash: Buffer;
          hash: Buffer;
        }[]
      ).map((r) => ({ ...r, prevHash: r.prev_hash }));
    const before = read('SELECT * FROM journal WHERE seq = ?', fromSeq - 1)[0];
    const tail = edit(read('SELECT * FROM journal WHERE seq >= ? ORDER BY seq', fromSeq));
    const hasher = new EntryHasher(sha256);
    let prev: Uint8Array = before ? before.hash : GENESIS_PREV_HASH;
    db.prepare('DELETE FROM journal WHERE seq >= ?').run(fromSeq);
    const insert = db.prepare(
      'INSERT INTO journal (seq, at, actor, kind, body, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    tail.forEach((r, i) => {
      const row = { seq: fromSeq + i, at: r.at, actor: r.actor, kind: r.kind, body: r.body, prevHash: prev };
      const hash = hasher.hash(row);
      insert.run(row.seq, row.at, row.actor, row.kind, row.body, row.prevHash, hash);
      prev = hash;
    });
  });
}
