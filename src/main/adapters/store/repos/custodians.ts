import type Database from 'better-sqlite3';
import { z } from 'zod';
import { CLAIMED, OUTCOME_UNKNOWN } from '../../../../core/custody/quorum';
import type { RosterEntry } from '../../../../core/custody/roster';
import type { SplitRecord } from '../../../../core/custody/shares';
import { EVENT_BODIES } from '../../../../core/journal/events';
import { jsonColumn, parseRow, parseRows, seqColumn, statement } from './rows';

/** The custodians' projections: roster and its quorum, quorum sessions and check-ins, share splits. */

const custodian = EVENT_BODIES['roster.custodian-added'].shape.custodian.shape;

const rosterRow = z
  .object({
    custodian_id: z.string(),
    name: z.string(),
    roles: jsonColumn(custodian.roles),
    spki: z.string(),
    fingerprint: z.string(),
    algorithm: custodian.algorithm,
    valid_from: z.string(),
    valid_until: z.string(),
    revoked_at: z.string().nullable(),
  })
  .transform((r): RosterEntry => ({
    custodianId: r.custodian_id,
    name: r.name,
    roles: r.roles,
    spki: r.spki,
    fingerprint: r.fingerprint,
    algorithm: r.algorithm,
    validFrom: r.valid_from,
    validUntil: r.valid_until,
    revokedAt: r.revoked_at,
  }));

const selectRoster = statement(
  'SELECT custodian_id, name, roles, spki, fingerprint, algorithm, valid_from, valid_until, revoked_at FROM custodian ORDER BY custodian_id',
);

/** Every custodian ever on the roster (revoked ones too), by id. */
export function rosterRows(db: Database.Database): RosterEntry[] {
  return parseRows('custodian', rosterRow, selectRoster(db).all(), 'custodian_id');
}

const policyRow = z.object({ quorum: EVENT_BODIES['roster.initialised'].shape.quorum });
const selectQuorum = statement('SELECT quorum FROM roster_policy WHERE singleton = 1');

/** The roster's quorum, or null before the roster is initialised. */
export function rosterQuorum(db: Database.Database): number | null {
  const row = selectQuorum(db).get();
  return row === undefined ? null : parseRow('roster_policy', policyRow, row, () => 'singleton=1').quorum;
}

const opened = EVENT_BODIES['quorum.session-opened'].shape;
/** How a session's row is closed: used or cancelled, claimed by an act, or spent with its outcome unknown. */
const closedReason = z
  .enum([...EVENT_BODIES['quorum.session-closed'].shape.reason.options, CLAIMED, OUTCOME_UNKNOWN])
  .nullable();

export interface SessionRecord {
  readonly sessionId: string;
  readonly operation: string;
  readonly ceremonyId: string;
  readonly step: string;
  readonly threshold: number;
  readonly nonce: string;
  readonly openedAt: string;
  readonly expiresAt: string;
  readonly closedReason: z.output<typeof closedReason>;
  readonly usedFor: string | null;
  readonly closedSeq: number | null;
}

const sessionRow = z
  .object({
    session_id: z.string(),
    operation: z.string(),
    ceremony_id: z.string(),
    step: z.string(),
    threshold: opened.threshold,
    nonce: z.string(),
    opened_at: z.string(),
    expires_at: z.string(),
    closed_reason: closedReason,
    used_for: z.string().nullable(),
    closed_seq: seqColumn.nullable(),
  })
  .transform((r): SessionRecord => ({
    sessionId: r.session_id,
    operation: r.operation,
    ceremonyId: r.ceremony_id,
    step: r.step,
    threshold: r.threshold,
    nonce: r.nonce,
    openedAt: r.opened_at,
    expiresAt: r.expires_at,
    closedReason: r.closed_reason,
    usedFor: r.used_for,
    closedSeq: r.closed_seq,
  }));

const selectSession = statement(
  `SELECT session_id, operation, ceremony_id, step, threshold, nonce, opened_at, expires_at, closed_reason,
          used_for, closed_seq
   FROM quorum_session WHERE session_id = ?`,
);

export function quorumSession(db: Database.Database, sessionId: string): SessionRecord | null {
  const row = selectSession(db).get(sessionId);
  return row === undefined ? null : parseRow('quorum_session', sessionRow, row, 'session_id');
}

const sessionListRow = z
  .object({
    session_id: z.string(),
    operation: z.string(),
    ceremony_id: z.string(),
    step: z.string(),
    opened_at: z.string(),
    expires_at: z.string(),
    closed_reason: closedReason,
  })
  .transform((r) => ({
    sessionId: r.session_id,
    operation: r.operation,
    ceremonyId: r.ceremony_id,
    step: r.step,
    openedAt: r.opened_at,
    expiresAt: r.expires_at,
    closedReason: r.closed_reason,
  }));

const selectSessions = statement(
  `SELECT session_id, operation, ceremony_id, step, opened_at, expires_at, closed_reason
   FROM quorum_session ORDER BY opened_seq DESC`,
);

/** Every quorum session, newest first. */
export function quorumSessions(db: Database.Database): z.output<typeof sessionListRow>[] {
  return parseRows('quorum_session', sessionListRow, selectSessions(db).all(), 'session_id');
}

const checkinRow = z
  .object({ seq: seqColumn, custodian_id: z.string(), fingerprint: z.string(), at: z.string() })
  .transform((r) => ({ custodianId: r.custodian_id, fingerprint: r.fingerprint, at: r.at }));

const selectCheckins = statement(
  'SELECT seq, custodian_id, fingerprint, at FROM quorum_checkin WHERE session_id = ? ORDER BY seq',
);

/** The accepted check-ins of one session, in the order they arrived. */
export function quorumCheckins(db: Database.Database, sessionId: string): z.output<typeof checkinRow>[] {
  return parseRows('quorum_checkin', checkinRow, selectCheckins(db).all(sessionId), 'seq');
}

const refusalRow = z
  .object({
    seq: seqColumn,
    code: z.string(),
    custodian_id: z.string().nullable(),
    reason: z.string(),
    at: z.string(),
  })
  .transform((r) => ({ seq: r.seq, code: r.code, custodianId: r.custodian_id, reason: r.reason, at: r.at }));

const selectRefusals = statement(
  'SELECT seq, code, custodian_id, reason, at FROM quorum_refusal WHERE session_id = ? ORDER BY seq',
);

/** The refused check-ins of one session, with their codes. */
export function quorumRefusals(db: Database.Database, sessionId: string): z.output<typeof refusalRow>[] {
  return parseRows('quorum_refusal', refusalRow, selectRefusals(db).all(sessionId), 'seq');
}

const split = EVENT_BODIES['shares.split-created'].shape;

/** A split as stored: never the shares, only who holds which position and the commitments. */
export interface SplitRow extends SplitRecord {
  readonly moduleId: string;
  readonly tokenSerial: string;
}

const splitRow = z
  .object({
    split_id: z.string(),
    module_id: z.string(),
    token_serial: z.string(),
    threshold: split.threshold,
    total: split.total,
    holders: jsonColumn(split.holders),
    share_commitments: jsonColumn(split.shareCommitments),
    secret_commitment: z.string(),
  })
  .transform((r): SplitRow => ({
    splitId: r.split_id,
    moduleId: r.module_id,
    tokenSerial: r.token_serial,
    threshold: r.threshold,
    total: r.total,
    holders: r.holders,
    shareCommitments: r.share_commitments,
    secretCommitment: r.secret_commitment,
  }));

const selectSplits = statement(
  `SELECT split_id, module_id, token_serial, threshold, total, holders, share_commitments, secret_commitment
   FROM share_split ORDER BY created_seq`,
);

/** Every activation split, oldest first. */
export function shareSplits(db: Database.Database): SplitRow[] {
  return parseRows('share_split', splitRow, selectSplits(db).all(), 'split_id');
}
