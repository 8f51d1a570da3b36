import type Database from 'better-sqlite3';
import { z } from 'zod';
import { EVENT_BODIES } from '../../../../core/journal/events';
import { packetContentSchema, type PacketContent, type PacketKind } from '../../../../core/packet/model';
import { journalEvents, type StoredEvent } from './events';
import { countColumn, jsonColumn, parseRow, parseRows, seqColumn, statement } from './rows';

/**
 * The packets' projections: drafts (the canonical JSON of the content after every edit), append-only
 * versions, stops with their clearances, handoffs. Every JSON column is parsed with the core schema of
 * what was written into it: packet content, or the body of the event the row came from.
 */

export interface PacketRecord {
  readonly packetId: string;
  readonly kind: PacketKind;
  readonly title: string;
  readonly draft: PacketContent;
  readonly createdSeq: number;
  readonly updatedSeq: number;
  /** The first stop not cleared, or null. */
  readonly stoppedSeq: number | null;
}

const packetRowSchema = z
  .object({
    packet_id: z.string(),
    kind: packetContentSchema.shape.kind,
    title: z.string(),
    draft: jsonColumn(packetContentSchema),
    created_seq: seqColumn,
    updated_seq: seqColumn,
    stopped_seq: seqColumn.nullable(),
  })
  .transform((r): PacketRecord => ({
    packetId: r.packet_id,
    kind: r.kind,
    title: r.title,
    draft: r.draft,
    createdSeq: r.created_seq,
    updatedSeq: r.updated_seq,
    stoppedSeq: r.stopped_seq,
  }));

const PACKET_COLUMNS = 'packet_id, kind, title, draft, created_seq, updated_seq, stopped_seq';
const selectPacket = statement(`SELECT ${PACKET_COLUMNS} FROM packet WHERE packet_id = ?`);
const selectPackets = statement(`SELECT ${PACKET_COLUMNS} FROM packet ORDER BY created_seq`);

export function packetRow(db: Database.Database, packetId: string): PacketRecord | null {
  const row = selectPacket(db).get(packetId);
  return row === undefined ? null : parseRow('packet', packetRowSchema, row, 'packet_id');
}

/** Every packet, oldest first. */
export function packetRows(db: Database.Database): PacketRecord[] {
  return parseRows('packet', packetRowSchema, selectPackets(db).all(), 'packet_id');
}

const draftRow = z.object({ draft: jsonColumn(packetContentSchema) });
const selectDraft = statement('SELECT draft FROM packet WHERE packet_id = ?');

/** Only the draft (the projection applies each edit to it), or null for an unknown packet. */
export function packetDraftColumn(db: Database.Database, packetId: string): PacketContent | null {
  const row = selectDraft(db).get(packetId);
  return row === undefined
    ? null
    : parseRow('packet', draftRow, row, () => `packet_id=${JSON.stringify(packetId)}`).draft;
}

const selectExists = statement('SELECT 1 FROM packet WHERE packet_id = ?');

export function packetExists(db: Database.Database, packetId: string): boolean {
  return selectExists(db).get(packetId) !== undefined;
}

const versionCountRow = z.object({ versions: countColumn });
const selectVersionCount = statement('SELECT count(*) AS versions FROM packet_version WHERE packet_id = ?');

export function packetVersionCount(db: Database.Database, packetId: string): number {
  return parseRow(
    'packet_version',
    versionCountRow,
    selectVersionCount(db).get(packetId),
    () => `packet_id=${JSON.stringify(packetId)}`,
  ).versions;
}

const recorded = EVENT_BODIES['packet.version-recorded'].shape;

const versionRow = z
  .object({
    version: recorded.version,
    digest: z.string(),
    parent_digest: z.string().nullable(),
    gate: recorded.gate,
    failed_checks: jsonColumn(recorded.failedChecks),
    at: z.string(),
    seq: seqColumn,
    content: jsonColumn(recorded.content),
  })
  .transform((r) => ({
    version: r.version,
    digest: r.digest,
    parentDigest: r.parent_digest,
    gate: r.gate,
    failedChecks: r.failed_checks,
    at: r.at,
    seq: r.seq,
    content: r.content,
  }));

export type PacketVersionRecord = z.output<typeof versionRow>;

const selectVersions = statement(
  `SELECT packet_id, version, digest, parent_digest, gate, failed_checks, at, seq, content
   FROM packet_version WHERE packet_id = ? ORDER BY version`,
);

/** Every recorded version of a packet, oldest first (append-only: never rewritten). */
export function packetVersionRows(db: Database.Database, packetId: string): PacketVersionRecord[] {
  return parseRows('packet_version', versionRow, selectVersions(db).all(packetId), ['packet_id', 'version']);
}

const stopRow = z
  .object({
    seq: seqColumn,
    at: z.string(),
    notice: z.string(),
    findings: jsonColumn(EVENT_BODIES['packet.stopped'].shape.findings),
    // The whole `packet.stop-cleared` body, as its canonical JSON.
    clearance: jsonColumn(EVENT_BODIES['packet.stop-cleared']).nullable(),
    cleared_seq: seqColumn.nullable(),
  })
  .transform((r) => ({
    seq: r.seq,
    at: r.at,
    notice: r.notice,
    findings: r.findings,
    clearance: r.clearance,
    clearedSeq: r.cleared_seq,
  }));

export type PacketStopRecord = z.output<typeof stopRow>;

const selectStops = statement(
  'SELECT seq, at, notice, findings, clearance, cleared_seq FROM packet_stop WHERE packet_id = ? ORDER BY seq',
);

/** Every stop of a packet in seq order, each with its clearance when one was recorded. */
export function packetStopRows(db: Database.Database, packetId: string): PacketStopRecord[] {
  return parseRows('packet_stop', stopRow, selectStops(db).all(packetId), 'seq');
}

const handoffRow = z
  .object({
    seq: seqColumn,
    at: z.string(),
    // The whole `packet.handoff-recorded` body, as its canonical JSON.
    record: jsonColumn(EVENT_BODIES['packet.handoff-recorded']),
  })
  .transform((r) => ({ ...r.record, seq: r.seq, at: r.at }));

export type PacketHandoffRecord = z.output<typeof handoffRow>;

const selectHandoffs = statement(
  'SELECT seq, at, record FROM packet_handoff WHERE packet_id = ? ORDER BY seq',
);

/** Every handoff of a packet (any version), in seq order. */
export function packetHandoffRows(db: Database.Database, packetId: string): PacketHandoffRecord[] {
  return parseRows('packet_handoff', handoffRow, selectHandoffs(db).all(packetId), 'seq');
}

/** The recorded evaluations of one workflow subject, oldest first (a derived packet reads the latest). */
export function subjectEvaluationEvents(
  db: Database.Database,
  workflow: string,
  subject: string,
): StoredEvent<'evaluation.recorded'>[] {
  return journalEvents(db, ['evaluation.recorded']).filter(
    (e) => e.body.workflow === workflow && e.body.subject === subject,
  );
}
