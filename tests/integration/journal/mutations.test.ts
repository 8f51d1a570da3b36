import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalCheckId, JournalVerdict } from '../../../src/core/journal/verify';
import { systemDeps } from '../../../src/main/runtime';
import { signCheckpoint } from '../../../src/main/services/identity';
import { verifyStationJournal } from '../../../src/main/services/journal';
import { Station } from '../../../src/main/services/station';
import { rewriteJournal, rollBackToCheckpoint, withTriggersDropped } from '../../helpers/tamper';
import { suiteTempDir } from '../../helpers/temp';
import { PIN, notes, plantMark, removeMarks, stationWithIdentity } from './support';

/**
 * The corpus's smaller half, through everything real: faults written into a copy of a real station
 * database (triggers dropped and re-created, as someone holding the file would), then the real verify
 * path — SQLite reader, checkpoint table, identity from the chain, the mark read from the SoftHSM2
 * token. Layout: checkpoint events at seq 4, 13, 21; notes 22–24 are the unsigned tail.
 */
const EVENTS = [4, 13, 21];
const LAST = 24;
const prevAnchor = (seq: number) => EVENTS.filter((e) => e < seq).at(-1) ?? 0;
const nextEvent = (seq: number) => EVENTS.find((e) => e >= seq);

type Expected =
  | { status: 'TAMPERED'; check: JournalCheckId; first: number | null; last?: number }
  | { status: 'UNANCHORED'; from: number }
  | { status: 'VERIFIED'; mark: 'NOT CHECKED' | 'CONFIRMED' };

interface Fault {
  label: string;
  apply: (dbPath: string) => void;
  expected: Expected;
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
    });
    list.push({
      label: `rollback to ${n}, new entries appended`,
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
  if (e.status === 'UNANCHORED')
    return v.status === 'UNANCHORED' && v.unanchoredFromSeq === e.from ? null : 'expected UNANCHORED';
  if (e.status === 'VERIFIED')
    return v.status === 'VERIFIED' && v.mark.status === e.mark ? null : `expected VERIFIED, mark ${e.mark}`;
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

describe('journal faults through a real SQLite file and the token mark', () => {
  it('every fault written into the file is TAMPERED at its first bad seq, or the documented verdict', async () => {
    const made = await stationWithIdentity();
    station = made.station;
    dataDir = made.dir;
    notes(station, 8);
    await signCheckpoint(station, PIN);
    notes(station, 7);
    await signCheckpoint(station, PIN);
    notes(station, 3);
    expect(station.journal.checkpoints().map((c) => c.eventSeq)).toEqual(EVENTS);
    expect(station.journal.head().seq).toBe(LAST);
    station.close();
    template = join(suite.dir, 'template.sqlite');
    copyFileSync(join(dataDir, 'station.sqlite'), template);

    const wrong: string[] = [];
    const list = faults();
    for (const [k, f] of list.entries()) {
      const v = await verifyCopy(f.apply, `f${k}`);
      const bad = outcome(v, f.expected);
      if (bad) wrong.push(`${f.label}: ${bad}; got ${JSON.stringify(v)}`);
    }
    expect(list.length).toBeGreaterThanOrEqual(90);
    expect(wrong).toEqual([]);

    // The token side: a planted non-mark is TAMPERED (JNL-MARK); the mark removed is NOT CHECKED.
    station = Station.open(dataDir, systemDeps);
    try {
      plantMark(station, Buffer.from('not a mark'));
      expect(await verifyCopy(() => {}, 'planted')).toMatchObject({ status: 'TAMPERED', check: 'JNL-MARK' });
      removeMarks(station);
      expect(await verifyCopy(() => {}, 'removed')).toMatchObject({
        status: 'UNANCHORED',
        mark: { status: 'NOT CHECKED' },
      });
    } finally {
      station.close();
    }
  });
});
