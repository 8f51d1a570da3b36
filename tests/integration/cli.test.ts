import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stationCli } from '../e2e/harness';
import { tamperJournalRow } from '../helpers/tamper';
import { tempDir } from '../helpers/temp';

describe('station CLI (built, as a user runs it)', () => {
  it('documents its exit codes in --help', () => {
    const r = stationCli(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Exit codes:[\s\S]*4 {2}integrity failure/);
  });

  it('usage errors exit 2; invalid values exit 3 naming the option', () => {
    expect(stationCli(['no-such-command']).status).toBe(2);
    expect(stationCli(['journal', 'export', '--bogus']).status).toBe(2);
    const bad = stationCli(['journal', 'export', '--from', 'x', '--data-dir', tempDir()]);
    expect(bad.status).toBe(3);
    expect(bad.stderr).toContain('--from');
  });

  it('wrong state exits 6: no station yet, or a station already there', () => {
    const dir = join(tempDir(), 's');
    const none = stationCli(['journal', 'verify', '--data-dir', dir]);
    expect(none.status).toBe(6);
    expect(none.stderr).toContain('STATION_NOT_INITIALISED');
    expect(stationCli(['demo', '--data-dir', dir]).status).toBe(0);
    const again = stationCli(['demo', '--data-dir', dir]);
    expect(again.status).toBe(6);
    expect(again.stderr).toContain('STATION_EXISTS');
  });

  it('init validates its input before writing anything', () => {
    const dir = join(tempDir(), 's');
    const r = stationCli(['init', '--name', 'x', '--mode', 'airgap', '--data-dir', dir]);
    expect(r.status).toBe(3);
    expect(existsSync(join(dir, 'station.sqlite'))).toBe(false);
    expect(stationCli(['init', '--name', 'Room C', '--data-dir', dir]).status).toBe(0);
    expect(JSON.parse(stationCli(['info', '--data-dir', dir]).stdout)).toMatchObject({
      name: 'Room C',
      demo: false,
    });
  });

  it('journal verify: 7 for an intact but unanchored journal, 4 with the seq when tampered', () => {
    const dir = join(tempDir(), 's');
    stationCli(['demo', '--data-dir', dir]);
    const ok = stationCli(['journal', 'verify', '--data-dir', dir]);
    expect(ok.status).toBe(7);
    expect(ok.stdout).toMatch(/^UNANCHORED \[JNL-ANCHOR\]/);
    tamperJournalRow(join(dir, 'station.sqlite'), 2, "body = CAST('{}' AS BLOB)");
    const bad = stationCli(['journal', 'verify', '--data-dir', dir, '--json']);
    expect(bad.status).toBe(4);
    expect(JSON.parse(bad.stdout)).toMatchObject({ status: 'TAMPERED', firstBadSeq: 2, check: 'JNL-HASH' });
  });

  it('journal export writes the range as JSON lines and refuses to overwrite', () => {
    const dir = join(tempDir(), 's');
    stationCli(['demo', '--data-dir', dir]);
    const stdout = stationCli(['journal', 'export', '--from', '2', '--to', '3', '--data-dir', dir]);
    expect(stdout.status).toBe(0);
    expect(
      stdout.stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { seq: number }).seq),
    ).toEqual([2, 3]);
    const out = join(dir, 'out.jsonl');
    writeFileSync(out, 'keep me');
    const refused = stationCli(['journal', 'export', '--out', out, '--data-dir', dir]);
    expect(refused.status).toBe(3);
    expect(refused.stderr).toContain('OUTPUT_EXISTS');
    expect(readFileSync(out, 'utf8')).toBe('keep me');
  });
});
