import type { KeyObject } from 'node:crypto';
import { CodedError, type ErrorData } from '../../../core/errors';
import { syncFolder, writeNewFiles, type NewFile } from '../../platform/durable';
import { hashFile, verifyArtifactSignature, type HashedFile } from './artifacts';
import { readBackFiles } from './signing-outputs';

/**
 * The work of a signing attempt that runs beside the token (docs/gated-signing.md, "Throughput"): media
 * re-hashed (SIGN-MATCH), signatures verified (SIGN-VERIFY), a chunk's outputs created, made durable and
 * read back. Each job is the station's own function — artifacts.ts hashFile and verifyArtifactSignature,
 * durable.ts writeNewFiles and syncFolder, signing-outputs.ts readBack — applied on a worker thread
 * (src/main/workers/signing-worker.ts) or, where no worker can run, on the calling thread by this same
 * class: the answers cannot differ.
 *
 * A file hashed stays here under a key with what its signature is verified against (its bytes, or for a
 * large file the ECDSA-SHA256 verifier fed in the hashing pass) until `verify-held` uses it or `drop`
 * forgets it, so no artifact is read twice.
 */
export type SigningJob =
  | {
      readonly op: 'hash';
      readonly dir: string;
      readonly files: readonly { readonly name: string; readonly max: number | null; readonly key: number }[];
    }
  | { readonly op: 'drop'; readonly keys: readonly number[] }
  | {
      readonly op: 'verify-held';
      readonly items: readonly {
        readonly key: number;
        readonly sha256: string;
        readonly signature: Uint8Array;
      }[];
    }
  | {
      readonly op: 'write';
      readonly dir: string;
      readonly files: readonly NewFile[];
      readonly mode: number;
      readonly field?: string;
    }
  | { readonly op: 'sync'; readonly dir: string; readonly names: readonly string[] }
  | { readonly op: 'readback'; readonly dir: string; readonly files: readonly NewFile[] };

/**
 * A file hashed: its digest and size, or why it is not the artifact (absent or not a regular file;
 * longer than the manifest says).
 */
export type HashAnswer =
  { readonly sha256: string; readonly size: number } | { readonly error: 'missing' | 'size' };

export interface JobAnswers {
  hash: { files: HashAnswer[] };
  drop: Record<string, never>;
  'verify-held': { ok: boolean[] };
  write: { results: ('written' | 'exists')[] };
  sync: Record<string, never>;
  readback: { identities: string[] };
}

/** An error as it crosses from the worker: a coded one keeps its code and data, an OS one its errno code. */
export interface JobFault {
  readonly message: string;
  readonly coded?: { readonly code: string; readonly data: ErrorData };
  readonly errno?: string;
}

export type JobReply = { readonly fault: JobFault } | { readonly answer: JobAnswers[SigningJob['op']] };

export function toFault(e: unknown): JobFault {
  if (e instanceof CodedError) return { message: e.message, coded: { code: e.code, data: e.data } };
  const errno = (e as NodeJS.ErrnoException | null)?.code;
  return {
    message: e instanceof Error ? e.message : String(e),
    ...(typeof errno === 'string' ? { errno } : {}),
  };
}

export function fromFault(f: JobFault): Error {
  if (f.coded) return new CodedError(f.coded.code, f.message, f.coded.data);
  return Object.assign(new Error(f.message), f.errno ? { code: f.errno } : {});
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export class SigningJobs {
  private readonly held = new Map<number, { readonly dir: string; readonly file: HashedFile }>();
  private closed = false;

  constructor(private readonly key: KeyObject) {}

  /** The job's answer, or its error as a fault (never throws). */
  async run(job: SigningJob): Promise<JobReply> {
    try {
      return { answer: await this.answer(job) };
    } catch (e) {
      return { fault: toFault(e) };
    }
  }

  /** The attempt is over: a hashing job under way reads no further file, and nothing is held. */
  close(): void {
    this.closed = true;
    this.held.clear();
  }

  private async answer(job: SigningJob): Promise<JobAnswers[SigningJob['op']]> {
    switch (job.op) {
      case 'hash': {
        const files: HashAnswer[] = [];
        for (const [k, f] of job.files.entries()) {
          if (this.closed) throw new Error('the signing attempt is over');
          // On the calling thread, a long chunk of small files does not hold the event loop.
          if (k % 256 === 255) await yieldToLoop();
          try {
            const file = await hashFile(job.dir, f.name, () => {}, { verify: true, maxBytes: f.max });
            this.held.set(f.key, { dir: job.dir, file });
            files.push({ sha256: file.sha256, size: file.size });
          } catch (e) {
            // Longer than the manifest says: not the artifact (not read past its size). Absent, or not
            // a regular file (a FIFO is never waited on): missing.
            files.push({
              error: e instanceof CodedError && e.code === 'SIGNING_ARTIFACT_SIZE' ? 'size' : 'missing',
            });
          }
        }
        return { files };
      }
      case 'drop':
        for (const k of job.keys) this.held.delete(k);
        return {};
      case 'verify-held':
        return {
          ok: await Promise.all(
            job.items.map(async (it) => {
              const h = this.held.get(it.key);
              this.held.delete(it.key);
              if (!h) return false;
              return verifyArtifactSignature(this.key, it.signature, {
                dir: h.dir,
                name: h.file.name,
                sha256: it.sha256,
                bytes: h.file.bytes,
                from: h.file,
              }).catch(() => false);
            }),
          ),
        };
      case 'write':
        return {
          results: await writeNewFiles(job.dir, job.files, {
            mode: job.mode,
            ...(job.field ? { field: job.field } : {}),
          }),
        };
      case 'sync':
        await syncFolder(job.dir, job.names);
        return {};
      case 'readback':
        return { identities: readBackFiles(job.dir, job.files) };
    }
  }
}
