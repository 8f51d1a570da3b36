import { describe, expect, it } from 'vitest';
import { databaseAt } from './helpers';

describe('migration 0005_custodians', () => {
  it('creates the custodian projections with their keys and checks', () => {
    const db = databaseAt(5);
    db.pragma('foreign_keys = ON');
    const tables = db
      .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
      .pluck()
      .all();
    expect(tables).toEqual(
      expect.arrayContaining([
        'roster_policy',
        'custodian',
        'quorum_session',
        'quorum_checkin',
        'quorum_refusal',
        'share_split',
        'custody_item',
        'custody_event',
        'availability',
      ]),
    );
    expect(() => db.prepare('INSERT INTO roster_policy VALUES (1, 1, 1)').run()).toThrow(/CHECK/);
    expect(() =>
      db.prepare("INSERT INTO quorum_checkin VALUES (1, 'nope', 'a', 'f', 's', 't')").run(),
    ).toThrow(/FOREIGN KEY/);
    expect(() =>
      db.prepare("INSERT INTO custody_event VALUES (1, 'nope', 'sealed', 't', 'a', '{}')").run(),
    ).toThrow(/FOREIGN KEY/);
    const avail = db.prepare("INSERT INTO availability VALUES ('a', '2026-12-01', 'day', 1, 1)");
    avail.run();
    expect(() => avail.run()).toThrow(/UNIQUE|PRIMARY KEY/);
  });
});
