import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { STATION_BIN, stationCli } from '../e2e/harness';

/**
 * Issue #10, finding 2: the launch ticket must never be in a command line (any local account can read
 * /proc/<pid>/cmdline) or the terminal. The real `station serve` opens the real Chromium app window
 * (under Xvfb here); the window gets in through the private launch file, and no process's argv ever
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

const haveChromium = existsSync('/usr/bin/chromium') && existsSync('/usr/bin/xvfb-run');

describe('launching the app window', () => {
  it.skipIf(!haveChromium)(
    'the window gets in through the launch file; the ticket is in no process argv; stopping leaves no profile',
    async () => {
      const dataDir = join(root, 'station');
      expect(stationCli(['demo', '--data-dir', dataDir]).status).toBe(0);
      const scratch = join(root, 'tmp');
      rmSync(scratch, { recursive: true, force: true });
      (await import('node:fs')).mkdirSync(scratch);
      const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: scratch };
      delete env.DISPLAY;
      delete env.WAYLAND_DISPLAY;
      // --print-launch-url only so this test learns the ticket it then looks for everywhere.
      const child = spawn(
        process.execPath,
        [STATION_BIN, 'serve', '--print-launch-url', '--data-dir', dataDir],
        { stdio: ['ignore', 'pipe', 'pipe'], env },
      );
      let out = '';
      let err = '';
      child.stderr.on('data', (d) => (err += String(d)));
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      try {
        const { ticket, file } = await new Promise<{ ticket: string; file: string }>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`serve did not start: ${out} ${err}`)), 20_000);
          child.stdout.on('data', (d) => {
            out += String(d);
            const t = /open: \S+#ticket=([0-9a-f]{64})/.exec(out);
            const f = /launch file \(readable by you only\): (\S+)\n/.exec(out);
            if (t?.[1] && f?.[1]) {
              clearTimeout(timer);
              resolve({ ticket: t[1], file: f[1] });
            }
          });
        });
        // Watch every process while the window starts and connects.
        const deadline = Date.now() + 30_000;
        const seen: string[] = [];
        while (existsSync(file) && Date.now() < deadline) {
          seen.push(...processesHolding(ticket));
          await new Promise((r) => setTimeout(r, 20));
        }
        expect(existsSync(file), `the window never spent the ticket\n${out}\n${err}`).toBe(false);
        for (let i = 0; i < 100 && !err.includes('the app window has connected'); i++)
          await new Promise((r) => setTimeout(r, 20));
        expect(err).toContain('the app window has connected');
        seen.push(...processesHolding(ticket));
        expect(seen).toEqual([]);
      } finally {
        child.kill('SIGTERM');
        await exited;
      }
      // The Chromium profile and the launch folder went with the window.
      expect(readdirSync(scratch).filter((n) => n.startsWith('station-'))).toEqual([]);
    },
    60_000,
  );
});
