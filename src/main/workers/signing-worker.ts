/**
 * Worker thread entry: one signing attempt's work beside the token (media hashed a chunk ahead,
 * signatures verified, a chunk's outputs created, synced and read back), so the main thread keeps the
 * token busy while the other core does it. Every job is the station's own function, run by
 * adapters/media/signing-jobs.ts exactly as the calling thread runs it when no worker can start.
 */
import { createPublicKey } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { SigningJobs, type SigningJob } from '../adapters/media/signing-jobs';

const { spki } = workerData as { spki: Uint8Array };
const jobs = new SigningJobs(createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }));
parentPort?.on('message', (m: { id: number; job: SigningJob }) => {
  void jobs.run(m.job).then((reply) => parentPort?.postMessage({ id: m.id, ...reply }));
});
