import { describe, expect, it } from 'vitest';
import { databaseAt } from './helpers';

const d = (c: string) => c.repeat(64);
const INSERT =
  "INSERT INTO source_record (family, family_version, system, record_id, exported_at, file_sha256, first_hand, content, digest, import_seq) VALUES ('roster-snapshot', 1, 'iam', ?, '2026-01-01T00:00:00.000Z', ?, 0, '{}', ?, ?)";

describe('migration 0011_source_records', () => {
  it('keeps each version of a record once: unique by (family, system, record id, digest)', () => {
    const db = databaseAt(11);
    const insert = db.prepare(INSERT);
    insert.run('r-1', d('a'), d('1'), 2);
    // Same record id, other content: a new version, kept beside the first.
    insert.run('r-1', d('a'), d('2'), 3);
    // The same version again (a re-imported file) is refused by the key, never duplicated.
    expect(() => insert.run('r-1', d('b'), d('1'), 4)).toThrow(/UNIQUE/);
    expect(db.prepare('SELECT count(*) FROM source_record').pluck().get()).toBe(2);
  });

  it('never rewrites a stored record', () => {
    const db = databaseAt(11);
    db.prepare(INSERT).run('r-1', d('a'), d('1'), 2);
    expect(() => db.prepare('UPDATE source_record SET content = \'{"x":1}\'').run()).toThrow(/append-only/);
  });

  it('keeps policy versions by the seq of their import, digests checked', () => {
    const db = databaseAt(11);
    const insert = db.prepare(
      "INSERT INTO policy_record (seq, policy, version, system, exported_at, file_sha256, file_name, content, digest) VALUES (?, 'deferral', ?, 'grc', '2026-01-01T00:00:00.000Z', ?, 'p.json', '{}', ?)",
    );
    insert.run(5, 1, d('a'), d('1'));
    insert.run(6, 2, d('b'), d('2'));
    expect(() => insert.run(7, 0, d('c'), d('3'))).toThrow(/CHECK/);
    expect(() => insert.run(8, 3, 'short', d('4'))).toThrow(/CHECK/);
    expect(db.prepare('SELECT version FROM policy_record ORDER BY seq').pluck().all()).toEqual([1, 2]);
  });
});
