import { bytesEqual, toHex, type Sha256 } from '../bytes';
import { checkpointStatement, type Checkpoint, type CheckpointSignatureCheck } from './checkpoint';
import { EntryHasher, GENESIS_PREV_HASH, HASH_BYTES, type JournalRow } from './entry';

/**
 * Check IDs of the journal verifier. Each appears in the verdict, the CLI output, the UI badge and the
 * test that proves it.
 *   JNL-SEQ        seq numbers run 1, 2, 3, … with no gap (a deleted or inserted row breaks this)
 *   JNL-ROW        a row is malformed (hash fields not 32 bytes)
 *   JNL-LINK       each row's prev_hash equals the previous row's hash (reordering breaks this)
 *   JNL-HASH       each row's hash recomputes from its stored bytes (editing breaks this)
 *   JNL-CKPT-ORDER checkpoints are numbered 1..n and never shrink
 *   JNL-CKPT-SIG   every checkpoint signature verifies with the station identity key
 *   JNL-CKPT-HEAD  the journal's hash at a checkpoint's size equals the signed head hash
 *   JNL-CKPT-TRUNC the journal is at least as long as the latest checkpoint says
 *   JNL-ANCHOR     the head of the journal is covered by a checkpoint
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

export interface VerifierOptions {
  readonly sha256: Sha256;
  readonly stationId: string;
  readonly checkpoints: readonly Checkpoint[];
  /** Null when the station has no identity key yet: checkpoints then cannot anchor anything. */
  readonly checkSignature: CheckpointSignatureCheck | null;
}

type Tampered = Extract<JournalVerdict, { status: 'TAMPERED' }>;

/**
 * Streaming journal verifier: push rows in seq order, then `finish()`. Stops at the first failure (push
 * returns false) and names the first bad seq. Pure: hashing and signature checks are injected.
 */
export class JournalVerifier {
  private readonly hasher: EntryHasher;
  private expectedSeq = 1;
  private lastHash: Uint8Array = GENESIS_PREV_HASH;
  private failure: Tampered | null = null;
  /** Verified checkpoints, ascending. */
  private readonly anchors: Checkpoint[] = [];
  private nextAnchor = 0;
  private lastMatched: Checkpoint | null = null;
  private readonly unverifiableReason: string | null = null;

  constructor(private readonly opts: VerifierOptions) {
    this.hasher = new EntryHasher(opts.sha256);
    const sorted = [...opts.checkpoints].sort((a, b) => a.n - b.n);
    if (sorted.length > 0 && opts.checkSignature === null) {
      this.unverifiableReason = `${sorted.length} checkpoint(s) present but the station has no identity key to verify them`;
      return;
    }
    let prevSize = 0;
    for (let i = 0; i < sorted.length; i++) {
      const cp = sorted[i] as Checkpoint;
      if (cp.n !== i + 1 || cp.size < prevSize || cp.headHash.length !== HASH_BYTES) {
        this.fail('JNL-CKPT-ORDER', null, null, cp.n, `checkpoint ${cp.n} is out of order or malformed`);
        return;
      }
      const check = opts.checkSignature as CheckpointSignatureCheck;
      if (!check(cp, checkpointStatement(opts.stationId, cp))) {
        this.fail('JNL-CKPT-SIG', null, null, cp.n, `checkpoint ${cp.n} signature does not verify`);
        return;
      }
      prevSize = cp.size;
      this.anchors.push(cp);
    }
    // A checkpoint of size 0 anchors the empty journal.
    this.matchAnchorsAt(0, GENESIS_PREV_HASH);
  }

  /** Feed the next row (ascending seq). Returns false once the journal is known to be tampered. */
  push(row: JournalRow): boolean {
    if (this.failure) return false;
    const seq = this.expectedSeq;
    if (row.seq !== seq) {
      return this.fail(
        'JNL-SEQ',
        seq,
        null,
        null,
        `expected seq ${seq} but found ${row.seq}: an entry is missing or was inserted`,
      );
    }
    if (row.prevHash.length !== HASH_BYTES || row.hash.length !== HASH_BYTES) {
      return this.fail('JNL-ROW', seq, null, null, `seq ${seq} has a malformed hash field`);
    }
    if (!bytesEqual(row.prevHash, this.lastHash)) {
      return this.fail('JNL-LINK', seq, null, null, `seq ${seq} does not link to the entry before it`);
    }
    const computed = this.hasher.hash(row);
    if (!bytesEqual(computed, row.hash)) {
      return this.fail('JNL-HASH', seq, null, null, `seq ${seq} was changed after it was written`);
    }
    this.lastHash = row.hash;
    this.expectedSeq = seq + 1;
    this.matchAnchorsAt(seq, row.hash);
    return this.failure === null;
  }

  /** The store could not read the next row (e.g. a corrupt database page): that seq is bad. */
  unreadable(reason: string): void {
    if (!this.failure)
      this.fail('JNL-ROW', this.expectedSeq, null, null, `seq ${this.expectedSeq} cannot be read: ${reason}`);
  }

  finish(): JournalVerdict {
    if (this.failure) return this.failure;
    const entries = this.expectedSeq - 1;
    const headHash = entries > 0 ? toHex(this.lastHash) : null;
    const pending = this.anchors[this.nextAnchor];
    if (pending) {
      return this.tampered(
        'JNL-CKPT-TRUNC',
        entries + 1,
        pending.size,
        pending.n,
        `checkpoint ${pending.n} covers ${pending.size} entries but the journal ends at seq ${entries}: entries were removed`,
      );
    }
    const anchor = this.lastMatched;
    if (anchor && anchor.size === entries) {
      return { status: 'VERIFIED', entries, headHash, checkpoint: ref(anchor) };
    }
    const reason = this.unverifiableReason
      ? this.unverifiableReason
      : anchor
        ? `${entries - anchor.size} entr${entries - anchor.size === 1 ? 'y' : 'ies'} after checkpoint ${anchor.n} (seq ${anchor.size}) are not yet anchored`
        : entries === 0
          ? 'the journal is empty and no checkpoint anchors it'
          : 'no signed checkpoint anchors this journal';
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

  private matchAnchorsAt(seq: number, hash: Uint8Array): void {
    let cp = this.anchors[this.nextAnchor];
    while (cp && cp.size === seq) {
      if (!bytesEqual(cp.headHash, hash)) {
        const from = (this.lastMatched?.size ?? 0) + 1;
        this.fail(
          'JNL-CKPT-HEAD',
          Math.min(from, seq),
          seq,
          cp.n,
          `the journal up to seq ${seq} differs from what checkpoint ${cp.n} signed: an entry in seq ${from}..${seq} was rewritten`,
        );
        return;
      }
      this.lastMatched = cp;
      cp = this.anchors[++this.nextAnchor];
    }
  }

  private fail(
    check: Tampered['check'],
    firstBadSeq: number | null,
    lastPossibleSeq: number | null,
    checkpointN: number | null,
    reason: string,
  ): false {
    this.failure = this.tampered(check, firstBadSeq, lastPossibleSeq, checkpointN, reason);
    return false;
  }

  private tampered(
    check: Tampered['check'],
    firstBadSeq: number | null,
    lastPossibleSeq: number | null,
    checkpointN: number | null,
    reason: string,
  ): Tampered {
    return {
      status: 'TAMPERED',
      check,
      entries: this.expectedSeq - 1,
      firstBadSeq,
      lastPossibleSeq,
      checkpointN,
      reason,
    };
  }
}

function ref(cp: Checkpoint): CheckpointRef {
  return { n: cp.n, size: cp.size, at: cp.at };
}

/** Convenience for small in-memory journals and tests. */
export function verifyJournal(rows: Iterable<JournalRow>, opts: VerifierOptions): JournalVerdict {
  const v = new JournalVerifier(opts);
  for (const row of rows) if (!v.push(row)) break;
  return v.finish();
}
