import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { stationError } from '../../errors';
import type { Station } from '../../station/station';

/**
 * One portal act at a time per station, across processes (the window's host and the CLI may both open
 * the same data directory): a lock file created with O_EXCL naming the holder's process and run. A lock
 * whose process is gone (a crash) is stale and taken over; a live holder makes the next act wait its
 * turn (PORTAL_RUN_BUSY). A run is "live" — RUNNING or SUBMITTING rather than interrupted or ambiguous —
 * only while a live process holds the lock for it.
 */
export const PORTAL_LOCK_FILE = 'portal-run.lock';

interface Holder {
  readonly pid: number;
  readonly runId: string | null;
  readonly act: string;
  readonly since: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function read(path: string): Holder | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Holder;
  } catch {
    return null;
  }
}

/** The live holder of the station's portal lock, or null (none, or its process is gone). */
export function portalLockHolder(station: Station): Holder | null {
  const h = read(join(station.dataDir, PORTAL_LOCK_FILE));
  return h && Number.isInteger(h.pid) && alive(h.pid) ? h : null;
}

export interface PortalLock {
  /** Names the run the lock is for, once it has one. */
  bind(runId: string): void;
  release(): void;
}

/** Takes the station's portal lock for one act, or refuses while another live process holds it. */
export function takePortalLock(station: Station, act: string, now: string): PortalLock {
  const path = join(station.dataDir, PORTAL_LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = read(path);
      if (holder && Number.isInteger(holder.pid) && alive(holder.pid))
        throw stationError(
          'PORTAL_RUN_BUSY',
          `another portal act is in progress on this station (${holder.act}${holder.runId ? `, run ${holder.runId}` : ''}, process ${holder.pid}, since ${holder.since})`,
          { field: 'requestId' },
        );
      // Its process is gone (a crash): the lock is stale.
      rmSync(path, { force: true });
      continue;
    }
    let holder: Holder = { pid: process.pid, runId: null, act, since: now };
    const write = () => {
      const f = openSync(path, 'r+');
      try {
        writeSync(f, JSON.stringify(holder).padEnd(300, ' '), 0);
      } finally {
        closeSync(f);
      }
    };
    try {
      writeSync(fd, JSON.stringify(holder).padEnd(300, ' '));
    } finally {
      closeSync(fd);
    }
    let held = true;
    return {
      bind(runId) {
        holder = { ...holder, runId };
        write();
      },
      release() {
        if (!held) return;
        held = false;
        const h = read(path);
        if (h?.pid === process.pid) rmSync(path, { force: true });
      },
    };
  }
  throw stationError('PORTAL_RUN_BUSY', 'the portal lock could not be taken', { field: 'requestId' });
}
