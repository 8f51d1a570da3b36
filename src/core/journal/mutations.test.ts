import { createHash, generateKeyPairSync, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalBytes } from '../canonical';
import {
  checkpointEventBody,
  checkpointStatement,
  type Checkpoint,
  type StoredCheckpoint,
} from './checkpoint';
import { EntryHasher, type JournalRow } from './entry';
import { buildChainedJournal, markOf, rechain } from './test-support';
import { verifyJournal, type JournalCheckId, type JournalVerdict, type MarkReading } from './verify';

/**
 * The mutation corpus (issue #10 finding 3): thousands of single faults — edits, re-hashed edits,
 * re-chained rewrites, deletions, renumberings, swaps, insertions, truncations, checkpoint-row deletions
 * and edits, event forgeries, rollbacks, forged marks — each applied to a journal as the station writes
 * it (chained checkpoints, the token's mark naming the latest), run through the pure verifier. Every
 * fault must give TAMPERED with the first bad seq it can be pinned to (or the range it lies in), or the
 * documented verdict when only the unsigned tail (after the latest checkpoint's event) was touched:
 * UNANCHORED, or VERIFIED to the latest checkpoint when that whole tail was cut (docs/journal-format.md,
 * residual risks).
 *
 * Every fault is judged again with each other state the token's mark can be in (review 2, gaps in the
 * proof): absent, stale but validly signed (an earlier checkpoint: BEHIND), and validly signed for the
 * latest checkpoint's number over another head (a forked history); the mark state is part of every
 * expectation that is not TAMPERED. The generator is seeded with a fixed default so a CI run is
 * repeatable; CORPUS_SEED=<seed> explores another, and a failure prints the seed it ran.
 */
const sha256 = (d: Uint8Array) => new Uint8Array(createHash('sha256').update(d).digest());
const STATION = '11111111-2222-4333-8444-555555555555';
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const signer = (m: Uint8Array) => new Uint8Array(sign(null, m, privateKey));
// Memoised: the corpus checks the same few signatures thousands of times; the answer is the same.
const verified = new Map<string, boolean>();
const checkSignature = (cp: Checkpoint, m: Uint8Array) => {
  const key = `${Buffer.from(cp.signature).toString('hex')}:${Buffer.from(m).toString('hex')}`;
  let ok = verified.get(key);
  if (ok === undefined) verified.set(key, (ok = verify(null, m, publicKey, cp.signature)));
  return ok;
};
const SEED = Number(process.env.CORPUS_SEED ?? 20_260_110);
const PER_KIND = 230;

/** mulberry32: small, seeded, good enough to spread faults. */
function prng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

interface ExpectedMark {
  readonly status: 'CONFIRMED' | 'BEHIND' | 'NOT CHECKED';
  readonly n: number | null;
}
type Expected =
  | {
      readonly status: 'TAMPERED';
      readonly checks: readonly JournalCheckId[];
      readonly first: number | null;
      readonly last?: number;
    }
  | { readonly status: 'UNANCHORED'; readonly from: number; readonly mark: ExpectedMark }
  /** Only when the whole unsigned tail is cut: what is left ends with its latest checkpoint's event. */
  | { readonly status: 'VERIFIED'; readonly n: number; readonly mark: ExpectedMark };

interface Fault {
  readonly label: string;
  readonly rows: JournalRow[];
  readonly table: StoredCheckpoint[];
  readonly mark: MarkReading;
  readonly expected: Expected;
  /** Rollbacks: the checkpoint the journal was rolled back to (the others keep every checkpoint). */
  readonly keptCheckpoints?: number;
  /** The fault is the mark itself: no other mark state applies. */
  readonly markFault?: boolean;
}

interface Base {
  readonly name: string;
  readonly rows: JournalRow[];
  readonly table: StoredCheckpoint[];
  /** Seqs of the checkpoint events, ascending. */
  readonly events: number[];
}

function base(name: string, notes: number, after: number[]): Base {
  const { rows, checkpoints } = buildChainedJournal(sha256, STATION, notes, after, signer);
  return { name, rows, table: checkpoints, events: checkpoints.map((c) => c.eventSeq as number) };
}

const BASES = [
  // Ends with two unsigned notes after the latest checkpoint event.
  base('tail', 30, [3, 9, 16, 24, 28]),
  // Ends with the latest checkpoint's own event: fully anchored.
  base('anchored', 25, [4, 11, 19, 25]),
];

const hasher = new EntryHasher(sha256);
const rehash = (r: JournalRow): JournalRow => ({ ...r, hash: hasher.hash(r) });
const renumber = (rows: JournalRow[]) => rows.map((r, i) => ({ ...r, seq: i + 1 }));
const flip = (b: Uint8Array, at = 0) => b.map((x, i) => (i === at ? x ^ 0x01 : x));

type Field = 'at' | 'actor' | 'kind' | 'body' | 'prevHash' | 'hash';
function changed(r: JournalRow, field: Field): JournalRow {
  switch (field) {
    case 'at':
      return { ...r, at: '2027-06-01T00:00:00.000Z' };
    case 'actor':
      return { ...r, actor: r.actor === 'operator:mallory' ? 'operator:eve' : 'operator:mallory' };
    case 'kind':
      return { ...r, kind: r.kind === 'operator.note' ? 'operator.other' : 'operator.note' };
    case 'body':
      return { ...r, body: new Uint8Array([...r.body, 0x20]) };
    case 'prevHash':
      return { ...r, prevHash: flip(r.prevHash) };
    case 'hash':
      return { ...r, hash: flip(r.hash, 31) };
    default: {
      const never: never = field;
      throw new Error(String(never));
    }
  }
}

/** The generator: one fault of `kind` on base `b`, with its expected verdict. */
function fault(b: Base, kind: string, pick: (n: number) => number): Fault {
  const n = b.rows.length;
  const lastEvent = b.events.at(-1) as number;
  const isEvent = (seq: number) => b.events.includes(seq);
  const prevAnchor = (seq: number) => b.events.filter((e) => e < seq).at(-1) ?? 0;
  const nextEvent = (seq: number) => b.events.find((e) => e >= seq);
  const latestMark: ExpectedMark = { status: 'CONFIRMED', n: b.table.length };
  const tailOnly: Expected = { status: 'UNANCHORED', from: lastEvent + 1, mark: latestMark };
  const mark = markOf(STATION, b.table);
  const i = 1 + pick(n);
  const out = (
    label: string,
    rows: JournalRow[],
    expected: Expected,
    table = b.table,
    m = mark,
    extra: Pick<Fault, 'keptCheckpoints' | 'markFault'> = {},
  ): Fault => ({
    label: `${b.name}/${label}`,
    rows,
    table,
    mark: m,
    expected,
    ...extra,
  });
  const at = (seq: number, checks: JournalCheckId[], last?: number): Expected => ({
    status: 'TAMPERED',
    checks,
    first: seq,
    ...(last === undefined ? {} : { last }),
  });
  switch (kind) {
    case 'edit': {
      const field = (['at', 'actor', 'kind', 'body', 'prevHash', 'hash'] as const)[pick(6)] as Field;
      const rows = b.rows.map((r) => (r.seq === i ? changed(r, field) : r));
      return out(`edit ${field} @${i}`, rows, at(i, field === 'prevHash' ? ['JNL-LINK'] : ['JNL-HASH']));
    }
    case 'rehash-edit': {
      const field = (['at', 'actor', 'kind', 'body', 'prevHash'] as const)[pick(5)] as Field;
      const rows = b.rows.map((r) => (r.seq === i ? rehash(changed(r, field)) : r));
      let expected: Expected;
      if (field === 'prevHash') expected = at(i, ['JNL-LINK']);
      else if (isEvent(i))
        expected =
          field === 'kind' ? at(prevAnchor(i) + 1, ['JNL-CKPT-EVENT'], i) : at(i, ['JNL-CKPT-EVENT']);
      else if (isEvent(i + 1))
        // The row right under a checkpoint: that checkpoint's head no longer matches (a range).
        expected = at(prevAnchor(i) + 1, ['JNL-CKPT-HEAD'], i);
      else expected = i < n ? at(i + 1, ['JNL-LINK']) : tailOnly;
      return out(`rehash-edit ${field} @${i}`, rows, expected);
    }
    case 'rechain-edit': {
      const field = (['at', 'actor', 'kind', 'body'] as const)[pick(4)] as Field;
      const rows = rechain(
        sha256,
        b.rows.map((r) => (r.seq === i ? changed(r, field) : r)),
        i - 1,
      );
      let expected: Expected;
      if (isEvent(i))
        expected =
          field === 'kind' ? at(prevAnchor(i) + 1, ['JNL-CKPT-EVENT'], i) : at(i, ['JNL-CKPT-EVENT']);
      else {
        const next = nextEvent(i);
        expected = next === undefined ? tailOnly : at(prevAnchor(i) + 1, ['JNL-CKPT-HEAD'], next - 1);
      }
      return out(`rechain-edit ${field} @${i}`, rows, expected);
    }
    case 'delete': {
      const rows = b.rows.filter((r) => r.seq !== i);
      const expected = i < n ? at(i, ['JNL-SEQ']) : isEvent(i) ? at(i, ['JNL-CKPT-TRUNC']) : tailOnly;
      return out(`delete @${i}`, rows, expected);
    }
    case 'delete-renumber': {
      const rows = renumber(b.rows.filter((r) => r.seq !== i));
      const expected = i < n ? at(i, ['JNL-LINK']) : isEvent(i) ? at(i, ['JNL-CKPT-TRUNC']) : tailOnly;
      return out(`delete-renumber @${i}`, rows, expected);
    }
    case 'excise': {
      // Removed, renumbered and re-chained: a clean cut only a checkpoint can reveal.
      const rows = rechain(sha256, renumber(b.rows.filter((r) => r.seq !== i)), i - 1);
      let expected: Expected;
      if (i === n) expected = isEvent(i) ? at(i, ['JNL-CKPT-TRUNC']) : tailOnly;
      else if (isEvent(i)) expected = at(prevAnchor(i) + 1, ['JNL-CKPT-EVENT'], i);
      else {
        const next = nextEvent(i);
        expected = next === undefined ? tailOnly : at(prevAnchor(i) + 1, ['JNL-CKPT-EVENT'], next - 1);
      }
      return out(`excise @${i}`, rows, expected);
    }
    case 'swap': {
      let j = 1 + pick(n);
      if (j === i) j = i === n ? 1 : i + 1;
      const [lo, hi] = i < j ? [i, j] : [j, i];
      const byseq = (s: number) => b.rows[s - 1] as JournalRow;
      const rows = b.rows.map((r) =>
        r.seq === lo ? { ...byseq(hi), seq: lo } : r.seq === hi ? { ...byseq(lo), seq: hi } : r,
      );
      return out(`swap @${lo}<->${hi}`, rows, at(lo, ['JNL-LINK']));
    }
    case 'insert-copy': {
      const pos = 1 + pick(n + 1);
      const k = 1 + pick(n);
      const copy = { ...(b.rows[k - 1] as JournalRow), seq: pos };
      const rows = [
        ...b.rows.slice(0, pos - 1),
        copy,
        ...b.rows.slice(pos - 1).map((r) => ({ ...r, seq: r.seq + 1 })),
      ];
      const first = k === pos ? pos + 1 : pos;
      return out(`insert-copy of ${k} @${pos}`, rows, at(first, ['JNL-LINK', 'JNL-HASH']));
    }
    case 'insert-linked': {
      // A new entry correctly linked and hashed at `pos`; the rows after keep their old bytes.
      const pos = 1 + pick(n + 1);
      const prev = pos === 1 ? new Uint8Array(32) : (b.rows[pos - 2] as JournalRow).hash;
      const intruder = rehash({
        seq: pos,
        at: '2026-05-05T00:00:00.000Z',
        actor: 'operator:mallory',
        kind: 'operator.note',
        body: canonicalBytes({ text: 'inserted' }),
        prevHash: prev,
        hash: new Uint8Array(32),
      });
      const rows = [
        ...b.rows.slice(0, pos - 1),
        intruder,
        ...b.rows.slice(pos - 1).map((r) => ({ ...r, seq: r.seq + 1 })),
      ];
      let expected: Expected;
      if (pos > n) expected = tailOnly;
      // In a checkpoint event's place, or right under one: that checkpoint shows it (a range).
      else if (isEvent(pos)) expected = at(prevAnchor(pos) + 1, ['JNL-CKPT-EVENT'], pos);
      else if (isEvent(pos + 1)) expected = at(prevAnchor(pos) + 1, ['JNL-CKPT-HEAD'], pos);
      else expected = at(pos + 1, ['JNL-LINK']);
      return out(`insert-linked @${pos}`, rows, expected);
    }
    case 'insert-rechain': {
      const pos = 1 + pick(n + 1);
      const intruder = {
        seq: pos,
        at: '2026-05-05T00:00:00.000Z',
        actor: 'operator:mallory',
        kind: 'operator.note',
        body: canonicalBytes({ text: 'inserted' }),
        prevHash: new Uint8Array(32),
        hash: new Uint8Array(32),
      };
      const rows = rechain(
        sha256,
        renumber([...b.rows.slice(0, pos - 1), intruder, ...b.rows.slice(pos - 1)]),
        pos - 1,
      );
      const next = nextEvent(pos);
      let expected: Expected;
      if (next === undefined) expected = tailOnly;
      // In the event's own place the event is missing there; below it, its signed head moved.
      else if (next === pos) expected = at(prevAnchor(pos) + 1, ['JNL-CKPT-EVENT'], pos);
      else expected = at(prevAnchor(pos) + 1, ['JNL-CKPT-HEAD'], next - 1);
      return out(`insert-rechain @${pos}`, rows, expected);
    }
    case 'truncate': {
      const rows = b.rows.slice(0, i - 1);
      const expected: Expected =
        i <= lastEvent
          ? at(i, ['JNL-CKPT-TRUNC'])
          : i === lastEvent + 1
            ? { status: 'VERIFIED', n: b.table.length, mark: latestMark }
            : tailOnly;
      return out(`truncate from ${i}`, rows, expected);
    }
    case 'checkpoint-row-delete': {
      const j = 1 + pick(b.table.length);
      const table = b.table.filter((c) => c.n !== j);
      return out(
        `checkpoint-row-delete ${j}`,
        b.rows,
        at(b.events[j - 1] as number, ['JNL-CKPT-EVENT']),
        table,
      );
    }
    case 'checkpoint-row-edit': {
      const j = 1 + pick(b.table.length);
      const what = pick(5);
      const table = b.table.map((c) => {
        if (c.n !== j) return c;
        if (what === 0) return { ...c, at: '2027-01-01T00:00:00.000Z' };
        if (what === 1) return { ...c, signature: flip(c.signature) };
        if (what === 2) return { ...c, eventSeq: null };
        if (what === 3) return { ...c, keyId: 'other-key' };
        return { ...c, eventSeq: (c.eventSeq as number) + 1 };
      });
      return out(
        `checkpoint-row-edit ${j}/${what}`,
        b.rows,
        at(b.events[j - 1] as number, ['JNL-CKPT-EVENT']),
        table,
      );
    }
    case 'rollback': {
      // Issue #10 finding 3: back to checkpoint j — later rows and checkpoint rows gone (consistently).
      const j = 1 + pick(b.table.length - 1);
      const keep = b.events[j - 1] as number;
      const last = b.events.at(-1) as number;
      const variant = pick(3);
      let rows = b.rows.slice(0, keep);
      let table = b.table.slice(0, j);
      let expected = at(keep + 1, ['JNL-ROLLBACK'], last);
      if (variant === 1) {
        // … and new unsigned entries appended where the old ones were.
        const extra = 1 + pick(12);
        const fresh = Array.from({ length: extra }, (_, k) => ({
          seq: keep + 1 + k,
          at: '2026-07-07T00:00:00.000Z',
          actor: 'operator:mallory',
          kind: 'operator.note',
          body: canonicalBytes({ text: `replacement ${k}` }),
          prevHash: new Uint8Array(32),
          hash: new Uint8Array(32),
        }));
        rows = rechain(sha256, [...rows, ...fresh], keep);
      } else if (variant === 2) {
        // … but the checkpoint rows left behind: the table itself shows the cut.
        table = b.table;
        expected = at(keep + 1, ['JNL-CKPT-TRUNC']);
      }
      return out(`rollback to ${j} v${variant}`, rows, expected, table, mark, {
        keptCheckpoints: variant === 2 ? b.table.length : j,
      });
    }
    case 'forge-event': {
      // A checkpoint event appended by someone without the key (with or without a table row).
      const head = b.rows.at(-1) as JournalRow;
      const fake: Checkpoint = {
        n: b.table.length + 1,
        size: n,
        headHash: head.hash,
        at: '2026-08-08T00:00:00.000Z',
        keyId: 'test-key',
        alg: 'ed25519',
        signature: new Uint8Array(64).fill(7),
      };
      const row = rehash({
        seq: n + 1,
        at: fake.at,
        actor: 'station',
        kind: 'journal.checkpoint',
        body: canonicalBytes(checkpointEventBody(fake)),
        prevHash: head.hash,
        hash: new Uint8Array(32),
      });
      const withRow = pick(2) === 0;
      const table = withRow ? [...b.table, { ...fake, eventSeq: n + 1 }] : b.table;
      return out(
        `forge-event ${withRow ? 'with' : 'without'} row`,
        [...b.rows, row],
        at(n + 1, withRow ? ['JNL-CKPT-SIG'] : ['JNL-CKPT-EVENT']),
        table,
      );
    }
    case 'forge-mark': {
      const latest = b.table.at(-1) as StoredCheckpoint;
      const variant = pick(3);
      const m: MarkReading =
        variant === 0
          ? { status: 'FOUND', marks: [{ stationId: STATION, checkpoint: { ...latest, n: latest.n + 1 } }] }
          : variant === 1
            ? {
                status: 'FOUND',
                marks: [{ stationId: STATION, checkpoint: { ...latest, signature: flip(latest.signature) } }],
              }
            : { status: 'MALFORMED', reason: 'not a mark' };
      return out(
        `forge-mark v${variant}`,
        b.rows,
        { status: 'TAMPERED', checks: ['JNL-MARK'], first: null },
        b.table,
        m,
        { markFault: true },
      );
    }
    default:
      throw new Error(`unknown fault kind ${kind}`);
  }
}

const KINDS = [
  'edit',
  'rehash-edit',
  'rechain-edit',
  'delete',
  'delete-renumber',
  'excise',
  'swap',
  'insert-copy',
  'insert-linked',
  'insert-rechain',
  'truncate',
  'checkpoint-row-delete',
  'checkpoint-row-edit',
  'rollback',
  'forge-event',
  'forge-mark',
];

/** The token's mark beside the fault: the latest (as generated), none, an earlier one, or a fork. */
type MarkVariant =
  { readonly kind: 'absent' } | { readonly kind: 'stale'; readonly n: number } | { readonly kind: 'fork' };

/** The mark reading for a variant, over the base's checkpoints (validly signed where it is a mark). */
function variantMark(b: Base, v: MarkVariant): MarkReading {
  if (v.kind === 'absent') return { status: 'ABSENT', reason: 'no mark on the token' };
  if (v.kind === 'stale') return markOf(STATION, b.table, v.n);
  const latest = b.table.at(-1) as StoredCheckpoint;
  const unsigned = {
    n: latest.n,
    size: latest.size,
    headHash: new Uint8Array(32).fill(0x5a),
    at: latest.at,
    keyId: latest.keyId,
    alg: latest.alg,
  };
  const checkpoint = { ...unsigned, signature: signer(checkpointStatement(STATION, unsigned)) };
  return { status: 'FOUND', marks: [{ stationId: STATION, checkpoint }] };
}

/**
 * What the fault gives with another mark. A fault in the chain or the checkpoints is found before the
 * mark is judged, so it stays. A journal whose chain holds, with `kept` checkpoints intact (all of them
 * unless it was rolled back), is judged by the mark:
 *   - absent: JNL-MARK — each chained checkpoint was followed by a mark;
 *   - stale j ≤ kept: not caught, the mark BEHIND (CONFIRMED when j is the last kept) — the documented
 *     window; j > kept: JNL-ROLLBACK from right after the last kept checkpoint's event to j's event;
 *   - fork (the latest n over another head): JNL-ROLLBACK from right after the previous checkpoint's
 *     event when the journal still holds checkpoint n, else right after the last kept one; to n's event.
 */
function expectedWith(b: Base, f: Fault, v: MarkVariant): Expected {
  const e = f.expected;
  const rollback = e.status === 'TAMPERED' && e.checks.includes('JNL-ROLLBACK');
  if (e.status === 'TAMPERED' && !rollback) return e;
  const kept = f.keptCheckpoints ?? b.table.length;
  const eventOf = (n: number) => (n === 0 ? 0 : (b.events[n - 1] as number));
  const at = (first: number, last: number): Expected => ({
    status: 'TAMPERED',
    checks: ['JNL-ROLLBACK'],
    first,
    last,
  });
  switch (v.kind) {
    case 'absent':
      return { status: 'TAMPERED', checks: ['JNL-MARK'], first: null };
    case 'fork': {
      const n = b.table.length;
      return at(eventOf(kept === n ? n - 1 : kept) + 1, eventOf(n));
    }
    case 'stale': {
      if (v.n > kept) return at(eventOf(kept) + 1, eventOf(v.n));
      const mark: ExpectedMark = { status: v.n === kept ? 'CONFIRMED' : 'BEHIND', n: v.n };
      if (e.status !== 'TAMPERED') return { ...e, mark };
      // A rollback the stale mark does not reach: what is left verifies on its own.
      return f.rows.length === eventOf(kept)
        ? { status: 'VERIFIED', n: kept, mark }
        : { status: 'UNANCHORED', from: eventOf(kept) + 1, mark };
    }
    default: {
      const never: never = v;
      throw new Error(String(never));
    }
  }
}

function mismatch(v: JournalVerdict, e: Expected): string | null {
  if (e.status !== 'TAMPERED') {
    if (v.status !== e.status) return `expected ${e.status}`;
    if (v.status === 'UNANCHORED' && e.status === 'UNANCHORED' && v.unanchoredFromSeq !== e.from)
      return `expected UNANCHORED from ${e.from}`;
    if (v.status === 'VERIFIED' && e.status === 'VERIFIED' && v.checkpoint.n !== e.n)
      return `expected VERIFIED to checkpoint ${e.n}`;
    if (v.mark.status !== e.mark.status || v.mark.n !== e.mark.n)
      return `expected the mark ${e.mark.status} ${e.mark.n ?? ''}`;
    return null;
  }
  if (v.status !== 'TAMPERED') return 'not TAMPERED';
  if (!e.checks.includes(v.check)) return `check ${v.check}, expected ${e.checks.join('|')}`;
  if (v.firstBadSeq !== e.first) return `first bad seq ${v.firstBadSeq}, expected ${e.first}`;
  if (e.last !== undefined && v.lastPossibleSeq !== e.last)
    return `last possible seq ${v.lastPossibleSeq}, expected ${e.last}`;
  return null;
}

describe(`journal mutation corpus (seed ${SEED})`, () => {
  it('the unmutated journals verify: VERIFIED or the unsigned tail, with the mark CONFIRMED', () => {
    for (const b of BASES) {
      const v = verifyJournal(b.rows, {
        sha256,
        stationId: STATION,
        checkpoints: b.table,
        checkSignature,
        mark: markOf(STATION, b.table),
      });
      expect(v).toMatchObject(
        b.name === 'anchored'
          ? { status: 'VERIFIED', mark: { status: 'CONFIRMED', n: b.table.length } }
          : {
              status: 'UNANCHORED',
              unanchoredFromSeq: (b.events.at(-1) as number) + 1,
              mark: { status: 'CONFIRMED', n: b.table.length },
            },
      );
    }
  });

  it('≥ 5,000 single faults, each with the latest, an absent, a stale and a forked mark: 100% TAMPERED at the first bad seq, or the documented verdict and mark state', () => {
    const pick = prng(SEED);
    const failures: string[] = [];
    const tally = { faults: 0, judged: 0, tampered: 0, tail: 0, tailCut: 0, behind: 0 };
    const judge = (b: Base, f: Fault, mark: MarkReading, expected: Expected, label: string) => {
      const v = verifyJournal(f.rows, {
        sha256,
        stationId: STATION,
        checkpoints: f.table,
        checkSignature,
        mark,
      });
      tally.judged++;
      if (v.status === 'TAMPERED') tally.tampered++;
      else {
        if (v.status === 'UNANCHORED') tally.tail++;
        else if (expected.status === 'VERIFIED') tally.tailCut++;
        if (v.mark.status === 'BEHIND') tally.behind++;
      }
      const wrong = mismatch(v, expected);
      if (wrong) failures.push(`${f.label} [mark: ${label}]: ${wrong}; got ${JSON.stringify(v)}`);
    };
    for (const b of BASES) {
      for (const kind of KINDS) {
        for (let k = 0; k < PER_KIND; k++) {
          const f = fault(b, kind, pick);
          tally.faults++;
          judge(b, f, f.mark, f.expected, 'latest');
          if (f.markFault) continue;
          const stale = 1 + pick(b.table.length - 1);
          for (const v of [{ kind: 'absent' }, { kind: 'stale', n: stale }, { kind: 'fork' }] as const)
            judge(
              b,
              f,
              variantMark(b, v),
              expectedWith(b, f, v),
              v.kind === 'stale' ? `stale ${stale}` : v.kind,
            );
        }
      }
    }
    expect(tally.faults).toBeGreaterThanOrEqual(5000);
    expect(
      failures.slice(0, 10),
      `seed ${SEED} (CORPUS_SEED=${SEED} reproduces it): ${failures.length} wrong`,
    ).toEqual([]);
    // Nothing leaves the journal VERIFIED but cutting the whole unsigned tail (documented), or a mark
    // behind a rollback it does not reach (the documented window); each is counted there.
    expect(tally.tampered + tally.tail + tally.tailCut).toBe(tally.judged);
    expect(tally.behind).toBeGreaterThan(0);
    console.info(
      `journal mutation corpus seed ${SEED}: ${tally.faults} faults judged ${tally.judged} times (4 mark states), ${tally.tampered} TAMPERED, ${tally.tail} UNANCHORED, ${tally.tailCut} VERIFIED (unsigned tail cut, or a rollback behind a stale mark), ${tally.behind} with the mark BEHIND`,
    );
  }, 60_000);
});
