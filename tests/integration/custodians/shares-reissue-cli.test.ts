import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addToken, signInCli, stationCli, tokenSerial } from '../../e2e/harness';
import { tempDir } from '../../helpers/temp';

/** `station shares reissue` as an operator runs it on a demo station with SoftHSM2 tokens. */
describe('station shares reissue', () => {
  it('re-issues a 2-of-3 split under its own quorum (--json), refuses a wrong share, and voids the old split', () => {
    const root = tempDir();
    const dir = join(root, 'station');
    expect(stationCli(['demo', '--data-dir', dir]).status).toBe(0);
    signInCli(dir);
    const ceremony = addToken(dir, 'Ceremony HSM', '654321');
    const oldMedia = join(root, 'old');
    const newMedia = join(root, 'new');
    mkdirSync(oldMedia);
    mkdirSync(newMedia);
    const split = stationCli(
      ['shares', 'split', '--token', ceremony, '--holders', 'alice,bob,carol', '--threshold', '2'].concat([
        '--out-dir',
        oldMedia,
        '--pin-stdin',
        '--data-dir',
        dir,
      ]),
      '654321\n',
    );
    expect(split.stderr).toBe('');
    const oldSplit = /^split ([0-9a-f]{32})$/m.exec(split.stdout)![1]!;
    const share = (who: string, pos: number) => join(oldMedia, `${who}-share-${pos}-of-3.txt`);
    const reissue = ['shares', 'reissue', '--token', ceremony, '--data-dir', dir];

    const operation = stationCli([...reissue, '--print-operation']).stdout.trim();
    expect(operation).toBe(`shares-reissue:${ceremony}:${oldSplit}`);
    const opened = stationCli([
      'quorum',
      'open',
      '--operation',
      operation,
      '--ceremony',
      'SHARES-2027',
      '--step',
      '1',
      '--data-dir',
      dir,
    ]);
    const sessionId = /^session ([0-9a-f-]{36})$/m.exec(opened.stdout)![1]!;
    for (const who of ['Alice', 'Bob'])
      expect(
        stationCli(
          [
            'quorum',
            'checkin',
            '--session',
            sessionId,
            '--token',
            tokenSerial(dir, `Custodian ${who}`),
          ].concat(['--pin-stdin', '--actor', `operator:${who.toLowerCase()}`, '--data-dir', dir]),
          '123456\n',
        ).stderr,
      ).toBe('');
    const args = (...shares: string[]) => [
      ...reissue,
      ...shares.flatMap((f) => ['--share-file', f]),
      '--holders',
      'carol,bob,alice',
      '--threshold',
      '2',
      '--out',
      newMedia,
      '--quorum-session',
      sessionId,
      '--json',
    ];

    // A share repeated: refused with its code, as JSON too; nothing written.
    const refused = stationCli(args(share('alice', 1), share('alice', 1)));
    expect(refused.status).toBe(3);
    expect(refused.stderr).toContain('SHARES_REFUSED');
    expect(JSON.parse(refused.stdout)).toMatchObject({
      ok: false,
      error: { code: 'SHARES_REFUSED', data: { code: 'SHARE_DUPLICATE' } },
    });
    expect(readdirSync(newMedia)).toEqual([]);
    // A required flag missing is refused naming it.
    const missing = stationCli(
      args(share('alice', 1), share('bob', 2)).filter((a) => a !== '--holders' && a !== 'carol,bob,alice'),
    );
    expect(JSON.parse(missing.stdout)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', data: { field: 'holders' } },
    });

    const done = stationCli(args(share('alice', 1), share('carol', 3)));
    expect(done.stderr).toBe('');
    expect(done.status).toBe(0);
    const r = JSON.parse(done.stdout) as {
      ok: boolean;
      splitId: string;
      supersedes: string;
      shareFiles: string[];
    };
    expect(r).toMatchObject({ ok: true, supersedes: oldSplit });
    expect(r.shareFiles.map((f) => f.slice(newMedia.length + 1))).toEqual([
      'carol-share-1-of-3.txt',
      'bob-share-2-of-3.txt',
      'alice-share-3-of-3.txt',
    ]);
    expect(readdirSync(newMedia)).toHaveLength(6);

    // The new share checks; the old one is refused as superseded, naming the new split.
    const health = stationCli([
      'shares',
      'verify',
      '--split',
      r.splitId,
      '--custodian',
      'bob',
      '--share-file',
      r.shareFiles[1]!,
      '--data-dir',
      dir,
    ]);
    expect(health.stdout).toMatch(/^MATCHES/);
    const old = stationCli([
      'shares',
      'verify',
      '--split',
      oldSplit,
      '--custodian',
      'bob',
      '--share-file',
      share('bob', 2),
      '--data-dir',
      dir,
    ]);
    expect(old.status).not.toBe(0);
    expect(old.stderr).toContain('SPLIT_SUPERSEDED');
    expect(old.stderr).toContain(`superseded by split ${r.splitId}`);
    expect(readFileSync(r.shareFiles[0]!, 'utf8')).not.toContain('REHEARSAL');

    // Nothing to recover after a recorded re-issue: `shares recover` refuses, as JSON too, and logs in to nothing.
    const recover = stationCli([
      'shares',
      'recover',
      '--token',
      ceremony,
      '--share-file',
      r.shareFiles[0]!,
      '--share-file',
      r.shareFiles[1]!,
      '--json',
      '--data-dir',
      dir,
    ]);
    expect(recover.status).not.toBe(0);
    expect(JSON.parse(recover.stdout)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', message: expect.stringContaining('no unresolved share re-issue') },
    });

    // The list never shows the old split as usable.
    const listed = stationCli(['shares', 'list', '--data-dir', dir]).stdout.trim().split('\n');
    expect(listed).toHaveLength(2);
    expect(listed.find((l) => l.startsWith(oldSplit))).toMatch(
      new RegExp(`SUPERSEDED by ${r.splitId} on \\S+: its shares open nothing$`),
    );
    expect(listed.find((l) => l.startsWith(r.splitId))).toMatch(/ current$/);
  });
});
