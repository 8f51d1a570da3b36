import type Database from 'better-sqlite3';
import { z } from 'zod';
import { EVENT_BODIES } from '../../../../core/journal/events';
import { parseRow, seqColumn, statement } from './rows';

/** Operator sessions (migration 0012): the projection of sign-ins and sign-outs, and the idle clock. */

const signedIn = EVENT_BODIES['operator.signed-in'].shape;

export interface OperatorSessionRow {
  readonly sessionId: string;
  readonly custodianId: string;
  readonly fingerprint: string;
  readonly via: 'console' | 'cli';
  readonly startedAt: string;
  readonly expiresAt: string;
  readonly idleMinutes: number;
  readonly startedSeq: number;
  readonly endedAt: string | null;
  readonly endedReason: 'signed-out' | 'replaced' | null;
  /** The last act under it (the idle clock), or its start. */
  readonly lastActiveAt: string;
}

const sessionRow = z
  .object({
    session_id: signedIn.sessionId,
    custodian_id: signedIn.custodianId,
    fingerprint: signedIn.fingerprint,
    via: signedIn.via,
    started_at: z.string(),
    expires_at: z.string(),
    idle_minutes: signedIn.idleMinutes,
    started_seq: seqColumn,
    ended_at: z.string().nullable(),
    ended_reason: EVENT_BODIES['operator.signed-out'].shape.reason.nullable(),
    last_active_at: z.string().nullable(),
  })
  .transform((r): OperatorSessionRow => ({
    sessionId: r.session_id,
    custodianId: r.custodian_id,
    fingerprint: r.fingerprint,
    via: r.via,
    startedAt: r.started_at,
    expiresAt: r.expires_at,
    idleMinutes: r.idle_minutes,
    startedSeq: r.started_seq,
    endedAt: r.ended_at,
    endedReason: r.ended_reason,
    lastActiveAt:
      r.last_active_at !== null && r.last_active_at > r.started_at ? r.last_active_at : r.started_at,
  }));

const COLUMNS = `s.session_id, s.custodian_id, s.fingerprint, s.via, s.started_at, s.expires_at, s.idle_minutes,
  s.started_seq, s.ended_at, s.ended_reason, a.last_active_at`;
const FROM = 'operator_session s LEFT JOIN operator_activity a ON a.session_id = s.session_id';

const selectBySecret = statement(`SELECT ${COLUMNS} FROM ${FROM} WHERE s.secret_sha256 = ?`);
const selectById = statement(`SELECT ${COLUMNS} FROM ${FROM} WHERE s.session_id = ?`);
const selectOpen = statement(
  `SELECT ${COLUMNS} FROM ${FROM} WHERE s.ended_at IS NULL AND s.via = ? ORDER BY s.started_seq`,
);

/** The session a secret opens (by the secret's SHA-256), or null. */
export function operatorSessionBySecret(
  db: Database.Database,
  secretSha256: string,
): OperatorSessionRow | null {
  const row = selectBySecret(db).get(secretSha256);
  return row === undefined ? null : parseRow('operator_session', sessionRow, row, 'session_id');
}

export function operatorSessionById(db: Database.Database, sessionId: string): OperatorSessionRow | null {
  const row = selectById(db).get(sessionId);
  return row === undefined ? null : parseRow('operator_session', sessionRow, row, 'session_id');
}

/** Sessions not signed out, held at `via` (the console's, or the CLI's), oldest first. */
export function openOperatorSessions(db: Database.Database, via: 'console' | 'cli'): OperatorSessionRow[] {
  return selectOpen(db)
    .all(via)
    .map((row) => parseRow('operator_session', sessionRow, row, 'session_id'));
}

const upsertActivity = statement(
  `INSERT INTO operator_activity (session_id, last_active_at) VALUES (?, ?)
   ON CONFLICT (session_id) DO UPDATE SET last_active_at = excluded.last_active_at
   WHERE excluded.last_active_at > operator_activity.last_active_at`,
);

/** Moves a session's idle clock to `at` (never back). */
export function touchOperatorSession(db: Database.Database, sessionId: string, at: string): void {
  upsertActivity(db).run(sessionId, at);
}
