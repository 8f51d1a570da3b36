import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { STATION_BIN, stationCli } from '../e2e/harness';

/**
 * Issue #10, finding 2: the launch ticket must never be in a command line (any local account can read
 * /proc/<pid>/cmdline) or the terminal. The real `station serve` opens the real Chromium app window
 * (on a private Xvfb display); the window gets in through the private launch file, and no process's argv ever
 * holds the ticket. When the station stops, the window's profile and the launch file are gone.
 */
const root = mkdtempSync(join(tmpdir(), 'station-launch-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function processesHolding(secret: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
      if (cmdline.includes(secret)) found.push(`${pid}: ${cmdline.replace(/\0/g, ' ').slice(0, 200)}`);
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

const haveChromium = existsSync('/usr/bin/chromium') && existsSync('/usr/bin/Xvfb');

/** A private X display for the window (Xvfb picks a free number and tells us through fd 3). */
async function startDisplay(): Promise<{ display: string; stop(): void }> {
  const xvfb = spawn(
    '/usr/bin/Xvfb',
    ['-displayfd', '3', '-screen', '0', '1360x860x24', '-nolisten', 'tcp'],
    {
      stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
    },
  );
  const display = await new Promise<string>((resolve, reject) => {
    let got = '';
    xvfb.stdio[3]?.on('data', (d) => {
      got += String(d);
      if (got.includes('\n')) resolve(`:${got.trim()}`);
    });
    xvfb.once('exit', (code) => reject(new Error(`Xvfb exited ${code}`)));
  });
  return { display, stop: () => void xvfb.kill('SIGTERM') };
}

function serve(dataDir: string, env: NodeJS.ProcessEnv) {
  // --print-launch-url only so this test learns the ticket it then looks for everywhere.
  const child = spawn(process.execPath, [STATION_BIN, 'serve', '--print-launch-url', '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  const io = { out: '', err: '' };
  child.stdout.on('data', (d) => (io.out += String(d)));
  child.stderr.on('data', (d) => (io.err += String(d)));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const started = new Promise<{ ticket: string; file: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${io.out} ${io.err}`)), 20_000);
    child.stdout.on('data', () => {
      const t = /open: \S+#ticket=([0-9a-f]{64})/.exec(io.out);
      const f = /launch file \(readable by you only\): (\S+)\n/.exec(io.out);
      if (t?.[1] && f?.[1]) {
        clearTimeout(timer);
        resolve({ ticket: t[1], file: f[1] });
      }
    });
  });
  return { child, io, exited, started };
}

describe('launching the app window', () => {
  it.skipIf(!haveChromium)(
    'the window gets in through the launch file; the ticket is in no process argv; stopping leaves no profile',
    async () => {
      const dataDir = join(root, 'station');
      expect(stationCli(['demo', '--data-dir', dataDir]).status).toBe(0);
      const scratch = join(root, 'tmp');
      mkdirSync(scratch);
      const x = await startDisplay();
      const s = serve(dataDir, { ...process.env, TMPDIR: scratch, DISPLAY: x.display });
      try {
        const { ticket, file } = await s.started;
        // Watch every process while the window starts and connects.
        const deadline = Date.now() + 30_000;
        const seen: string[] = [];
        while (existsSync(file) && Date.now() < deadline) {
          seen.push(...processesHolding(ticket));
          await new Promise((r) => setTimeout(r, 20));
        }
        expect(existsSync(file), `the window never spent the ticket\n${s.io.out}\n${s.io.err}`).toBe(false);
        for (let i = 0; i < 100 && !s.io.err.includes('the app window has connected'); i++)
          await new Promise((r) => setTimeout(r, 20));
        expect(s.io.err).toContain('the app window has connected');
        seen.push(...processesHolding(ticket));
        expect(seen).toEqual([]);
      } finally {
        s.child.kill('SIGTERM');
        await s.exited;
        x.stop();
      }
      // The Chromium profile and the launch folder went with the window.
      expect(readdirSync(scratch).filter((n) => n.startsWith('station-'))).toEqual([]);
    },
    60_000,
  );

  it('without a display no invisible window spends the ticket: the operator is told to open the launch file', async () => {
    const dataDir = join(root, 'headless');
    expect(stationCli(['demo', '--data-dir', dataDir]).status).toBe(0);
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.DISPLAY;
    delete env.WAYLAND_DISPLAY;
    const s = serve(dataDir, env);
    try {
      const { file } = await s.started;
      for (let i = 0; i < 100 && !s.io.out.includes('No display'); i++)
        await new Promise((r) => setTimeout(r, 20));
      expect(s.io.out).toContain('open the launch file above in a browser');
      await new Promise((r) => setTimeout(r, 500));
      expect(existsSync(file)).toBe(true);
    } finally {
      s.child.kill('SIGTERM');
      await s.exited;
    }
  });
});
