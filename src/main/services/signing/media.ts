import { createHash, createVerify, type KeyObject } from 'node:crypto';
import { constants, promises as fsp } from 'node:fs';
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

/** Streams one file through SHA-256 (O_NOFOLLOW: a link put in its place is refused, not followed). */
export async function hashFile(dir: string, name: string, onBytes: (n: number) => void): Promise<HashedFile> {
  const handle = await fsp.open(join(dir, name), constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const hash = createHash('sha256');
    const buffer = Buffer.allocUnsafe(CHUNK);
    const held: Buffer[] = [];
    let size = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, null);
      if (bytesRead === 0) break;
      const chunk = buffer.subarray(0, bytesRead);
      hash.update(chunk);
      if (size + bytesRead <= HELD_BYTES) held.push(Buffer.from(chunk));
      size += bytesRead;
      onBytes(bytesRead);
    }
    return {
      name,
      sha256: hash.digest('hex'),
      size,
      bytes: size <= HELD_BYTES ? Buffer.concat(held) : null,
    };
  } finally {
    await handle.close();
  }
}

/**
 * Verifies a DER ECDSA-SHA256 signature over an artifact with the public key read from the token: over
 * the held bytes, or the file streamed again (and its digest rechecked against the one that was signed).
 */
export async function verifyArtifactSignature(
  key: KeyObject,
  signature: Uint8Array,
  artifact: { dir: string; name: string; sha256: string; bytes: Buffer | null },
): Promise<boolean> {
  const verifier = createVerify('sha256');
  if (artifact.bytes) {
    verifier.update(artifact.bytes);
    if (createHash('sha256').update(artifact.bytes).digest('hex') !== artifact.sha256) return false;
  } else {
    const hash = createHash('sha256');
    const handle = await fsp.open(
      join(artifact.dir, artifact.name),
      constants.O_RDONLY | constants.O_NOFOLLOW,
    );
    try {
      const buffer = Buffer.allocUnsafe(CHUNK);
      for (;;) {
        const { bytesRead } = await handle.read(buffer, 0, CHUNK, null);
        if (bytesRead === 0) break;
        verifier.update(buffer.subarray(0, bytesRead));
        hash.update(buffer.subarray(0, bytesRead));
      }
    } finally {
      await handle.close();
    }
    if (hash.digest('hex') !== artifact.sha256) return false;
  }
  try {
    return verifier.verify({ key, dsaEncoding: 'der' }, signature);
  } catch {
    return false;
  }
}
