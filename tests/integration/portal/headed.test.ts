import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importScenarioSources, readScenario } from '../../../src/main/services/findings';
import { portalRuns } from '../../../src/main/services/portal';
import { systemDeps } from '../../../src/main/runtime';
import { Station } from '../../../src/main/station/station';
import { DEFAULT_USERS, startPortal, type Portal } from '../../fixtures/pki-portal/server.mjs';
import { shiftedScenarioCopy } from '../../helpers/shift-scenario';
import { tempDir } from '../../helpers/temp';
import { STATION_BIN } from '../../e2e/harness';

/**
 * The default: a window the operator can watch and take over. The built CLI runs headed (no
 * `--headless`) on a virtual display (xvfb-run, installed by scripts/setup.mjs), against the test portal:
 * a clean run submits exactly once as the headless runs do; a safe halt leaves the window open — the
 * draft saved, nothing submitted, the CLI saying the window is the operator's — until the person closes
 * it, and only then does the CLI end, with the run HALTED in the journal.
 */
const SCENARIOS = join(import.meta.dirname, '..', '..', 'scenarios', 'portal-issuance');
const REQUEST = 'ISR-2026-0412';
const USER = DEFAULT_USERS[0]!;
const ACTOR = 'operator:elena';

let portal: Portal;
beforeEach(async () => {
  portal = await startPortal();
});
afterEach(async () => {
  await portal.close();
});

async function stationWithRecords(): Promise<{ dataDir: string; creds: string }> {
  // The records moved to the real clock: the CLI in a child process judges them now.
  const copy = shiftedScenarioCopy(join(SCENARIOS, '01-clean-submission'), new Date());
  const dataDir = join(tempDir(), 'st');
  const station = Station.init(
    dataDir,
    { name: 'Portal workstation', mode: 'online', demo: false, actor: ACTOR },
    systemDeps,
  );
  await importScenarioSources(station, copy, readScenario(copy), { asOf: new Date().toISOString() });
  station.close();
  const creds = join(tempDir(), 'portal.json');
  writeFileSync(creds, JSON.stringify(USER), { mode: 0o600 });
  return { dataDir, creds };
}

/** `station portal submit` headed, on its own virtual display; asynchronous (the portal runs here). */
function headedSubmit(dataDir: string, creds: string): { child: ChildProcess; said: () => string } {
  const child = spawn(
    'xvfb-run',
    ['-a', '-s', '-screen 0 1440x900x24', process.execPath, ...submitArgs(dataDir, creds)],
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  let said = '';
  child.stdout!.on('data', (b: Buffer) => (said += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (said += b.toString()));
  return { child, said: () => said };
}

/** The built CLI's `portal submit` of the request, on this station, with these credentials. */
function submitArgs(dataDir: string, creds: string): string[] {
  return [
    STATION_BIN,
    'portal',
    'submit',
    '--request',
    REQUEST,
    '--profile',
    'test-portal',
    '--url',
    portal.url,
    '--credentials-file',
    creds,
    '--actor',
    ACTOR,
    '--data-dir',
    dataDir,
  ];
}

/** `station portal submit` in a child process (asynchronous: the portal answers from this one). */
function cliRun(
  dataDir: string,
  creds: string,
  extra: string[],
): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [...submitArgs(dataDir, creds), ...extra], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    c.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    c.on('close', (code) => resolve({ status: code ?? -1, stdout, stderr }));
  });
}

/** Every process descended from `root`, with its command line (from /proc). */
function descendants(root: number): { pid: number; args: string[] }[] {
  const parent = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      // Field 4 of /proc/<pid>/stat, after the parenthesised command name (which may hold spaces).
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const out: { pid: number; args: string[] }[] = [];
  const walk = (pid: number) => {
    for (const [child, ppid] of parent)
      if (ppid === pid) {
        let args: string[] = [];
        try {
          args = readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0').filter(Boolean);
        } catch {
          // gone meanwhile
        }
        out.push({ pid: child, args });
        walk(child);
      }
  };
  walk(root);
  return out;
}

const exited = (child: ChildProcess) =>
  new Promise<number>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code ?? -1));
  });

async function until(what: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!what() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}

const created = () => portal.audit().filter((a) => a.kind === 'request-created');

describe('station portal submit, headed (a window the operator can watch and take over)', () => {
  it('a clean headed run on a display submits exactly once, like a headless one', async () => {
    const { dataDir, creds } = await stationWithRecords();
    const { child, said } = headedSubmit(dataDir, creds);
    try {
      const code = await exited(child);
      expect(code, said()).toBe(0);
      expect(said()).toContain('SUBMITTED');
      expect(said()).not.toContain('take over');
      expect(created()).toHaveLength(1);
    } finally {
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
    }
  }, 180_000);

  it('a safe halt leaves the headed window open for a person: draft saved, nothing submitted, the CLI ends when the window is closed', async () => {
    portal.setFaults(['warning-banner']);
    const { dataDir, creds } = await stationWithRecords();
    const { child, said } = headedSubmit(dataDir, creds);
    try {
      await until(() => said().includes('take over') || child.exitCode !== null, 120_000);
      expect(said()).toContain('HALTED');
      expect(said()).toContain('stays open for a person to take over');
      // The CLI has answered but has not ended: the window is the operator's now.
      await new Promise((r) => setTimeout(r, 1_000));
      expect(child.exitCode).toBeNull();
      const browsers = descendants(child.pid!).filter((p) => p.args[0]?.includes('chrom'));
      expect(browsers.length, JSON.stringify(descendants(child.pid!))).toBeGreaterThan(0);
      // A window, not a headless browser.
      for (const b of browsers) expect(b.args.some((a) => a.startsWith('--headless'))).toBe(false);
      expect(portal.audit().some((a) => a.kind === 'draft-saved')).toBe(true);
      expect(created()).toHaveLength(0);
      const station = Station.open(dataDir, systemDeps);
      try {
        const [run] = portalRuns(station, REQUEST);
        expect(run?.state).toBe('HALTED');
      } finally {
        station.close();
      }

      // While the person has the window, no other portal act starts on this station (the lock is held).
      const second = await cliRun(dataDir, creds, ['--headless']);
      expect(second.status).not.toBe(0);
      expect(second.stderr).toContain('PORTAL_RUN_BUSY');
      expect(created()).toHaveLength(0);

      // The person closes the window (the browser's main process ends): the CLI ends, still HALTED.
      const main = browsers.find((b) => !b.args.some((a) => a.startsWith('--type=')));
      expect(main).toBeDefined();
      process.kill(main!.pid, 'SIGTERM');
      const code = await Promise.race([
        exited(child),
        new Promise<string>((r) => setTimeout(() => r('hung'), 30_000)),
      ]);
      expect(code).toBe(6);
      expect(created()).toHaveLength(0);
      // The window gone, the lock is too: the next run may start (the warning banner still halts it).
      const third = await cliRun(dataDir, creds, ['--headless']);
      expect(third.stderr).not.toContain('PORTAL_RUN_BUSY');
      expect(third.stdout).toContain('HALTED');
      expect(created()).toHaveLength(0);
    } finally {
      portal.setFaults([]);
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
    }
  }, 180_000);
});
