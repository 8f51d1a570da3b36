import { createHash } from 'node:crypto';
import {
  closeSync,
  constants,
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
import { join } from 'node:path';
import { stationError } from '../errors';
import type { Station } from './station';

/**
 * Nothing on removable media is used except a private copy: files are copied into a fresh 0700 staging
 * directory under the data directory (no links followed, size bounded, digest taken from the copy), and
 * what the station keeps goes into the content-addressed object store beside the database.
 */
const COPY_CHUNK = 1024 * 1024;

export interface StagedCopy {
  readonly dir: string;
  readonly path: string;
  readonly sha256: string;
  readonly size: number;
}

/** Copies a file from media into a fresh 0700 staging directory (no links followed, size bounded). */
export async function stageCopy(station: Station, source: string, maxBytes: number): Promise<StagedCopy> {
  let st;
  try {
    st = lstatSync(source);
  } catch {
    throw stationError('BUNDLE_NOT_FOUND', `${source} does not exist`, { field: 'path' });
  }
  if (st.isSymbolicLink())
    throw stationError('BUNDLE_SYMLINK', `${source} is a symbolic link`, { field: 'path' });
  if (!st.isFile())
    throw stationError('BUNDLE_SPECIAL_FILE', `${source} is not a regular file`, { field: 'path' });
  if (st.size > maxBytes)
    throw stationError('BUNDLE_TOO_LARGE', `${source} is ${st.size} bytes (limit ${maxBytes})`, {
      field: 'path',
    });
  const root = join(station.dataDir, 'staging');
  mkdirSync(root, { recursive: true, mode: 0o700 });
  const dir = mkdtempSync(join(root, 'in-'));
  const path = join(dir, 'received');
  const hash = createHash('sha256');
  let size = 0;
  // O_NONBLOCK: a file swapped for a FIFO after the check must not block the station.
  const input = openSync(source, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  const out = await open(path, 'wx', 0o600);
  try {
    if (!fstatSync(input).isFile())
      throw stationError('BUNDLE_SPECIAL_FILE', `${source} is not a regular file`, { field: 'path' });
    const buf = Buffer.alloc(COPY_CHUNK);
    for (;;) {
      const n = readSync(input, buf, 0, COPY_CHUNK, null);
      if (n === 0) break;
      size += n;
      if (size > maxBytes)
        throw stationError('BUNDLE_TOO_LARGE', `${source} grew past ${maxBytes} bytes while copied`, {
          field: 'path',
        });
      hash.update(buf.subarray(0, n));
      await out.write(buf.subarray(0, n));
    }
    await out.sync();
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  } finally {
    closeSync(input);
    await out.close();
  }
  return { dir, path, sha256: hash.digest('hex'), size };
}

/** Where a kept file lives: `objects/<first two hex>/<sha256>`. */
export function objectPath(station: Station, sha256: string): string {
  return join(station.dataDir, 'objects', sha256.slice(0, 2), sha256);
}

/** Moves a file into the object store (kept once per digest; an existing copy is left as it is). */
export function keepObject(station: Station, sha256: string, from: string): string {
  const target = objectPath(station, sha256);
  mkdirSync(join(target, '..'), { recursive: true, mode: 0o700 });
  try {
    statSync(target);
  } catch {
    renameSync(from, target);
  }
  return target;
}
