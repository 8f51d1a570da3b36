import { describe, expect, it } from 'vitest';
import { databaseAt } from './helpers';

describe('migration 0003_station', () => {
  it('holds at most one station row with a valid mode', () => {
    const db = databaseAt(3);
    const insert = db.prepare(
      'INSERT INTO station (singleton, station_id, name, mode, demo, created_at, created_seq) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    insert.run(1, 'id', 'Room B', 'offline', 0, 'at', 1);
    expect(() => insert.run(1, 'id2', 'Other', 'offline', 0, 'at', 2)).toThrow(/UNIQUE|PRIMARY KEY/);
    expect(() => insert.run(2, 'id2', 'Other', 'offline', 0, 'at', 2)).toThrow(/CHECK constraint/);
    db.prepare('DELETE FROM station').run();
    expect(() => insert.run(1, 'id', 'Room B', 'airgap', 0, 'at', 1)).toThrow(/CHECK constraint/);
  });

  it('is a projection: the table may be cleared and rebuilt (no append-only triggers)', () => {
    const db = databaseAt(3);
    const triggers = db
      .prepare("SELECT name FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = 'station'")
      .all();
    expect(triggers).toEqual([]);
  });
});
