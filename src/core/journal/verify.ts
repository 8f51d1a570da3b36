import { bytesEqual, toHex, type Sha256 } from '../bytes';
import { canonicalBytes } from '../canonical';
import {
  CHECKPOINT_ACTOR,
  CHECKPOINT_EVENT_KIND,
  checkpointEventBody,
  checkpointFromEventBody,
  checkpointStatement,
  sameCheckpoint,
  type Checkpoint,
  type CheckpointSignatureCheck,
  type StoredCheckpoint,
} from './checkpoint';
import { EntryHasher, GENESIS_PREV_HASH, HASH_BYTES, type JournalRow } from './entry';

/**
 * Check IDs of the journal verifier. Each appears in the verdict, the CLI output, the UI badge and the
 * test that proves it.
 *   JNL-SEQ        seq numbers run 1, 2, 3, … with no gap (a deleted or inserted row breaks this)
 *   JNL-ROW        a row is malformed (hash fields not 32 bytes) or cannot be read
 *   JNL-LINK       each row's prev_hash equals the previous row's hash (reordering breaks this)
 *   JNL-HASH       each row's hash recomputes from its stored bytes (editing breaks this)
 *   JNL-CKPT-ORDER checkpoints are numbered 1..n, each once, and never shrink
 *   JNL-CKPT-SIG   every checkpoint signature verifies with the station identity key
 *   JNL-CKPT-HEAD  the journal's hash at a checkpoint's size equals the signed head hash
 *   JNL-CKPT-TRUNC the journal is at least as long as the latest checkpoint says
 *   JNL-CKPT-EVENT a chained checkpoint event sits right after the head it signs (seq size + 1, recorded
 *                  by `station` at the signed time) and agrees with its row in the checkpoint table;
 *                  no table row lacks its event (legacy rows from before chaining excepted)
 *   JNL-ROLLBACK   the journal holds the checkpoint the station token remembers as its high-water mark
 *   JNL-MARK       the mark on the station token is readable and signed by the station identity key, and
 *                  present once the journal holds a chained checkpoint
 *   JNL-ANCHOR     the head of the journal is covered by a checkpoint
 *   JNL-IDENTITY   the station identity key is recorded once, and the station token holds exactly it
 *                  (checked by the shell, which can read the token)
 *
 * Verification runs in two steps so it can be spread over threads: SegmentVerifier checks the rows of
 * one seq range (sequence, form, links inside the range, hashes, the form of checkpoint events) and
 * remembers the hashes at checkpoint sizes; assembleVerdict joins the segments (links across their
 * borders), reconciles the checkpoint table with the chained events, judges the checkpoints and then
 * the token's mark. The verdict is the same however the journal is cut into segments (a property test
 * proves it), and it always names the first failure in seq order.
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
  | 'JNL-CKPT-EVENT'
  | 'JNL-ROLLBACK'
  | 'JNL-MARK'
  | 'JNL-IDENTITY'
  | 'JNL-ANCHOR';

export interface CheckpointRef {
  readonly n: number;
  readonly size: number;
  readonly at: string;
  /** Seq of the chained event that records it (the journal is anchored through it); null for legacy. */
  readonly eventSeq: number | null;
}

/**
 * What the station token's high-water mark said about this journal.
 *   CONFIRMED    the mark names the journal's latest checkpoint
 *   BEHIND       the mark names an earlier checkpoint of this journal (a crash between the checkpoint
 *                and the token write, or a station from before marks): later ones are not yet protected
 *                against a rollback
 *   NOT CHECKED  no mark was read (token absent or unreadable, no mark written yet, or not asked)
 */
export interface MarkState {
  readonly status: 'CONFIRMED' | 'BEHIND' | 'NOT CHECKED';
  /** The checkpoint the mark names; null when none was read. */
  readonly n: number | null;
  readonly reason: string;
}

export type JournalVerdict =
  | {
      readonly status: 'VERIFIED';
      readonly entries: number;
      readonly headHash: string | null;
      readonly checkpoint: CheckpointRef;
      readonly mark: MarkState;
    }
  | {
      readonly status: 'UNANCHORED';
      readonly check: 'JNL-ANCHOR';
      readonly entries: number;
      readonly headHash: string | null;
      /** Latest checkpoint that verified, if any: entries up to its event (or size) are anchored. */
      readonly checkpoint: CheckpointRef | null;
      /** First seq not covered by a verified checkpoint (null when the journal is empty). */
      readonly unanchoredFromSeq: number | null;
      readonly reason: string;
      readonly mark: MarkState;
    }
  | {
      readonly status: 'TAMPERED';
      readonly check: Exclude<JournalCheckId, 'JNL-ANCHOR'>;
      /** Entries that verified before the break. */
      readonly entries: number;
      /** The first seq that is wrong or missing; null when only a checkpoint record or the mark is bad. */
      readonly firstBadSeq: number | null;
      /** When a checkpoint head or the mark disagrees, the damage lies in firstBadSeq..lastPossibleSeq. */
      readonly lastPossibleSeq: number | null;
      readonly checkpointN: number | null;
      readonly reason: string;
    };

type Tampered = Extract<JournalVerdict, { status: 'TAMPERED' }>;
type RowCheck = 'JNL-SEQ' | 'JNL-ROW' | 'JNL-LINK' | 'JNL-HASH' | 'JNL-CKPT-EVENT';

/** What one segment of rows showed. Plain data: it crosses thread boundaries. */
export interface SegmentResult {
  readonly fromSeq: number;
  /** Rows that verified, from fromSeq on, before any failure. */
  readonly verified: number;
  /** prev_hash of the segment's first row, to be linked to the previous segment (null: no row read). */
  readonly firstPrevHash: Uint8Array | null;
  /** Hash of the last verified row. */
  readonly lastHash: Uint8Array | null;
  /** Hashes of verified rows at the seqs asked to watch, and at the head of every checkpoint event. */
  readonly watched: ReadonlyArray<readonly [number, Uint8Array]>;
  /** Verified `journal.checkpoint` events: their seq and the checkpoint they carry. */
  readonly events: ReadonlyArray<readonly [number, Checkpoint]>;
  /** Verified rows of the kinds the caller asked to collect (seq, kind, body as stored). */
  readonly collected: ReadonlyArray<readonly [number, string, Uint8Array]>;
  readonly failure: {
    readonly seq: number;
    readonly check: RowCheck;
    readonly reason: string;
    /**
     * A checkpoint event found away from the head it signs: rows were inserted or removed somewhere
     * after the previous anchor, so the damage is a range ending here (set by the assembly).
     */
    readonly displaced?: boolean;
  } | null;
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
  private readonly events: [number, Checkpoint][] = [];
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
    if (row.kind === CHECKPOINT_EVENT_KIND && !this.checkpointEvent(row)) return false;
    this.lastHash = row.hash;
    if (this.watch.has(seq)) this.watched.push([seq, row.hash]);
    // Copies: the row's bytes may be views into a buffer the reader reuses or that must cross threads.
    if (this.collect.has(row.kind)) this.collected.push([seq, row.kind, row.body.slice()]);
    this.expectedSeq = seq + 1;
    return true;
  }

  /**
   * JNL-CKPT-EVENT, the row's own part: a checkpoint event carries a readable checkpoint, in its
   * canonical bytes, over the entry right before it, recorded by the station at the time it signed.
   * Every field of the row then follows from the signed checkpoint, so nobody without the identity key
   * can alter the event itself.
   */
  private checkpointEvent(row: JournalRow): boolean {
    const cp = checkpointFromEventBody(row.body);
    if (!cp)
      return this.fail(row.seq, 'JNL-CKPT-EVENT', `seq ${row.seq} is a checkpoint event that cannot be read`);
    if (
      cp.at !== row.at ||
      row.actor !== CHECKPOINT_ACTOR ||
      !bytesEqual(row.body, canonicalBytes(checkpointEventBody(cp)))
    ) {
      return this.fail(
        row.seq,
        'JNL-CKPT-EVENT',
        `seq ${row.seq} records checkpoint ${cp.n} but not as the station recorded it when it signed`,
      );
    }
    if (cp.size !== row.seq - 1) {
      this.fail(
        row.seq,
        'JNL-CKPT-EVENT',
        `seq ${row.seq} records checkpoint ${cp.n} over seq ${cp.size}, not right after it: entries were inserted or removed before it`,
      );
      this.failure = { ...(this.failure as NonNullable<SegmentResult['failure']>), displaced: true };
      return false;
    }
    this.events.push([row.seq, cp]);
    // The hash at the checkpoint's size is this row's (already linked) prev_hash.
    if (!this.watch.has(cp.size)) this.watched.push([cp.size, row.prevHash.slice()]);
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
      events: this.events,
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

/**
 * What the shell read from the station token's high-water mark (src/main/services/identity.ts):
 *   FOUND        one or more mark objects for this station, parsed (a crash between writing the new mark
 *                and removing the old one leaves two); their signatures are checked here
 *   MALFORMED    a mark object for this station that is not a mark at all
 *   ABSENT       the token answers but holds no mark for this station (JNL-MARK once the journal holds
 *                a chained checkpoint: each one was followed by a mark write)
 *   UNAVAILABLE  the token could not be read
 */
export type MarkReading =
  | {
      readonly status: 'FOUND';
      readonly marks: readonly { readonly stationId: string; readonly checkpoint: Checkpoint }[];
    }
  | { readonly status: 'MALFORMED' | 'ABSENT' | 'UNAVAILABLE'; readonly reason: string };

export interface VerdictOptions {
  readonly stationId: string;
  /** The checkpoint table's rows (each naming its chained event, or legacy). */
  readonly checkpoints: readonly StoredCheckpoint[];
  /** Null when the station has no identity key yet: checkpoints then cannot anchor anything. */
  readonly checkSignature: CheckpointSignatureCheck | null;
  /** The token's high-water mark; undefined when the caller did not read it (the verdict says so). */
  readonly mark?: MarkReading;
}

/** Seqs worth watching while segments are verified: checkpoint sizes, and the sizes the mark names. */
export function watchedSeqs(checkpoints: readonly Checkpoint[], mark?: MarkReading): Set<number> {
  const sizes = checkpoints.map((c) => c.size);
  if (mark?.status === 'FOUND') sizes.push(...mark.marks.map((m) => m.checkpoint.size));
  return new Set(sizes.filter((s) => s > 0));
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

/** A checkpoint as judged: from its event when it has one, else from its (legacy) table row. */
interface Judged {
  readonly cp: Checkpoint;
  readonly eventSeq: number | null;
}

/** The last seq a checkpoint anchors: its own event when chained, else its head. */
const anchoredThrough = (c: Judged) => c.eventSeq ?? c.cp.size;

function ref(c: Judged): CheckpointRef {
  return { n: c.cp.n, size: c.cp.size, at: c.cp.at, eventSeq: c.eventSeq };
}

/**
 * Failures found so far, each at the seq where a reader walking the journal meets it; a failure of a
 * checkpoint record alone (a legacy row: no seq) comes first. The earliest is the verdict.
 */
class Failures {
  private first: { pos: number; verdict: Tampered } | null = null;

  add(pos: number | null, verdict: Tampered): void {
    const p = pos ?? Number.NEGATIVE_INFINITY;
    if (!this.first || p < this.first.pos) this.first = { pos: p, verdict };
  }

  get verdict(): Tampered | null {
    return this.first?.verdict ?? null;
  }
}

/**
 * Joins verified segments (in seq order, covering the journal from seq 1) into the verdict: links
 * across segment borders, the checkpoint table against the chained events, checkpoint order,
 * signatures and heads, truncation, then the token's mark and anchoring — naming the first failure
 * in seq order.
 */
export function assembleVerdict(segments: readonly SegmentResult[], opts: VerdictOptions): JournalVerdict {
  const failures = new Failures();

  // Rows: the intact prefix 1..intact, the hashes watched in it and the checkpoint events it holds.
  const events: (readonly [number, Checkpoint])[] = [];
  /**
   * The last seq before `seq` that a checkpoint anchors (its event, or a legacy checkpoint's head): when
   * a checkpoint event is missing from its place or found away from it, the damage lies after it.
   */
  const anchorBefore = (seq: number): number => {
    let last = 0;
    let firstChained = Number.POSITIVE_INFINITY;
    for (const [e, cp] of events) {
      if (e < seq) last = Math.max(last, e);
      firstChained = Math.min(firstChained, cp.n);
    }
    // Legacy checkpoints (table rows before the first chained one) anchor their heads.
    for (const c of opts.checkpoints)
      if ((c.eventSeq ?? null) === null && c.n < firstChained && c.size < seq) last = Math.max(last, c.size);
    return last;
  };
  let intact = 0;
  let lastHash: Uint8Array = GENESIS_PREV_HASH;
  let rowFailure: Tampered | null = null;
  const hashAt = new Map<number, Uint8Array>([[0, GENESIS_PREV_HASH]]);
  for (const seg of segments) {
    if (seg.fromSeq !== intact + 1)
      throw new Error(`segments must be contiguous: expected ${intact + 1}, got ${seg.fromSeq}`);
    const f = seg.failure;
    const firstRowFailsItself =
      f !== null && f.seq === seg.fromSeq && (f.check === 'JNL-SEQ' || f.check === 'JNL-ROW');
    if (
      !firstRowFailsItself &&
      seg.fromSeq > 1 &&
      seg.firstPrevHash &&
      !bytesEqual(seg.firstPrevHash, lastHash)
    ) {
      rowFailure = tampered(
        'JNL-LINK',
        intact,
        seg.fromSeq,
        null,
        null,
        `seq ${seg.fromSeq} does not link to the entry before it`,
      );
      break;
    }
    for (const [seq, hash] of seg.watched) hashAt.set(seq, hash);
    events.push(...seg.events);
    intact += seg.verified;
    if (seg.lastHash) lastHash = seg.lastHash;
    if (f) {
      rowFailure = f.displaced
        ? tampered(f.check, intact, anchorBefore(f.seq) + 1, f.seq, null, f.reason)
        : tampered(f.check, intact, f.seq, null, null, f.reason);
      break;
    }
  }
  if (rowFailure) failures.add(rowFailure.lastPossibleSeq ?? rowFailure.firstBadSeq, rowFailure);

  const judged = reconcile(opts.checkpoints, events, intact, rowFailure !== null, failures, anchorBefore);

  // Order and signatures; without the identity key nothing can be judged, so nothing is anchored.
  let unverifiable: string | null = null;
  let sound = judged.length;
  if (judged.length > 0 && opts.checkSignature === null) {
    unverifiable = `${judged.length} checkpoint(s) present but the station has no identity key to verify them`;
    sound = 0;
  } else {
    let prevSize = 0;
    for (let i = 0; i < judged.length; i++) {
      const { cp, eventSeq } = judged[i] as Judged;
      const entries = eventSeq === null ? 0 : eventSeq - 1;
      if (cp.n !== i + 1 || cp.size < prevSize || cp.headHash.length !== HASH_BYTES) {
        failures.add(
          eventSeq,
          tampered(
            'JNL-CKPT-ORDER',
            entries,
            eventSeq,
            null,
            cp.n,
            `checkpoint ${cp.n} is out of order or malformed`,
          ),
        );
        sound = i;
        break;
      }
      if (!(opts.checkSignature as CheckpointSignatureCheck)(cp, checkpointStatement(opts.stationId, cp))) {
        failures.add(
          eventSeq,
          tampered(
            'JNL-CKPT-SIG',
            entries,
            eventSeq,
            null,
            cp.n,
            `checkpoint ${cp.n} signature does not verify`,
          ),
        );
        sound = i;
        break;
      }
      prevSize = cp.size;
    }
  }

  // Heads: the journal at each sound checkpoint's size is what it signed.
  let lastMatched: Judged | null = null;
  for (const c of judged.slice(0, sound)) {
    const { cp } = c;
    if (cp.size > intact) {
      // A chain that broke earlier is reported there; an intact one that ends early lost its tail.
      if (!rowFailure)
        failures.add(
          intact + 1,
          tampered(
            'JNL-CKPT-TRUNC',
            intact,
            intact + 1,
            cp.size,
            cp.n,
            `checkpoint ${cp.n} covers ${cp.size} entries but the journal ends at seq ${intact}: entries were removed`,
          ),
        );
      break;
    }
    const hash = hashAt.get(cp.size);
    if (!hash) throw new Error(`the hash at checkpoint ${cp.n}'s size ${cp.size} was not watched`);
    if (!bytesEqual(cp.headHash, hash)) {
      const from = Math.min((lastMatched ? anchoredThrough(lastMatched) : 0) + 1, cp.size);
      failures.add(
        cp.size,
        tampered(
          'JNL-CKPT-HEAD',
          cp.size,
          from,
          cp.size,
          cp.n,
          `the journal up to seq ${cp.size} differs from what checkpoint ${cp.n} signed: an entry in seq ${from}..${cp.size} was rewritten`,
        ),
      );
      break;
    }
    lastMatched = c;
  }

  const failed = failures.verdict;
  if (failed) return failed;

  const markState = judgeMark(opts, judged, hashAt, intact);
  if (markState.status === 'TAMPERED') return markState;

  const entries = intact;
  const headHash = entries > 0 ? toHex(lastHash) : null;
  const anchor = lastMatched as Judged | null;
  if (anchor && anchoredThrough(anchor) === entries) {
    return { status: 'VERIFIED', entries, headHash, checkpoint: ref(anchor), mark: markState };
  }
  const through = anchor ? anchoredThrough(anchor) : 0;
  const after = entries - through;
  const reason =
    unverifiable ??
    (anchor
      ? `${after} entr${after === 1 ? 'y' : 'ies'} after checkpoint ${anchor.cp.n} (seq ${through}) ${after === 1 ? 'is' : 'are'} not yet anchored`
      : entries === 0
        ? 'the journal is empty and no checkpoint anchors it'
        : 'no signed checkpoint anchors this journal');
  return {
    status: 'UNANCHORED',
    check: 'JNL-ANCHOR',
    entries,
    headHash,
    checkpoint: anchor ? ref(anchor) : null,
    unanchoredFromSeq: entries === 0 ? null : through + 1,
    reason,
    mark: markState,
  };
}

/**
 * JNL-CKPT-EVENT, the table's part: every chained event has its row, every row (but legacy ones, which
 * all precede the first chained event) has its event, and the two agree. Returns the checkpoints to
 * judge, in number order.
 */
function reconcile(
  table: readonly StoredCheckpoint[],
  events: readonly (readonly [number, Checkpoint])[],
  intact: number,
  chainBroken: boolean,
  failures: Failures,
  anchorBefore: (seq: number) => number,
): Judged[] {
  const eventOf = new Map<number, readonly [number, Checkpoint]>();
  for (const ev of events) {
    const [seq, cp] = ev;
    if (eventOf.has(cp.n)) {
      failures.add(
        seq,
        tampered(
          'JNL-CKPT-ORDER',
          seq - 1,
          seq,
          null,
          cp.n,
          `seq ${seq} records checkpoint ${cp.n} a second time`,
        ),
      );
      continue;
    }
    eventOf.set(cp.n, ev);
  }
  const firstChained = events.reduce((m, [, cp]) => Math.min(m, cp.n), Number.POSITIVE_INFINITY);
  const judged: Judged[] = [];
  const rows = new Set<number>();
  for (const row of [...table].sort((a, b) => a.n - b.n)) {
    rows.add(row.n);
    const ev = eventOf.get(row.n);
    const eventSeq = row.eventSeq ?? null;
    if (ev) {
      const [seq, cp] = ev;
      if (eventSeq !== seq || !sameCheckpoint(row, cp)) {
        failures.add(
          seq,
          tampered(
            'JNL-CKPT-EVENT',
            seq - 1,
            seq,
            null,
            row.n,
            `checkpoint ${row.n}'s row in the checkpoint table differs from its journal event at seq ${seq}`,
          ),
        );
      }
      judged.push({ cp, eventSeq: seq });
    } else if (eventSeq !== null || row.n > firstChained) {
      const expected = eventSeq ?? row.size + 1;
      if (expected > intact) {
        if (!chainBroken)
          failures.add(
            intact + 1,
            tampered(
              'JNL-CKPT-TRUNC',
              intact,
              intact + 1,
              expected,
              row.n,
              `checkpoint ${row.n} was recorded at seq ${expected} but the journal ends at seq ${intact}: entries were removed`,
            ),
          );
      } else {
        // The event was removed or replaced, or entries were inserted before it: a range.
        failures.add(
          expected,
          tampered(
            'JNL-CKPT-EVENT',
            expected - 1,
            anchorBefore(expected) + 1,
            expected,
            row.n,
            `checkpoint ${row.n} is in the checkpoint table but seq ${expected} is not its journal event: the event was removed or replaced, or entries were inserted before it`,
          ),
        );
      }
      judged.push({ cp: row, eventSeq: null });
    } else {
      judged.push({ cp: row, eventSeq: null });
    }
  }
  for (const [n, [seq, cp]] of eventOf) {
    if (rows.has(n)) continue;
    failures.add(
      seq,
      tampered(
        'JNL-CKPT-EVENT',
        seq - 1,
        seq,
        null,
        n,
        `checkpoint ${n} is recorded at seq ${seq} but its row in the checkpoint table is missing`,
      ),
    );
    judged.push({ cp, eventSeq: seq });
  }
  return judged.sort((a, b) => a.cp.n - b.cp.n);
}

/** Same statement: every signed field (two valid signatures over it may differ in their bytes). */
function sameStatement(a: Checkpoint, b: Checkpoint): boolean {
  return sameCheckpoint(a, { ...b, signature: a.signature });
}

/**
 * JNL-MARK and JNL-ROLLBACK: the token's high-water mark must be signed by the identity key, and the
 * journal must hold the checkpoint it names — as a chained event at seq size + 1. A journal behind the
 * mark was rolled back (or replaced by another history); the first bad seq is the first one the mark
 * proves lost: right after the mark's head when the journal still reaches that head intact, else right
 * after the last checkpoint the journal and the mark share.
 */
function judgeMark(
  opts: VerdictOptions,
  judged: readonly Judged[],
  hashAt: ReadonlyMap<number, Uint8Array>,
  entries: number,
): MarkState | Tampered {
  const reading = opts.mark;
  if (!reading)
    return { status: 'NOT CHECKED', n: null, reason: 'the journal mark on the station token was not read' };
  switch (reading.status) {
    case 'ABSENT': {
      // Every chained checkpoint was followed by a mark write, and a mark is never removed without a
      // newer one in its place: a journal holding chained checkpoints over a token without a mark lost
      // its mark (removed, or a crash in the first anchoring's few milliseconds). Said as NOT CHECKED,
      // removing the mark would hide a rollback (review 2, item 1).
      const chained = judged.filter((c) => c.eventSeq !== null).length;
      if (chained === 0) return { status: 'NOT CHECKED', n: null, reason: reading.reason };
      return tampered(
        'JNL-MARK',
        entries,
        null,
        null,
        null,
        `${reading.reason}, but the journal holds ${chained} chained checkpoint(s), each followed by a mark: the mark was removed`,
      );
    }
    case 'UNAVAILABLE':
      return { status: 'NOT CHECKED', n: null, reason: reading.reason };
    case 'MALFORMED':
      return tampered('JNL-MARK', entries, null, null, null, reading.reason);
    case 'FOUND':
      break;
    default: {
      const never: never = reading;
      throw new Error(`unknown mark reading ${JSON.stringify(never)}`);
    }
  }
  const check = opts.checkSignature;
  let mark: Checkpoint | null = null;
  for (const m of reading.marks) {
    const n = m.checkpoint.n;
    if (m.stationId !== opts.stationId) {
      return tampered(
        'JNL-MARK',
        entries,
        null,
        null,
        n,
        `the journal mark on the station token names another station (${m.stationId})`,
      );
    }
    if (!check) {
      return tampered(
        'JNL-MARK',
        entries,
        null,
        null,
        n,
        'the station token carries a journal mark but the journal records no identity key to check it',
      );
    }
    if (!check(m.checkpoint, checkpointStatement(opts.stationId, m.checkpoint))) {
      return tampered(
        'JNL-MARK',
        entries,
        null,
        null,
        n,
        `the journal mark on the station token (checkpoint ${n}) is not signed by the station identity key`,
      );
    }
    if (!mark || n > mark.n) mark = m.checkpoint;
  }
  if (!mark) return { status: 'NOT CHECKED', n: null, reason: 'the station token holds no journal mark' };
  const eventSeq = mark.size + 1;
  const mine = judged[mark.n - 1];
  if (mine && mine.eventSeq === eventSeq && sameStatement(mine.cp, mark)) {
    const latest = judged.length;
    return mark.n === latest
      ? {
          status: 'CONFIRMED',
          n: mark.n,
          reason: `the station token remembers checkpoint ${mark.n}, the journal's latest`,
        }
      : {
          status: 'BEHIND',
          n: mark.n,
          reason: `the station token remembers checkpoint ${mark.n}; checkpoints ${mark.n + 1}..${latest} are not on it yet (sign a checkpoint to bring it up to date)`,
        };
  }
  const head = hashAt.get(mark.size);
  const reachesHead = mark.size <= entries && head !== undefined && bytesEqual(head, mark.headHash);
  const shared = judged[Math.min(mark.n - 1, judged.length) - 1];
  const firstBad = reachesHead ? eventSeq : Math.min((shared ? anchoredThrough(shared) : 0) + 1, entries + 1);
  const reason = mine
    ? `the journal's checkpoint ${mark.n} is not the one the station token remembers: the journal was rolled back from checkpoint ${mark.n} and replaced`
    : `the station token remembers checkpoint ${mark.n} (event at seq ${eventSeq}) but the journal holds ${judged.length} checkpoint(s) and ends at seq ${entries}: it was rolled back from checkpoint ${mark.n}`;
  return tampered('JNL-ROLLBACK', firstBad - 1, firstBad, eventSeq, mark.n, reason);
}

export interface VerifierOptions extends VerdictOptions {
  readonly sha256: Sha256;
}

/** One pass over rows in seq order (small journals, bundles, tests). */
export function verifyJournal(rows: Iterable<JournalRow>, opts: VerifierOptions): JournalVerdict {
  const seg = new SegmentVerifier(
    opts.sha256,
    1,
    Number.POSITIVE_INFINITY,
    watchedSeqs(opts.checkpoints, opts.mark),
  );
  for (const row of rows) if (!seg.push(row)) break;
  return assembleVerdict([seg.finish()], opts);
}
