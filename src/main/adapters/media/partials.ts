import {
  closeSync,
  constants,
  fstatSync,
  openSync,
  readFileSync,
  readdirSync,
  readSync,
  unlinkSync,
} from 'node:fs';
import { join } from 'node:path';

/**
 * The temporary names a station's export writes under (`.partial`), and the sweep that removes the ones a
 * killed export left behind. A name proves whose fragment it is: the exporting station's id, the pid of
 * the process that wrote it and a random nonce,
 *
 *   .<final name>.cs-<station uuid>.<pid>.<12 hex>.partial
 *
 * and the sweep removes a file only when every one of these holds: the name matches that pattern with
 * this station's id; the writing process is gone (so a running export, in this process or another, is
 * never touched); it is a regular file (no link is followed) owned by this user; and its content is what
 * an interrupted zip writer leaves — nothing yet, or a zip local-header signature first. Anything else on
 * the media is left alone, including another station's fragments and the reviewer tools' temporary files.
 */

const PARTIAL =
  /^\.([A-Za-z0-9._-]{1,160}\.bundle\.zip)\.cs-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([1-9][0-9]{0,9})\.([0-9a-f]{12})\.partial$/;
const LOCAL_HEADER = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/** Temporary files being written by this process right now (the sweep never touches them). */
const active = new Set<string>();

export interface RemovedPartial {
  /** The volume (directory) it was found in. */
  readonly volume: string;
  readonly name: string;
  readonly size: number;
}

/** The temporary name an export by `stationId` writes `fileName` under. */
export function partialName(fileName: string, stationId: string, nonce: string): string {
  return `.${fileName}.cs-${stationId}.${process.pid}.${nonce}.partial`;
}

/** Marks a temporary file as being written by this process until `release` is called. */
export function holdPartial(path: string): () => void {
  active.add(path);
  return () => active.delete(path);
}

/**
 * Whether a process is still running. A zombie (exited, not yet reaped) counts as gone; a pid reused by
 * an unrelated process after a reboot counts as running, so such a fragment waits for a later scan.
 */
export function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/**
 * Removes this station's own interrupted export fragments from the top of one volume and returns what it
 * removed. Never throws for one file: a file that changed, vanished or cannot be removed is left alone.
 */
export function sweepPartials(
  volume: string,
  stationId: string,
  opts: { readonly limit?: number; readonly alive?: (pid: number) => boolean } = {},
): RemovedPartial[] {
  const alive = opts.alive ?? processAlive;
  const limit = opts.limit ?? 1000;
  let names: string[];
  try {
    names = readdirSync(volume);
  } catch {
    return [];
  }
  const removed: RemovedPartial[] = [];
  for (const name of names) {
    if (removed.length >= limit) break;
    const m = name.match(PARTIAL);
    if (!m || m[2] !== stationId) continue;
    const path = join(volume, name);
    const pid = Number(m[3]);
    if (active.has(path) || (pid !== process.pid && alive(pid))) continue;
    const size = ownFragmentSize(path);
    if (size === null) continue;
    try {
      unlinkSync(path);
      removed.push({ volume, name, size });
    } catch {
      /* gone meanwhile, or the media turned read-only: leave it for the next scan */
    }
  }
  return removed;
}

/** The size of a regular file of this user that starts like a zip (or is empty); null for anything else. */
function ownFragmentSize(path: string): number | null {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || (process.getuid && st.uid !== process.getuid())) return null;
    if (st.size === 0) return 0;
    const head = Buffer.alloc(4);
    const n = readSync(fd, head, 0, 4, 0);
    return n === 4 && head.equals(LOCAL_HEADER) ? st.size : null;
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}
