import type Database from 'better-sqlite3';
import { stationError } from '../../../errors';
import type { Projection } from './types';

/** Roster, quorum sessions, activation splits, custody log and shift coverage. */
export const custodians: Projection = {
  name: 'custodians',
  tables: [
    'operator_session',
    'quorum_checkin',
    'quorum_refusal',
    'quorum_session',
    'custodian',
    'roster_policy',
    'share_split',
    'custody_event',
    'custody_item',
    'availability',
  ],
  on: {
    'roster.initialised': (db, row, body) => {
      db.prepare('INSERT INTO roster_policy (singleton, quorum, initialised_seq) VALUES (1, ?, ?)').run(
        body.quorum,
        row.seq,
      );
      for (const c of body.custodians) insertCustodian(db, c, row.seq);
    },
    'roster.custodian-added': (db, row, body) => insertCustodian(db, body.custodian, row.seq),
    'roster.custodian-revoked': (db, row, body) => {
      db.prepare('UPDATE custodian SET revoked_at = ?, revoked_seq = ? WHERE custodian_id = ?').run(
        row.at,
        row.seq,
        body.custodianId,
      );
    },
    'roster.quorum-set': (db, row, body) => {
      const r = db.prepare('UPDATE roster_policy SET quorum = ? WHERE singleton = 1').run(body.quorum);
      if (r.changes !== 1)
        throw stationError('ROSTER_MISSING', 'a roster quorum was set before the roster was initialised', {
          seq: row.seq,
        });
    },
    // OPS-PROVEN. A session starts with its proof; a sign-in at the same place (console or CLI) ends
    // the session it replaces with its own operator.signed-out, journaled first.
    'operator.signed-in': (db, row, body) => {
      db.prepare(
        `INSERT INTO operator_session (session_id, custodian_id, fingerprint, secret_sha256, via, started_at, expires_at, idle_minutes, started_seq)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        body.sessionId,
        body.custodianId,
        body.fingerprint,
        body.secretSha256,
        body.via,
        row.at,
        body.expiresAt,
        body.idleMinutes,
        row.seq,
      );
    },
    'operator.signed-out': (db, row, body) => {
      const r = db
        .prepare(
          'UPDATE operator_session SET ended_at = ?, ended_reason = ?, ended_seq = ? WHERE session_id = ? AND ended_at IS NULL',
        )
        .run(row.at, body.reason, row.seq, body.sessionId);
      if (r.changes !== 1)
        throw stationError('OPERATOR_SESSION_ENDED', `operator session ${body.sessionId} is not open`, {
          sessionId: body.sessionId,
        });
    },
    'quorum.session-opened': (db, row, body) => {
      db.prepare(
        `INSERT INTO quorum_session (session_id, operation, ceremony_id, step, threshold, nonce, opened_at, expires_at, opened_seq)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        body.sessionId,
        body.operation,
        body.ceremonyId,
        body.step,
        body.threshold,
        body.nonce,
        body.openedAt,
        body.expiresAt,
        row.seq,
      );
    },
    'quorum.checked-in': (db, row, body) => {
      db.prepare(
        'INSERT INTO quorum_checkin (seq, session_id, custodian_id, fingerprint, signature, at) VALUES (?, ?, ?, ?, ?, ?)',
      ).run(row.seq, body.sessionId, body.custodianId, body.fingerprint, body.signature, row.at);
    },
    'quorum.check-in-refused': (db, row, body) => {
      db.prepare(
        'INSERT INTO quorum_refusal (seq, session_id, code, custodian_id, reason, at) VALUES (?, ?, ?, ?, ?, ?)',
      ).run(row.seq, body.sessionId, body.code, body.custodianId, body.reason, row.at);
    },
    'quorum.session-closed': (db, row, body) => {
      // Open, or claimed for exactly this use (the claimed act's result): nothing else may close a claim.
      const r = db
        .prepare(
          `UPDATE quorum_session SET closed_reason = ?, used_for = ?, closed_seq = ?
           WHERE session_id = ? AND (closed_reason IS NULL OR (closed_reason = 'claimed' AND ? = 'used' AND used_for = ?))`,
        )
        .run(body.reason, body.usedFor, row.seq, body.sessionId, body.reason, body.usedFor);
      // A session closes once: a second use of the same quorum aborts the whole append.
      if (r.changes !== 1) throw notOpen(db, body.sessionId);
    },
    // QUORUM-CLAIM. A claim closes the session to everyone but its claimant: closed_reason 'claimed',
    // used_for the operation, closed_seq the claim's seq (which its release or spend must name).
    'quorum.session-claimed': (db, row, body) => {
      const r = db
        .prepare(
          `UPDATE quorum_session SET closed_reason = 'claimed', used_for = ?, closed_seq = ?
           WHERE session_id = ? AND closed_reason IS NULL AND operation = ?`,
        )
        .run(body.operation, row.seq, body.sessionId, body.operation);
      if (r.changes !== 1) throw notOpen(db, body.sessionId);
    },
    'quorum.session-released': (db, _row, body) => {
      const r = db
        .prepare(
          `UPDATE quorum_session SET closed_reason = NULL, used_for = NULL, closed_seq = NULL
           WHERE session_id = ? AND closed_reason = 'claimed' AND closed_seq = ?`,
        )
        .run(body.sessionId, body.claimSeq);
      if (r.changes !== 1) throw claimNotHeld(body.sessionId, body.claimSeq);
    },
    'quorum.session-spent': (db, row, body) => {
      const r = db
        .prepare(
          `UPDATE quorum_session SET closed_reason = 'outcome-unknown', closed_seq = ?
           WHERE session_id = ? AND closed_reason = 'claimed' AND closed_seq = ?`,
        )
        .run(row.seq, body.sessionId, body.claimSeq);
      if (r.changes !== 1) throw claimNotHeld(body.sessionId, body.claimSeq);
    },
    'shares.split-created': (db, row, body) => {
      db.prepare(
        `INSERT INTO share_split (split_id, module_id, token_serial, threshold, total, holders, share_commitments, secret_commitment, created_seq)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        body.splitId,
        body.moduleId,
        body.tokenSerial,
        body.threshold,
        body.total,
        JSON.stringify(body.holders),
        JSON.stringify(body.shareCommitments),
        body.secretCommitment,
        row.seq,
      );
    },
    'custody.item-registered': (db, row, body) => {
      db.prepare(
        'INSERT INTO custody_item (item_id, item_kind, description, registered_seq) VALUES (?, ?, ?, ?)',
      ).run(body.itemId, body.itemKind, body.description, row.seq);
      custodyEvent(db, row, body.itemId, 'registered', {
        itemKind: body.itemKind,
        description: body.description,
      });
    },
    'custody.sealed': (db, row, body) => custodyEvent(db, row, body.itemId, 'sealed', body),
    'custody.unsealed': (db, row, body) => custodyEvent(db, row, body.itemId, 'unsealed', body),
    'custody.transferred': (db, row, body) => custodyEvent(db, row, body.itemId, 'transferred', body),
    'custody.inspected': (db, row, body) => custodyEvent(db, row, body.itemId, 'inspected', body),
    'custody.media-replaced': (db, row, body) => custodyEvent(db, row, body.itemId, 'media-replaced', body),
    'coverage.availability-set': (db, row, body) => {
      db.prepare(
        `INSERT INTO availability (custodian_id, date, shift, available, seq) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (custodian_id, date, shift) DO UPDATE SET available = excluded.available, seq = excluded.seq`,
      ).run(body.custodianId, body.date, body.shift, body.available ? 1 : 0, row.seq);
    },
  },
};

/** Why a session could not be closed or claimed: another act holds it, or it is closed already. */
function notOpen(db: Database.Database, sessionId: string): Error {
  const state = db
    .prepare('SELECT closed_reason FROM quorum_session WHERE session_id = ?')
    .pluck()
    .get(sessionId);
  return state === 'claimed'
    ? stationError('QUORUM_SESSION_CLAIMED', `quorum session ${sessionId} is claimed by another act`, {
        sessionId,
      })
    : stationError('QUORUM_SESSION_CLOSED', `quorum session ${sessionId} is not open`, { sessionId });
}

function claimNotHeld(sessionId: string, claimSeq: number): Error {
  return stationError(
    'QUORUM_SESSION_CLOSED',
    `quorum session ${sessionId} is not held by the claim at seq ${claimSeq}`,
    { sessionId, claimSeq },
  );
}

type CustodianBody = {
  custodianId: string;
  name: string;
  roles: string[];
  spki: string;
  fingerprint: string;
  algorithm: string;
  validFrom: string;
  validUntil: string;
};

function insertCustodian(db: Database.Database, c: CustodianBody, seq: number): void {
  db.prepare(
    `INSERT INTO custodian (custodian_id, name, roles, spki, fingerprint, algorithm, valid_from, valid_until, added_seq)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    c.custodianId,
    c.name,
    JSON.stringify(c.roles),
    c.spki,
    c.fingerprint,
    c.algorithm,
    c.validFrom,
    c.validUntil,
    seq,
  );
}

function custodyEvent(
  db: Database.Database,
  row: { seq: number; at: string; actor: string },
  itemId: string,
  type: string,
  details: object,
): void {
  db.prepare(
    'INSERT INTO custody_event (seq, item_id, type, at, actor, details) VALUES (?, ?, ?, ?, ?, ?)',
  ).run(row.seq, itemId, type, row.at, row.actor, JSON.stringify(details));
}
