import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { CodedError } from '../../../../core/errors';
import { prepareEntry, type EventBody, type EventKind } from '../../../../core/journal/events';
import { sha256 } from '../../../crypto';
import { openDatabase } from '../database';
import { JournalStore } from '../journal-store';

/**
 * For the repositories' tests: a real station database file, made by openDatabase (every migration run
 * by the runner), filled through the journal store so the projections write the rows as the station
 * does — and then changed the way someone with the file and the sqlite3 shell could change it.
 */
export interface TestStore {
  readonly db: Database.Database;
  readonly journal: JournalStore;
  /** Appends one valid event (projections applied); returns its seq. */
  record<K extends EventKind>(kind: K, body: EventBody<K>): number;
  /** Runs one statement on the file with CHECK constraints off (STRICT column types still hold). */
  tamper(sql: string, ...params: unknown[]): void;
  /** Appends a journal row whose body was never validated (as a forged insert would). */
  forgeEntry(kind: string, body: unknown): number;
  close(): void;
}

export const AT = '2026-05-01T10:00:00.000Z';

export function testStore(): TestStore {
  const dir = mkdtempSync(join(tmpdir(), 'station-repo-'));
  const { db } = openDatabase(join(dir, 'station.db'), { create: true });
  const journal = new JournalStore(db, sha256);
  return {
    db,
    journal,
    record: (kind, body) =>
      journal.append([prepareEntry({ kind, actor: 'operator:test', body }, AT)]).lastSeq,
    tamper: (sql, ...params) => {
      db.pragma('ignore_check_constraints = ON');
      try {
        db.prepare(sql).run(...params);
      } finally {
        db.pragma('ignore_check_constraints = OFF');
      }
    },
    forgeEntry: (kind, body) => {
      const seq = journal.head().seq + 1;
      db.prepare(
        'INSERT INTO journal (seq, at, actor, kind, body, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ).run(
        seq,
        AT,
        'operator:mallory',
        kind,
        Buffer.from(JSON.stringify(body)),
        Buffer.alloc(32),
        Buffer.alloc(32),
      );
      return seq;
    },
    close: () => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The coded error `read` throws (fails the test when it throws nothing or something uncoded). */
export function refusal(read: () => unknown): CodedError {
  try {
    read();
  } catch (e) {
    if (e instanceof CodedError) return e;
    throw e;
  }
  throw new Error('the read was not refused');
}

export const hex = (byte: string) => byte.repeat(64);
export const SPKI = Buffer.from('a test key, not a real SubjectPublicKeyInfo').toString('base64');
