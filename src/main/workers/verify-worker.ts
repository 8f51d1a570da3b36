/**
 * Worker thread entry: verifies one seq range of a station journal on its own read-only connection.
 * Rows up to the head the main thread saw are immutable (append-only), so every worker sees the same
 * journal even if the station appends meanwhile.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { JournalReader } from '../adapters/store/journal-reader';
import { sha256 } from '../crypto';
import { verifySegment } from './segment';

interface Job {
  readonly path: string;
  readonly fromSeq: number;
  readonly toSeq: number;
  readonly watch: readonly number[];
  readonly collect: readonly string[];
}

const job = workerData as Job;
const db = new Database(job.path, { readonly: true, fileMustExist: true });
try {
  parentPort?.postMessage(
    verifySegment(
      new JournalReader(db),
      sha256,
      job.fromSeq,
      job.toSeq,
      new Set(job.watch),
      new Set(job.collect),
    ),
  );
} finally {
  db.close();
}
