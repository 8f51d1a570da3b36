import type { Provenance, SourceRecord } from './model';

/**
 * Records held compactly. An evaluation keeps every record of its families in memory at once — a
 * million-entry HSM audit log among them (bench/findings) — so what the records of one export share is
 * held once per export, not once per record:
 * - the origin (family, version, system, export time, file digest, first-hand) is one object per batch;
 * - each record's digest is 32 bytes in the batch's buffer, not a 64-character string;
 * - string values that repeat within a batch (HSM serials, operators, events, references) are one string.
 * A batched record is a SourceRecord like any other: `provenance` and `digest` are built when read, and
 * `toJSON` gives the plain shape. Code that walks many records uses `originOf` / `recordIdOf`, which read
 * the shared fields without building a provenance object per record.
 */

/** What every record of one export shares. */
export interface RecordOrigin {
  readonly family: string;
  readonly familyVersion: number;
  readonly system: string;
  readonly exportedAt: string;
  readonly fileSha256: string;
  readonly firstHand: boolean;
}

/** The provenance fields a record shares with its export (a subset of Provenance; no object is built). */
export type SharedProvenance = Pick<Provenance, 'system' | 'exportedAt' | 'fileSha256' | 'firstHand'>;

const DIGEST_BYTES = 32;
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** 64 lowercase hex digits into 32 bytes at `at`; false (nothing usable written) for anything else. */
export function hexInto(hex: string, into: Uint8Array, at: number): boolean {
  if (hex.length !== DIGEST_BYTES * 2) return false;
  for (let i = 0; i < DIGEST_BYTES; i++) {
    const hi = nibble(hex.charCodeAt(2 * i));
    const lo = nibble(hex.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) return false;
    into[at + i] = (hi << 4) | lo;
  }
  return true;
}
const nibble = (c: number): number => (c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1);

/** 32 bytes at `at` as 64 lowercase hex digits. */
export function hexOf(bytes: Uint8Array, at: number): string {
  let s = '';
  for (let i = 0; i < DIGEST_BYTES; i++) s += HEX[bytes[at + i] as number] as string;
  return s;
}

/** The records of one export (or of one stored import), built record by record, then sealed. */
export class RecordBatch {
  private digests: Uint8Array;
  private count = 0;
  private interned: Map<string, string> | null = new Map();
  /** Record ids, kept only when the batch has no id field to read them from. */
  private readonly ids: string[] | null;

  constructor(
    readonly origin: RecordOrigin,
    /**
     * The content field holding the source's id of each record (the family's idField), or null to keep
     * the ids beside the records. It and `unique` are never interned: their values are one per record.
     */
    private readonly idField: string | null,
    /** Other content fields whose values are one per record (the time a fact applies). */
    private readonly unique: readonly string[] = [],
    capacity = 64,
  ) {
    this.digests = new Uint8Array(Math.max(1, capacity) * DIGEST_BYTES);
    this.ids = idField === null ? [] : null;
  }

  /**
   * Adds one record: the source's id for it, its validated content (a plain object, kept as it is, with
   * repeating string values replaced by the batch's one copy) and its digest as lowercase hex.
   */
  add<C>(recordId: string, content: C, digest: string): SourceRecord<C> {
    if (this.interned === null) throw new Error('a sealed record batch takes no more records');
    if ((this.count + 1) * DIGEST_BYTES > this.digests.length) {
      const grown = new Uint8Array(this.digests.length * 2);
      grown.set(this.digests);
      this.digests = grown;
    }
    if (!hexInto(digest, this.digests, this.count * DIGEST_BYTES))
      throw new Error(`record ${recordId}: a digest must be 64 lowercase hex digits`);
    const fields = content as Record<string, unknown>;
    if (this.ids !== null) this.ids.push(recordId);
    else if (String(fields[this.idField as string]) !== recordId)
      throw new Error(
        `record ${recordId}: its ${this.idField} says ${String(fields[this.idField as string])}`,
      );
    for (const key of Object.keys(fields)) {
      const v = fields[key];
      if (typeof v !== 'string' || key === this.idField || this.unique.includes(key)) continue;
      const held = this.interned.get(v);
      // Equal strings compare equal with ===, so the one copy is written back whenever there is one.
      if (held === undefined) this.interned.set(v, v);
      else fields[key] = held;
    }
    return new BatchRecord<C>(this, this.count++, content);
  }

  /** No more records: the buffer is cut to size and the intern table let go. */
  seal(): this {
    if (this.interned === null) return this;
    this.interned = null;
    if (this.digests.length !== this.count * DIGEST_BYTES)
      this.digests = this.digests.slice(0, this.count * DIGEST_BYTES);
    return this;
  }

  get size(): number {
    return this.count;
  }

  /** Record `index`'s source id. */
  recordId(index: number, content: unknown): string {
    return this.ids !== null
      ? (this.ids[index] as string)
      : String((content as Record<string, unknown>)[this.idField as string]);
  }

  /** Record `index`'s digest as hex. */
  digestHex(index: number): string {
    return hexOf(this.digests, index * DIGEST_BYTES);
  }

  /** Copies record `index`'s 32 digest bytes to `into` at `at`. */
  copyDigest(index: number, into: Uint8Array, at: number): void {
    into.set(this.digests.subarray(index * DIGEST_BYTES, (index + 1) * DIGEST_BYTES), at);
  }
}

class BatchRecord<C> implements SourceRecord<C> {
  constructor(
    readonly batch: RecordBatch,
    readonly index: number,
    readonly content: C,
  ) {}

  get recordId(): string {
    return this.batch.recordId(this.index, this.content);
  }

  get family(): string {
    return this.batch.origin.family;
  }

  get familyVersion(): number {
    return this.batch.origin.familyVersion;
  }

  get provenance(): Provenance {
    const o = this.batch.origin;
    return {
      system: o.system,
      recordId: this.recordId,
      exportedAt: o.exportedAt,
      fileSha256: o.fileSha256,
      firstHand: o.firstHand,
    };
  }

  get digest(): string {
    return this.batch.digestHex(this.index);
  }

  /** The plain shape (JSON, views): what a SourceRecord literal would hold. */
  toJSON(): SourceRecord<C> {
    return plainRecord(this);
  }
}

/** A record as a plain object (family, familyVersion, provenance, content, digest), e.g. to send or print. */
export function plainRecord<C>(r: SourceRecord<C>): SourceRecord<C> {
  return {
    family: r.family,
    familyVersion: r.familyVersion,
    provenance: r.provenance,
    content: r.content,
    digest: r.digest,
  };
}

/** The provenance fields a record shares with its export, without building an object per record. */
export const originOf = (r: SourceRecord): SharedProvenance =>
  r instanceof BatchRecord ? r.batch.origin : r.provenance;

/** The source's own id of a record (provenance.recordId), without building a provenance object. */
export const recordIdOf = (r: SourceRecord): string =>
  r instanceof BatchRecord ? r.recordId : r.provenance.recordId;

/**
 * Writes a record's 32 digest bytes at `at`: copied from its batch, or read from its hex. False when the
 * digest is not 64 lowercase hex digits (a record the engine did not make; the caller takes the slow path).
 */
export function digestInto(r: SourceRecord, into: Uint8Array, at: number): boolean {
  if (r instanceof BatchRecord) {
    r.batch.copyDigest(r.index, into, at);
    return true;
  }
  return hexInto(r.digest, into, at);
}
