import { describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate } from '../migrations';
import { databaseAt, h, insertJournal, zero32 } from './helpers';

describe('migration 0014_identity_token', () => {
  it('adds the identity token table to an existing station, empty, written once', () => {
    const db = databaseAt(13);
    insertJournal(db, 1, zero32, h(1));
    migrate(db, MIGRATIONS.slice(0, 14));
    expect(db.prepare('SELECT count(*) FROM station_identity_token').pluck().get()).toBe(0);
    db.prepare("INSERT INTO station_identity_token VALUES (1, 'abcd', 'station', ?, ?)").run(
      'a'.repeat(64),
      'e'.repeat(64),
    );
    expect(() =>
      db
        .prepare("INSERT INTO station_identity_token VALUES (1, 'ef', 'x', ?, ?)")
        .run('a'.repeat(64), 'e'.repeat(64)),
    ).toThrow(/UNIQUE|PRIMARY/);
    expect(() =>
      db
        .prepare("INSERT INTO station_identity_token VALUES (2, 'ef', 'x', ?, ?)")
        .run('a'.repeat(64), 'e'.repeat(64)),
    ).toThrow(/CHECK/);
    expect(() => db.prepare("UPDATE station_identity_token SET token_serial = 'x'").run()).toThrow(
      /written once/,
    );
    expect(() => db.prepare('DELETE FROM station_identity_token').run()).toThrow(/written once/);
    expect(db.prepare('SELECT count(*) FROM journal').pluck().get()).toBe(1);
  });
});
