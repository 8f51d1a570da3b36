import type Database from 'better-sqlite3';
import type { JournalRow } from '../../../core/journal/entry';

/**
 * Reads journal rows in seq order, fast: one query per chunk of rows returns each column aggregated
 * (one blob holding every prev_hash || hash || body, strings joined by NUL), instead of one JS array and
 * three Buffers per row — better-sqlite3's per-row cost dominates verifying a large journal.
 *
 * The chunk is split back into rows only when it is unambiguous: seqs ascending, every hash field 32
 * bytes, no NUL inside a text field, lengths adding up. Anything else (a tampered or damaged row) is
 * re-read row by row, exactly as stored, so the verifier sees the row as it is.
 */
const CHUNK = 4096;

type ChunkRow = [
  number,
  number | null,
  string | null,
  Buffer | null,
  string | null,
  string | null,
  string | null,
  string | null,
  number | null,
];
type PlainRow = [number, string, string, string, Buffer, Buffer, Buffer];

export class JournalReader {
  private readonly chunkStmt: Database.Statement;
  private readonly plainStmt: Database.Statement;
  private readonly rangeStmt: Database.Statement;

  constructor(db: Database.Database) {
    this.chunkStmt = db
      .prepare(
        `SELECT count(*), max(seq), group_concat(seq),
                CAST(group_concat(prev_hash || hash || body, x'') AS BLOB),
                group_concat(length(body)), group_concat(at, char(0)), group_concat(actor, char(0)),
                group_concat(kind, char(0)), min(length(prev_hash) = 32 AND length(hash) = 32)
         FROM (SELECT seq, at, actor, kind, body, prev_hash, hash FROM journal
               WHERE seq >= ? AND seq <= ? ORDER BY seq LIMIT ?)`,
      )
      .raw(true);
    this.plainStmt = db
      .prepare(
        'SELECT seq, at, actor, kind, body, prev_hash, hash FROM journal WHERE seq >= ? AND seq <= ? ORDER BY seq LIMIT ?',
      )
      .raw(true);
    this.rangeStmt = db.prepare('SELECT min(seq), max(seq) FROM journal').raw(true);
  }

  /** Lowest and highest seq stored (null, null for an empty journal). */
  range(): { min: number | null; max: number | null } {
    const [min, max] = this.rangeStmt.get() as [number | null, number | null];
    return { min, max };
  }

  /**
   * Rows with fromSeq ≤ seq ≤ toSeq in seq order; when fromSeq is 1, rows with a seq below 1 (possible
   * only by tampering) come first, so the verifier sees them.
   */
  *rows(fromSeq: number, toSeq: number): Generator<JournalRow> {
    let from = fromSeq <= 1 ? Number.MIN_SAFE_INTEGER : fromSeq;
    while (from <= toSeq) {
      const r = this.chunkStmt.get(from, toSeq, CHUNK) as ChunkRow;
      const count = r[0];
      if (count === 0) return;
      const split = splitChunk(r);
      if (split) yield* split;
      else for (const p of this.plainStmt.all(from, toSeq, CHUNK) as PlainRow[]) yield plain(p);
      from = (r[1] as number) + 1;
    }
  }
}

function plain(p: PlainRow): JournalRow {
  return { seq: p[0], at: p[1], actor: p[2], kind: p[3], body: p[4], prevHash: p[5], hash: p[6] };
}

function splitChunk(r: ChunkRow): JournalRow[] | null {
  const [count, , seqText, blob, lenText, atText, actorText, kindText, wellFormed] = r;
  if (
    wellFormed !== 1 ||
    !seqText ||
    !blob ||
    lenText === null ||
    atText === null ||
    actorText === null ||
    kindText === null
  )
    return null;
  const seqs = seqText.split(',');
  const lens = lenText.split(',');
  const ats = atText.split('\0');
  const actors = actorText.split('\0');
  const kinds = kindText.split('\0');
  if ([seqs, lens, ats, actors, kinds].some((a) => a.length !== count)) return null;
  const rows: JournalRow[] = new Array(count);
  let offset = 0;
  let previous = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < count; i++) {
    const seq = Number(seqs[i]);
    const len = Number(lens[i]);
    if (!(seq > previous) || !Number.isSafeInteger(seq) || !Number.isSafeInteger(len)) return null;
    previous = seq;
    rows[i] = {
      seq,
      at: ats[i] as string,
      actor: actors[i] as string,
      kind: kinds[i] as string,
      prevHash: blob.subarray(offset, offset + 32),
      hash: blob.subarray(offset + 32, offset + 64),
      body: blob.subarray(offset + 64, offset + 64 + len),
    };
    offset += 64 + len;
  }
  return offset === blob.length ? rows : null;
}
