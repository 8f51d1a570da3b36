import type Database from 'better-sqlite3';
import { stationError } from '../../errors';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** Parses `NNNN_name.sql` files into an ordered list; numbering must be contiguous from 0001. */
export function loadMigrations(files: Record<string, string>): Migration[] {
  const list = Object.entries(files).map(([path, sql]) => {
    const m = /(\d{4})_([a-z0-9_]+)\.sql$/.exec(path);
    if (!m) throw new Error(`migration file name must be NNNN_name.sql: ${path}`);
    return { version: Number(m[1]), name: m[2] as string, sql };
  });
  list.sort((a, b) => a.version - b.version);
  list.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new Error(`migrations must be numbered 0001.. without gaps; found ${m.version} at ${i + 1}`);
  });
  return list;
}

// Vite inlines every migration file at build time, so the bundle carries them (and a new file is picked up).
export const MIGRATIONS: readonly Migration[] = loadMigrations(
  import.meta.glob<string>('./migrations/*.sql', { query: '?raw', import: 'default', eager: true }),
);

export const LATEST_SCHEMA_VERSION = MIGRATIONS.length;

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Refuses a database written by a newer station: its shape is unknown to this code. */
export function assertNotFromFuture(
  db: Database.Database,
  migrations: readonly Migration[] = MIGRATIONS,
): void {
  const current = schemaVersion(db);
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) {
    throw stationError(
      'STORE_FROM_FUTURE',
      `database schema version ${current} is newer than this station understands (${latest})`,
      { schemaVersion: current, supported: latest },
    );
  }
}

/**
 * Applies pending migrations on `PRAGMA user_version`, each in its own transaction together with the
 * version bump, so a failure leaves the database at the last complete version.
 */
export function migrate(
  db: Database.Database,
  migrations: readonly Migration[] = MIGRATIONS,
): { from: number; to: number } {
  assertNotFromFuture(db, migrations);
  const from = schemaVersion(db);
  for (const m of migrations) {
    if (m.version <= from) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return { from, to: schemaVersion(db) };
}
