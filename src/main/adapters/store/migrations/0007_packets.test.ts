import { describe, expect, it } from 'vitest';
import { databaseAt } from './helpers';

describe('migration 0007_packets', () => {
  it('creates packets, append-only versions, stops and handoffs bound to a recorded version', () => {
    const db = databaseAt(7);
    db.pragma('foreign_keys = ON');
    db.prepare(
      "INSERT INTO packet (packet_id, kind, title, draft, created_seq, updated_seq) VALUES ('p', 'rotation-deferral', 'T', '{}', 1, 1)",
    ).run();
    db.prepare(
      "INSERT INTO packet_version (packet_id, version, digest, content, gate, failed_checks, at, seq) VALUES ('p', 1, ?, '{}', 'READY', '[]', 'now', 2)",
    ).run('a'.repeat(64));
    expect(() => db.prepare("UPDATE packet_version SET gate = 'HOLD-SOURCE'").run()).toThrow(/append-only/);
    expect(() =>
      db
        .prepare(
          "INSERT INTO packet_version (packet_id, version, digest, content, gate, failed_checks, at, seq) VALUES ('p', 1, ?, '{}', 'READY', '[]', 'now', 3)",
        )
        .run('b'.repeat(64)),
    ).toThrow(/UNIQUE|PRIMARY KEY/);
    // A handoff names a version that exists.
    expect(() =>
      db
        .prepare(
          "INSERT INTO packet_handoff (seq, packet_id, version, digest, gate, record, at) VALUES (4, 'p', 2, 'd', 'READY', '{}', 'now')",
        )
        .run(),
    ).toThrow(/FOREIGN KEY/);
    db.prepare(
      "INSERT INTO packet_handoff (seq, packet_id, version, digest, gate, record, at) VALUES (4, 'p', 1, 'd', 'READY', '{}', 'now')",
    ).run();
  });
});
