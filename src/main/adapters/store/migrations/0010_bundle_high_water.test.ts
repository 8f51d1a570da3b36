import { describe, expect, it } from 'vitest';
import { databaseAt } from './helpers';

const HIGH_WATER =
  'SELECT coalesce(max(version), 0) FROM bundle_imported WHERE signer_fingerprint = ? AND packet_id = ? AND bundle_kind = ?';

describe('migration 0010_bundle_high_water', () => {
  it('answers the import high-water query (BND-REPLAY) from an index, per signer, packet and kind', () => {
    const db = databaseAt(10);
    const insert = db.prepare(
      "INSERT INTO bundle_imported (seq, bundle_kind, packet_id, version, digest, file_sha256, file_name, signer_fingerprint, signer_name, files, at) VALUES (?, ?, 'p', ?, 'd', 'f', 'n', ?, 's', '[]', 'at')",
    );
    insert.run(1, 'evidence', 1, 'a'.repeat(64));
    insert.run(2, 'evidence', 3, 'a'.repeat(64));
    insert.run(3, 'custody-report', 7, 'a'.repeat(64));
    insert.run(4, 'evidence', 9, 'b'.repeat(64));
    expect(db.prepare(HIGH_WATER).pluck().get('a'.repeat(64), 'p', 'evidence')).toBe(3);
    expect(db.prepare(HIGH_WATER).pluck().get('c'.repeat(64), 'p', 'evidence')).toBe(0);
    const plan = db.prepare(`EXPLAIN QUERY PLAN ${HIGH_WATER}`).all('a'.repeat(64), 'p', 'evidence') as {
      detail: string;
    }[];
    expect(plan.map((r) => r.detail).join('\n')).toMatch(/COVERING INDEX bundle_imported_high_water/);
    // Before 0010 the same query scans the table.
    const before = databaseAt(9)
      .prepare(`EXPLAIN QUERY PLAN ${HIGH_WATER}`)
      .all('a'.repeat(64), 'p', 'evidence') as { detail: string }[];
    expect(before.map((r) => r.detail).join('\n')).not.toMatch(/bundle_imported_high_water/);
  });
});
