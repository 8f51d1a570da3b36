import type Database from 'better-sqlite3';
import { z } from 'zod';
import { EVENT_BODIES } from '../../../../core/journal/events';
import { countColumn, jsonColumn, parseRow, parseRows, seqColumn, statement } from './rows';

/**
 * The bundles' projections: the trust store, bundles this station issued and imported, media refusals,
 * reviewers' approvals and refused approvals.
 */

const trusted = EVENT_BODIES['trust.registered'].shape;

const trustRow = z
  .object({
    trust_id: z.string(),
    name: z.string(),
    entry_kind: trusted.entryKind,
    roles: jsonColumn(trusted.roles),
    spki: z.string(),
    fingerprint: z.string(),
    algorithm: trusted.algorithm,
    valid_from: z.string(),
    valid_until: z.string(),
    revoked_at: z.string().nullable(),
  })
  .transform((r) => ({
    trustId: r.trust_id,
    name: r.name,
    entryKind: r.entry_kind,
    roles: r.roles,
    spki: r.spki,
    fingerprint: r.fingerprint,
    algorithm: r.algorithm,
    validFrom: r.valid_from,
    validUntil: r.valid_until,
    revokedAt: r.revoked_at,
  }));

export type TrustRecord = z.output<typeof trustRow>;

const selectTrust = statement(
  `SELECT trust_id, name, entry_kind, roles, spki, fingerprint, algorithm, valid_from, valid_until, revoked_at
   FROM trust_entry ORDER BY registered_seq`,
);

/** Every trust-store entry (revoked ones too), in the order they were registered. */
export function trustRows(db: Database.Database): TrustRecord[] {
  return parseRows('trust_entry', trustRow, selectTrust(db).all(), 'trust_id');
}

const exported = EVENT_BODIES['bundle.exported'].shape;

const issuedRow = z
  .object({
    packet_id: z.string(),
    version: exported.version,
    digest: z.string(),
    required_roles: jsonColumn(exported.requiredRoles),
    bundle_kind: exported.bundleKind,
    title: z.string(),
    file_name: z.string(),
    at: z.string(),
  })
  .transform((r) => ({
    packetId: r.packet_id,
    version: r.version,
    digest: r.digest,
    requiredRoles: r.required_roles,
    bundleKind: r.bundle_kind,
    title: r.title,
    fileName: r.file_name,
    at: r.at,
  }));

export type IssuedRecord = z.output<typeof issuedRow>;

const selectIssued = statement(
  `SELECT packet_id, version, digest, required_roles, bundle_kind, title, file_name, at
   FROM bundle_issued ORDER BY seq`,
);

/** Every bundle this station exported, in the order they were written. */
export function issuedRows(db: Database.Database): IssuedRecord[] {
  return parseRows('bundle_issued', issuedRow, selectIssued(db).all(), ['packet_id', 'version']);
}

const issuedFileRow = z.object({ file_name: z.string() });
const selectIssuedFile = statement('SELECT file_name FROM bundle_issued WHERE packet_id = ? AND version = ?');

/** The file name this packet version was exported as, or null when it never was. */
export function issuedFileName(db: Database.Database, packetId: string, version: number): string | null {
  const row = selectIssuedFile(db).get(packetId, version);
  return row === undefined
    ? null
    : parseRow(
        'bundle_issued',
        issuedFileRow,
        row,
        () => `packet_id=${JSON.stringify(packetId)} version=${version}`,
      ).file_name;
}

const latestRow = z.object({ latest: countColumn });
const selectLatestIssued = statement(
  'SELECT coalesce(max(version), 0) AS latest FROM bundle_issued WHERE packet_id = ?',
);

/** The highest version exported under this packet id (0 for none). */
export function latestIssuedVersion(db: Database.Database, packetId: string): number {
  return parseRow(
    'bundle_issued',
    latestRow,
    selectLatestIssued(db).get(packetId),
    () => `packet_id=${JSON.stringify(packetId)}`,
  ).latest;
}

// Answered from the bundle_imported_high_water index alone (migration 0010).
const selectHighWater = statement(
  `SELECT coalesce(max(version), 0) AS latest FROM bundle_imported
   WHERE signer_fingerprint = ? AND packet_id = ? AND bundle_kind = ?`,
);

/** BND-REPLAY: the newest version of this packet and kind imported under this signer key (0 for none). */
export function importedHighWater(
  db: Database.Database,
  signerFingerprint: string,
  packetId: string,
  bundleKind: string,
): number {
  return parseRow(
    'bundle_imported',
    latestRow,
    selectHighWater(db).get(signerFingerprint, packetId, bundleKind),
    () => `signer_fingerprint=${JSON.stringify(signerFingerprint)} packet_id=${JSON.stringify(packetId)}`,
  ).latest;
}

const imported = EVENT_BODIES['bundle.imported'].shape;

const importedRow = z
  .object({
    seq: seqColumn,
    bundle_kind: imported.bundleKind,
    packet_id: z.string(),
    version: imported.version,
    digest: z.string(),
    signer_fingerprint: z.string(),
    signer_name: z.string(),
    files: jsonColumn(imported.files),
  })
  .transform((r) => ({
    seq: r.seq,
    bundleKind: r.bundle_kind,
    packetId: r.packet_id,
    version: r.version,
    digest: r.digest,
    signerFingerprint: r.signer_fingerprint,
    signerName: r.signer_name,
    files: r.files,
  }));

export type ImportedRecord = z.output<typeof importedRow>;

const selectImported = statement(
  `SELECT seq, bundle_kind, packet_id, version, digest, signer_fingerprint, signer_name, files
   FROM bundle_imported ORDER BY seq DESC LIMIT ?`,
);

/** The newest imported bundles, newest first. */
export function importedRows(db: Database.Database, limit: number): ImportedRecord[] {
  return parseRows('bundle_imported', importedRow, selectImported(db).all(limit), 'seq');
}

const mediaRefusalRow = z
  .object({
    seq: seqColumn,
    code: z.string(),
    check_id: z.string().nullable(),
    file_name: z.string(),
    detail: z.string(),
    at: z.string(),
  })
  .transform((r) => ({
    seq: r.seq,
    code: r.code,
    check: r.check_id,
    fileName: r.file_name,
    detail: r.detail,
    at: r.at,
  }));

const selectMediaRefusals = statement(
  'SELECT seq, code, check_id, file_name, detail, at FROM media_refusal ORDER BY seq DESC LIMIT ?',
);

/** The newest refusals of bundles read from media, newest first. */
export function mediaRefusalRows(db: Database.Database, limit: number): z.output<typeof mediaRefusalRow>[] {
  return parseRows('media_refusal', mediaRefusalRow, selectMediaRefusals(db).all(limit), 'seq');
}

const accepted = EVENT_BODIES['approval.accepted'].shape;

const approvalRow = z
  .object({
    seq: seqColumn,
    packet_id: z.string(),
    packet_version: accepted.packetVersion,
    role: z.string(),
    decision: accepted.decision,
    sequence: accepted.sequence,
    signer_fingerprint: z.string(),
    trust_id: z.string(),
    reviewer: z.string(),
    comment: z.string(),
    expires_at: z.string(),
  })
  .transform((r) => ({
    seq: r.seq,
    packetId: r.packet_id,
    packetVersion: r.packet_version,
    role: r.role,
    decision: r.decision,
    sequence: r.sequence,
    signerFingerprint: r.signer_fingerprint,
    trustId: r.trust_id,
    reviewer: r.reviewer,
    comment: r.comment,
    expiresAt: r.expires_at,
  }));

export type ApprovalRecord = z.output<typeof approvalRow>;

const selectApprovals = statement(
  `SELECT seq, packet_id, packet_version, role, decision, sequence, signer_fingerprint, trust_id, reviewer, comment, expires_at
   FROM approval ORDER BY seq`,
);

/** Every accepted approval, in the order they were accepted. */
export function approvalRows(db: Database.Database): ApprovalRecord[] {
  return parseRows('approval', approvalRow, selectApprovals(db).all(), 'seq');
}

const approvalRefusalRow = z
  .object({
    seq: seqColumn,
    code: z.string(),
    check_id: z.string().nullable(),
    packet_id: z.string().nullable(),
    detail: z.string(),
    at: z.string(),
  })
  .transform((r) => ({
    seq: r.seq,
    code: r.code,
    check: r.check_id,
    packetId: r.packet_id,
    detail: r.detail,
    at: r.at,
  }));

const selectApprovalRefusals = statement(
  'SELECT seq, code, check_id, packet_id, detail, at FROM approval_refusal ORDER BY seq DESC LIMIT ?',
);

/** The newest refused approvals, newest first. */
export function approvalRefusalRows(
  db: Database.Database,
  limit: number,
): z.output<typeof approvalRefusalRow>[] {
  return parseRows('approval_refusal', approvalRefusalRow, selectApprovalRefusals(db).all(limit), 'seq');
}
