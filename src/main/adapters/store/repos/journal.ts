import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { Checkpoint, StoredCheckpoint } from '../../../../core/journal/checkpoint';
import type { JournalRow } from '../../../../core/journal/entry';
import type { CheckedFilter } from '../../../../core/journal/filter';
import { countColumn, parseRow, parseRows, seqColumn, statement } from './rows';

/**
 * The journal table and its checkpoint table: every statement the journal store runs, and every row it
 * reads parsed by zod. A row that is not what the station wrote (a blob column holding TEXT, a missing
 * value) is STORE_ROW_INVALID naming the table, the row and the column — never a TypeError further on.
 * The verifier's fast reader (journal-reader.ts) reads the same rows in chunks and parses them with
 * these schemas too.
 */

const blob = z.instanceof(Uint8Array);

/** A journal row as stored: seq, time, actor, kind, canonical body, and the two chain hashes. */
export const journalRowSchema = z
  .object({
    seq: z.number().int(),
    at: z.string(),
    actor: z.string(),
    kind: z.string(),
    body: blob,
    prev_hash: blob,
    hash: blob,
  })
  .transform((r): JournalRow => ({
    seq: r.seq,
    at: r.at,
    actor: r.actor,
    kind: r.kind,
    body: r.body,
    prevHash: r.prev_hash,
    hash: r.hash,
  }));

const checkpointRowSchema = z
  .object({
    n: z.number().int().min(1),
    size: countColumn,
    head_hash: blob,
    at: z.string(),
    key_id: z.string(),
    alg: z.string(),
    signature: blob,
    event_seq: seqColumn.nullable(),
  })
  .transform((r): StoredCheckpoint => ({
    n: r.n,
    size: r.size,
    headHash: r.head_hash,
    at: r.at,
    keyId: r.key_id,
    alg: r.alg,
    signature: r.signature,
    eventSeq: r.event_seq,
  }));

const headSchema = z.object({ seq: z.number().int(), hash: blob });
const ROWS = 'SELECT seq, at, actor, kind, body, prev_hash, hash FROM journal';

const insertRow = statement(
  'INSERT INTO journal (seq, at, actor, kind, body, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)',
);
const headRow = statement('SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1');
const pageRows = statement(`${ROWS} WHERE seq >= ? ORDER BY seq LIMIT ?`);
const oneRow = statement(`${ROWS} WHERE seq = ?`);
const latestOfKind = statement('SELECT seq FROM journal WHERE kind = ? ORDER BY seq DESC LIMIT 1');
const insertCheckpoint = statement(
  'INSERT INTO journal_checkpoint (n, size, head_hash, at, key_id, alg, signature, event_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
);
const lastCheckpoint = statement('SELECT coalesce(max(n), 0) AS n FROM journal_checkpoint');

export function insertJournalRow(db: Database.Database, row: JournalRow): void {
  insertRow(db).run(row.seq, row.at, row.actor, row.kind, row.body, row.prevHash, row.hash);
}

/** The newest row's seq and hash, or null for an empty journal. */
export function journalHead(db: Database.Database): { seq: number; hash: Uint8Array } | null {
  const r = headRow(db).get();
  return r === undefined ? null : parseRow('journal', headSchema, r, 'seq');
}

export function journalRows(db: Database.Database, fromSeq: number, limit: number): JournalRow[] {
  return parseRows('journal', journalRowSchema, pageRows(db).all(fromSeq, limit), 'seq');
}

export function journalRowAt(db: Database.Database, seq: number): JournalRow | null {
  const r = oneRow(db).get(seq);
  return r === undefined ? null : parseRow('journal', journalRowSchema, r, 'seq');
}

export function latestSeqOfKind(db: Database.Database, kind: string): number | null {
  const r = latestOfKind(db).get(kind);
  return r === undefined ? null : parseRow('journal', z.object({ seq: seqColumn }), r, 'seq').seq;
}

/**
 * The WHERE clause of a checked filter: fixed SQL text, one `?` per kind, values bound as parameters.
 * The kind and actor indexes (migration 0013) serve it; the seq range is the rowid's own.
 */
function filterClause(f: CheckedFilter): { where: string; params: (string | number)[] } {
  const parts = ['seq >= ?', 'seq <= ?'];
  const params: (string | number)[] = [f.fromSeq, f.toSeq];
  if (f.kinds.length > 0) {
    parts.push(`kind IN (${f.kinds.map(() => '?').join(', ')})`);
    params.push(...f.kinds);
  }
  if (f.actor !== null) {
    parts.push('actor = ?');
    params.push(f.actor);
  }
  return { where: parts.join(' AND '), params };
}

/** Rows matching the filter with seq ≥ fromSeq, in seq order, after skipping `offset` of them. */
export function filteredJournalRows(
  db: Database.Database,
  f: CheckedFilter,
  page: { fromSeq: number; offset: number; limit: number },
): JournalRow[] {
  const { where, params } = filterClause({ ...f, fromSeq: Math.max(f.fromSeq, page.fromSeq) });
  const rows = db
    .prepare(`${ROWS} WHERE ${where} ORDER BY seq LIMIT ? OFFSET ?`)
    .all(...params, page.limit, page.offset);
  return parseRows('journal', journalRowSchema, rows, 'seq');
}

/** How many rows match the filter. */
export function countJournalRows(db: Database.Database, f: CheckedFilter): number {
  const { where, params } = filterClause(f);
  return parseRow(
    'journal',
    z.object({ n: countColumn }),
    db.prepare(`SELECT count(*) AS n FROM journal WHERE ${where}`).get(...params),
    () => 'count(*)',
  ).n;
}

const kindCounts = statement('SELECT kind AS value, count(*) AS n FROM journal GROUP BY kind ORDER BY kind');
const actorCounts = statement(
  'SELECT actor AS value, count(*) AS n FROM journal GROUP BY actor ORDER BY actor',
);
const valueCount = z.object({ value: z.string(), n: countColumn });

/** The kinds and the actors the journal holds, each with how many entries carry it. */
export function journalValues(db: Database.Database): {
  kinds: { value: string; n: number }[];
  actors: { value: string; n: number }[];
} {
  return {
    kinds: parseRows('journal', valueCount, kindCounts(db).all(), 'value'),
    actors: parseRows('journal', valueCount, actorCounts(db).all(), 'value'),
  };
}

export function insertCheckpointRow(db: Database.Database, cp: Checkpoint, eventSeq: number): void {
  insertCheckpoint(db).run(cp.n, cp.size, cp.headHash, cp.at, cp.keyId, cp.alg, cp.signature, eventSeq);
}

/**
 * The checkpoint table in n order (or only the latest). Prepared per call: a damaged database kept
 * read-only at an older schema (before 0009) has no event_seq column, and its checkpoints must still be
 * readable (all legacy then).
 */
export function checkpointRows(db: Database.Database, latestOnly: boolean): StoredCheckpoint[] {
  const chained = parseRows(
    'journal_checkpoint',
    z.object({ name: z.string() }),
    db.pragma('table_info(journal_checkpoint)') as unknown[],
    'name',
  ).some((c) => c.name === 'event_seq');
  const rows = db
    .prepare(
      `SELECT n, size, head_hash, at, key_id, alg, signature, ${chained ? 'event_seq' : 'NULL AS event_seq'} FROM journal_checkpoint ${latestOnly ? 'ORDER BY n DESC LIMIT 1' : 'ORDER BY n'}`,
    )
    .all();
  return parseRows('journal_checkpoint', checkpointRowSchema, rows, 'n');
}

export function lastCheckpointNumber(db: Database.Database): number {
  return parseRow(
    'journal_checkpoint',
    z.object({ n: countColumn }),
    lastCheckpoint(db).get(),
    () => 'max(n)',
  ).n;
}
