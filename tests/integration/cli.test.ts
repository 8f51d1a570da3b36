import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { signInCli, stationCli } from '../e2e/harness';
import { tamperJournalRow } from '../helpers/tamper';
import { softhsmWorld } from '../helpers/softhsm';
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

  it('the demo opens VERIFIED: its first checkpoint is signed by the identity key on its SoftHSM2 token', () => {
    const dir = join(tempDir(), 's');
    expect(stationCli(['demo', '--data-dir', dir]).status).toBe(0);
    const v = stationCli(['journal', 'verify', '--data-dir', dir]);
    // The demo ends anchored: its last entry is the checkpoint's own chained event, over the head before it.
    const m = /^VERIFIED (\d+) entries to checkpoint (\d+) \(seq (\d+), its event seq (\d+)\)/.exec(v.stdout);
    expect(m, v.stdout).not.toBeNull();
    const [entries, , size, eventSeq] = [m![1], m![2], m![3], m![4]].map(Number);
    expect(eventSeq).toBe(entries);
    expect(size).toBe(entries! - 1);
    expect(v.stdout).toMatch(/journal mark on the station token: CONFIRMED/);
    expect(v.status).toBe(0);
  });

  it('journal verify on worker threads gives the same verdicts as in-process', () => {
    const dir = join(tempDir(), 's');
    expect(stationCli(['demo', '--data-dir', dir]).status).toBe(0);
    signInCli(dir);
    for (let i = 0; i < 9; i++) stationCli(['journal', 'note', `note ${i}`, '--data-dir', dir]);
    const parallel = { STATION_VERIFY_PARALLEL_FROM: '1' };
    const verdicts = () => [
      (
        JSON.parse(stationCli(['journal', 'verify', '--json', '--data-dir', dir]).stdout) as {
          verdict: unknown;
        }
      ).verdict,
      (
        JSON.parse(
          stationCli(['journal', 'verify', '--json', '--data-dir', dir], undefined, parallel).stdout,
        ) as { verdict: unknown }
      ).verdict,
    ];
    const [intact, intactParallel] = verdicts();
    const demo = JSON.parse(stationCli(['journal', 'verify', '--json', '--data-dir', dir]).stdout) as {
      verdict: { entries: number };
    };
    // Unanchored from the sign-in on: it and the 9 notes after the demo's last checkpoint.
    expect(intact).toMatchObject({
      status: 'UNANCHORED',
      entries: demo.verdict.entries,
      unanchoredFromSeq: demo.verdict.entries - 9,
    });
    expect(intactParallel).toEqual(intact);
    tamperJournalRow(join(dir, 'station.sqlite'), 12);
    const [bad, badParallel] = verdicts();
    expect(bad).toMatchObject({ status: 'TAMPERED', check: 'JNL-HASH', firstBadSeq: 12 });
    expect(badParallel).toEqual(bad);
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
    const r = stationCli(
      ['init', '--name', 'x', '--token', '0', '--mode', 'airgap', '--data-dir', dir],
      '1234\n',
    );
    expect(r.status).toBe(3);
    expect(existsSync(join(dir, 'station.sqlite'))).toBe(false);
    const noPin = stationCli(['init', '--name', 'x', '--token', '0', '--data-dir', dir]);
    expect(noPin.status).toBe(3);
    expect(noPin.stderr).toContain('--pin-stdin');
  });

  it('init on a real token; verify VERIFIED (0); a new entry is UNANCHORED (7) until checkpointed; a raw edit is TAMPERED (4)', () => {
    const { conf } = softhsmWorld();
    const init = spawnSync('softhsm2-util', [
      '--init-token',
      '--free',
      '--label',
      'Station HSM',
      '--so-pin',
      '87654321',
      '--pin',
      '654321',
    ]);
    expect(init.status).toBe(0);
    const listing = stationCli([
      'hsm',
      'list',
      '--profile',
      'softhsm2',
      '--module-env',
      `SOFTHSM2_CONF=${conf}`,
      '--json',
    ]);
    expect(listing.status).toBe(0);
    const serial = (
      JSON.parse(listing.stdout) as { tokens: { serial: string; label: string }[] }[]
    )[0]?.tokens.find((t) => t.label === 'Station HSM')?.serial;
    expect(serial).toMatch(/^[0-9a-f]{16}$/);

    const dir = join(tempDir(), 's');
    const created = stationCli(
      [
        'init',
        '--name',
        'Room C',
        '--token',
        serial!,
        '--module-env',
        `SOFTHSM2_CONF=${conf}`,
        '--pin-stdin',
        '--data-dir',
        dir,
      ],
      '654321\n',
    );
    expect(created.stderr).toBe('');
    expect(created.status).toBe(0);
    expect(created.stdout).toMatch(/identity key fingerprint [0-9a-f]{64}/);
    expect(created.stdout).not.toContain('654321');

    const ok = stationCli(['journal', 'verify', '--data-dir', dir]);
    expect(ok.stdout).toMatch(/^VERIFIED 4 entries to checkpoint 1 \(seq 3, its event seq 4\)/);
    expect(ok.status).toBe(0);

    expect(
      stationCli(['journal', 'note', '--actor', 'operator:witness-1', 'seal checked', '--data-dir', dir])
        .status,
    ).toBe(0);
    const unanchored = stationCli(['journal', 'verify', '--data-dir', dir]);
    expect(unanchored.status).toBe(7);
    expect(unanchored.stdout).toMatch(/^UNANCHORED \[JNL-ANCHOR\].*1 entry after checkpoint 1/);

    const wrongPin = stationCli(['journal', 'checkpoint', '--pin-stdin', '--data-dir', dir], '000000\n');
    expect(wrongPin.status).toBe(5);
    expect(wrongPin.stderr).toContain('PIN_INCORRECT');
    expect(stationCli(['journal', 'verify', '--data-dir', dir]).status).toBe(7);

    const cp = stationCli(['journal', 'checkpoint', '--pin-stdin', '--data-dir', dir], '654321\n');
    expect(cp.status).toBe(0);
    expect(cp.stdout).toMatch(/^checkpoint 2 signed over 5 entries/);
    expect(stationCli(['journal', 'verify', '--data-dir', dir]).status).toBe(0);

    tamperJournalRow(join(dir, 'station.sqlite'), 2, "body = CAST('{}' AS BLOB)");
    const bad = stationCli(['journal', 'verify', '--data-dir', dir, '--json']);
    expect(bad.status).toBe(4);
    expect((JSON.parse(bad.stdout) as { verdict: unknown }).verdict).toMatchObject({
      status: 'TAMPERED',
      firstBadSeq: 2,
      check: 'JNL-HASH',
    });
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
