import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stationCli } from '../../e2e/harness';
import { addKeyFileCustodian } from '../../helpers/keyfile';
import { tempDir } from '../../helpers/temp';

const PASSPHRASE = 'dana: a long passphrase';

describe('station session sign-in --key-file, as an operator runs it (demo station, built CLI)', () => {
  it('signs a key-file member in with the passphrase from stdin; refusals are coded and journaled; acts are hers', () => {
    const root = tempDir();
    const dir = join(root, 'station');
    expect(stationCli(['demo', '--data-dir', dir]).status).toBe(0);
    const keyFile = join(root, 'dana.key.pem');
    addKeyFileCustodian(dir, { custodianId: 'dana', name: 'Dana Diaz', keyFile, passphrase: PASSPHRASE });
    const cli = (args: string[], input?: string) => stationCli([...args, '--data-dir', dir], input);
    const journal = () =>
      cli(['journal', 'export'])
        .stdout.trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { kind: string; actor: string; body: string })
        .map((e) => ({ ...e, body: JSON.parse(e.body) as Record<string, unknown> }));

    // Exactly one credential; a key file needs the person it claims to be.
    const both = cli(['session', 'sign-in', '--token', 'x', '--key-file', keyFile]);
    expect([both.status, both.stdout + both.stderr]).toEqual([3, expect.stringContaining('INVALID_INPUT')]);
    const anonymous = cli(['session', 'sign-in', '--key-file', keyFile, '--passphrase-stdin'], 'x\n');
    expect(anonymous.stdout + anonymous.stderr).toMatch(/INVALID_INPUT[\s\S]*--as/);

    const before = journal().length;
    const wrong = cli(
      ['session', 'sign-in', '--key-file', keyFile, '--as', 'dana', '--passphrase-stdin'],
      'not it\n',
    );
    expect(wrong.status).not.toBe(0);
    expect(wrong.stdout + wrong.stderr).toContain('SIGNIN_PASSPHRASE_REFUSED');
    const plain = join(root, 'plain.pem');
    writeFileSync(
      plain,
      '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n',
    );
    const unencrypted = cli(
      ['session', 'sign-in', '--key-file', plain, '--as', 'dana', '--passphrase-stdin'],
      `${PASSPHRASE}\n`,
    );
    expect(unencrypted.stdout + unencrypted.stderr).toContain('SIGNIN_KEY_FILE_UNENCRYPTED');
    // Alice's roster entry accepts her token only.
    const notAllowed = cli(
      ['session', 'sign-in', '--key-file', keyFile, '--as', 'alice', '--passphrase-stdin'],
      `${PASSPHRASE}\n`,
    );
    expect(notAllowed.stdout + notAllowed.stderr).toContain('SIGNIN_KEY_FILE_NOT_ALLOWED');
    const refused = journal().slice(before);
    expect(refused.map((e) => [e.kind, e.actor, e.body.code, e.body.custodianId])).toEqual([
      ['operator.sign-in-refused', 'operator:station', 'SIGNIN_PASSPHRASE_REFUSED', 'dana'],
      ['operator.sign-in-refused', 'operator:station', 'SIGNIN_KEY_FILE_UNENCRYPTED', 'dana'],
      ['operator.sign-in-refused', 'operator:station', 'SIGNIN_KEY_FILE_NOT_ALLOWED', 'alice'],
    ]);

    const signIn = cli(
      ['session', 'sign-in', '--key-file', keyFile, '--as', 'dana', '--passphrase-stdin'],
      `${PASSPHRASE}\n`,
    );
    expect(signIn.stderr).toBe('');
    expect(signIn.stdout).toMatch(
      /^signed in as Dana Diaz \(operator:dana\), journal seq \d+\n {2}with your key file;/,
    );
    const status = cli(['session', 'status', '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({
      actor: 'operator:dana',
      credential: 'key-file',
      state: 'ACTIVE',
    });
    expect(cli(['session', 'status']).stdout).toMatch(/^ACTIVE Dana Diaz[\s\S]*with key file/);
    expect(cli(['journal', 'note', 'seal inspected']).status).toBe(0);
    const tail = journal().slice(-2);
    expect(tail.map((e) => [e.kind, e.actor])).toEqual([
      ['operator.signed-in', 'operator:dana'],
      ['operator.note', 'operator:dana'],
    ]);
    expect(tail[0]!.body.credential).toBe('key-file');
    // The passphrase is nowhere in the journal or the CLI's output.
    const everything = JSON.stringify(journal()) + signIn.stdout + wrong.stdout + wrong.stderr;
    expect(everything).not.toContain(PASSPHRASE);
    expect(everything).not.toContain('not it');
  });
});
