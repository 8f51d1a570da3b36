import { describe, expect, it } from 'vitest';
import { databaseAt } from './helpers';

describe('migration 0006_bundles', () => {
  it('creates the trust store, issued and imported bundles and approvals, with their keys and checks', () => {
    const db = databaseAt(6);
    db.pragma('foreign_keys = ON');
    const tables = db
      .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
      .pluck()
      .all();
    expect(tables).toEqual(
      expect.arrayContaining([
        'trust_entry',
        'bundle_issued',
        'bundle_imported',
        'media_refusal',
        'approval',
        'approval_refusal',
      ]),
    );
    const trust = db.prepare(
      "INSERT INTO trust_entry (trust_id, name, entry_kind, roles, spki, fingerprint, algorithm, valid_from, valid_until, registered_seq) VALUES (?, 'A', 'reviewer', '[]', 's', ?, 'ed25519', 'f', 'u', 1)",
    );
    trust.run('a', 'f'.repeat(64));
    // One key, one entry: the same fingerprint under another id is refused by the schema too.
    expect(() => trust.run('b', 'f'.repeat(64))).toThrow(/UNIQUE/);
    expect(() =>
      db
        .prepare(
          "INSERT INTO bundle_issued VALUES ('p', 0, 'packet', 't', ?, 'x', 'f', '/m', 1, '[]', 'a', 1)",
        )
        .run('d'.repeat(64)),
    ).toThrow(/CHECK/);
    expect(() =>
      db
        .prepare(
          "INSERT INTO approval VALUES (1, 'nope', 1, 'd', 'r', 'approve', '', 'e', 1, 'n', 'a', 'f', 'x', 'at')",
        )
        .run(),
    ).toThrow(/FOREIGN KEY/);
  });
});
