import { closeSync, existsSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { toHex } from '../../core/bytes';
import {
  checkpointStatement,
  type CheckpointSignatureCheck,
  type CheckpointSigner,
} from '../../core/journal/checkpoint';
import type { JournalRow } from '../../core/journal/entry';
import {
  assembleVerdict,
  watchedSeqs,
  type JournalVerdict,
  type SegmentResult,
} from '../../core/journal/verify';
import type { CheckpointInfo, JournalEntry, JournalSummary } from '../../shared/contract';
import { stationError } from '../errors';
import { verifySegment } from '../workers/segment';
import type { Station } from './station';

const decoder = new TextDecoder();
const PREVIEW_CHARS = 160;

export function summarise(row: JournalRow): JournalSummary {
  const text = decoder.decode(row.body);
  return {
    seq: row.seq,
    at: row.at,
    actor: row.actor,
    kind: row.kind,
    preview: text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS - 1)}…` : text,
  };
}

export function journalPage(station: Station, fromSeq: number, limit: number) {
  return { entries: station.journal.page(fromSeq, limit).map(summarise), total: station.journal.head().seq };
}

export function journalEntry(station: Station, seq: number): JournalEntry {
  const row = station.journal.get(seq);
  if (!row) throw stationError('NOT_FOUND', `no journal entry with seq ${seq}`, { field: 'seq' });
  return {
    seq: row.seq,
    at: row.at,
    actor: row.actor,
    kind: row.kind,
    bodyText: decoder.decode(row.body),
    prevHash: toHex(row.prevHash),
    hash: toHex(row.hash),
  };
}

export function listCheckpoints(station: Station): CheckpointInfo[] {
  return station.journal.checkpoints().map((cp) => ({
    n: cp.n,
    size: cp.size,
    headHash: toHex(cp.headHash),
    at: cp.at,
    keyId: cp.keyId,
    alg: cp.alg,
  }));
}

/** Journals at least this long are verified on worker threads, one seq range per core. */
const PARALLEL_FROM = Number(process.env.STATION_VERIFY_PARALLEL_FROM ?? 100_000);
const WORKER_FILE = fileURLToPath(new URL('./verify-worker.js', import.meta.url));

/**
 * Verifies the whole journal against its checkpoints. `checkSignature` is the station identity key's
 * verifier (null until the station has one: checkpoints then cannot anchor anything). Large journals are
 * cut into seq ranges verified in parallel on worker threads (each with its own read-only connection);
 * the verdict is the same either way (src/core/journal/verify.ts).
 */
export async function verifyStationJournal(
  station: Station,
  checkSignature: CheckpointSignatureCheck | null,
): Promise<JournalVerdict> {
  const top = station.journal.reader.range().max ?? 0;
  const checkpoints = station.journal.checkpoints();
  const watch = watchedSeqs(checkpoints);
  const threads = Math.min(availableParallelism(), 4);
  const parallel = top >= PARALLEL_FROM && threads > 1 && existsSync(WORKER_FILE);
  const segments = parallel
    ? await verifyInWorkers(station.store.path, splitRange(top, threads), watch)
    : [verifySegment(station.journal.reader, station.deps.sha256, 1, top, watch)];
  return assembleVerdict(segments, {
    stationId: station.stationRecord().stationId,
    checkpoints,
    checkSignature,
  });
}

/** Cuts 1..top into `parts` contiguous ranges of nearly equal size. */
export function splitRange(top: number, parts: number): [number, number][] {
  const size = Math.ceil(top / parts);
  const out: [number, number][] = [];
  for (let from = 1; from <= top; from += size) out.push([from, Math.min(top, from + size - 1)]);
  return out.length > 0 ? out : [[1, 0]];
}

function verifyInWorkers(
  path: string,
  ranges: [number, number][],
  watch: ReadonlySet<number>,
): Promise<SegmentResult[]> {
  return Promise.all(
    ranges.map(
      ([fromSeq, toSeq]) =>
        new Promise<SegmentResult>((resolve, reject) => {
          const worker = new Worker(WORKER_FILE, { workerData: { path, fromSeq, toSeq, watch: [...watch] } });
          worker.once('message', (r: SegmentResult) => resolve(r));
          worker.once('error', reject);
          worker.once(
            'exit',
            (code) => code !== 0 && reject(new Error(`journal verify worker exited with ${code}`)),
          );
        }),
    ),
  );
}

/**
 * Signs a checkpoint over the current head. The head is read, signed, and stored only if it has not
 * moved in between (JournalStore.addCheckpoint re-checks inside its transaction).
 */
export async function anchorJournal(station: Station, signer: CheckpointSigner): Promise<CheckpointInfo> {
  station.assertWritable();
  const head = station.journal.head();
  const unsigned = {
    n: station.journal.lastCheckpointNumber() + 1,
    size: head.seq,
    headHash: head.hash,
    at: station.deps.clock().toISOString(),
    keyId: signer.keyId,
    alg: signer.alg,
  };
  const signature = await signer.sign(checkpointStatement(station.stationRecord().stationId, unsigned));
  station.journal.addCheckpoint({ ...unsigned, signature });
  return { ...unsigned, headHash: toHex(unsigned.headHash) };
}

/**
 * Writes entries fromSeq..toSeq as JSON lines (one object per entry, bytes as hex, the body as stored
 * text) to a new file; never overwrites (O_EXCL). Returns the number of entries written.
 */
export function exportJournal(
  station: Station,
  range: { fromSeq: number; toSeq: number },
  out: { path: string } | { write: (line: string) => void },
): number {
  if (range.toSeq < range.fromSeq) {
    throw stationError('INVALID_INPUT', `--to (${range.toSeq}) is before --from (${range.fromSeq})`, {
      field: 'to',
    });
  }
  let fd: number | null = null;
  let write: (line: string) => void;
  if ('path' in out) {
    try {
      fd = openSync(out.path, 'wx', 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
        throw stationError('OUTPUT_EXISTS', `${out.path} already exists`, { field: 'out', path: out.path });
      }
      throw e;
    }
    const handle = fd;
    write = (line) => writeSync(handle, line);
  } else {
    write = out.write;
  }
  let count = 0;
  try {
    for (let from = range.fromSeq; from <= range.toSeq;) {
      const rows = station.journal.page(from, Math.min(5000, range.toSeq - from + 1));
      for (const row of rows) {
        write(
          `${JSON.stringify({
            seq: row.seq,
            at: row.at,
            actor: row.actor,
            kind: row.kind,
            body: decoder.decode(row.body),
            prevHash: toHex(row.prevHash),
            hash: toHex(row.hash),
          })}\n`,
        );
        count++;
      }
      const last = rows.at(-1);
      if (!last) break;
      from = last.seq + 1;
    }
    if (fd !== null) fsyncSync(fd);
  } finally {
    if (fd !== null) closeSync(fd);
  }
  return count;
}
