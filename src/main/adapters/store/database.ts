import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { stationError } from '../../errors';
import { assertNotFromFuture, LATEST_SCHEMA_VERSION, migrate, schemaVersion } from './migrations';

export interface OpenedDatabase {
  readonly db: Database.Database;
  readonly path: string;
  readonly readOnly: boolean;
  /** Why the database is read-only (quick_check findings), null when writable. */
  readonly readOnlyReason: string | null;
  readonly schemaVersion: number;
}

export interface OpenOptions {
  /** Create the file when it does not exist (station init); otherwise a missing file is an error. */
  readonly create: boolean;
}

/**
 * Opens the station database: WAL, synchronous=FULL, foreign keys on, pending migrations applied.
 * `PRAGMA quick_check` runs first, on a read-only connection; a database that fails it stays read-only, with the findings as the
 * reason, so the operator can still read and export what is there but nothing can be written on top of
 * damage. A file that is not a database at all is refused with STORE_CORRUPT.
 */
export function openDatabase(path: string, opts: OpenOptions): OpenedDatabase {
  if (!opts.create && !existsSync(path)) {
    throw stationError('STATION_NOT_INITIALISED', `no station database at ${path}`, { path });
  }
  // Check a database that exists on a read-only connection first: a damaged file is never written to
  // (not even by a WAL checkpoint on close) before the station decides it may write.
  if (existsSync(path)) {
    const ro = openRaw(path, true);
    const findings = quickCheck(ro);
    if (findings !== null) {
      ro.pragma('query_only = ON');
      const version = safeVersion(ro);
      const stale =
        version < LATEST_SCHEMA_VERSION
          ? ` (schema v${version}, not migrated to v${LATEST_SCHEMA_VERSION}: some views are unavailable)`
          : '';
      return {
        db: ro,
        path,
        readOnly: true,
        readOnlyReason: `quick_check failed: ${findings}${stale}`,
        schemaVersion: version,
      };
    }
    ro.close();
  }
  const db = openRaw(path, false);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    // Makes REPLACE conflict resolution fire DELETE triggers, so the append-only triggers hold for it too.
    db.pragma('recursive_triggers = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db);
  } catch (e) {
    db.close();
    throw e;
  }
  return { db, path, readOnly: false, readOnlyReason: null, schemaVersion: schemaVersion(db) };
}

function openRaw(path: string, readonly: boolean): Database.Database {
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly, fileMustExist: readonly });
    // Reading the header forces SQLite to look at the file: a non-database fails here, not later.
    db.pragma('schema_version', { simple: true });
    assertNotFromFuture(db);
    return db;
  } catch (e) {
    db?.close();
    if (isSqliteError(e) && (e.code === 'SQLITE_NOTADB' || e.code === 'SQLITE_CORRUPT')) {
      throw stationError('STORE_CORRUPT', `${path} is not a readable station database (${e.code})`, { path });
    }
    throw e;
  }
}

/** Returns null when quick_check says ok, else its first findings. Corruption errors count as findings. */
function quickCheck(db: Database.Database): string | null {
  try {
    const rows = db.pragma('quick_check(20)', { simple: false }) as { quick_check: string }[];
    const lines = rows.map((r) => r.quick_check);
    return lines.length === 1 && lines[0] === 'ok' ? null : lines.slice(0, 5).join('; ');
  } catch (e) {
    if (isSqliteError(e)) return `${e.code}: ${e.message}`;
    throw e;
  }
}

function safeVersion(db: Database.Database): number {
  try {
    return schemaVersion(db);
  } catch {
    return -1;
  }
}

function isSqliteError(e: unknown): e is Error & { code: string } {
  return e instanceof Error && typeof (e as { code?: unknown }).code === 'string' && e.name === 'SqliteError';
}
