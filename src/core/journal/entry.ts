import type { Sha256 } from '../bytes';

/**
 * Journal entry hashing, format v1 (documented in docs/journal-format.md).
 *
 *   hash = SHA-256( "CSJ1" || prev_hash[32] || u64be(seq)
 *                   || u32be(len) at || u32be(len) actor || u32be(len) kind || u32be(len) body )
 *
 * Strings are UTF-8; `body` is the stored canonical-JSON bytes exactly as they sit in SQLite. Length
 * prefixes make the encoding unambiguous (no field can bleed into the next), and the magic separates
 * journal hashes from every other SHA-256 the station computes.
 */
export const JOURNAL_MAGIC = new Uint8Array([0x43, 0x53, 0x4a, 0x31]); // "CSJ1"
export const HASH_BYTES = 32;
export const GENESIS_PREV_HASH = new Uint8Array(HASH_BYTES);

/** One journal row as stored. */
export interface JournalRow {
  readonly seq: number;
  readonly at: string;
  readonly actor: string;
  readonly kind: string;
  readonly body: Uint8Array;
  readonly prevHash: Uint8Array;
  readonly hash: Uint8Array;
}

export type UnhashedRow = Omit<JournalRow, 'hash'>;

/**
 * Reusable encoder: hashing a million rows must not allocate a million buffers (bench/journal-verify).
 */
export class EntryHasher {
  private buf = new Uint8Array(4096);
  private view = new DataView(this.buf.buffer);
  private readonly utf8 = new TextEncoder();

  constructor(private readonly sha256: Sha256) {}

  hash(row: UnhashedRow): Uint8Array {
    return this.sha256(this.encode(row));
  }

  /** The exact bytes hashed for a row. The view is valid until the next call (the buffer is reused). */
  encode(row: UnhashedRow): Uint8Array {
    if (row.prevHash.length !== HASH_BYTES)
      throw new RangeError(`prev_hash of seq ${row.seq} is not 32 bytes`);
    const maxLen =
      4 + HASH_BYTES + 8 + 16 + (row.at.length + row.actor.length + row.kind.length) * 3 + row.body.length;
    if (maxLen > this.buf.length) {
      this.buf = new Uint8Array(Math.max(maxLen, this.buf.length * 2));
      this.view = new DataView(this.buf.buffer);
    }
    const buf = this.buf;
    buf.set(JOURNAL_MAGIC, 0);
    buf.set(row.prevHash, 4);
    let o = 4 + HASH_BYTES;
    // u64be without a BigInt allocation: seq is a safe integer (< 2^53).
    this.view.setUint32(o, Math.floor(row.seq / 0x1_0000_0000));
    this.view.setUint32(o + 4, row.seq >>> 0);
    o += 8;
    o = this.putString(o, row.at);
    o = this.putString(o, row.actor);
    o = this.putString(o, row.kind);
    this.view.setUint32(o, row.body.length);
    o += 4;
    buf.set(row.body, o);
    o += row.body.length;
    return buf.subarray(0, o);
  }

  private putString(offset: number, s: string): number {
    const { written } = this.utf8.encodeInto(s, this.buf.subarray(offset + 4));
    this.view.setUint32(offset, written);
    return offset + 4 + written;
  }
}
