import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATION_BIN, signInCli, stationCli } from '../e2e/harness';

/** The CLI at a terminal (issue #10, lower-severity findings): closed pipes, hostile text, look-alike names. */
const root = mkdtempSync(join(tmpdir(), 'station-cli-terminal-'));
const dir = join(root, 'station');
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeAll(() => {
  expect(stationCli(['demo', '--data-dir', dir]).status).toBe(0);
  signInCli(dir);
});

describe('station CLI output', () => {
  it('a reader that closes the pipe early (`| head`) does not kill the CLI with an unhandled EPIPE', async () => {
    // The demo's journal export is larger than a pipe buffer, so the CLI is still writing when we close.
    const child = spawn(process.execPath, [STATION_BIN, 'journal', 'export', '--data-dir', dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    expect(stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(code).toBe(0);
  });

  it('control and bidi characters from stored text reach the terminal escaped, and JSON still reads them back', () => {
    const text = 'seal ok \u009b2J\u202eevil\u2066 done';
    expect(stationCli(['journal', 'note', text, '--data-dir', dir]).status).toBe(0);
    const out = stationCli(['journal', 'export', '--data-dir', dir]).stdout;
    expect(out).not.toMatch(/[\u0080-\u009f\u202a-\u202e\u2066-\u2069]/u);
    const last = JSON.parse(out.trim().split('\n').at(-1) as string) as { body: string };
    expect((JSON.parse(last.body) as { text: string }).text).toBe(text);
  });

  it('a name with a bidi override or a mixed-script look-alike is refused naming the rule', () => {
    const reg = stationCli([
      'custody',
      'register',
      '--item',
      'spare-hsm',
      '--kind',
      'hsm',
      '--description',
      'spare HSM',
      '--data-dir',
      dir,
    ]);
    expect(reg.status, reg.stderr).toBe(0);
    for (const [name, check] of [
      ['Bob \u202eDRAOB', 'NAME-FORMAT'],
      ['B\u043eb Board', 'NAME-SCRIPT'],
    ] as const) {
      const r = stationCli([
        'custody',
        'seal',
        '--item',
        'spare-hsm',
        '--bag',
        'TB-900001',
        '--location',
        'vault B',
        '--holder',
        name,
        '--data-dir',
        dir,
      ]);
      expect(r.status, r.stderr).toBe(3);
      expect(r.stderr).toContain(check);
      // What the operator sees is escaped: no raw override reaches the terminal.
      expect(r.stderr).not.toMatch(/[\u202e]/u);
    }
  });
});
