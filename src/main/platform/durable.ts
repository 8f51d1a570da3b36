import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  close,
  closeSync,
  constants,
  fchmod,
  fchmodSync,
  fstat,
  fstatSync,
  fsync,
  fsyncSync,
  linkSync,
  lstatSync,
  open,
  openSync,
  renameSync,
  unlinkSync,
  write,
  writeSync,
  type Stats,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { stationError } from '../errors';

/**
 * The one way the station writes a file it hands out (an export, a CSR, a key file, a share sheet, a PDF,
 * a bundle): the file appears under its name complete and on disk, or not at all, and never over
 * anything already there.
 *
 *   temporary name beside the final one, O_CREAT|O_EXCL|O_NOFOLLOW, its final mode set before any byte
 *   → bytes → fsync → link(temp, final) (EEXIST if anything holds the name, a dangling link included)
 *   → unlink(temp) → fsync of the directory (so the name itself survives a power cut)
 *
 * On any failure neither the temporary file nor the final name is left. The helper lives here, below the
 * adapters, because the media and print adapters write through it and adapters never import each other.
 */

/** Where the bytes of a file come from: all at once, or a stream of chunks (written as they come). */
export type DurableData = string | Uint8Array | Iterable<string | Uint8Array>;

export interface ExclusiveOptions {
  /** The file's permission bits, exactly: the umask neither widens nor narrows them. */
  readonly mode: number;
  /** The input field that named the path (carried by OUTPUT_EXISTS, so the UI can point at it). */
  readonly field?: string;
  /**
   * The temporary name for `name` (default `.<name>.<nonce>.partial`). The media adapter passes the
   * owner-marked name its sweep of interrupted exports recognises (adapters/media/partials.ts).
   */
  readonly tempName?: (name: string, nonce: string) => string;
}

/**
 * The file-system calls whose answers differ on the media a station meets — FAT/exFAT (most USB sticks)
 * have no hard links and keep one mode per mount — and the fsync whose call cannot be seen from outside.
 * Held in one object so tests can play such media, which CI cannot mount, and watch the fsyncs.
 */
export const fsOps = { linkSync, fchmodSync, fstatSync, fsyncSync, renameSync };

/** Small chunks of a stream are gathered to this size before each write. */
const BATCH_BYTES = 1024 * 1024;

const exists = (path: string) => lstatSync(path, { throwIfNoEntry: false }) !== undefined;

function outputExists(path: string, field: string | undefined, message: string): Error {
  return stationError('OUTPUT_EXISTS', `${path} ${message}; the station never overwrites a file`, {
    ...(field ? { field } : {}),
    path,
  });
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    /* already gone, or the media went away: nothing more can be done */
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    /* the descriptor is gone with its media */
  }
}

/** Makes a directory entry durable: fsync on the directory itself. */
export function fsyncDir(dir: string): void {
  const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    fsOps.fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * A file being written under its temporary name. `publish()` gives it its final name; `discard()` (also
 * what every failure of `publish()` does) removes it. Sync writes for small files and generators, async
 * ones (`append`, `flush`) for a stream that must not hold the event loop.
 */
export class ExclusiveFile {
  private fd: number | null;
  private done = false;
  /** Async writes and fsyncs not yet answered: the descriptor stays open until they are. */
  private inflight = 0;
  private closeWhenIdle: number | null = null;

  constructor(
    readonly path: string,
    readonly temp: string,
    fd: number,
    private readonly field: string | undefined,
  ) {
    this.fd = fd;
  }

  private descriptor(): number {
    if (this.fd === null || this.done) throw new Error(`${this.temp} is no longer open for writing`);
    return this.fd;
  }

  /** Writes every byte of `chunk` (a short write is continued, never dropped). */
  write(chunk: string | Uint8Array): void {
    const fd = this.descriptor();
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    for (let off = 0; off < bytes.length;) off += writeSync(fd, bytes, off, bytes.length - off);
  }

  /** The same, off the event loop. */
  async append(chunk: Uint8Array): Promise<void> {
    for (let off = 0; off < chunk.length;) {
      off += await this.onThreadPool<number>((fd, done) =>
        write(fd, chunk, off, chunk.length - off, null, done),
      );
    }
  }

  /** fsync off the event loop (a large file's data reaches the disk before `publish` is called). */
  async flush(): Promise<void> {
    await this.onThreadPool<undefined>((fd, done) => fsync(fd, (e) => done(e)));
  }

  /**
   * One call on the thread pool. A discard meanwhile (a cancelled export) closes the descriptor only
   * once the call is answered, so the call can never land on a number the process has reused.
   */
  private async onThreadPool<T>(
    call: (fd: number, done: (e: Error | null, value?: T) => void) => void,
  ): Promise<T> {
    const fd = this.descriptor();
    this.inflight++;
    try {
      return await new Promise<T>((resolve, reject) =>
        call(fd, (e, value) => (e ? reject(e) : resolve(value as T))),
      );
    } finally {
      if (--this.inflight === 0 && this.closeWhenIdle !== null) {
        closeQuietly(this.closeWhenIdle);
        this.closeWhenIdle = null;
      }
    }
  }

  /**
   * fsync, close, give the file its final name without replacing anything, and fsync the directory.
   * OUTPUT_EXISTS if the name was taken meanwhile. On any failure nothing is left under either name.
   */
  publish(): void {
    const fd = this.descriptor();
    if (this.inflight > 0) throw new Error(`${this.temp} is published while writes are still in flight`);
    let published = false;
    try {
      fsOps.fsyncSync(fd);
      // Forgotten before it is closed: close() frees the descriptor even when it reports an error.
      this.fd = null;
      closeSync(fd);
      this.giveName();
      published = true;
      fsyncDir(dirname(this.path));
      this.done = true;
    } catch (e) {
      // The final name is removed only when this call gave it (the inode is ours): after a failed
      // directory fsync the caller is told "failed", so the name must not survive to say otherwise.
      if (published) removeQuietly(this.path);
      this.discard();
      throw e;
    }
  }

  /** Closes and removes the temporary file. Never throws; a no-op once published or discarded. */
  discard(): void {
    if (this.done) return;
    this.done = true;
    if (this.fd !== null) {
      if (this.inflight > 0) this.closeWhenIdle = this.fd;
      else closeQuietly(this.fd);
      this.fd = null;
    }
    removeQuietly(this.temp);
  }

  /**
   * link() fails if the name exists, so nothing is ever replaced. FAT/exFAT have no hard links (EPERM,
   * EOPNOTSUPP): there the name is first reserved with an empty O_CREAT|O_EXCL placeholder (EEXIST if
   * anything holds it), then the file renamed over that placeholder, which is ours — a check then a
   * rename would replace a file made in between.
   */
  private giveName(): void {
    try {
      fsOps.linkSync(this.temp, this.path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') throw outputExists(this.path, this.field, 'appeared while it was written');
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw e;
      let placeholder: number;
      try {
        placeholder = openSync(
          this.path,
          constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
          0o600,
        );
      } catch (r) {
        if ((r as NodeJS.ErrnoException).code === 'EEXIST')
          throw outputExists(this.path, this.field, 'appeared while it was written');
        throw r;
      }
      closeQuietly(placeholder);
      try {
        fsOps.renameSync(this.temp, this.path);
      } catch (r) {
        removeQuietly(this.path);
        throw r;
      }
      return;
    }
    try {
      unlinkSync(this.temp);
    } catch (e) {
      removeQuietly(this.path);
      throw e;
    }
  }
}

/**
 * Opens `path`'s temporary file, with exactly `opts.mode`. OUTPUT_EXISTS at once if the name is taken
 * (nothing is written for a name that cannot be had). Nothing is created if this throws.
 */
export function beginExclusive(path: string, opts: ExclusiveOptions): ExclusiveFile {
  if (exists(path)) throw outputExists(path, opts.field, 'already exists');
  const nonce = randomBytes(6).toString('hex');
  const name = basename(path);
  const temp = join(dirname(path), opts.tempName ? opts.tempName(name, nonce) : `.${name}.${nonce}.partial`);
  // O_EXCL: a file or link already under the temporary name is never opened, followed or removed.
  const fd = openSync(
    temp,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    opts.mode,
  );
  try {
    setMode(fd, opts.mode, path, opts.field);
  } catch (e) {
    closeSync(fd);
    removeQuietly(temp);
    throw e;
  }
  return new ExclusiveFile(path, temp, fd, opts.field);
}

/**
 * open() applies the umask to the mode it is given; fchmod sets it exactly. The owner of a file it has
 * just created may always change its mode on a POSIX file system, so EPERM here is FAT/exFAT refusing a
 * mode its mount options do not give every file: there the mount decides, for this file as for all (and
 * with `quiet` it answers 0 and applies nothing). So the result is read back: a file the mount lets group
 * or others read or write when `mode` does not is refused (OUTPUT_NOT_PRIVATE) — a key file or a share
 * must be exactly as private as asked. Execute bits a mount adds to every file reveal nothing and pass.
 */
function setMode(fd: number, mode: number, path: string, field: string | undefined): void {
  try {
    fsOps.fchmodSync(fd, mode);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') throw e;
  }
  const got = fsOps.fstatSync(fd).mode & 0o777;
  const wider = got & 0o066 & ~mode;
  if (wider !== 0)
    throw stationError(
      'OUTPUT_NOT_PRIVATE',
      `${path} would be mode ${got.toString(8).padStart(4, '0')} on this volume, not ${mode.toString(8).padStart(4, '0')}`,
      { ...(field ? { field } : {}), path },
    );
}

/**
 * Writes a new file durably, never over an existing one (OUTPUT_EXISTS naming the path). `data` may be a
 * stream of chunks (a generator), written as it is produced; if it throws, nothing is left.
 */
export function writeExclusive(path: string, data: DurableData, opts: ExclusiveOptions): void {
  const file = beginExclusive(path, opts);
  try {
    if (typeof data === 'string' || data instanceof Uint8Array) file.write(data);
    else {
      let batch: Uint8Array[] = [];
      let size = 0;
      for (const chunk of data) {
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
        batch.push(bytes);
        size += bytes.length;
        if (size >= BATCH_BYTES) {
          file.write(Buffer.concat(batch));
          batch = [];
          size = 0;
        }
      }
      if (size > 0) file.write(Buffer.concat(batch));
    }
    file.publish();
  } catch (e) {
    file.discard();
    throw e;
  }
}

/** One small file of a batch written by `writeNewFiles`. */
export interface NewFile {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** Files of a batch created concurrently (the file system's create latency, not CPU, bounds a batch). */
const BATCH_CONCURRENCY = 16;

const viaPool = <T>(call: (done: (e: Error | null, value?: T) => void) => void): Promise<T> =>
  new Promise<T>((resolve, reject) => call((e, value) => (e ? reject(e) : resolve(value as T))));

/**
 * A batch of small new files in one folder, each created directly under its final name with
 * O_CREAT|O_EXCL|O_NOFOLLOW (never over anything, a dangling link included), its mode exactly `mode`
 * (read back on the batch's first file and set on every file when the umask changed it; refused with
 * OUTPUT_NOT_PRIVATE when a mount makes it wider, as `beginExclusive`), and its bytes written in one call — WITHOUT any fsync. Not durable until
 * `syncFolder` returns: a caller counts none of them before that.
 *
 * Answers, per file in order, 'written' or 'exists' (the name was taken: nothing was written to it).
 * What a crash can leave: a process killed between the create and the write leaves the name empty; a
 * power cut before `syncFolder` can leave any of the batch missing, empty or (on media without a
 * journal) torn. The caller must know which names it was writing (the signing journal's intents do).
 * On any other error the batch stops and the error is thrown; files already written stay (they are
 * whole, and the caller's intents cover them).
 */
export async function writeNewFiles(
  dir: string,
  files: readonly NewFile[],
  opts: { readonly mode: number; readonly field?: string },
): Promise<('written' | 'exists')[]> {
  const results: ('written' | 'exists')[] = new Array<'written' | 'exists'>(files.length);
  let next = 0;
  let failed: unknown = null;
  let modeExact = false;
  const one = async (i: number) => {
    const f = files[i] as NewFile;
    const path = join(dir, f.name);
    let fd: number;
    try {
      fd = await viaPool<number>((done) =>
        open(
          path,
          constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
          opts.mode,
          done,
        ),
      );
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
        results[i] = 'exists';
        return;
      }
      throw e;
    }
    try {
      // The umask and the mount decide every file of the folder alike: once one came out exactly as
      // asked, the rest of the batch is not stat'ed again.
      const mode = modeExact ? opts.mode : (await viaPool<Stats>((done) => fstat(fd, done))).mode & 0o777;
      if (mode === opts.mode) modeExact = true;
      else {
        try {
          await viaPool<undefined>((done) => fchmod(fd, opts.mode, (e) => done(e)));
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EPERM') throw e;
        }
        const got = (await viaPool<Stats>((done) => fstat(fd, done))).mode & 0o777;
        if ((got & 0o066 & ~opts.mode) !== 0)
          throw stationError(
            'OUTPUT_NOT_PRIVATE',
            `${path} would be mode ${got.toString(8).padStart(4, '0')} on this volume, not ${opts.mode.toString(8).padStart(4, '0')}`,
            { ...(opts.field ? { field: opts.field } : {}), path },
          );
      }
      for (let off = 0; off < f.bytes.length;) {
        off += await viaPool<number>((done) => write(fd, f.bytes, off, f.bytes.length - off, null, done));
      }
    } catch (e) {
      // The name is ours (O_EXCL): a file this call could not write whole is not left behind.
      removeQuietly(path);
      throw e;
    } finally {
      await viaPool<undefined>((done) => close(fd, (e) => done(e))).catch(() => {});
    }
    results[i] = 'written';
  };
  const worker = async () => {
    while (failed === null && next < files.length) {
      const i = next++;
      try {
        await one(i);
      } catch (e) {
        failed ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(BATCH_CONCURRENCY, files.length) }, worker));
  if (failed !== null) throw failed;
  return results;
}

/** coreutils `sync`, by absolute path (never looked up on PATH). */
const SYNC_BINARIES = ['/usr/bin/sync', '/bin/sync'];

/** Which way `syncFolder` made a batch durable (tests read it). */
export const syncStats = { syncfs: 0, fsyncEach: 0 };

/**
 * Makes files written without fsync (`writeNewFiles`) durable together, with their names: one syncfs of
 * the folder's file system (coreutils `sync -f <dir>`, which reports a write-back error in its exit
 * status) — far cheaper than an fsync per file on a journaling file system, where each is a commit.
 * Where `sync -f` is not available or cannot be run, each file is fsynced and then the folder. Throws
 * when the data cannot be made durable (`sync -f` exiting with an error included).
 */
export async function syncFolder(dir: string, names: readonly string[]): Promise<void> {
  const binary = process.platform === 'linux' ? SYNC_BINARIES.find((b) => exists(b)) : undefined;
  if (binary) {
    const ran = await new Promise<{ status: number | null; stderr: string }>((resolve) =>
      execFile(binary, ['-f', dir], { timeout: 120_000 }, (e, _out, stderr) =>
        resolve({ status: e ? (typeof e.code === 'number' ? e.code : null) : 0, stderr: String(stderr) }),
      ),
    );
    if (ran.status === 0) {
      syncStats.syncfs++;
      return;
    }
    // syncfs reported a write-back error: an fsync on a descriptor opened after it would not see the
    // error again, so there is no falling back — the batch is not durable.
    if (ran.status !== null)
      throw new Error(`sync -f ${dir} failed (${ran.status}): ${ran.stderr.trim() || 'write-back error'}`);
  }
  for (const name of names) {
    const fd = openSync(join(dir, name), constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      fsOps.fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
  fsyncDir(dir);
  syncStats.fsyncEach++;
}
