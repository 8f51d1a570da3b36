import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { signInCli, stationCli, tokenSerial } from '../../e2e/harness';
import { addKeyFileCustodian } from '../../helpers/keyfile';
import { tempDir } from '../../helpers/temp';

/**
 * `station roster credentials` as an operator runs it (demo station, built CLI): key-file sign-in for a
 * custodian is allowed only under a quorum session bound to exactly that change, which
 * `--print-operation` names; `roster list` then shows what the roster accepts from them.
 */
describe('station roster credentials --custodian ID (--allow-key-file|--token-only) --quorum SESSION', () => {
  it('prints the operation, refuses a quorum for the other change, then allows the key file and lists it', () => {
    const root = tempDir();
    const dir = join(root, 'station');
    expect(stationCli(['demo', '--data-dir', dir]).status).toBe(0);
    addKeyFileCustodian(dir, {
      custodianId: 'dana',
      name: 'Dana Diaz',
      keyFile: join(root, 'dana.key.pem'),
      passphrase: 'dana: a long passphrase',
      allowKeyFile: false,
    });
    signInCli(dir);
    const cli = (args: string[], input?: string) => stationCli([...args, '--data-dir', dir], input);
    const credentials = (...flags: string[]) =>
      cli(['roster', 'credentials', '--custodian', 'dana', ...flags]);
    /** Opens a session for `operation` and checks Alice and Bob in with their own tokens. */
    const quorum = (operation: string): string => {
      const opened = cli(['quorum', 'open', '--operation', operation, '--ceremony', 'ROSTER', '--step', '1']);
      expect(opened.status).toBe(0);
      const session = /^session (\S+)$/m.exec(opened.stdout)![1]!;
      for (const who of ['Alice', 'Bob'])
        expect(
          cli(
            [
              'quorum',
              'checkin',
              '--session',
              session,
              '--token',
              tokenSerial(dir, `Custodian ${who}`),
              '--pin-stdin',
            ],
            '123456\n',
          ).status,
        ).toBe(0);
      return session;
    };

    const both = credentials('--allow-key-file', '--token-only', '--print-operation');
    expect([both.status, both.stdout + both.stderr]).toEqual([3, expect.stringContaining('INVALID_INPUT')]);
    const allow = credentials('--allow-key-file', '--print-operation').stdout.trim();
    const tokenOnly = credentials('--token-only', '--print-operation').stdout.trim();
    expect(allow).toMatch(/^roster-change:[0-9a-f]{64}$/);
    expect(tokenOnly).toMatch(/^roster-change:[0-9a-f]{64}$/);
    expect(allow).not.toBe(tokenOnly);
    expect(credentials('--allow-key-file').stdout + credentials('--allow-key-file').stderr).toContain(
      '--quorum is required',
    );

    const wrong = credentials('--allow-key-file', '--quorum', quorum(tokenOnly));
    expect(wrong.status).not.toBe(0);
    expect(wrong.stdout + wrong.stderr).toContain('QUORUM_WRONG_OPERATION');
    expect(cli(['roster', 'list']).stdout).toMatch(/dana {2}Dana Diaz[^\n]*\n {4}sign-in: token\n/);

    const done = credentials('--allow-key-file', '--quorum', quorum(allow));
    expect([done.status, done.stdout]).toEqual([0, 'dana signs in with: token, key-file\n']);
    expect(cli(['roster', 'list']).stdout).toMatch(/dana {2}Dana Diaz[^\n]*\n {4}sign-in: token, key-file\n/);
    const listed = JSON.parse(cli(['roster', 'list', '--json']).stdout) as {
      custodians: { custodianId: string; credentials: string[] }[];
    };
    expect(listed.custodians.find((c) => c.custodianId === 'dana')?.credentials).toEqual([
      'token',
      'key-file',
    ]);
    // Recorded under the CLI's signed-in operator, never the default name.
    const tail = cli(['journal', 'export']).stdout.trim().split('\n').slice(-2);
    expect(tail.map((l) => (JSON.parse(l) as { kind: string; actor: string }).kind)).toEqual([
      'roster.credentials-set',
      'quorum.session-closed',
    ]);
    expect(JSON.parse(tail[0]!)).toMatchObject({ actor: 'operator:alice' });
  });
});
