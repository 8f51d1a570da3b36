/**
 * Journal appends/s against raw better-sqlite3 inserts of the same bytes in the same durability mode
 * (WAL, synchronous=FULL), batched (one transaction) and unbatched (one commit per entry).
 *
 * "Journal append" is JournalStore.append: head read under BEGIN IMMEDIATE, entry encoding, SHA-256
 * chaining, insert, projections. The raw side inserts the rows that append produced, byte for byte.
 * Also printed, for information: the full Station.record path, which adds catalogue validation (zod)
 * and RFC 8785 canonicalisation of each body before the append. Target ≥ 0.80 for both modes.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { prepareEntry, type EventKind, type NewEvent, type PreparedEntry } from '../src/core/journal/events';
import { systemDeps } from '../src/main/runtime';
import { Station } from '../src/main/station/station';
import { benchDir, rate, ratioLine, seconds } from './support';

const BATCH = Number(process.env.BENCH_BATCH ?? 100_000);
const SINGLE = Number(process.env.BENCH_SINGLE ?? 2_000);
const TARGET = 0.8;

const note = (i: number): NewEvent<EventKind> => ({
  kind: 'operator.note',
  actor: 'operator:bench',
  body: { text: `benchmark entry ${i}: witness confirmed tamper bag serial TB-${100000 + i}` },
});

type Row = [number, string, string, string, Buffer, Buffer, Buffer];

function newStation(dir: string): Station {
  return Station.init(dir, { name: 'Bench', mode: 'offline', demo: true, actor: 'demo' }, systemDeps);
}

function readRows(station: Station): Row[] {
  return station.store.db
    .prepare('SELECT seq, at, actor, kind, body, prev_hash, hash FROM journal WHERE seq > 1 ORDER BY seq')
    .raw(true)
    .all() as Row[];
}

function rawInsert(path: string, rows: Row[], batched: boolean): number {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(`CREATE TABLE journal (seq INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, kind TEXT NOT NULL,
           body BLOB NOT NULL, prev_hash BLOB NOT NULL, hash BLOB NOT NULL) STRICT`);
  const insert = db.prepare('INSERT INTO journal VALUES (?, ?, ?, ?, ?, ?, ?)');
  const t = process.hrtime.bigint();
  if (batched) db.transaction(() => rows.forEach((r) => insert.run(...r)))();
  else for (const r of rows) insert.run(...r);
  const s = seconds(t);
  db.close();
  return s;
}

function timeAppend(dir: string, prepared: PreparedEntry[], batched: boolean): { s: number; rows: Row[] } {
  const station = newStation(dir);
  const t = process.hrtime.bigint();
  if (batched) station.journal.append(prepared);
  else for (const e of prepared) station.journal.append([e]);
  const s = seconds(t);
  const rows = readRows(station);
  station.close();
  return { s, rows };
}

function timeRecord(dir: string, events: NewEvent<EventKind>[], batched: boolean): number {
  const station = newStation(dir);
  const t = process.hrtime.bigint();
  if (batched) station.record(events);
  else for (const e of events) station.record([e]);
  const s = seconds(t);
  station.close();
  return s;
}

const ROUNDS = 3;

const { dir, cleanup } = benchDir('append');
try {
  const ratios: number[] = [];
  const at = new Date().toISOString();
  for (const [label, n, batched] of [
    ['batched (1 transaction)', BATCH, true],
    ['unbatched (1 commit each)', SINGLE, false],
  ] as const) {
    const events = Array.from({ length: n }, (_, i) => note(i));
    const prepared = events.map((e) => prepareEntry(e, at));
    // Alternate the contenders and keep each one's best round: both see the same cache and GC weather.
    let appendS = Infinity;
    let rawS = Infinity;
    let recordS = Infinity;
    let rows: Row[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const a = timeAppend(join(dir, `append-${n}-${round}`), prepared, batched);
      if (round === 0) rows = a.rows;
      appendS = Math.min(appendS, a.s);
      rawS = Math.min(rawS, rawInsert(join(dir, `raw-${n}-${round}.sqlite`), rows, batched));
      recordS = Math.min(recordS, timeRecord(join(dir, `record-${n}-${round}`), events, batched));
    }
    const ratio = rawS / appendS;
    ratios.push(ratio);
    console.log(
      `${label}: journal append ${rate(n, appendS)}  raw better-sqlite3 ${rate(n, rawS)}  ratio ${ratio.toFixed(2)}` +
        `  | full record path ${rate(n, recordS)} (ratio ${(rawS / recordS).toFixed(2)})`,
    );
  }
  console.log(ratioLine(Math.min(...ratios), TARGET));
} finally {
  cleanup();
}
