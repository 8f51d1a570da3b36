import { canonicalJson } from '../../../../core/canonical';
import type { PacketContent } from '../../../../core/packet/model';
import { applyOp } from '../../../../core/packet/ops';
import { packetDraftColumn } from '../repos/packets';
import type { Projection } from './types';

/** Packet drafts (every edit applied in journal order), append-only versions, stops and handoffs. */
export const packets: Projection = {
  name: 'packets',
  tables: ['packet_handoff', 'packet_stop', 'packet_version', 'packet'],
  on: {
    'packet.created': (db, row, b) => {
      const content: PacketContent = {
        packetId: b.packetId,
        kind: b.kind,
        title: b.title,
        scope: b.scope,
        claims: [],
        evidence: [],
        annotations: [],
        routing: { requiredRoles: b.requiredRoles, reviewers: [] },
        subject: b.subject,
      };
      db.prepare(
        'INSERT INTO packet (packet_id, kind, title, draft, created_seq, updated_seq) VALUES (?, ?, ?, ?, ?, ?)',
      ).run(b.packetId, b.kind, b.title, canonicalJson(content), row.seq, row.seq);
    },
    'packet.edited': (db, row, b) => {
      const draft = packetDraftColumn(db, b.packetId);
      if (draft === null) throw new Error(`packet.edited for unknown packet ${b.packetId}`);
      // A legacy typed exception (old journals) changes nothing: the register is the evaluation's findings.
      const next = b.change.op === 'set-exception' ? draft : applyOp(draft, b.change);
      db.prepare('UPDATE packet SET draft = ?, updated_seq = ? WHERE packet_id = ?').run(
        canonicalJson(next),
        row.seq,
        b.packetId,
      );
    },
    'packet.version-recorded': (db, row, b) => {
      db.prepare(
        `INSERT INTO packet_version (packet_id, version, digest, parent_digest, content, gate, failed_checks, at, seq)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        b.packetId,
        b.version,
        b.digest,
        b.parentDigest,
        canonicalJson(b.content),
        b.gate,
        JSON.stringify(b.failedChecks),
        row.at,
        row.seq,
      );
    },
    'packet.stopped': (db, row, b) => {
      db.prepare('INSERT INTO packet_stop (seq, packet_id, findings, notice, at) VALUES (?, ?, ?, ?, ?)').run(
        row.seq,
        b.packetId,
        JSON.stringify(b.findings),
        b.notice,
        row.at,
      );
      db.prepare('UPDATE packet SET stopped_seq = coalesce(stopped_seq, ?) WHERE packet_id = ?').run(
        row.seq,
        b.packetId,
      );
    },
    'packet.stop-cleared': (db, row, b) => {
      const cleared = db
        .prepare(
          'UPDATE packet_stop SET cleared_seq = ?, clearance = ? WHERE seq = ? AND packet_id = ? AND cleared_seq IS NULL',
        )
        .run(row.seq, canonicalJson(b), b.stopSeq, b.packetId);
      if (cleared.changes !== 1)
        throw new Error(`packet.stop-cleared names no open stop ${b.stopSeq} of ${b.packetId}`);
      db.prepare(
        'UPDATE packet SET stopped_seq = (SELECT min(seq) FROM packet_stop WHERE packet_id = ? AND cleared_seq IS NULL) WHERE packet_id = ?',
      ).run(b.packetId, b.packetId);
    },
    'packet.handoff-recorded': (db, row, b) => {
      db.prepare(
        'INSERT INTO packet_handoff (seq, packet_id, version, digest, gate, record, at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ).run(row.seq, b.packetId, b.version, b.digest, b.gate, canonicalJson(b), row.at);
    },
  },
};
