import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointStatement, markBytes } from '../../../src/core/journal/checkpoint';
import type { JournalCheckId, JournalVerdict } from '../../../src/core/journal/verify';
import { systemDeps } from '../../../src/main/runtime';
import { identitySigner, signCheckpoint } from '../../../src/main/services/identity/commands';
import { journalStationId, stationIdentity } from '../../../src/main/services/identity/queries';
import { verifyStationJournal } from '../../../src/main/services/journal/queries';
import { Station } from '../../../src/main/station/station';
import { rewriteJournal, rollBackToCheckpoint, withTriggersDropped } from '../../helpers/tamper';
import { suiteTempDir } from '../../helpers/temp';
import { PIN, notes, plantMark, removeMarks, stationWithIdentity } from './support';

/**
 * The corpus's smaller half, through everything real: faults written into a copy of a real station
 * database (triggers dropped and re-created, as someone holding the file would), then the real verify
 * path — SQLite reader, checkpoint table, identity from the chain, the mark read from the SoftHSM2
 * token. Layout: checkpoint events at seq 4, 13, 21; notes 22–24 are the unsigned tail.
 *
 * Every fault runs against every state of the token's public mark (review 2, gaps in the proof): the
 * latest (CONFIRMED), absent, stale but valid (checkpoint 1 or 2: BEHIND), and validly signed for
 * checkpoint 3 over another head (a forked history); the mark state is part of every expectation.
 */
const EVENTS = [4, 13, 21];
const LAST = 24;
const prevAnchor = (seq: number) => EVENTS.filter((e) => e < seq).at(-1) ?? 0;
const nextEvent = (seq: number) => EVENTS.find((e) => e >= seq);

type MarkStatus = 'CONFIRMED' | 'BEHIND' | 'NOT CHECKED';
type Expected =
  | { status: 'TAMPERED'; check: JournalCheckId; first: number | null; last?: number }
  | { status: 'UNANCHORED'; from: number; mark?: MarkStatus; markN?: number }
  | { status: 'VERIFIED'; mark: MarkStatus; markN?: number };

/** The token's public mark during a run: the checkpoint it names, none, or a fork of checkpoint 3. */
type MarkVariant = { kind: 'latest' } | { kind: 'absent' } | { kind: 'stale'; n: 1 | 2 } | { kind: 'fork' };
const VARIANTS: MarkVariant[] = [
  { kind: 'latest' },
  { kind: 'absent' },
  { kind: 'stale', n: 1 },
  { kind: 'stale', n: 2 },
  { kind: 'fork' },
];
const variantName = (v: MarkVariant) => (v.kind === 'stale' ? `stale ${v.n}` : v.kind);

interface Fault {
  label: string;
  apply: (dbPath: string) => void;
  /** The verdict with the latest mark on the token. */
  expected: Expected;
  /** For a rollback: the checkpoint the journal was rolled back to. */
  rolledBackTo?: number;
}

/**
 * The same fault with another mark on the token. A chain fault is found before the mark is judged;
 * what the mark changes is the verdict on a journal whose chain holds:
 *   - absent: every chained checkpoint was followed by a mark, so its absence is JNL-MARK;
 *   - stale (checkpoint j): a journal still holding j is not caught — BEHIND (the documented window) —
 *     one rolled back below j is JNL-ROLLBACK from right after its last kept checkpoint to j's event;
 *   - fork (checkpoint 3 over another head): JNL-ROLLBACK from right after checkpoint 2's event (14):
 *     the journal's rows 14..20 are not the ones that mark's checkpoint signed.
 */
function withMark(f: Fault, v: MarkVariant): Expected {
  const e = f.expected;
  if (v.kind === 'latest')
    return e.status === 'TAMPERED' ? e : { ...e, mark: 'CONFIRMED', markN: f.rolledBackTo ?? 3 };
  const rollback = e.status === 'TAMPERED' && e.check === 'JNL-ROLLBACK';
  if (e.status === 'TAMPERED' && !rollback) return e;
  const kept = f.rolledBackTo ?? 3;
  switch (v.kind) {
    case 'absent':
      return T('JNL-MARK', null);
    case 'fork':
      return kept === 3 ? T('JNL-ROLLBACK', 14, 21) : T('JNL-ROLLBACK', EVENTS[kept - 1]! + 1, 21);
    case 'stale': {
      if (v.n > kept) return T('JNL-ROLLBACK', EVENTS[kept - 1]! + 1, EVENTS[v.n - 1]!);
      const mark: MarkStatus = v.n === kept ? 'CONFIRMED' : 'BEHIND';
      if (!rollback) return { ...(e as Exclude<Expected, { status: 'TAMPERED' }>), mark, markN: v.n };
      // A rollback to a checkpoint the stale mark does not pass: what is left verifies on its own.
      return f.label.includes('new entries')
        ? { status: 'UNANCHORED', from: EVENTS[kept - 1]! + 1, mark, markN: v.n }
        : { status: 'VERIFIED', mark, markN: v.n };
    }
    default: {
      const never: never = v;
      throw new Error(String(never));
    }
  }
}

const T = (check: JournalCheckId, first: number | null, last?: number): Expected => ({
  status: 'TAMPERED',
  check,
  first,
  ...(last === undefined ? {} : { last }),
});
const TAIL: Expected = { status: 'UNANCHORED', from: 22 };

const COLUMNS = ['at', 'actor', 'kind', 'body', 'prev_hash', 'hash'] as const;
function editColumn(db: Database.Database, seq: number, column: (typeof COLUMNS)[number]): void {
  const row = db.prepare(`SELECT ${column} AS v FROM journal WHERE seq = ?`).get(seq) as {
    v: string | Buffer;
  };
  const v = row.v;
  const next = Buffer.isBuffer(v) ? Buffer.from(v.map((b, i) => (i === 0 ? b ^ 1 : b))) : `${v}x`;
  db.prepare(`UPDATE journal SET ${column} = ? WHERE seq = ?`).run(next, seq);
}

function faults(): Fault[] {
  const list: Fault[] = [];
  for (let seq = 1; seq <= LAST; seq++) {
    const column = COLUMNS[seq % COLUMNS.length]!;
    list.push({
      label: `edit ${column} @${seq}`,
      apply: (p) => withTriggersDropped(p, (db) => editColumn(db, seq, column)),
      expected: T(column === 'prev_hash' ? 'JNL-LINK' : 'JNL-HASH', seq),
    });
    list.push({
      label: `delete @${seq}`,
      apply: (p) => withTriggersDropped(p, (db) => db.prepare('DELETE FROM journal WHERE seq = ?').run(seq)),
      expected: seq < LAST ? T('JNL-SEQ', seq) : TAIL,
    });
    list.push({
      label: `truncate from ${seq}`,
      apply: (p) => withTriggersDropped(p, (db) => db.prepare('DELETE FROM journal WHERE seq >= ?').run(seq)),
      expected:
        seq <= 21 ? T('JNL-CKPT-TRUNC', seq) : seq === 22 ? { status: 'VERIFIED', mark: 'CONFIRMED' } : TAIL,
    });
  }
  for (const seq of [2, 5, 9, 12, 14, 18, 20, 22, 23]) {
    const next = nextEvent(seq);
    list.push({
      label: `rechain-edit actor @${seq}`,
      apply: (p) =>
        rewriteJournal(p, seq, (rows) =>
          rows.map((r, i) => (i === 0 ? { ...r, actor: 'operator:mallory' } : r)),
        ),
      expected: next === undefined ? TAIL : T('JNL-CKPT-HEAD', prevAnchor(seq) + 1, next - 1),
    });
  }
  for (const [a, b] of [
    [2, 3],
    [5, 17],
    [13, 14],
    [21, 24],
  ] as const) {
    list.push({
      label: `swap @${a}<->${b}`,
      apply: (p) =>
        withTriggersDropped(p, (db) => {
          const get = db.prepare('SELECT at, actor, kind, body, prev_hash, hash FROM journal WHERE seq = ?');
          const ra = get.get(a) as Record<string, unknown>;
          const rb = get.get(b) as Record<string, unknown>;
          const put = db.prepare(
            'UPDATE journal SET at = @at, actor = @actor, kind = @kind, body = @body, prev_hash = @prev_hash, hash = @hash WHERE seq = @seq',
          );
          put.run({ ...rb, seq: a });
          put.run({ ...ra, seq: b });
        }),
      expected: T('JNL-LINK', a),
    });
  }
  for (const n of [1, 2]) {
    const keep = EVENTS[n - 1]!;
    list.push({
      label: `rollback to ${n}`,
      apply: (p) => rollBackToCheckpoint(p, n),
      expected: T('JNL-ROLLBACK', keep + 1, 21),
      rolledBackTo: n,
    });
    list.push({
      label: `rollback to ${n}, new entries appended`,
      rolledBackTo: n,
      apply: (p) => {
        rollBackToCheckpoint(p, n);
        rewriteJournal(p, keep + 1, () =>
          Array.from({ length: 12 }, (_, i) => ({
            seq: 0,
            at: '2026-07-07T00:00:00.000Z',
            actor: 'operator:mallory',
            kind: 'operator.note',
            body: Buffer.from(JSON.stringify({ text: `replacement ${i}` })),
            prevHash: Buffer.alloc(32),
            hash: Buffer.alloc(32),
          })),
        );
      },
      expected: T('JNL-ROLLBACK', keep + 1, 21),
    });
  }
  for (const n of [1, 2, 3]) {
    list.push({
      label: `checkpoint row ${n} deleted`,
      apply: (p) =>
        withTriggersDropped(p, (db) => db.prepare('DELETE FROM journal_checkpoint WHERE n = ?').run(n)),
      expected: T('JNL-CKPT-EVENT', EVENTS[n - 1]!),
    });
    list.push({
      label: `checkpoint row ${n} edited`,
      apply: (p) =>
        withTriggersDropped(p, (db) =>
          db.prepare("UPDATE journal_checkpoint SET at = '2027-01-01T00:00:00.000Z' WHERE n = ?").run(n),
        ),
      expected: T('JNL-CKPT-EVENT', EVENTS[n - 1]!),
    });
  }
  return list;
}

let suite: { dir: string; remove(): void };
let template: string;
let station: Station;
let dataDir: string;

beforeAll(async () => {
  suite = suiteTempDir();
}, 60_000);
afterAll(() => suite.remove());

function outcome(v: JournalVerdict, e: Expected): string | null {
  if (e.status !== 'TAMPERED') {
    if (v.status !== e.status) return `expected ${e.status}`;
    if (v.status === 'UNANCHORED' && e.status === 'UNANCHORED' && v.unanchoredFromSeq !== e.from)
      return `expected UNANCHORED from ${e.from}`;
    if (v.mark.status !== e.mark || v.mark.n !== (e.markN ?? null))
      return `expected the mark ${e.mark} ${e.markN ?? ''}`;
    return null;
  }
  if (v.status !== 'TAMPERED') return 'not TAMPERED';
  if (v.check !== e.check || v.firstBadSeq !== e.first) return `expected ${e.check} at ${e.first}`;
  if (e.last !== undefined && v.lastPossibleSeq !== e.last) return `expected the range to end at ${e.last}`;
  return null;
}

async function verifyCopy(apply: (dbPath: string) => void, name: string): Promise<JournalVerdict> {
  const dir = join(suite.dir, name);
  mkdirSync(dir);
  copyFileSync(template, join(dir, 'station.sqlite'));
  apply(join(dir, 'station.sqlite'));
  const s = Station.open(dir, systemDeps);
  try {
    return (await verifyStationJournal(s)).verdict;
  } finally {
    s.close();
  }
}

/** Puts this variant's public mark on the token (what someone holding the token could leave there). */
async function setMark(v: MarkVariant): Promise<void> {
  removeMarks(station);
  const stationId = journalStationId(station);
  const cps = station.journal.checkpoints();
  if (v.kind === 'absent') return;
  if (v.kind === 'latest' || v.kind === 'stale') {
    plantMark(station, markBytes(stationId, cps[v.kind === 'latest' ? 2 : v.n - 1]!));
    return;
  }
  // A validly signed checkpoint 3 over another head: what a fork of this journal would have put there.
  const id = stationIdentity(station)!;
  const latest = cps[2]!;
  const unsigned = { ...latest, headHash: Buffer.alloc(32, 0x5a) };
  const signature = await station.hsm
    .module(id.moduleId)
    .withSessionAsync(id.tokenSerial, { write: false, login: { user: 'user', pin: PIN } }, async (session) =>
      identitySigner(id, session)(checkpointStatement(stationId, unsigned)),
    );
  plantMark(station, markBytes(stationId, { ...unsigned, signature }));
}

describe('journal faults through a real SQLite file and the token mark', () => {
  it('every fault written into the file, with every mark state on the token, is TAMPERED at its first bad seq, or the documented verdict and mark state', async () => {
    const made = await stationWithIdentity();
    station = made.station;
    dataDir = made.dir;
    notes(station, 8);
    await signCheckpoint(station, { pin: PIN });
    notes(station, 7);
    await signCheckpoint(station, { pin: PIN });
    notes(station, 3);
    expect(station.journal.checkpoints().map((c) => c.eventSeq)).toEqual(EVENTS);
    expect(station.journal.head().seq).toBe(LAST);
    // Closed first: the copy must hold everything (the station writes through a WAL).
    station.close();
    template = join(suite.dir, 'template.sqlite');
    copyFileSync(join(dataDir, 'station.sqlite'), template);
    station = Station.open(dataDir, systemDeps);

    const wrong: string[] = [];
    const list = [{ label: 'no fault', apply: () => {}, expected: TAIL }, ...faults()];
    let runs = 0;
    try {
      for (const variant of VARIANTS) {
        await setMark(variant);
        for (const [k, f] of list.entries()) {
          const v = await verifyCopy(f.apply, `${variantName(variant).replace(' ', '-')}-f${k}`);
          const bad = outcome(v, withMark(f, variant));
          if (bad) wrong.push(`${variantName(variant)} / ${f.label}: ${bad}; got ${JSON.stringify(v)}`);
          runs++;
        }
      }
      expect(list.length).toBeGreaterThanOrEqual(90);
      expect(runs).toBe(list.length * VARIANTS.length);
      expect(wrong.slice(0, 10), `${wrong.length} wrong`).toEqual([]);

      // A planted non-mark beside the latest mark is TAMPERED (JNL-MARK).
      await setMark({ kind: 'latest' });
      plantMark(station, Buffer.from('not a mark'));
      expect(await verifyCopy(() => {}, 'planted')).toMatchObject({ status: 'TAMPERED', check: 'JNL-MARK' });
    } finally {
      station.close();
    }
  }, 60_000);
});
