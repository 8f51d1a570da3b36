import { lstatSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stationError } from '../errors';
import { escapeHtml, unescapeHtml } from '../../core/html';
import { writeExclusive } from '../platform/durable';

/**
 * How the launch ticket reaches the app window without passing through argv (readable by every local
 * account in /proc/<pid>/cmdline) or the terminal: a small HTML file in a fresh 0700 folder, itself 0600
 * and created exclusively, that sends the browser on to the launch URL. The browser is started with the
 * file's path only. The file is removed as soon as the ticket is spent (or the host stops).
 */
export interface LaunchFile {
  /** The file to open: `file://` + path. */
  readonly path: string;
  readonly url: string;
  remove(): void;
}

const FILE_NAME = 'open-station.html';

const escapeAttr = escapeHtml;

export function writeLaunchFile(launchUrl: string, parent: string = tmpdir()): LaunchFile {
  const dir = mkdtempSync(join(parent, 'station-launch-'));
  const path = join(dir, FILE_NAME);
  try {
    // mkdtemp makes the folder 0700; check it, because a hostile umask or a shared parent must not win.
    const st = lstatSync(dir);
    if (!st.isDirectory() || (st.mode & 0o077) !== 0 || st.uid !== process.getuid?.()) {
      throw stationError('HOST_LAUNCH_FAILED', `launch folder ${dir} is not private to this user`, {
        path: dir,
      });
    }
    const href = escapeAttr(launchUrl);
    const html =
      '<!doctype html><html><head><meta charset="utf-8"><meta name="referrer" content="no-referrer">' +
      `<meta http-equiv="refresh" content="0;url=${href}"><title>Ceremony Station</title></head>` +
      `<body><p>Opening the station… <a href="${href}">open</a></p></body></html>\n`;
    writeExclusive(path, html, { mode: 0o600 });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  let removed = false;
  return {
    path,
    url: `file://${path}`,
    remove: () => {
      if (removed) return;
      removed = true;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The launch URL a launch file leads to (for tools and tests that hold the file, as its owner). */
export function readLaunchFile(path: string): string {
  const m = /http-equiv="refresh" content="0;url=([^"]+)"/.exec(readFileSync(path, 'utf8'));
  if (!m?.[1]) throw stationError('HOST_LAUNCH_FAILED', `${path} is not a station launch file`, { path });
  return unescapeHtml(m[1]);
}
