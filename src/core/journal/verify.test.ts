import { createHash, generateKeyPairSync, sign, verify } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Checkpoint } from './checkpoint';
import type { JournalRow } from './entry';
import { buildJournal, makeCheckpoint, rechain } from './test-support';
import { assembleVerdict, SegmentVerifier, verifyJournal, watchedSeqs, type JournalVerdict } from './verify';

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
