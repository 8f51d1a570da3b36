import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { JournalRow } from '../../../core/journal/entry';
import { parseRow } from './repos/rows';
import { journalRowSchema } from './repos/journal';

/**
 * Reads journal rows in seq order, fast: one query per chunk of rows returns each column aggregated
 * (one blob holding every prev_hash || hash || body, strings joined by NUL), instead of one JS array and
 * three Buffers per row — better-sqlite3's per-row cost dominates verifying a large journal.
 *
 * The chunk is split back into rows only when it is unambiguous: seqs ascending, every hash field 32
 * bytes, no NUL inside a text field, lengths adding up. Anything else (a tampered or damaged row) is
 * re-read row by row, exactly as stored, so the verifier sees the row as it is. Both reads are parsed by
 * zod: a row whose columns are not of the types the station wrote (a hash stored as TEXT in a table
 * rebuilt without STRICT) is STORE_ROW_INVALID naming it, which the verifier reports as JNL-ROW.
 */
const CHUNK = 4096;

const text = z.string().nullable();
const chunkSchema = z.tuple([
  z.number().int(),
  z.number().int().nullable(),
  text,
  z.instanceof(Uint8Array).nullable(),
  text,
  text,
  text,
  text,
  z.number().int().nullable(),
]);
type ChunkRow = z.output<typeof chunkSchema>;
/** min(seq), max(seq): integers, or nulls for an empty table. */
const rangeSchema = z.tuple([z.number().int().nullable(), z.number().int().nullable()]);

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
    this.plainStmt = db.prepare(
      'SELECT seq, at, actor, kind, body, prev_hash, hash FROM journal WHERE seq >= ? AND seq <= ? ORDER BY seq LIMIT ?',
    );
    this.rangeStmt = db.prepare('SELECT min(seq), max(seq) FROM journal').raw(true);
  }

  /** Lowest and highest seq stored (null, null for an empty journal). */
  range(): { min: number | null; max: number | null } {
    const [min, max] = parseRow('journal', rangeSchema, this.rangeStmt.get(), () => 'min(seq), max(seq)');
    return { min, max };
  }

  /**
   * Rows with fromSeq ≤ seq ≤ toSeq in seq order; when fromSeq is 1, rows with a seq below 1 (possible
   * only by tampering) come first, so the verifier sees them.
   */
  *rows(fromSeq: number, toSeq: number): Generator<JournalRow> {
    let from = fromSeq <= 1 ? Number.MIN_SAFE_INTEGER : fromSeq;
    while (from <= toSeq) {
      const chunk = chunkSchema.safeParse(this.chunkStmt.get(from, toSeq, CHUNK));
      if (chunk.success && chunk.data[0] === 0) return;
      const split = chunk.success ? splitChunk(chunk.data) : null;
      let last = split?.at(-1);
      if (split) yield* split;
      else
        for (const raw of this.plainStmt.all(from, toSeq, CHUNK)) {
          // Parsed one at a time: the rows before a malformed one still reach the verifier first.
          last = parseRow('journal', journalRowSchema, raw, 'seq');
          yield last;
        }
      if (!last) return;
      from = last.seq + 1;
    }
  }
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
