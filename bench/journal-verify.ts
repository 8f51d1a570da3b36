/**
 * Verifies a 1,000,000-entry journal (target < 3 s on this machine) and compares the verifier's
 * throughput over the bytes it hashes with `sha256sum` over the same bytes, written to one file.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { EntryHasher } from '../src/core/journal/entry';
import type { EventKind, NewEvent } from '../src/core/journal/events';
import { sha256 } from '../src/main/crypto';
import { systemDeps } from '../src/main/runtime';
import { verifyStationJournal } from '../src/main/services/journal/queries';
import { Station } from '../src/main/station/station';
import { benchDir, rate, ratioLine, seconds } from './support';

const N = Number(process.env.BENCH_ENTRIES ?? 1_000_000);
const BUDGET_S = 3;

const { dir, cleanup } = benchDir('verify');
try {
  const station = Station.init(
    join(dir, 'station'),
    { name: 'Bench', mode: 'offline', demo: true, actor: 'demo' },
    systemDeps,
  );
  const t0 = process.hrtime.bigint();
  for (let done = 1; done < N;) {
    const n = Math.min(100_000, N - done);
    station.record(
      Array.from({ length: n }, (_, i): NewEvent<EventKind> => ({
        kind: 'operator.note',
        actor: 'operator:bench',
        body: { text: `entry ${done + i}: custody inspection of bag TB-${100000 + done + i} matched` },
      })),
    );
    done += n;
  }
  console.log(`built ${N.toLocaleString('en-US')} entries in ${seconds(t0).toFixed(1)} s`);

  // The exact byte stream the verifier hashes (see docs/journal-format.md), for sha256sum.
  const encoder = new EntryHasher(sha256);
  const file = join(dir, 'hashed-bytes.bin');
  const fd = openSync(file, 'w');
  let bytes = 0;
  for (const r of station.journal.rows()) {
    const encoded = encoder.encode(r);
    writeSync(fd, encoded);
    bytes += encoded.length;
  }
  closeSync(fd);

  let best = Infinity;
  let verdict = '';
  for (let i = 0; i < 3; i++) {
    const t = process.hrtime.bigint();
    const { verdict: v } = await verifyStationJournal(station);
    best = Math.min(best, seconds(t));
    verdict = `${v.status} (${v.entries} entries)`;
  }
  const ts = process.hrtime.bigint();
  execFileSync('sha256sum', [file]);
  const shaS = seconds(ts);
  station.close();

  const mb = bytes / 1e6;
  console.log(
    `verify: ${best.toFixed(2)} s for ${N.toLocaleString('en-US')} entries (${rate(N, best)}), verdict ${verdict}`,
  );
  console.log(`budget: ${BUDGET_S} s → ${best < BUDGET_S ? 'within' : 'OVER'} budget`);
  console.log(
    `throughput: verifier ${(mb / best).toFixed(0)} MB/s (SQLite read + decode + SHA-256 per entry) vs sha256sum ${(mb / shaS).toFixed(0)} MB/s over the same ${mb.toFixed(0)} MB`,
  );
  // The limit that matters here is the 3 s budget; the sha256sum ratio shows how much of it is per-row work.
  console.log(`sha256sum ratio: ${(mb / best / (mb / shaS)).toFixed(3)}`);
  console.log(ratioLine(BUDGET_S / best, 1));
} finally {
  cleanup();
}
