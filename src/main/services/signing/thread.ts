import type { KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { NewFile } from '../../platform/durable';
import { workerFile } from '../../workers/location';
import {
  fromFault,
  SigningJobs,
  type HashAnswer,
  type JobAnswers,
  type JobReply,
  type SigningJob,
} from '../../adapters/media/signing-jobs';

/** The built signing worker (dist/workers, see vite.config.ts); absent when running from source. */
const SIGNING_WORKER = workerFile('signing-worker');

/** A copy with a buffer of its own: a pooled Buffer would otherwise be cloned with its whole pool. */
const own = (b: Uint8Array): Uint8Array => new Uint8Array(b);

/**
 * One thread of a signing attempt's work beside the token (adapters/media/signing-jobs.ts): the signing
 * worker (src/main/workers/signing-worker.ts) when its built file is there, else the same jobs on this
 * thread.
 * A worker that stops or fails mid-attempt fails every job asked of it and every later one: the attempt
 * stops, and what it had not counted is settled by a resume (SIGN-RESUME), as after a crash.
 * The worker holds the process open until `close()` (the attempt's end, in a finally).
 */
export class SigningThread {
  private worker: Worker | null = null;
  private here: SigningJobs | null = null;
  private failure: Error | null = null;
  private next = 0;
  private nextKey = 0;
  private readonly waiting = new Map<
    number,
    { resolve: (r: JobReply) => void; reject: (e: Error) => void }
  >();

  constructor(key: KeyObject, file: string | null = SIGNING_WORKER) {
    if (file !== null && existsSync(file)) {
      try {
        const worker = new Worker(file, {
          workerData: { spki: own(key.export({ type: 'spki', format: 'der' })) },
        });
        worker.on('message', (m: { id: number } & JobReply) => {
          const w = this.waiting.get(m.id);
          this.waiting.delete(m.id);
          w?.resolve(m);
        });
        const fail = (e: Error) => {
          this.worker = null;
          this.failure ??= e;
          for (const w of this.waiting.values()) w.reject(e);
          this.waiting.clear();
        };
        worker.on('error', (e) => fail(new Error(`the signing worker failed: ${e.message}`)));
        worker.on('exit', (code) => fail(new Error(`the signing worker stopped (exit ${code})`)));
        this.worker = worker;
        return;
      } catch {
        /* no worker can start here: the jobs run on this thread */
      }
    }
    this.here = new SigningJobs(key);
  }

  /** Where the jobs run. */
  get where(): 'worker' | 'this thread' {
    return this.here ? 'this thread' : 'worker';
  }

  private async call<O extends SigningJob['op']>(
    job: Extract<SigningJob, { op: O }>,
  ): Promise<JobAnswers[O]> {
    let reply: JobReply;
    if (this.here) reply = await this.here.run(job);
    else {
      const worker = this.worker;
      if (!worker) throw this.failure ?? new Error('the signing worker is closed');
      const id = this.next++;
      reply = await new Promise<JobReply>((resolve, reject) => {
        this.waiting.set(id, { resolve, reject });
        worker.postMessage({ id, job });
      });
    }
    if ('fault' in reply) throw fromFault(reply.fault);
    return reply.answer as JobAnswers[O];
  }

  /**
   * SIGN-MATCH: each file hashed (artifacts.ts hashFile, one pass, never past `max`); what its signature is
   * verified against stays on this thread under the answer's key.
   */
  async hash(
    dir: string,
    files: readonly { readonly name: string; readonly max: number | null }[],
  ): Promise<(HashAnswer & { readonly key: number })[]> {
    const keyed = files.map((f) => ({ name: f.name, max: f.max, key: this.nextKey++ }));
    const { files: out } = await this.call({ op: 'hash', dir, files: keyed });
    if (out.length !== keyed.length) throw new Error('the signing worker answered for other files');
    return out.map((r, i) => ({ ...r, key: (keyed[i] as { key: number }).key }));
  }

  /** SIGN-VERIFY over held files, one answer per item in order (a key no longer held: false). */
  async verifyHeld(
    items: readonly { readonly key: number; readonly sha256: string; readonly signature: Uint8Array }[],
  ): Promise<boolean[]> {
    if (items.length === 0) return [];
    const { ok } = await this.call({
      op: 'verify-held',
      items: items.map((it) => ({ ...it, signature: this.here ? it.signature : own(it.signature) })),
    });
    if (ok.length !== items.length) throw new Error('the signing worker answered for other signatures');
    return ok.map((x) => x === true);
  }

  /** Forgets held files (their signatures will not be verified). */
  drop(keys: readonly number[]): void {
    if (keys.length > 0) this.call({ op: 'drop', keys }).catch(() => {});
  }

  /** durable.ts writeNewFiles. */
  async write(
    dir: string,
    files: readonly NewFile[],
    opts: { readonly mode: number; readonly field?: string },
  ): Promise<('written' | 'exists')[]> {
    if (files.length === 0) return [];
    const { results } = await this.call({
      op: 'write',
      dir,
      files: this.files(files),
      mode: opts.mode,
      ...(opts.field ? { field: opts.field } : {}),
    });
    return results;
  }

  /** durable.ts syncFolder. */
  async sync(dir: string, names: readonly string[]): Promise<void> {
    await this.call({ op: 'sync', dir, names });
  }

  /**
   * signing-outputs.ts readBack of each file in order (the first that fails is removed and thrown);
   * their identities as read back.
   */
  async readBack(dir: string, files: readonly NewFile[]): Promise<string[]> {
    if (files.length === 0) return [];
    const { identities } = await this.call({ op: 'readback', dir, files: this.files(files) });
    return identities;
  }

  private files(files: readonly NewFile[]): readonly NewFile[] {
    return this.here ? files : files.map((f) => ({ name: f.name, bytes: own(f.bytes) }));
  }

  async close(): Promise<void> {
    this.here?.close();
    const worker = this.worker;
    this.worker = null;
    this.failure ??= new Error('the signing worker is closed');
    if (worker) await worker.terminate();
  }
}
