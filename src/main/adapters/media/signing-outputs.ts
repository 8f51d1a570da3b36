import { closeSync, constants, fstatSync, openSync, readFileSync, rmSync, type BigIntStats } from 'node:fs';
import { join } from 'node:path';
import type { CodedError } from '../../../core/errors';
import { stationError } from '../../errors';
import type { NewFile } from '../../platform/durable';

/**
 * The signing outputs' read-back (SIGN-VERIFY): a file the station wrote is read as the media returns
 * it and must be exactly the bytes written, or it is removed. Shared by the signing service and its
 * worker thread (src/main/workers/signing-worker.ts), so both apply the same rule.
 */

/**
 * A file's identity: device, inode, size, modification and change times (ns). Any write to the file,
 * or a file put in its place, changes it (the change time cannot be set back from user space).
 */
export function fileIdentity(s: BigIntStats): string {
  return [s.dev, s.ino, s.size, s.mtimeNs, s.ctimeNs].join(':');
}

/**
 * Reads a file the station wrote without touching its access time (a metadata write per file), with its
 * identity as read (fstat of the same descriptor).
 */
export function readNoAtime(path: string): { bytes: Buffer; identity: string } {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NOATIME);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') throw e;
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  }
  try {
    const identity = fileIdentity(fstatSync(fd, { bigint: true }));
    return { bytes: readFileSync(fd), identity };
  } finally {
    closeSync(fd);
  }
}

export function readBackFailed(path: string): CodedError {
  return stationError('SIGNING_WRITE_FAILED', `${path} did not read back as written; it was removed`, {
    path,
    field: 'outDir',
  });
}

/**
 * The bundles' read-back: the file as the media returns it must be the bytes written, or it is removed
 * (SIGNING_WRITE_FAILED). Answers the file's identity as it was read back.
 */
export function readBack(path: string, written: Uint8Array): string {
  let back: { bytes: Buffer; identity: string } | null;
  try {
    back = readNoAtime(path);
  } catch {
    back = null;
  }
  if (!back?.bytes.equals(written)) {
    rmSync(path, { force: true });
    throw readBackFailed(path);
  }
  return back.identity;
}

/** readBack of each file of a batch in `dir`, in order (stops at the first that fails); their identities. */
export function readBackFiles(dir: string, files: readonly NewFile[]): string[] {
  return files.map((f) => readBack(join(dir, f.name), f.bytes));
}
