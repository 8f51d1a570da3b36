import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Flags measured on this platform (../shared/TOOLCHAIN.md): no background traffic, no first-run UI. */
export const CHROMIUM_BASE_FLAGS = [
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-extensions',
  '--disable-features=Translate,MediaRouter,OptimizationHints',
  '--password-store=basic',
];

/** For headless use by the station itself (print-to-PDF); root needs --no-sandbox. */
export const CHROMIUM_HEADLESS_FLAGS = [
  '--headless',
  ...CHROMIUM_BASE_FLAGS,
  ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
];

/**
 * Offline mode: in addition to the page's CSP, the browser process itself cannot resolve or reach
 * anything but loopback.
 */
export const CHROMIUM_OFFLINE_FLAGS = [
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
  '--proxy-server=http://127.0.0.1:9',
  '--proxy-bypass-list=127.0.0.1',
];

/** The configured Chromium (STATION_CHROMIUM, StationConfig.chromium) if it exists, else the system's. */
export function findChromium(configured: string | null): string | null {
  for (const p of [configured, '/usr/bin/chromium', '/usr/bin/chromium-browser']) {
    if (p && existsSync(p)) return p;
  }
  return null;
}

export function chromiumArgs(
  url: string,
  opts: { offline: boolean; userDataDir: string; asRoot: boolean },
): string[] {
  return [
    `--app=${url}`,
    `--user-data-dir=${opts.userDataDir}`,
    ...CHROMIUM_BASE_FLAGS,
    ...(opts.offline ? CHROMIUM_OFFLINE_FLAGS : []),
    // Chromium refuses to run as root with its sandbox; the station's own CSP and token still apply.
    ...(opts.asRoot ? ['--no-sandbox'] : []),
  ];
}

/**
 * Opens the station UI in the system Chromium in app mode (its own window, no address bar) with a
 * fresh profile. Only where there is a display: a window nobody can see would spend the one-time launch
 * ticket and lock the operator out, so without a display the caller tells the operator to open the
 * launch file in a browser themselves (null here).
 */
export function launchChromiumApp(
  url: string,
  opts: { offline: boolean; chromium: string | null; display: boolean },
): { child: ChildProcess; userDataDir: string } | null {
  const chromium = findChromium(opts.chromium);
  if (!chromium || !opts.display) return null;
  const userDataDir = mkdtempSync(join(tmpdir(), 'station-chromium-'));
  const args = chromiumArgs(url, { offline: opts.offline, userDataDir, asRoot: process.getuid?.() === 0 });
  // The window inherits this process's environment (its display, home and locale).
  return { child: spawn(chromium, args, { stdio: 'ignore', detached: true }), userDataDir };
}

const groupAlive = (pgid: number): boolean => {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (e) {
    // EPERM: the group exists but is not ours to signal (cannot happen for our own child); ESRCH: gone.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

const signalGroup = (pgid: number, signal: NodeJS.Signals): void => {
  try {
    process.kill(-pgid, signal);
  } catch {
    // Already gone.
  }
};

async function waitForGroupExit(pgid: number, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end;) {
    if (!groupAlive(pgid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !groupAlive(pgid);
}

/**
 * Stops the app window and everything it started (Chromium's helpers): its whole process group,
 * politely first, then by force. The throwaway profile is removed only once no process of the group is
 * left to write into it: removing it while the browser was still exiting left profile folders behind.
 */
export async function stopChromiumApp(
  app: { child: ChildProcess; userDataDir: string },
  graceMs = 5_000,
): Promise<void> {
  const pgid = app.child.pid;
  if (pgid !== undefined) {
    signalGroup(pgid, 'SIGTERM');
    if (!(await waitForGroupExit(pgid, graceMs))) {
      signalGroup(pgid, 'SIGKILL');
      await waitForGroupExit(pgid, graceMs);
    }
  }
  // The profile holds session storage (the host session secret): it goes with the window.
  rmSync(app.userDataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
}
