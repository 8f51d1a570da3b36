import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, loadMigrations, migrate, schemaVersion } from './migrations';

describe('migration runner', () => {
  it('applies every pending migration and records the version', () => {
    const db = new Database(':memory:');
    expect(migrate(db)).toEqual({ from: 0, to: LATEST_SCHEMA_VERSION });
    expect(migrate(db)).toEqual({ from: LATEST_SCHEMA_VERSION, to: LATEST_SCHEMA_VERSION });
  });

  it('refuses a database from a newer station', () => {
    const db = new Database(':memory:');
    db.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 1}`);
    expect(() => migrate(db)).toThrowError(expect.objectContaining({ code: 'STORE_FROM_FUTURE' }));
  });

  it('runs each step in a transaction: a failing step leaves the last good version and no half schema', () => {
    const db = new Database(':memory:');
    const steps = [
      { version: 1, name: 'good', sql: 'CREATE TABLE a (x INTEGER) STRICT;' },
      { version: 2, name: 'bad', sql: 'CREATE TABLE b (x INTEGER) STRICT; CREATE TABLE a (y INTEGER);' },
    ];
    expect(() => migrate(db, steps)).toThrow(/already exists/);
    expect(schemaVersion(db)).toBe(1);
    expect(db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'b'").pluck().get()).toBe(0);
  });

  it('refuses gaps and badly named files', () => {
    expect(() => loadMigrations({ './m/0001_a.sql': '', './m/0003_c.sql': '' })).toThrow(/without gaps/);
    expect(() => loadMigrations({ './m/1_a.sql': '' })).toThrow(/NNNN_name/);
  });

  it('every migration has its own test file', () => {
    for (const m of MIGRATIONS) {
      const file = `${String(m.version).padStart(4, '0')}_${m.name}.test.ts`;
      expect(existsSync(join(import.meta.dirname, 'migrations', file)), file).toBe(true);
    }
  });
});
