import { bytesEqual, toHex, type Sha256 } from '../bytes';
import { checkpointStatement, type Checkpoint, type CheckpointSignatureCheck } from './checkpoint';
import { EntryHasher, GENESIS_PREV_HASH, HASH_BYTES, type JournalRow } from './entry';

/**
 * Check IDs of the journal verifier. Each appears in the verdict, the CLI output, the UI badge and the
 * test that proves it.
 *   JNL-SEQ        seq numbers run 1, 2, 3, … with no gap (a deleted or inserted row breaks this)
 *   JNL-ROW        a row is malformed (hash fields not 32 bytes) or cannot be read
 *   JNL-LINK       each row's prev_hash equals the previous row's hash (reordering breaks this)
 *   JNL-HASH       each row's hash recomputes from its stored bytes (editing breaks this)
 *   JNL-CKPT-ORDER checkpoints are numbered 1..n and never shrink
 *   JNL-CKPT-SIG   every checkpoint signature verifies with the station identity key
 *   JNL-CKPT-HEAD  the journal's hash at a checkpoint's size equals the signed head hash
 *   JNL-CKPT-TRUNC the journal is at least as long as the latest checkpoint says
 *   JNL-ANCHOR     the head of the journal is covered by a checkpoint
 *   JNL-IDENTITY   the station identity key is recorded once, and the station token holds exactly it
 *                  (checked by the shell, which can read the token)
 *
 * Verification runs in two steps so it can be spread over threads: SegmentVerifier checks the rows of
 * one seq range (sequence, form, links inside the range, hashes) and remembers the hashes at checkpoint
 * sizes; assembleVerdict joins the segments (links across their borders) and judges the checkpoints.
 * The verdict is the same however the journal is cut into segments (a property test proves it).
 */
export type JournalCheckId =
  | 'JNL-SEQ'
  | 'JNL-ROW'
  | 'JNL-LINK'
  | 'JNL-HASH'
  | 'JNL-CKPT-ORDER'
  | 'JNL-CKPT-SIG'
  | 'JNL-CKPT-HEAD'
  | 'JNL-CKPT-TRUNC'
  | 'JNL-IDENTITY'
  | 'JNL-ANCHOR';

export interface CheckpointRef {
  readonly n: number;
  readonly size: number;
  readonly at: string;
}

export type JournalVerdict =
  | {
      readonly status: 'VERIFIED';
      readonly entries: number;
      readonly headHash: string | null;
      readonly checkpoint: CheckpointRef;
    }
  | {
      readonly status: 'UNANCHORED';
      readonly check: 'JNL-ANCHOR';
      readonly entries: number;
      readonly headHash: string | null;
      /** Latest checkpoint that verified, if any: entries up to its size are anchored. */
      readonly checkpoint: CheckpointRef | null;
      /** First seq not covered by a verified checkpoint (null when the journal is empty). */
      readonly unanchoredFromSeq: number | null;
      readonly reason: string;
    }
  | {
      readonly status: 'TAMPERED';
      readonly check: Exclude<JournalCheckId, 'JNL-ANCHOR'>;
      /** Entries that verified before the break. */
      readonly entries: number;
      /** The first seq that is wrong or missing; null when only a checkpoint record is bad. */
      readonly firstBadSeq: number | null;
      /** When a checkpoint head mismatches, the damage lies in firstBadSeq..lastPossibleSeq. */
      readonly lastPossibleSeq: number | null;
      readonly checkpointN: number | null;
      readonly reason: string;
    };

type Tampered = Extract<JournalVerdict, { status: 'TAMPERED' }>;
type RowCheck = 'JNL-SEQ' | 'JNL-ROW' | 'JNL-LINK' | 'JNL-HASH';

/** What one segment of rows showed. Plain data: it crosses thread boundaries. */
export interface SegmentResult {
  readonly fromSeq: number;
  /** Rows that verified, from fromSeq on, before any failure. */
  readonly verified: number;
  /** prev_hash of the segment's first row, to be linked to the previous segment (null: no row read). */
  readonly firstPrevHash: Uint8Array | null;
  /** Hash of the last verified row. */
  readonly lastHash: Uint8Array | null;
  /** Hashes of verified rows at the seqs the caller asked to watch (checkpoint sizes). */
  readonly watched: ReadonlyArray<readonly [number, Uint8Array]>;
  /** Verified rows of the kinds the caller asked to collect (seq, kind, body as stored). */
  readonly collected: ReadonlyArray<readonly [number, string, Uint8Array]>;
  readonly failure: { readonly seq: number; readonly check: RowCheck; readonly reason: string } | null;
}

/**
 * Verifies the rows of seq range fromSeq..toSeq (toSeq may be Infinity for "to the end"). The first row
 * of a segment that starts at 1 must link to the genesis hash; any other segment's first link is
 * checked when the segments are assembled.
 */
export class SegmentVerifier {
  private readonly hasher: EntryHasher;
  private expectedSeq: number;
  private lastHash: Uint8Array | null = null;
  private firstPrevHash: Uint8Array | null = null;
  private failure: SegmentResult['failure'] = null;
  private readonly watched: [number, Uint8Array][] = [];
  private readonly collected: [number, string, Uint8Array][] = [];

  constructor(
    sha256: Sha256,
    readonly fromSeq: number,
    readonly toSeq: number,
    private readonly watch: ReadonlySet<number> = new Set(),
    private readonly collect: ReadonlySet<string> = new Set(),
  ) {
    this.hasher = new EntryHasher(sha256);
    this.expectedSeq = fromSeq;
  }

  /** Feed the next row (ascending seq). Returns false once this segment has failed. */
  push(row: JournalRow): boolean {
    if (this.failure) return false;
    const seq = this.expectedSeq;
    if (row.seq !== seq) {
      return this.fail(seq, 'JNL-SEQ', missing(seq));
    }
    if (seq > this.toSeq) return this.fail(seq, 'JNL-SEQ', `seq ${seq} lies beyond the journal's end`);
    if (row.prevHash.length !== HASH_BYTES || row.hash.length !== HASH_BYTES) {
      return this.fail(seq, 'JNL-ROW', `seq ${seq} has a malformed hash field`);
    }
    if (this.lastHash === null) {
      this.firstPrevHash = row.prevHash;
      if (seq === 1 && !bytesEqual(row.prevHash, GENESIS_PREV_HASH)) {
        return this.fail(seq, 'JNL-LINK', 'seq 1 does not start from the genesis hash');
      }
    } else if (!bytesEqual(row.prevHash, this.lastHash)) {
      return this.fail(seq, 'JNL-LINK', `seq ${seq} does not link to the entry before it`);
    }
    if (!bytesEqual(this.hasher.hash(row), row.hash)) {
      return this.fail(seq, 'JNL-HASH', `seq ${seq} was changed after it was written`);
    }
    this.lastHash = row.hash;
    if (this.watch.has(seq)) this.watched.push([seq, row.hash]);
    // Copies: the row's bytes may be views into a buffer the reader reuses or that must cross threads.
    if (this.collect.has(row.kind)) this.collected.push([seq, row.kind, row.body.slice()]);
    this.expectedSeq = seq + 1;
    return true;
  }

  /** The store could not read the next row (e.g. a corrupt database page): that seq is bad. */
  unreadable(reason: string): void {
    if (!this.failure)
      this.fail(this.expectedSeq, 'JNL-ROW', `seq ${this.expectedSeq} cannot be read: ${reason}`);
  }

  finish(): SegmentResult {
    if (!this.failure && Number.isFinite(this.toSeq) && this.expectedSeq <= this.toSeq) {
      this.fail(this.expectedSeq, 'JNL-SEQ', missing(this.expectedSeq));
    }
    return {
      fromSeq: this.fromSeq,
      verified: this.expectedSeq - this.fromSeq,
      firstPrevHash: this.firstPrevHash,
      lastHash: this.lastHash,
      watched: this.watched,
      collected: this.collected,
      failure: this.failure,
    };
  }

  private fail(seq: number, check: RowCheck, reason: string): false {
    this.failure = { seq, check, reason };
    return false;
  }
}

const missing = (seq: number) =>
  `seq ${seq} is missing: an entry was removed, or one was inserted out of order`;

export interface VerdictOptions {
  readonly stationId: string;
  readonly checkpoints: readonly Checkpoint[];
  /** Null when the station has no identity key yet: checkpoints then cannot anchor anything. */
  readonly checkSignature: CheckpointSignatureCheck | null;
}

/** Checkpoint sizes worth watching while segments are verified. */
export function watchedSeqs(checkpoints: readonly Checkpoint[]): Set<number> {
  return new Set(checkpoints.map((c) => c.size).filter((s) => s > 0));
}

function tampered(
  check: Tampered['check'],
  entries: number,
  firstBadSeq: number | null,
  lastPossibleSeq: number | null,
  checkpointN: number | null,
  reason: string,
): Tampered {
  return { status: 'TAMPERED', check, entries, firstBadSeq, lastPossibleSeq, checkpointN, reason };
}

function ref(cp: Checkpoint): CheckpointRef {
  return { n: cp.n, size: cp.size, at: cp.at };
}

/**
 * Joins verified segments (in seq order, covering the journal from seq 1) into the verdict: links
 * across segment borders, checkpoint signatures and heads, truncation and anchoring — always naming
 * the first failure in seq order.
 */
export function assembleVerdict(segments: readonly SegmentResult[], opts: VerdictOptions): JournalVerdict {
  const sorted = [...opts.checkpoints].sort((a, b) => a.n - b.n);
  let unverifiable: string | null = null;
  const anchors: Checkpoint[] = [];
  if (sorted.length > 0 && opts.checkSignature === null) {
    unverifiable = `${sorted.length} checkpoint(s) present but the station has no identity key to verify them`;
  } else {
    let prevSize = 0;
    for (let i = 0; i < sorted.length; i++) {
      const cp = sorted[i] as Checkpoint;
      if (cp.n !== i + 1 || cp.size < prevSize || cp.headHash.length !== HASH_BYTES) {
        return tampered(
          'JNL-CKPT-ORDER',
          0,
          null,
          null,
          cp.n,
          `checkpoint ${cp.n} is out of order or malformed`,
        );
      }
      if (!(opts.checkSignature as CheckpointSignatureCheck)(cp, checkpointStatement(opts.stationId, cp))) {
        return tampered('JNL-CKPT-SIG', 0, null, null, cp.n, `checkpoint ${cp.n} signature does not verify`);
      }
      prevSize = cp.size;
      anchors.push(cp);
    }
  }

  let next = 0;
  let lastMatched: Checkpoint | null = null;
  let entries = 0;
  let lastHash: Uint8Array = GENESIS_PREV_HASH;

  /** Compares the anchors at `seq` with `hash`; returns the failure, if any. */
  const matchAt = (seq: number, hash: Uint8Array): Tampered | null => {
    let cp = anchors[next];
    while (cp && cp.size === seq) {
      if (!bytesEqual(cp.headHash, hash)) {
        const from = (lastMatched?.size ?? 0) + 1;
        return tampered(
          'JNL-CKPT-HEAD',
          seq,
          Math.min(from, seq),
          seq,
          cp.n,
          `the journal up to seq ${seq} differs from what checkpoint ${cp.n} signed: an entry in seq ${from}..${seq} was rewritten`,
        );
      }
      lastMatched = cp;
      cp = anchors[++next];
    }
    return null;
  };

  const genesis = matchAt(0, GENESIS_PREV_HASH);
  if (genesis) return genesis;

  for (const seg of segments) {
    if (seg.fromSeq !== entries + 1)
      throw new Error(`segments must be contiguous: expected ${entries + 1}, got ${seg.fromSeq}`);
    const f = seg.failure;
    const firstRowFailsItself =
      f !== null && f.seq === seg.fromSeq && (f.check === 'JNL-SEQ' || f.check === 'JNL-ROW');
    if (
      !firstRowFailsItself &&
      seg.fromSeq > 1 &&
      seg.firstPrevHash &&
      !bytesEqual(seg.firstPrevHash, lastHash)
    ) {
      return tampered(
        'JNL-LINK',
        entries,
        seg.fromSeq,
        null,
        null,
        `seq ${seg.fromSeq} does not link to the entry before it`,
      );
    }
    const failSeq = f ? f.seq : Number.POSITIVE_INFINITY;
    for (const [seq, hash] of seg.watched) {
      if (seq >= failSeq) break;
      const head = matchAt(seq, hash);
      if (head) return head;
    }
    if (f) return tampered(f.check, entries + seg.verified, f.seq, null, null, f.reason);
    entries += seg.verified;
    if (seg.lastHash) lastHash = seg.lastHash;
  }

  const headHash = entries > 0 ? toHex(lastHash) : null;
  const pending = anchors[next];
  if (pending) {
    return tampered(
      'JNL-CKPT-TRUNC',
      entries,
      entries + 1,
      pending.size,
      pending.n,
      `checkpoint ${pending.n} covers ${pending.size} entries but the journal ends at seq ${entries}: entries were removed`,
    );
  }
  const anchor = lastMatched as Checkpoint | null;
  if (anchor && anchor.size === entries) {
    return { status: 'VERIFIED', entries, headHash, checkpoint: ref(anchor) };
  }
  const reason =
    unverifiable ??
    (anchor
      ? `${entries - anchor.size} entr${entries - anchor.size === 1 ? 'y' : 'ies'} after checkpoint ${anchor.n} (seq ${anchor.size}) are not yet anchored`
      : entries === 0
        ? 'the journal is empty and no checkpoint anchors it'
        : 'no signed checkpoint anchors this journal');
  return {
    status: 'UNANCHORED',
    check: 'JNL-ANCHOR',
    entries,
    headHash,
    checkpoint: anchor ? ref(anchor) : null,
    unanchoredFromSeq: entries === 0 ? null : (anchor?.size ?? 0) + 1,
    reason,
  };
}

export interface VerifierOptions extends VerdictOptions {
  readonly sha256: Sha256;
}

/** One pass over rows in seq order (small journals, bundles, tests). */
export function verifyJournal(rows: Iterable<JournalRow>, opts: VerifierOptions): JournalVerdict {
  const seg = new SegmentVerifier(opts.sha256, 1, Number.POSITIVE_INFINITY, watchedSeqs(opts.checkpoints));
  for (const row of rows) if (!seg.push(row)) break;
  return assembleVerdict([seg.finish()], opts);
}
