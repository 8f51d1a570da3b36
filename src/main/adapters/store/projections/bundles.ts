import type { Projection } from './types';

/** Trust store, issued and imported bundles, media refusals and approvals. */
export const bundles: Projection = {
  name: 'bundles',
  tables: [
    'approval',
    'approval_refusal',
    'bundle_issued',
    'bundle_imported',
    'media_refusal',
    'trust_entry',
  ],
  on: {
    'trust.registered': (db, row, b) => {
      db.prepare(
        `INSERT INTO trust_entry (trust_id, name, entry_kind, roles, spki, fingerprint, algorithm, valid_from, valid_until, registered_seq)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        b.trustId,
        b.name,
        b.entryKind,
        JSON.stringify(b.roles),
        b.spki,
        b.fingerprint,
        b.algorithm,
        b.validFrom,
        b.validUntil,
        row.seq,
      );
    },
    'trust.revoked': (db, row, b) => {
      db.prepare(
        'UPDATE trust_entry SET revoked_at = ?, revoked_seq = ? WHERE trust_id = ? AND revoked_at IS NULL',
      ).run(row.at, row.seq, b.trustId);
    },
    'bundle.exported': (db, row, b) => {
      db.prepare(
        `INSERT INTO bundle_issued (packet_id, version, bundle_kind, title, digest, file_sha256, file_name, volume, size_bytes, required_roles, at, seq)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        b.packetId,
        b.version,
        b.bundleKind,
        b.title,
        b.digest,
        b.fileSha256,
        b.fileName,
        b.volume,
        b.sizeBytes,
        JSON.stringify(b.requiredRoles),
        row.at,
        row.seq,
      );
    },
    'bundle.imported': (db, row, b) => {
      db.prepare(
        `INSERT INTO bundle_imported (seq, bundle_kind, packet_id, version, digest, file_sha256, file_name, signer_fingerprint, signer_name, files, at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        row.seq,
        b.bundleKind,
        b.packetId,
        b.version,
        b.digest,
        b.fileSha256,
        b.fileName,
        b.signerFingerprint,
        b.signerName,
        JSON.stringify(b.files),
        row.at,
      );
    },
    'bundle.import-refused': (db, row, b) => {
      db.prepare(
        'INSERT INTO media_refusal (seq, code, check_id, file_name, detail, at) VALUES (?, ?, ?, ?, ?, ?)',
      ).run(row.seq, b.code, b.check, b.fileName, b.detail, row.at);
    },
    'approval.accepted': (db, row, b) => {
      db.prepare(
        `INSERT INTO approval (seq, packet_id, packet_version, packet_digest, role, decision, comment, expires_at, sequence, reviewer, trust_id, signer_fingerprint, envelope_sha256, at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        row.seq,
        b.packetId,
        b.packetVersion,
        b.packetDigest,
        b.role,
        b.decision,
        b.comment,
        b.expiresAt,
        b.sequence,
        b.reviewer,
        b.trustId,
        b.signerFingerprint,
        b.envelopeSha256,
        row.at,
      );
    },
    'approval.refused': (db, row, b) => {
      db.prepare(
        'INSERT INTO approval_refusal (seq, code, check_id, packet_id, signer_fingerprint, detail, at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ).run(row.seq, b.code, b.check, b.packetId, b.signerFingerprint, b.detail, row.at);
    },
  },
};
