import { createHash } from 'node:crypto';
import {
  closeSync,
  constants,
  existsSync,
  fstatSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { stationError } from '../../errors';
import { fsOps, fsyncDir } from '../../platform/durable';

/**
 * Nothing on removable media is used except a private copy: files are copied into a fresh 0700 staging
 * directory under the data directory (no links followed, size bounded, digest taken from the copy), and
 * what the station keeps goes into the content-addressed object store beside the database.
 */
const COPY_CHUNK = 1024 * 1024;

/** Where staging and the object store live: the station's data directory. */
export interface DataDir {
  readonly dataDir: string;
}

export interface StagedCopy {
  readonly dir: string;
  readonly path: string;
  readonly sha256: string;
  readonly size: number;
}

const mediaRefusal = (
  code:
    'BUNDLE_NOT_FOUND' | 'BUNDLE_SYMLINK' | 'BUNDLE_SPECIAL_FILE' | 'BUNDLE_TOO_LARGE' | 'BUNDLE_UNREADABLE',
  message: string,
) =>
  stationError(code, message, {
    field: 'path',
    ...(code === 'BUNDLE_NOT_FOUND'
      ? {}
      : { check: code === 'BUNDLE_TOO_LARGE' ? 'BND-LIMIT-FILE' : 'BND-MEDIA-FILE' }),
  });

/** BND-MEDIA-FILE: what an lstat/open failure on the media means, as a coded refusal. */
function openFailure(source: string, e: unknown): Error {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return mediaRefusal('BUNDLE_NOT_FOUND', `${source} does not exist`);
    case 'ELOOP':
    case 'EMLINK':
      // O_NOFOLLOW met a link (one swapped in after the check, or a loop on the way).
      return mediaRefusal('BUNDLE_SYMLINK', `${source} is a symbolic link`);
    case 'ENXIO':
    case 'ENODEV':
    case 'EISDIR':
      return mediaRefusal('BUNDLE_SPECIAL_FILE', `${source} is not a regular file`);
    default:
      return mediaRefusal('BUNDLE_UNREADABLE', `${source} cannot be opened (${code ?? 'error'})`);
  }
}

/**
 * Copies a file from media into a fresh 0700 staging directory (no links followed, size bounded).
 * BND-MEDIA-FILE / BND-LIMIT-FILE: the name is looked at first (so a device or FIFO is never even
 * opened), then opened with O_NOFOLLOW and checked again on the open descriptor — a link or other file
 * swapped in between is refused with its code, never followed. Every failure is a coded refusal, and the
 * staging directory exists only once the source is open and checked; it is removed on every failure.
 * `beforeOpen` is a seam for tests: it runs in the window between the check of the name and the open.
 */
export async function stageCopy(
  station: DataDir,
  source: string,
  maxBytes: number,
  hooks: { readonly beforeOpen?: () => void } = {},
): Promise<StagedCopy> {
  let st;
  try {
    st = lstatSync(source);
  } catch (e) {
    throw openFailure(source, e);
  }
  if (st.isSymbolicLink()) throw mediaRefusal('BUNDLE_SYMLINK', `${source} is a symbolic link`);
  if (!st.isFile()) throw mediaRefusal('BUNDLE_SPECIAL_FILE', `${source} is not a regular file`);
  if (st.size > maxBytes)
    throw mediaRefusal('BUNDLE_TOO_LARGE', `${source} is ${st.size} bytes (limit ${maxBytes})`);
  hooks.beforeOpen?.();
  let input: number;
  try {
    // O_NONBLOCK: a file swapped for a FIFO after the check must not block the station.
    input = openSync(
      source,
      constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY,
    );
  } catch (e) {
    throw openFailure(source, e);
  }
  let dir: string | null = null;
  let out: Awaited<ReturnType<typeof open>> | null = null;
  try {
    const opened = fstatSync(input);
    if (!opened.isFile()) throw mediaRefusal('BUNDLE_SPECIAL_FILE', `${source} is not a regular file`);
    if (opened.size > maxBytes)
      throw mediaRefusal('BUNDLE_TOO_LARGE', `${source} is ${opened.size} bytes (limit ${maxBytes})`);
    const root = join(station.dataDir, 'staging');
    mkdirSync(root, { recursive: true, mode: 0o700 });
    dir = mkdtempSync(join(root, 'in-'));
    const path = join(dir, 'received');
    out = await open(path, 'wx', 0o600);
    const hash = createHash('sha256');
    let size = 0;
    const buf = Buffer.alloc(COPY_CHUNK);
    for (;;) {
      let n: number;
      try {
        n = readSync(input, buf, 0, COPY_CHUNK, null);
      } catch (e) {
        throw mediaRefusal(
          'BUNDLE_UNREADABLE',
          `${source} could not be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
        );
      }
      if (n === 0) break;
      size += n;
      if (size > maxBytes)
        throw mediaRefusal('BUNDLE_TOO_LARGE', `${source} grew past ${maxBytes} bytes while copied`);
      hash.update(buf.subarray(0, n));
      await out.write(buf.subarray(0, n));
    }
    await out.sync();
    return { dir, path, sha256: hash.digest('hex'), size };
  } catch (e) {
    if (dir) rmSync(dir, { recursive: true, force: true });
    throw e;
  } finally {
    closeSync(input);
    await out?.close();
  }
}

/** Where a kept file lives: `objects/<first two hex>/<sha256>`. */
export function objectPath(station: DataDir, sha256: string): string {
  return join(station.dataDir, 'objects', sha256.slice(0, 2), sha256);
}

/**
 * Moves a file into the object store (kept once per digest; an existing copy is left as it is), durably:
 * the journal cites objects by digest, so the bytes are fsynced before the name appears, and every
 * directory whose entries changed (the object's, and the store's when the fan-out folder is new) is
 * fsynced after — a power cut never leaves a journal naming evidence whose bytes are gone.
 */
export function keepObject(station: DataDir, sha256: string, from: string): string {
  const target = objectPath(station, sha256);
  const shard = dirname(target);
  const newShard = !existsSync(shard);
  mkdirSync(shard, { recursive: true, mode: 0o700 });
  try {
    statSync(target);
  } catch {
    const fd = openSync(from, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      fsOps.fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(from, target);
    fsyncDir(shard);
    if (newShard) fsyncDir(dirname(shard));
  }
  return target;
}
