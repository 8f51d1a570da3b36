import type { KeyObject } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { stationError } from '../../errors';
import { syncBinary, syncFolder, syncStats, writeNewFiles, type NewFile } from '../../platform/durable';
import { HELD_BYTES, verifyArtifactSignature } from './media';

/**
 * SIGN-VERIFY off the main thread: the software verification of a small artifact's signature (its held
 * bytes hashed and compared to the digest that was signed, then the ECDSA-SHA256 signature verified
 * against the public key read from the token) done in batches by one worker thread, so the main thread
 * keeps the token busy while the other core verifies. The check is exactly verifyArtifactSignature's over
 * held bytes; where the worker cannot start or fails, the batch is verified here instead (same answers).
 *
 * The worker is a few lines of plain Node (no station code), started from source so that it needs no
 * file of its own beside the bundle.
 */
const SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash, createPublicKey, createVerify, verify } = require('node:crypto');
const fs = require('node:fs');
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');
const C = fs.constants;
let key = null;
let modeExact = false;
function writeOne(dir, f, mode) {
  const path = join(dir, f.name);
  let fd;
  try {
    fd = fs.openSync(path, C.O_WRONLY | C.O_CREAT | C.O_EXCL | C.O_NOFOLLOW, mode);
  } catch (e) {
    if (e.code === 'EEXIST') return 'exists';
    throw e;
  }
  try {
    if (!modeExact) {
      if ((fs.fstatSync(fd).mode & 0o777) === mode) modeExact = true;
      else {
        try { fs.fchmodSync(fd, mode); } catch (e) { if (e.code !== 'EPERM') throw e; }
        const got = fs.fstatSync(fd).mode & 0o777;
        if ((got & 0o066 & ~mode) !== 0) throw Object.assign(new Error('not private'), { notPrivate: got, path });
      }
    }
    const bytes = Buffer.from(f.bytes.buffer, f.bytes.byteOffset, f.bytes.byteLength);
    for (let off = 0; off < bytes.length; ) off += fs.writeSync(fd, bytes, off, bytes.length - off);
  } catch (e) {
    try { fs.unlinkSync(path); } catch {}
    throw e;
  } finally {
    try { fs.closeSync(fd); } catch {}
  }
  return 'written';
}
function readNoAtime(path) {
  let fd;
  try {
    fd = fs.openSync(path, C.O_RDONLY | C.O_NOFOLLOW | C.O_NOATIME);
  } catch (e) {
    if (e.code !== 'EPERM') throw e;
    fd = fs.openSync(path, C.O_RDONLY | C.O_NOFOLLOW);
  }
  try {
    const s = fs.fstatSync(fd, { bigint: true });
    return { bytes: fs.readFileSync(fd), stat: [s.dev, s.ino, s.size, s.mtimeNs, s.ctimeNs].join(':') };
  } finally {
    fs.closeSync(fd);
  }
}
const held = new Map();
function hashOne(dir, name, max, heldBytes) {
  let fd;
  try {
    fd = fs.openSync(join(dir, name), C.O_RDONLY | C.O_NOFOLLOW | C.O_NONBLOCK);
  } catch {
    return { error: 'missing' };
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) return { error: 'missing' };
    if (max !== null && st.size > max) return { error: 'size' };
    const small = st.size <= heldBytes;
    const hash = createHash('sha256');
    let verifier = small ? null : createVerify('sha256');
    const buffer = Buffer.allocUnsafe(small ? st.size + 1 : 4 * heldBytes);
    const parts = [];
    let size = 0;
    for (;;) {
      const n = fs.readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) break;
      if (max !== null && size + n > max) return { error: 'size' };
      const chunk = buffer.subarray(0, n);
      hash.update(chunk);
      if (!verifier && size + n > heldBytes) {
        verifier = createVerify('sha256');
        for (const p of parts) verifier.update(p);
      }
      if (verifier) verifier.update(chunk);
      else parts.push(Buffer.from(chunk));
      size += n;
    }
    return { sha256: hash.digest('hex'), size, bytes: verifier ? null : Buffer.concat(parts), verifier };
  } catch {
    return { error: 'missing' };
  } finally {
    fs.closeSync(fd);
  }
}
function run(m) {
  if (m.op === 'hash') {
    return {
      files: m.files.map((f) => {
        const r = hashOne(m.dir, f.name, f.max, m.heldBytes);
        if (r.error) return { error: r.error };
        held.set(f.key, { bytes: r.bytes, verifier: r.verifier });
        return { sha256: r.sha256, size: r.size };
      }),
    };
  }
  if (m.op === 'drop') {
    for (const k of m.keys) held.delete(k);
    return {};
  }
  if (m.op === 'verify-held') {
    return {
      ok: m.items.map((it) => {
        const h = held.get(it.key);
        held.delete(it.key);
        if (!h) return false;
        try {
          return h.bytes
            ? verify('sha256', h.bytes, { key, dsaEncoding: 'der' }, it.signature) === true
            : h.verifier.verify({ key, dsaEncoding: 'der' }, it.signature) === true;
        } catch {
          return false;
        }
      }),
    };
  }
  if (m.op === 'write') {
    const results = [];
    try {
      for (const f of m.files) results.push(writeOne(m.dir, f, m.mode));
    } catch (e) {
      return { error: { message: e.message, code: e.code, notPrivate: e.notPrivate, path: e.path } };
    }
    return { results };
  }
  if (m.op === 'sync') {
    const r = spawnSync(m.binary, ['-f', m.dir], { timeout: 120000, encoding: 'utf8' });
    return { status: r.error ? null : r.status, stderr: String(r.stderr || '') };
  }
  if (m.op === 'readback') {
    const stats = [];
    for (const f of m.files) {
      const path = join(m.dir, f.name);
      let back = null;
      try { back = readNoAtime(path); } catch {}
      if (!back || !back.bytes.equals(f.bytes)) {
        try { fs.rmSync(path, { force: true }); } catch {}
        return { bad: path };
      }
      stats.push(back.stat);
    }
    return { bad: null, stats };
  }
  const ok = m.items.map((it) => {
    try {
      return (
        createHash('sha256').update(it.bytes).digest('hex') === it.sha256 &&
        verify('sha256', it.bytes, { key, dsaEncoding: 'der' }, it.signature) === true
      );
    } catch {
      return false;
    }
  });
  return { ok };
}
parentPort.on('message', (m) => {
  if (m.spki) {
    key = createPublicKey({ key: Buffer.from(m.spki), format: 'der', type: 'spki' });
    return;
  }
  parentPort.postMessage({ id: m.id, ...run(m) });
});
`;

export interface HeldArtifact {
  readonly sha256: string;
  readonly bytes: Buffer;
  readonly signature: Uint8Array;
}

type Reply = { id: number } & Record<string, unknown>;

/**
 * One worker thread (see SOURCE): signatures verified in batches, or a chunk's output files created and
 * read back. The station starts two per attempt, so verifying and landing never queue behind each other.
 */
export class SigningWorker {
  private worker: Worker | null = null;
  private next = 0;
  private readonly waiting = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();

  constructor(key: KeyObject) {
    try {
      const worker = new Worker(SOURCE, { eval: true });
      worker.postMessage({ spki: key.export({ type: 'spki', format: 'der' }) });
      worker.on('message', (m: Reply) => {
        const w = this.waiting.get(m.id);
        this.waiting.delete(m.id);
        w?.resolve(m);
      });
      const fail = (e: Error) => {
        this.worker = null;
        for (const w of this.waiting.values()) w.reject(e);
        this.waiting.clear();
      };
      worker.on('error', fail);
      worker.on('exit', () => fail(new Error('the signing worker stopped')));
      // The worker holds the process open until close() (the attempt's end, in a finally).
      this.worker = worker;
    } catch {
      this.worker = null;
    }
  }

  /** The worker's answer, or null when there is no worker (the caller does the work here). */
  protected call(message: Record<string, unknown>): Promise<Reply> | null {
    const worker = this.worker;
    if (!worker) return null;
    const id = this.next++;
    return new Promise<Reply>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ id, ...message });
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
  }
}

/** SIGN-VERIFY of small artifacts, in batches, on its own worker. */
export class BatchVerifier extends SigningWorker {
  constructor(private readonly key: KeyObject) {
    super(key);
  }

  /** One answer per artifact, in order: true when its signature verifies over its bytes. */
  async verify(items: readonly HeldArtifact[]): Promise<boolean[]> {
    const reply = items.length === 0 ? null : this.call({ op: 'verify', items });
    if (reply) {
      try {
        const ok = (await reply).ok;
        if (Array.isArray(ok) && ok.length === items.length) return ok.map((x) => x === true);
      } catch {
        /* the worker failed: verified here instead */
      }
    }
    return Promise.all(
      items.map((it) =>
        verifyArtifactSignature(this.key, it.signature, {
          dir: '',
          name: '',
          sha256: it.sha256,
          bytes: it.bytes,
        }),
      ),
    );
  }
}

/**
 * A chunk's outputs created (writeNewFiles' rule, exactly: O_CREAT|O_EXCL|O_NOFOLLOW under the final
 * name, the mode exact or OUTPUT_NOT_PRIVATE, the bytes in one write, no fsync, a file not written whole
 * removed) and, after the caller's sync, read back byte for byte (one that differs is removed), on its
 * own worker: the creates' kernel time is spent on the other core while the token signs.
 */
export class OutputWriter extends SigningWorker {
  async write(
    dir: string,
    files: readonly NewFile[],
    opts: { readonly mode: number; readonly field?: string },
  ): Promise<('written' | 'exists')[]> {
    const reply = files.length === 0 ? null : this.call({ op: 'write', dir, files, mode: opts.mode });
    if (!reply) return writeNewFiles(dir, files, opts);
    let r: Reply;
    try {
      r = await reply;
    } catch {
      // The worker stopped mid-batch: the in-process writer takes the batch over (a name the worker
      // already created answers 'exists' and is settled by the caller's in-doubt rule).
      return writeNewFiles(dir, files, opts);
    }
    const error = r.error as
      { message: string; code?: string; notPrivate?: number; path?: string } | undefined;
    if (error) {
      if (typeof error.notPrivate === 'number')
        throw stationError(
          'OUTPUT_NOT_PRIVATE',
          `${error.path ?? dir} would be mode ${error.notPrivate.toString(8).padStart(4, '0')} on this volume, not ${opts.mode.toString(8).padStart(4, '0')}`,
          { ...(opts.field ? { field: opts.field } : {}), path: error.path ?? dir },
        );
      throw Object.assign(new Error(error.message), error.code ? { code: error.code } : {});
    }
    return r.results as ('written' | 'exists')[];
  }

  /**
   * syncFolder's rule with `sync -f` run from the worker (its fork and wait off the main thread): exit
   * 0 durable; any other status a write-back error (thrown, never retried by fsync); not run at all (no
   * binary, no worker, the worker failed) → syncFolder here.
   */
  async sync(dir: string, names: readonly string[]): Promise<void> {
    const binary = syncBinary();
    const reply = binary ? this.call({ op: 'sync', dir, binary }) : null;
    let r: Reply | null = null;
    if (reply)
      try {
        r = await reply;
      } catch {
        r = null;
      }
    if (r && r.status === 0) {
      syncStats.syncfs++;
      return;
    }
    if (r && typeof r.status === 'number')
      throw new Error(
        `sync -f ${dir} failed (${r.status}): ${String(r.stderr).trim() || 'write-back error'}`,
      );
    await syncFolder(dir, names);
  }

  /**
   * Reads each file back on the worker; `failed` is called with the first that did not read back as
   * written (the worker removed it). Without a working worker, `here` reads them back in process. The
   * answer: each file's identity as it was read back (outputStat), or null when read back here.
   */
  async readBack(
    dir: string,
    files: readonly NewFile[],
    failed: (path: string) => never,
    here: () => void,
  ): Promise<string[] | null> {
    const reply = files.length === 0 ? null : this.call({ op: 'readback', dir, files });
    let r: Reply | null = null;
    if (reply)
      try {
        r = await reply;
      } catch {
        r = null;
      }
    if (!r || !('bad' in r)) {
      here();
      return null;
    }
    if (typeof r.bad === 'string') failed(r.bad);
    const stats = r.stats;
    return Array.isArray(stats) && stats.length === files.length ? (stats as string[]) : null;
  }
}

/**
 * SIGN-MATCH and SIGN-VERIFY for a chunk's media, on its own worker, one chunk ahead of the token: each
 * file opened as hashFile opens it (O_NOFOLLOW|O_NONBLOCK, a regular file only, never read past the
 * manifest's size) and streamed once through SHA-256; its bytes (small files) or an ECDSA-SHA256 verifier
 * fed in that same pass (large ones) stay on the worker under a key until the token's signature of it is
 * verified there (`verifyHeld`) or it is dropped. No worker: null, and the caller hashes in process.
 */
export class MediaHasher extends SigningWorker {
  private nextKey = 0;

  hash(
    dir: string,
    files: readonly { readonly name: string; readonly max: number | null }[],
  ): Promise<({ key: number; sha256: string; size: number } | { error: 'missing' | 'size' })[]> | null {
    const keyed = files.map((f) => ({ ...f, key: this.nextKey++ }));
    const reply = this.call({ op: 'hash', dir, files: keyed, heldBytes: HELD_BYTES });
    if (!reply) return null;
    return reply.then((r) => {
      const out = r.files as ({ sha256: string; size: number } | { error: 'missing' | 'size' })[];
      if (!Array.isArray(out) || out.length !== files.length)
        throw new Error('the hashing worker answered wrong');
      return out.map((x, i) => ('error' in x ? x : { ...x, key: (keyed[i] as { key: number }).key }));
    });
  }

  /** One answer per signature, in order: true when it verifies over the held bytes or the fed verifier. */
  async verifyHeld(
    items: readonly { readonly key: number; readonly signature: Uint8Array }[],
  ): Promise<boolean[]> {
    const reply = this.call({ op: 'verify-held', items });
    if (!reply) return items.map(() => false);
    const ok = (await reply).ok;
    return Array.isArray(ok) && ok.length === items.length
      ? ok.map((x) => x === true)
      : items.map(() => false);
  }

  drop(keys: readonly number[]): void {
    if (keys.length > 0) void this.call({ op: 'drop', keys })?.catch(() => {});
  }
}
