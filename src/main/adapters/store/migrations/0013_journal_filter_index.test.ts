import { describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate } from '../migrations';
import { databaseAt, h, insertJournal, zero32 } from './helpers';

describe('migration 0013_journal_filter_index', () => {
  it('indexes an existing journal by kind and by actor, and the filters use the indexes', () => {
    const db = databaseAt(12);
    insertJournal(db, 1, zero32, h(1));
    insertJournal(db, 2, h(1), h(2));
    migrate(db, MIGRATIONS.slice(0, 13));
    const plan = (sql: string) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join('\n');
    expect(plan("SELECT seq FROM journal WHERE kind = 'operator.note' ORDER BY seq")).toMatch(
      /USING (COVERING )?INDEX journal_by_kind/,
    );
    expect(plan("SELECT seq FROM journal WHERE actor = 'demo' ORDER BY seq")).toMatch(
      /USING (COVERING )?INDEX journal_by_actor/,
    );
    expect(db.prepare("SELECT count(*) FROM journal WHERE kind = 'operator.note'").pluck().get()).toBe(2);
    // The journal stays append-only: an index is no way around the triggers.
    expect(() => db.prepare("UPDATE journal SET kind = 'x' WHERE seq = 1").run()).toThrow(/append-only/);
  });
});
