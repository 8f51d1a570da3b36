import { closeSync, existsSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { toHex } from '../../core/bytes';
import { checkpointStatement, type Checkpoint, type CheckpointSigner } from '../../core/journal/checkpoint';
import type { JournalRow } from '../../core/journal/entry';
import {
  assembleVerdict,
  watchedSeqs,
  type JournalVerdict,
  type SegmentResult,
} from '../../core/journal/verify';
import type { CheckpointInfo, JournalEntry, JournalSummary } from '../../shared/contract';
import { stationError } from '../errors';
import { workerFile } from '../workers/location';
import { verifySegment } from '../workers/segment';
import {
  checkpointVerifier,
  confirmIdentityOnToken,
  identityFromBody,
  type TokenConfirmation,
} from './identity';
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
const WORKER_FILE = workerFile('verify-worker');

export interface IdentityAnchor {
  readonly fingerprint: string;
  readonly tokenSerial: string;
  /** The identity key's public half read from the station token, compared with the journal's record. */
  readonly token: TokenConfirmation;
}

export interface JournalReport {
  readonly verdict: JournalVerdict;
  readonly identity: IdentityAnchor | null;
}

/**
 * Verifies the whole journal against its checkpoints, with the identity key taken from the journal's
 * own hash-chained record (never the projection) and confirmed on the station token — the anchor
 * outside the database. Large journals are cut into seq ranges verified in parallel on worker threads
 * (each with its own read-only connection); the verdict is the same either way.
 *
 * Checkpoints are read before the head: a checkpoint can only name an existing head, so every one read
 * is covered even if the station appends meanwhile.
 */
export async function verifyStationJournal(station: Station): Promise<JournalReport> {
  const checkpoints = station.journal.checkpoints();
  const top = station.journal.reader.range().max ?? 0;
  const segments = await verifySegments(station, top, watchedSeqs(checkpoints), ANCHOR_KINDS);
  // Station id and identity key come from the rows just verified: the exact bytes the chain covers.
  const collected = segments.flatMap((s) => s.collected);
  const initial = collected.find(([seq, kind]) => seq === 1 && kind === 'station.initialised');
  const stationId = initial
    ? (JSON.parse(Buffer.from(initial[2]).toString('utf8')) as { stationId: string }).stationId
    : station.stationRecord().stationId;
  const identityRows = collected.filter(([, kind]) => kind === 'station.identity-created');
  const seqs = identityRows.map(([seq]) => seq);
  const identity = identityRows[0] ? identityFromBody(identityRows[0][2]) : null;
  const verdict = assembleVerdict(segments, {
    stationId,
    checkpoints,
    checkSignature: identity ? checkpointVerifier(identity) : null,
  });
  if (!identity) {
    if (checkpoints.length === 0 || verdict.status === 'TAMPERED') return { verdict, identity: null };
    return {
      verdict: identityTampered(
        verdict,
        null,
        'checkpoints exist but the journal records no identity key to check them',
      ),
      identity: null,
    };
  }
  const anchor: IdentityAnchor = {
    fingerprint: identity.fingerprint,
    tokenSerial: identity.tokenSerial,
    token: confirmIdentityOnToken(station, identity),
  };
  if (verdict.status === 'TAMPERED') return { verdict, identity: anchor };
  if (seqs.length > 1) {
    return {
      verdict: identityTampered(
        verdict,
        seqs[1] ?? null,
        `the journal records the station identity ${seqs.length} times`,
      ),
      identity: anchor,
    };
  }
  if (anchor.token.status === 'MISMATCH')
    return { verdict: identityTampered(verdict, seqs[0] ?? null, anchor.token.reason), identity: anchor };
  return { verdict, identity: anchor };
}

function identityTampered(v: JournalVerdict, seq: number | null, reason: string): JournalVerdict {
  return {
    status: 'TAMPERED',
    check: 'JNL-IDENTITY',
    entries: v.entries,
    firstBadSeq: seq,
    lastPossibleSeq: null,
    checkpointN: null,
    reason,
  };
}

/** Verifies 1..top: on worker threads when the journal is large, else in this thread. */
const ANCHOR_KINDS: ReadonlySet<string> = new Set(['station.initialised', 'station.identity-created']);

async function verifySegments(
  station: Station,
  top: number,
  watch: ReadonlySet<number>,
  collect: ReadonlySet<string>,
): Promise<SegmentResult[]> {
  const threads = Math.min(availableParallelism(), 4);
  if (top >= PARALLEL_FROM && threads > 1 && existsSync(WORKER_FILE)) {
    try {
      return await verifyInWorkers(station.store.path, splitRange(top, threads), watch, collect);
    } catch {
      // A worker that cannot start or read is no verdict: verify here instead (slower, same result).
    }
  }
  return [verifySegment(station.journal.reader, station.deps.sha256, 1, top, watch, collect)];
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
  collect: ReadonlySet<string>,
): Promise<SegmentResult[]> {
  const workers: Worker[] = [];
  const jobs = ranges.map(
    ([fromSeq, toSeq]) =>
      new Promise<SegmentResult>((resolve, reject) => {
        const worker = new Worker(WORKER_FILE, {
          workerData: { path, fromSeq, toSeq, watch: [...watch], collect: [...collect] },
        });
        workers.push(worker);
        worker.once('message', (r: SegmentResult) => resolve(r));
        worker.once('error', reject);
        worker.once(
          'exit',
          (code) => code !== 0 && reject(new Error(`journal verify worker exited with ${code}`)),
        );
      }),
  );
  return Promise.all(jobs).catch((e: unknown) => {
    for (const w of workers) void w.terminate();
    throw e;
  });
}

/**
 * Signs a checkpoint over the current head. The head is read, signed, and stored only if it has not
 * moved in between (JournalStore.addCheckpoint re-checks inside its transaction).
 */
export async function anchorJournal(
  station: Station,
  signer: CheckpointSigner,
  stationId: string,
  checkBeforeStoring: (cp: Checkpoint, statement: Uint8Array) => void,
): Promise<CheckpointInfo> {
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
  const statement = checkpointStatement(stationId, unsigned);
  const signature = await signer.sign(statement);
  checkBeforeStoring({ ...unsigned, signature }, statement);
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
