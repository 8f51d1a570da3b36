import type Database from 'better-sqlite3';
import type { Sha256 } from '../../../core/bytes';
import type { Checkpoint } from '../../../core/journal/checkpoint';
import { EntryHasher, GENESIS_PREV_HASH, type JournalRow } from '../../../core/journal/entry';
import type { PreparedEntry } from '../../../core/journal/events';
import { stationError } from '../../errors';
import { JournalReader } from './journal-reader';
import { applyProjections, hasProjection } from './projections';

/** What an append wrote: seq firstSeq..lastSeq, ending at headHash. */
export interface AppendResult {
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly headHash: Uint8Array;
}

type RawRow = [number, string, string, string, Buffer, Buffer, Buffer];

function toRow(r: RawRow): JournalRow {
  return { seq: r[0], at: r[1], actor: r[2], kind: r[3], body: r[4], prevHash: r[5], hash: r[6] };
}

/**
 * The journal table and its checkpoints. Appends compute seq, prev_hash and hash inside one
 * transaction together with the projections, so a projection can never disagree with the journal it
 * was derived from. BEGIN IMMEDIATE takes the write lock before the head is read, so two writers
 * cannot both extend the same head.
 */
export class JournalStore {
  private readonly hasher: EntryHasher;
  private readonly insertStmt: Database.Statement;
  private readonly headStmt: Database.Statement;
  private readonly pageStmt: Database.Statement;
  private readonly getStmt: Database.Statement;
  readonly reader: JournalReader;
  private readonly appendTxn: Database.Transaction<(entries: readonly PreparedEntry[]) => AppendResult>;

  constructor(
    private readonly db: Database.Database,
    sha256: Sha256,
  ) {
    this.hasher = new EntryHasher(sha256);
    this.insertStmt = db.prepare(
      'INSERT INTO journal (seq, at, actor, kind, body, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.headStmt = db.prepare('SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1').raw(true);
    this.pageStmt = db
      .prepare(
        'SELECT seq, at, actor, kind, body, prev_hash, hash FROM journal WHERE seq >= ? ORDER BY seq LIMIT ?',
      )
      .raw(true);
    this.getStmt = db
      .prepare('SELECT seq, at, actor, kind, body, prev_hash, hash FROM journal WHERE seq = ?')
      .raw(true);
    this.reader = new JournalReader(db);
    this.appendTxn = db.transaction((entries: readonly PreparedEntry[]) => {
      const head = this.head();
      let hash = head.hash;
      let seq = head.seq;
      for (const e of entries) {
        const row = {
          seq: seq + 1,
          at: e.at,
          actor: e.actor,
          kind: e.kind,
          body: e.body,
          prevHash: hash,
          hash,
        };
        row.hash = this.hasher.hash(row);
        this.insertStmt.run(row.seq, row.at, row.actor, row.kind, row.body, row.prevHash, row.hash);
        if (hasProjection(row.kind)) applyProjections(this.db, row);
        seq = row.seq;
        hash = row.hash;
      }
      return { firstSeq: head.seq + 1, lastSeq: seq, headHash: hash };
    });
  }

  /** Appends entries atomically: all are written, with their projections, or none. */
  append(entries: readonly PreparedEntry[]): AppendResult {
    return this.appendTxn.immediate(entries);
  }

  head(): { seq: number; hash: Uint8Array } {
    const r = this.headStmt.get() as [number, Buffer] | undefined;
    return r ? { seq: r[0], hash: r[1] } : { seq: 0, hash: GENESIS_PREV_HASH };
  }

  page(fromSeq: number, limit: number): JournalRow[] {
    return (this.pageStmt.all(fromSeq, limit) as RawRow[]).map(toRow);
  }

  get(seq: number): JournalRow | null {
    const r = this.getStmt.get(seq) as RawRow | undefined;
    return r ? toRow(r) : null;
  }

  /** Every row in seq order, streamed (the verifier reads millions of rows without holding them). */
  rows(): Generator<JournalRow> {
    return this.reader.rows(1, Number.MAX_SAFE_INTEGER);
  }

  checkpoints(): Checkpoint[] {
    const rows = this.db
      .prepare('SELECT n, size, head_hash, at, key_id, alg, signature FROM journal_checkpoint ORDER BY n')
      .raw(true)
      .all() as [number, number, Buffer, string, string, string, Buffer][];
    return rows.map(([n, size, headHash, at, keyId, alg, signature]) => ({
      n,
      size,
      headHash,
      at,
      keyId,
      alg,
      signature,
    }));
  }

  /** Stores a signed checkpoint; refused (JOURNAL_CONFLICT) if the head moved since it was signed. */
  addCheckpoint(cp: Checkpoint): void {
    this.db
      .transaction(() => {
        const head = this.head();
        if (head.seq !== cp.size || !Buffer.from(head.hash).equals(cp.headHash)) {
          throw stationError(
            'JOURNAL_CONFLICT',
            'the journal head moved while the checkpoint was being signed',
            {
              size: cp.size,
              head: head.seq,
            },
          );
        }
        this.db
          .prepare(
            'INSERT INTO journal_checkpoint (n, size, head_hash, at, key_id, alg, signature) VALUES (?, ?, ?, ?, ?, ?, ?)',
          )
          .run(cp.n, cp.size, cp.headHash, cp.at, cp.keyId, cp.alg, cp.signature);
      })
      .immediate();
  }

  lastCheckpointNumber(): number {
    return (
      (this.db.prepare('SELECT coalesce(max(n), 0) FROM journal_checkpoint').pluck().get() as number) ?? 0
    );
  }
}
