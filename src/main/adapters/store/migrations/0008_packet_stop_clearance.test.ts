import { describe, expect, it } from 'vitest';
import { databaseAt } from './helpers';

describe('migration 0008_packet_stop_clearance', () => {
  it('keeps every stop and adds where and how it was cleared', () => {
    const db = databaseAt(8);
    db.prepare(
      "INSERT INTO packet (packet_id, kind, title, draft, created_seq, updated_seq, stopped_seq) VALUES ('p', 'rotation-deferral', 'T', '{}', 1, 2, 2)",
    ).run();
    db.prepare(
      "INSERT INTO packet_stop (seq, packet_id, findings, notice, at) VALUES (2, 'p', '[]', 'n', 'now')",
    ).run();
    expect(db.prepare('SELECT cleared_seq, clearance FROM packet_stop').get()).toEqual({
      cleared_seq: null,
      clearance: null,
    });
    db.prepare("UPDATE packet_stop SET cleared_seq = 9, clearance = '{}' WHERE seq = 2").run();
    expect(db.prepare('SELECT count(*) AS n FROM packet_stop').get()).toEqual({ n: 1 });
  });
});
