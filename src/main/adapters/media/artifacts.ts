import { createHash, createVerify, verify, type KeyObject, type Verify } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, promises as fsp, read, readSync } from 'node:fs';
import { join } from 'node:path';
import { stationError } from '../../errors';

/**
 * Reading artifacts from media, hostile until proven (ARCHITECTURE "Trust and exchange"): only regular
 * files directly in the folder, opened without following a link, each hashed as a stream.
 */

const CHUNK = 1024 * 1024;
/** Artifacts up to this size keep their bytes from the hashing pass, for the software verification. */
export const HELD_BYTES = CHUNK;

export interface HashedFile {
  readonly name: string;
  readonly sha256: string;
  readonly size: number;
  /** The bytes, when the file is small enough to hold (HELD_BYTES); else null (re-read to verify). */
  readonly bytes: Buffer | null;
  /**
   * A larger file's bytes already fed to an ECDSA-SHA256 verifier in the hashing pass (`verify`): used
   * once by verifyArtifactSignature (then null), so the file is not read again.
   */
  verifier: Verify | null;
}

/** The names of the regular files directly in `dir` (links, folders and devices are not artifacts). */
export async function mediaFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await fsp.readdir(dir, { withFileTypes: true });
  } catch (e) {
    throw stationError('INVALID_INPUT', `cannot read the media folder ${dir}: ${(e as Error).message}`, {
      field: 'mediaDir',
    });
  }
  return entries
    .filter((e) => e.isFile())
    .map((e) => e.name)
    .sort();
}

/** Large files are read in steps of this size, off the event loop. */
const LARGE_READ = 4 * CHUNK;

const readAsync = (fd: number, buffer: Buffer) =>
  new Promise<number>((resolve, reject) =>
    read(fd, buffer, 0, buffer.length, null, (e, n) => (e ? reject(e) : resolve(n))),
  );

/**
 * Streams one file through SHA-256 (O_NOFOLLOW: a link put in its place is refused, not followed), in
 * one pass. A small file (HELD_BYTES) is read synchronously (a few syscalls: cheaper than the event
 * loop's round trips) and its bytes kept for the verification; a larger one is read off the event loop
 * and, with `verify`, also fed to an ECDSA-SHA256 verifier in the same pass, so its signature is checked
 * later without reading the file a second time.
 */
export async function hashFile(
  dir: string,
  name: string,
  onBytes: (n: number) => void,
  opts: { readonly verify?: boolean; readonly maxBytes?: number | null } = {},
): Promise<HashedFile> {
  const fd = openArtifact(dir, name);
  try {
    const st = fstatSync(fd);
    if (!st.isFile())
      throw stationError('SIGNING_NOT_A_FILE', `${name} is not a regular file`, {
        field: 'mediaDir',
        artifact: name,
      });
    const max = opts.maxBytes ?? null;
    // The manifest says how large the artifact is: a longer file is not it, and is not read to its end
    // (nor is one that grows while it is read).
    if (max !== null && st.size > max) throw tooLarge(name, max);
    const expected = st.size;
    const small = expected <= HELD_BYTES;
    const hash = createHash('sha256');
    const verifier = opts.verify && !small ? createVerify('sha256') : null;
    const buffer = Buffer.allocUnsafe(small ? expected + 1 : LARGE_READ);
    const held: Buffer[] = [];
    let size = 0;
    for (;;) {
      const bytesRead = small ? readSync(fd, buffer, 0, buffer.length, null) : await readAsync(fd, buffer);
      if (bytesRead === 0) break;
      if (max !== null && size + bytesRead > max) throw tooLarge(name, max);
      const chunk = buffer.subarray(0, bytesRead);
      hash.update(chunk);
      verifier?.update(chunk);
      if (size + bytesRead <= HELD_BYTES) held.push(Buffer.from(chunk));
      size += bytesRead;
      onBytes(bytesRead);
    }
    const bytes = size <= HELD_BYTES ? Buffer.concat(held) : null;
    return { name, sha256: hash.digest('hex'), size, bytes, verifier: bytes ? null : verifier };
  } finally {
    closeSync(fd);
  }
}

/**
 * Opens a media file for reading, never waiting on it and never following a link: O_NONBLOCK, so a FIFO
 * or device put in a file's place between the listing and here cannot hang the batch (the caller's fstat
 * then refuses it as not a regular file), and O_NOFOLLOW.
 */
function openArtifact(dir: string, name: string): number {
  return openSync(join(dir, name), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
}

function tooLarge(name: string, max: number) {
  return stationError('SIGNING_ARTIFACT_SIZE', `${name} is longer than the manifest's ${max} bytes`, {
    field: 'mediaDir',
    artifact: name,
  });
}

/**
 * Verifies a DER ECDSA-SHA256 signature over an artifact with the public key read from the token: over
 * the held bytes (the curve arithmetic on the thread pool), through the verifier the hashing pass fed
 * (`HashedFile.verifier`, used once), or the file streamed again (and its digest rechecked against the
 * one that was signed).
 */
export async function verifyArtifactSignature(
  key: KeyObject,
  signature: Uint8Array,
  artifact: {
    dir: string;
    name: string;
    sha256: string;
    bytes: Buffer | null;
    from?: { verifier: Verify | null };
  },
): Promise<boolean> {
  if (artifact.bytes) {
    const bytes = artifact.bytes;
    if (createHash('sha256').update(bytes).digest('hex') !== artifact.sha256) return false;
    return new Promise<boolean>((resolve) => {
      try {
        verify('sha256', bytes, { key, dsaEncoding: 'der' }, signature, (e, ok) => resolve(!e && ok));
      } catch {
        resolve(false);
      }
    });
  }
  const fed = artifact.from?.verifier ?? null;
  if (fed && artifact.from) {
    // The verifier saw exactly the bytes whose digest matched (the caller's hashing pass).
    artifact.from.verifier = null;
    try {
      return fed.verify({ key, dsaEncoding: 'der' }, signature);
    } catch {
      return false;
    }
  }
  const verifier = createVerify('sha256');
  const hash = createHash('sha256');
  const fd = openArtifact(artifact.dir, artifact.name);
  try {
    // A FIFO or device put in the artifact's place is not it.
    if (!fstatSync(fd).isFile()) return false;
    const buffer = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const bytesRead = await readAsync(fd, buffer);
      if (bytesRead === 0) break;
      verifier.update(buffer.subarray(0, bytesRead));
      hash.update(buffer.subarray(0, bytesRead));
    }
  } finally {
    closeSync(fd);
  }
  if (hash.digest('hex') !== artifact.sha256) return false;
  try {
    return verifier.verify({ key, dsaEncoding: 'der' }, signature);
  } catch {
    return false;
  }
}
