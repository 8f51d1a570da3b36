import { createHash, generateKeyPairSync, sign, verify } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalBytes } from '../canonical';
import { checkpointEventBody, type Checkpoint, type StoredCheckpoint } from './checkpoint';
import { EntryHasher, type JournalRow } from './entry';
import { buildChainedJournal, buildJournal, makeCheckpoint, markOf, rechain } from './test-support';
import {
  assembleVerdict,
  SegmentVerifier,
  verifyJournal,
  watchedSeqs,
  type JournalVerdict,
  type MarkReading,
  type VerifierOptions,
} from './verify';

const sha256 = (d: Uint8Array) => new Uint8Array(createHash('sha256').update(d).digest());
const STATION = '11111111-2222-4333-8444-555555555555';
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const signer = (m: Uint8Array) => new Uint8Array(sign(null, m, privateKey));
const checkSignature = (cp: Checkpoint, m: Uint8Array) => verify(null, m, publicKey, cp.signature);

function run(rows: readonly JournalRow[], checkpoints: Checkpoint[] = [], station = STATION): JournalVerdict {
  return verifyJournal(rows, { sha256, stationId: station, checkpoints, checkSignature });
}

const edit = (rows: JournalRow[], i: number, change: Partial<JournalRow>) =>
  rows.map((r, j) => (j === i ? { ...r, ...change } : r));

describe('journal verifier', () => {
  const rows = buildJournal(sha256, 10);
  const cp10 = makeCheckpoint(STATION, rows, 1, 10, signer);

  it('VERIFIED when the chain is intact and a checkpoint covers the head', () => {
    expect(run(rows, [cp10])).toMatchObject({
      status: 'VERIFIED',
      entries: 10,
      checkpoint: { n: 1, size: 10 },
    });
  });

  it('JNL-ANCHOR: an intact chain without any checkpoint is UNANCHORED, not OK', () => {
    expect(run(rows)).toMatchObject({
      status: 'UNANCHORED',
      check: 'JNL-ANCHOR',
      unanchoredFromSeq: 1,
      checkpoint: null,
    });
  });

  it('JNL-ANCHOR: entries after the latest checkpoint are UNANCHORED from the first uncovered seq', () => {
    const cp7 = makeCheckpoint(STATION, rows, 1, 7, signer);
    expect(run(rows, [cp7])).toMatchObject({
      status: 'UNANCHORED',
      unanchoredFromSeq: 8,
      checkpoint: { n: 1, size: 7 },
    });
  });

  it('JNL-ANCHOR: an empty journal is UNANCHORED; a size-0 checkpoint anchors it', () => {
    expect(run([])).toMatchObject({ status: 'UNANCHORED', entries: 0, unanchoredFromSeq: null });
    expect(run([], [makeCheckpoint(STATION, [], 1, 0, signer)])).toMatchObject({
      status: 'VERIFIED',
      entries: 0,
    });
  });

  it('JNL-ANCHOR: checkpoints cannot anchor anything without the identity key to check them', () => {
    const v = verifyJournal(rows, { sha256, stationId: STATION, checkpoints: [cp10], checkSignature: null });
    expect(v).toMatchObject({ status: 'UNANCHORED', checkpoint: null });
  });

  it('JNL-HASH: an edited body, time, actor or kind is caught at its own seq', () => {
    const changes: Partial<JournalRow>[] = [
      { body: new TextEncoder().encode('{"text":"entry 4!"}') },
      { at: '2027-01-01T00:00:00.000Z' },
      { actor: 'operator:mallory' },
      { kind: 'operator.other' },
    ];
    for (const change of changes) {
      expect(run(edit(rows, 3, change), [cp10])).toMatchObject({
        status: 'TAMPERED',
        check: 'JNL-HASH',
        firstBadSeq: 4,
        entries: 3,
      });
    }
  });

  it('JNL-LINK: an edited row whose hash was recomputed breaks the link of the next row', () => {
    const tampered = rechain(sha256, edit(rows, 3, { actor: 'operator:mallory' }), 3).map((r, i) =>
      i > 3 ? (rows[i] as JournalRow) : r,
    );
    expect(run(tampered)).toMatchObject({ status: 'TAMPERED', check: 'JNL-LINK', firstBadSeq: 5 });
  });

  it('JNL-SEQ: a deleted row is named by its missing seq', () => {
    const deleted = rows.filter((r) => r.seq !== 6);
    expect(run(deleted, [cp10])).toMatchObject({ status: 'TAMPERED', check: 'JNL-SEQ', firstBadSeq: 6 });
  });

  it('JNL-LINK: a deleted row with the rest renumbered fails at the renumbered seq', () => {
    const renumbered = rows.filter((r) => r.seq !== 6).map((r, i) => ({ ...r, seq: i + 1 }));
    expect(run(renumbered)).toMatchObject({ status: 'TAMPERED', check: 'JNL-LINK', firstBadSeq: 6 });
  });

  it('JNL-LINK: two reordered rows fail at the earlier position', () => {
    const swapped = [...rows];
    [swapped[2], swapped[7]] = [
      { ...(rows[7] as JournalRow), seq: 3 },
      { ...(rows[2] as JournalRow), seq: 8 },
    ];
    expect(run(swapped)).toMatchObject({ status: 'TAMPERED', check: 'JNL-LINK', firstBadSeq: 3 });
  });

  it('an inserted row is caught: JNL-HASH if forged naively, JNL-LINK at the next seq if hashed correctly', () => {
    const intruder = { ...(rows[4] as JournalRow), actor: 'operator:mallory' };
    const naive = [
      ...rows.slice(0, 5),
      { ...intruder, seq: 6 },
      ...rows.slice(5).map((r) => ({ ...r, seq: r.seq + 1 })),
    ];
    expect(run(naive)).toMatchObject({ status: 'TAMPERED', firstBadSeq: 6 });
    const careful = rechain(sha256, naive, 5).map((r, i) =>
      i > 5 ? { ...(rows[i - 1] as JournalRow), seq: r.seq } : r,
    );
    expect(run(careful)).toMatchObject({ status: 'TAMPERED', check: 'JNL-LINK', firstBadSeq: 7 });
  });

  it('JNL-CKPT-HEAD: a fully rechained rewrite is caught by the checkpoint, with the range it lies in', () => {
    const cp4 = makeCheckpoint(STATION, rows, 1, 4, signer);
    const cp9 = makeCheckpoint(STATION, rows, 2, 9, signer);
    const rewritten = rechain(sha256, edit(rows, 6, { actor: 'operator:mallory' }), 6);
    expect(run(rewritten, [cp4, cp9])).toMatchObject({
      status: 'TAMPERED',
      check: 'JNL-CKPT-HEAD',
      firstBadSeq: 5,
      lastPossibleSeq: 9,
      checkpointN: 2,
    });
  });

  it('JNL-CKPT-TRUNC: entries removed from the tail are caught when a checkpoint covered them', () => {
    expect(run(rows.slice(0, 8), [cp10])).toMatchObject({
      status: 'TAMPERED',
      check: 'JNL-CKPT-TRUNC',
      firstBadSeq: 9,
    });
    // Without a checkpoint the same truncation is undetectable: the verifier says UNANCHORED, never VERIFIED.
    expect(run(rows.slice(0, 8))).toMatchObject({ status: 'UNANCHORED' });
  });

  it('JNL-CKPT-SIG: a forged, altered or foreign-station checkpoint is refused', () => {
    const forged = { ...cp10, signature: new Uint8Array(64) };
    expect(run(rows, [forged])).toMatchObject({
      status: 'TAMPERED',
      check: 'JNL-CKPT-SIG',
      checkpointN: 1,
      firstBadSeq: null,
    });
    const moved = { ...cp10, size: 9, headHash: (rows[8] as JournalRow).hash };
    expect(run(rows, [moved])).toMatchObject({ status: 'TAMPERED', check: 'JNL-CKPT-SIG' });
    expect(run(rows, [cp10], '99999999-2222-4333-8444-555555555555')).toMatchObject({
      check: 'JNL-CKPT-SIG',
    });
  });

  it('JNL-CKPT-ORDER: checkpoints must be numbered 1..n and never shrink', () => {
    const a = makeCheckpoint(STATION, rows, 1, 8, signer);
    const b = makeCheckpoint(STATION, rows, 2, 5, signer);
    expect(run(rows, [a, b])).toMatchObject({ status: 'TAMPERED', check: 'JNL-CKPT-ORDER', checkpointN: 2 });
    const gap = makeCheckpoint(STATION, rows, 3, 9, signer);
    expect(run(rows, [a, gap])).toMatchObject({
      status: 'TAMPERED',
      check: 'JNL-CKPT-ORDER',
      checkpointN: 3,
    });
  });

  it('JNL-ROW: a malformed hash field is named', () => {
    expect(run(edit(rows, 1, { hash: new Uint8Array(5) }))).toMatchObject({
      check: 'JNL-ROW',
      firstBadSeq: 2,
    });
  });

  it('property: any single-field edit of any row is reported at exactly that seq', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.nat(),
        fc.constantFrom('body', 'at', 'actor', 'kind', 'prevHash'),
        fc.uint8Array({ minLength: 1, maxLength: 8 }),
        (n, pick, field, noise) => {
          const journal = buildJournal(sha256, n);
          const i = pick % n;
          const row = journal[i] as JournalRow;
          let change: Partial<JournalRow>;
          if (field === 'body') change = { body: new Uint8Array([...row.body, ...noise]) };
          else if (field === 'prevHash')
            change = { prevHash: row.prevHash.map((b, k) => (k === 0 ? b ^ (noise[0] || 1) : b)) };
          else change = { [field]: `${row[field]}${Buffer.from(noise).toString('hex')}` };
          const v = run(edit(journal, i, change), [makeCheckpoint(STATION, journal, 1, n, signer)]);
          expect(v.status).toBe('TAMPERED');
          expect(v.status === 'TAMPERED' && v.firstBadSeq).toBe(i + 1);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property: cutting the journal into any segments gives the same verdict as one pass', () => {
    const mutations = [
      'none',
      'edit',
      'rehash-edit',
      'delete',
      'renumber-delete',
      'swap',
      'truncate',
      'append',
    ] as const;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.constantFrom(...mutations),
        fc.nat(),
        fc.nat(),
        fc.array(fc.nat(), { maxLength: 5 }),
        fc.integer({ min: 0, max: 3 }),
        (n, mutation, a, b, cuts, checkpointCount) => {
          const journal = buildJournal(sha256, n);
          const checkpoints = Array.from({ length: checkpointCount }, (_, i) =>
            makeCheckpoint(STATION, journal, i + 1, Math.round(((i + 1) * n) / checkpointCount), signer),
          );
          const i = a % n;
          const j = b % n;
          let rows: JournalRow[] = journal;
          if (mutation === 'edit') rows = edit(journal, i, { actor: 'operator:mallory' });
          if (mutation === 'rehash-edit')
            rows = rechain(sha256, edit(journal, i, { actor: 'operator:mallory' }), i);
          if (mutation === 'delete') rows = journal.filter((_, k) => k !== i);
          if (mutation === 'renumber-delete')
            rows = journal.filter((_, k) => k !== i).map((r, k) => ({ ...r, seq: k + 1 }));
          if (mutation === 'swap' && i !== j) {
            rows = journal.map((r, k) =>
              k === i
                ? { ...(journal[j] as JournalRow), seq: r.seq }
                : k === j
                  ? { ...(journal[i] as JournalRow), seq: r.seq }
                  : r,
            );
          }
          if (mutation === 'truncate') rows = journal.slice(0, i);
          if (mutation === 'append') rows = [...journal, ...buildJournal(sha256, n + 3).slice(n)];

          const opts = { sha256, stationId: STATION, checkpoints, checkSignature };
          const onePass = verifyJournal(rows, opts);
          // Segments as the store reads them: seq ranges up to the highest seq present.
          const maxSeq = rows.reduce((m, r) => Math.max(m, r.seq), 0);
          const bounds = [...new Set(cuts.map((c) => (maxSeq > 1 ? 1 + (c % (maxSeq - 1)) : 1)))].sort(
            (x, y) => x - y,
          );
          const ranges: [number, number][] = [];
          let from = 1;
          for (const cut of bounds) {
            if (cut >= from && cut < maxSeq) {
              ranges.push([from, cut]);
              from = cut + 1;
            }
          }
          ranges.push([from, Math.max(maxSeq, from - 1)]);
          const segments = [];
          for (const [lo, hi] of ranges) {
            const seg = new SegmentVerifier(sha256, lo, hi, watchedSeqs(checkpoints));
            for (const r of rows
              .filter((x) => (lo === 1 ? x.seq <= hi : x.seq >= lo && x.seq <= hi))
              .sort((x, y) => x.seq - y.seq)) {
              if (!seg.push(r)) break;
            }
            const result = seg.finish();
            segments.push(result);
            // assembleVerdict reports the first failure in seq order; later segments cannot change it.
            if (result.failure) break;
          }
          expect(assembleVerdict(segments, opts)).toEqual(onePass);
        },
      ),
      { numRuns: 500 },
    );
  });
});

/** The journal cut at `cuts` into seq ranges, each verified on its own, up to the first failing one. */
function segmentsOf(journal: readonly JournalRow[], cuts: readonly number[], watch: ReadonlySet<number>) {
  const maxSeq = journal.reduce((m, r) => Math.max(m, r.seq), 0);
  const bounds = [...new Set(cuts.map((c) => (maxSeq > 1 ? 1 + (c % (maxSeq - 1)) : 1)))].sort(
    (x, y) => x - y,
  );
  const ranges: [number, number][] = [];
  let from = 1;
  for (const cut of bounds) {
    if (cut >= from && cut < maxSeq) {
      ranges.push([from, cut]);
      from = cut + 1;
    }
  }
  ranges.push([from, Math.max(maxSeq, from - 1)]);
  const segments = [];
  for (const [lo, hi] of ranges) {
    const seg = new SegmentVerifier(sha256, lo, hi, watch);
    for (const r of journal
      .filter((x) => (lo === 1 ? x.seq <= hi : x.seq >= lo && x.seq <= hi))
      .sort((x, y) => x.seq - y.seq)) {
      if (!seg.push(r)) break;
    }
    const result = seg.finish();
    segments.push(result);
    if (result.failure) break;
  }
  return segments;
}

describe('journal verifier: chained checkpoints and the token mark', () => {
  // 12 notes; checkpoints after notes 4 and 9: events at seq 5 and 11; the head is seq 14.
  const { rows, checkpoints } = buildChainedJournal(sha256, STATION, 12, [4, 9], signer);
  const [cp1, cp2] = checkpoints as [StoredCheckpoint, StoredCheckpoint];
  const opts = (over: Partial<VerifierOptions> = {}): VerifierOptions => ({
    sha256,
    stationId: STATION,
    checkpoints,
    checkSignature,
    mark: markOf(STATION, checkpoints),
    ...over,
  });
  const upTo = (seq: number) => rows.slice(0, seq);

  it('VERIFIED when the last row is its own checkpoint event, and the mark names it (CONFIRMED)', () => {
    expect(verifyJournal(upTo(11), opts())).toMatchObject({
      status: 'VERIFIED',
      entries: 11,
      checkpoint: { n: 2, size: 10, eventSeq: 11 },
      mark: { status: 'CONFIRMED', n: 2 },
    });
  });

  it('JNL-ANCHOR: entries after the latest checkpoint event are the unsigned tail', () => {
    expect(verifyJournal(rows, opts())).toMatchObject({
      status: 'UNANCHORED',
      unanchoredFromSeq: 12,
      checkpoint: { n: 2, eventSeq: 11 },
      mark: { status: 'CONFIRMED' },
    });
  });

  it('mark BEHIND: the token names an earlier checkpoint of this journal; NOT CHECKED when the token was not read', () => {
    expect(verifyJournal(upTo(11), opts({ mark: markOf(STATION, checkpoints, 1) }))).toMatchObject({
      status: 'VERIFIED',
      mark: { status: 'BEHIND', n: 1 },
    });
    for (const mark of [undefined, { status: 'UNAVAILABLE', reason: 'gone' } as const]) {
      expect(verifyJournal(upTo(11), opts({ mark }))).toMatchObject({
        status: 'VERIFIED',
        mark: { status: 'NOT CHECKED', n: null },
      });
    }
  });

  it('JNL-MARK (review 2, item 1): a token that answers without a mark while the journal holds chained checkpoints lost its mark — never NOT CHECKED', () => {
    const absent = {
      status: 'ABSENT',
      reason: 'station token 1 holds no journal mark for this station',
    } as const;
    expect(verifyJournal(upTo(11), opts({ mark: absent }))).toMatchObject({
      status: 'TAMPERED',
      check: 'JNL-MARK',
      firstBadSeq: null,
      reason: expect.stringContaining('2 chained checkpoint(s)'),
    });
    // Rolled back to checkpoint 1 and the mark removed: still TAMPERED, not VERIFIED to checkpoint 1.
    expect(verifyJournal(upTo(5), opts({ checkpoints: [cp1], mark: absent }))).toMatchObject({
      status: 'TAMPERED',
      check: 'JNL-MARK',
    });
    // A journal without chained checkpoints (from before them) never had a mark: NOT CHECKED.
    expect(verifyJournal(upTo(3), opts({ checkpoints: [], mark: absent }))).toMatchObject({
      status: 'UNANCHORED',
      mark: { status: 'NOT CHECKED', n: null },
    });
  });

  it('JNL-ROLLBACK: the finding — newest checkpoint and everything after the previous one removed', () => {
    // What is left ends with checkpoint 1's own event and looks fully anchored on its own.
    const rolledBack = { checkpoints: [cp1] };
    expect(verifyJournal(upTo(5), opts({ ...rolledBack, mark: undefined }))).toMatchObject({
      status: 'VERIFIED',
      checkpoint: { n: 1 },
    });
    expect(verifyJournal(upTo(5), opts(rolledBack))).toMatchObject({
      status: 'TAMPERED',
      check: 'JNL-ROLLBACK',
      firstBadSeq: 6,
      lastPossibleSeq: 11,
      checkpointN: 2,
    });
  });

  it('JNL-ROLLBACK: only the newest checkpoint event and its row removed: bad from that event on', () => {
    expect(verifyJournal(upTo(10), opts({ checkpoints: [cp1] }))).toMatchObject({
      check: 'JNL-ROLLBACK',
      firstBadSeq: 11,
    });
  });

  it('JNL-ROLLBACK: a rolled-back journal with new entries re-signed as checkpoint 2 is another history', () => {
    const fork = buildChainedJournal(sha256, STATION, 12, [4, 6], signer);
    expect(
      verifyJournal(fork.rows, opts({ checkpoints: fork.checkpoints, mark: markOf(STATION, checkpoints) })),
    ).toMatchObject({ status: 'TAMPERED', check: 'JNL-ROLLBACK', firstBadSeq: 6, checkpointN: 2 });
  });

  it('JNL-MARK: a mark not signed by the identity key, of another station, or unreadable', () => {
    const forged = { ...cp2, signature: new Uint8Array(64) };
    const cases: MarkReading[] = [
      { status: 'FOUND', marks: [{ stationId: STATION, checkpoint: forged }] },
      { status: 'FOUND', marks: [{ stationId: '99999999-2222-4333-8444-555555555555', checkpoint: cp2 }] },
      { status: 'MALFORMED', reason: 'not a mark' },
    ];
    for (const mark of cases) {
      expect(verifyJournal(upTo(11), opts({ mark }))).toMatchObject({
        status: 'TAMPERED',
        check: 'JNL-MARK',
      });
    }
    // Two marks (a crash between writing the new one and removing the old): the highest counts.
    const two: MarkReading = {
      status: 'FOUND',
      marks: [
        { stationId: STATION, checkpoint: cp1 },
        { stationId: STATION, checkpoint: cp2 },
      ],
    };
    expect(verifyJournal(upTo(11), opts({ mark: two }))).toMatchObject({
      mark: { status: 'CONFIRMED', n: 2 },
    });
  });

  it('JNL-CKPT-EVENT: a table row without its event, or an event without its row, is TAMPERED', () => {
    expect(verifyJournal(upTo(11), opts({ checkpoints: [cp1], mark: undefined }))).toMatchObject({
      status: 'TAMPERED',
      check: 'JNL-CKPT-EVENT',
      firstBadSeq: 11,
      checkpointN: 2,
    });
    expect(
      verifyJournal(upTo(11), opts({ checkpoints: [cp1, { ...cp2, eventSeq: 12 }], mark: undefined })),
    ).toMatchObject({
      check: 'JNL-CKPT-EVENT',
      firstBadSeq: 11,
    });
    // The row names its event but the chain holds an ordinary entry there (event replaced, rechained):
    // the damage lies after the previous anchor (seq 5) up to where the event belonged.
    const replaced = rechain(
      sha256,
      edit(rows, 10, {
        kind: 'operator.note',
        actor: 'operator:alice',
        body: new TextEncoder().encode('{"text":"x"}'),
      }),
      10,
    );
    expect(verifyJournal(replaced, opts({ mark: undefined }))).toMatchObject({
      check: 'JNL-CKPT-EVENT',
      firstBadSeq: 6,
      lastPossibleSeq: 11,
    });
    // A legacy row (no event) after chained ones is not legacy: its event is missing.
    expect(
      verifyJournal(
        rows,
        opts({
          checkpoints: [cp1, cp2, { ...makeCheckpoint(STATION, rows, 3, 13, signer), eventSeq: null }],
          mark: undefined,
        }),
      ),
    ).toMatchObject({
      check: 'JNL-CKPT-EVENT',
      firstBadSeq: 12,
      lastPossibleSeq: 14,
      checkpointN: 3,
    });
  });

  it('JNL-CKPT-EVENT: an event that does not sit right after its head, or was not recorded by the station', () => {
    const asOperator = rechain(sha256, edit(rows, 4, { actor: 'operator:mallory' }), 4);
    expect(verifyJournal(asOperator, opts({ mark: undefined }))).toMatchObject({
      check: 'JNL-CKPT-EVENT',
      firstBadSeq: 5,
    });
    const lateTime = rechain(sha256, edit(rows, 4, { at: '2027-01-01T00:00:00.000Z' }), 4);
    expect(verifyJournal(lateTime, opts({ mark: undefined }))).toMatchObject({
      check: 'JNL-CKPT-EVENT',
      firstBadSeq: 5,
    });
    const unreadable = rechain(sha256, edit(rows, 4, { body: new TextEncoder().encode('{}') }), 4);
    expect(verifyJournal(unreadable, opts({ mark: undefined }))).toMatchObject({
      check: 'JNL-CKPT-EVENT',
      firstBadSeq: 5,
    });
  });

  it('JNL-CKPT-SIG at the event seq: a forged checkpoint event appended with its row', () => {
    const hasher = new EntryHasher(sha256);
    const head = rows.at(-1) as JournalRow;
    const fake = {
      ...cp2,
      n: 3,
      size: 14,
      headHash: head.hash,
      at: '2026-03-01T00:00:00.000Z',
      signature: new Uint8Array(64),
    };
    const unhashed = {
      seq: 15,
      at: fake.at,
      actor: 'station',
      kind: 'journal.checkpoint',
      body: canonicalBytes(checkpointEventBody(fake)),
      prevHash: head.hash,
    };
    const forged = [...rows, { ...unhashed, hash: hasher.hash(unhashed) }];
    expect(
      verifyJournal(forged, opts({ checkpoints: [...checkpoints, { ...fake, eventSeq: 15 }] })),
    ).toMatchObject({
      status: 'TAMPERED',
      check: 'JNL-CKPT-SIG',
      firstBadSeq: 15,
      checkpointN: 3,
    });
  });

  it('JNL-CKPT-HEAD: a rewrite before a chained checkpoint is caught by it, with the range', () => {
    const rewritten = rechain(sha256, edit(rows, 7, { actor: 'operator:mallory' }), 7);
    expect(verifyJournal(rewritten, opts())).toMatchObject({
      status: 'TAMPERED',
      check: 'JNL-CKPT-HEAD',
      firstBadSeq: 6,
      lastPossibleSeq: 10,
      checkpointN: 2,
    });
  });

  it('property: with chained checkpoints and a mark, any segmentation gives the one-pass verdict', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.array(fc.nat(), { maxLength: 4 }),
        fc.constantFrom('none', 'edit', 'rehash', 'delete', 'truncate', 'drop-row'),
        fc.nat(),
        fc.array(fc.nat(), { maxLength: 5 }),
        (n, after, mutation, a, cuts) => {
          const points = [...new Set(after.map((x) => x % (n + 1)))].sort((x, y) => x - y);
          const built = buildChainedJournal(sha256, STATION, n, points, signer);
          let journal = built.rows;
          let table = built.checkpoints;
          const i = a % journal.length;
          if (mutation === 'edit') journal = edit(journal, i, { actor: 'operator:mallory' });
          if (mutation === 'rehash')
            journal = rechain(sha256, edit(journal, i, { actor: 'operator:mallory' }), i);
          if (mutation === 'delete') journal = journal.filter((_, k) => k !== i);
          if (mutation === 'truncate') journal = journal.slice(0, i);
          if (mutation === 'drop-row') table = table.slice(0, -1);
          const o = opts({ checkpoints: table, mark: markOf(STATION, built.checkpoints) });
          const onePass = verifyJournal(journal, o);
          const segments = segmentsOf(journal, cuts, watchedSeqs(table, o.mark));
          expect(segments.length).toBeGreaterThan(0);
          expect(assembleVerdict(segments, o)).toEqual(onePass);
        },
      ),
      { numRuns: 300 },
    );
  });
});
