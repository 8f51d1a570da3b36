import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addToken, signInCli, stationCli, tokenSerial } from '../../e2e/harness';
import { tempDir } from '../../helpers/temp';

const PIN = '123456\n';

describe('custodian commands as an operator runs them (demo station, SoftHSM2 tokens)', () => {
  it('activates a ceremony token 2-of-3: split with share sheets, share health, quorum check-ins, keygen; one share is refused', () => {
    const root = tempDir();
    const dir = join(root, 'station');
    expect(stationCli(['demo', '--data-dir', dir]).status).toBe(0);
    signInCli(dir);
    const ceremony = addToken(dir, 'Ceremony HSM', '654321');

    const media = join(root, 'media');
    mkdirSync(media);
    const split = stationCli(
      [
        'shares',
        'split',
        '--token',
        ceremony,
        '--holders',
        'alice,bob,carol',
        '--threshold',
        '2',
        '--out-dir',
        media,
        '--pin-stdin',
        '--data-dir',
        dir,
      ],
      '654321\n',
    );
    expect(split.stderr).toBe('');
    const splitId = /^split ([0-9a-f]{32})$/m.exec(split.stdout)?.[1];
    expect(splitId).toBeDefined();
    expect(readdirSync(media)).toHaveLength(6);
    const share = (who: string, pos: number) => join(media, `${who}-share-${pos}-of-3.txt`);

    const health = stationCli([
      'shares',
      'verify',
      '--split',
      splitId!,
      '--custodian',
      'bob',
      '--share-file',
      share('bob', 2),
      '--data-dir',
      dir,
    ]);
    expect(health.stdout).toMatch(/^MATCHES/);
    const wrongHolder = stationCli([
      'shares',
      'verify',
      '--split',
      splitId!,
      '--custodian',
      'alice',
      '--share-file',
      share('bob', 2),
      '--data-dir',
      dir,
    ]);
    expect(wrongHolder.status).toBe(4);
    expect(wrongHolder.stdout).toContain('SHARE_WRONG_HOLDER');

    const keygen = [
      'ceremony',
      'keygen',
      '--split',
      splitId!,
      '--label',
      'zsk-2027',
      '--algorithm',
      'ec-p256',
      '--data-dir',
      dir,
    ];
    const operation = stationCli([...keygen, '--print-operation']).stdout.trim();
    expect(operation).toBe(`ceremony-keygen:${ceremony}:zsk-2027:ec-p256`);
    const opened = stationCli([
      'quorum',
      'open',
      '--operation',
      operation,
      '--ceremony',
      'ZSK-2027',
      '--step',
      '4',
      '--data-dir',
      dir,
    ]);
    const sessionId = /^session ([0-9a-f-]{36})$/m.exec(opened.stdout)?.[1];
    expect(sessionId).toBeDefined();
    expect(stationCli(['quorum', 'status', '--session', sessionId!, '--data-dir', dir]).status).toBe(6);
    for (const who of ['Alice', 'Bob']) {
      const r = stationCli(
        [
          'quorum',
          'checkin',
          '--session',
          sessionId!,
          '--token',
          tokenSerial(dir, `Custodian ${who}`),
          '--pin-stdin',
          '--actor',
          `operator:${who.toLowerCase()}`,
          '--data-dir',
          dir,
        ],
        PIN,
      );
      expect(r.stderr).toBe('');
    }
    const status = stationCli(['quorum', 'status', '--session', sessionId!, '--data-dir', dir]);
    expect(status.stdout).toMatch(/^QUORUM REACHED: 2 of 2/);
    expect(status.status).toBe(0);

    const one = stationCli([
      ...keygen,
      '--quorum',
      sessionId!,
      '--share-file',
      share('alice', 1),
      '--entered-by',
      'alice',
    ]);
    expect(one.status).toBe(3);
    expect(one.stderr).toContain('SHARES_REFUSED');
    const two = stationCli([
      ...keygen,
      '--quorum',
      sessionId!,
      '--share-file',
      share('alice', 1),
      '--share-file',
      share('bob', 2),
      '--entered-by',
      'alice',
      '--entered-by',
      'bob',
    ]);
    expect(two.stderr).toBe('');
    expect(two.stdout).toMatch(/generated EC P-256 "zsk-2027" id [0-9a-f]+ \(RESIDENT\)/);
    // One quorum, one act.
    expect(stationCli(['quorum', 'status', '--session', sessionId!, '--data-dir', dir]).stdout).toContain(
      'closed: used',
    );
    expect(
      stationCli([
        ...keygen,
        '--quorum',
        sessionId!,
        '--share-file',
        share('alice', 1),
        '--share-file',
        share('bob', 2),
      ]).stderr,
    ).toContain('QUORUM_SESSION_CLOSED');
  });

  it('custody and coverage from the command line', () => {
    const dir = join(tempDir(), 'station');
    expect(stationCli(['demo', '--data-dir', dir]).status).toBe(0);
    signInCli(dir);
    const list = stationCli(['custody', 'list', '--data-dir', dir]).stdout;
    expect(list).toMatch(/escrow-envelope-1 {2}BLOCKED/);
    expect(list).toMatch(/CUSTODY BREAK \[CUST-SEAL-MATCH\]/);
    expect(
      stationCli([
        'custody',
        'inspect',
        '--item',
        'hsm-primary',
        '--bag',
        'TB-999999',
        '--inspector',
        'Dan',
        '--data-dir',
        dir,
      ]).stdout,
    ).toMatch(/hsm-primary: BLOCKED — bag serial TB-999999 does not match the recorded TB-104233/);
    const today = new Date().toISOString().slice(0, 10);
    expect(
      stationCli([
        'coverage',
        'set',
        '--custodian',
        'carol',
        '--date',
        today,
        '--shift',
        'day',
        '--data-dir',
        dir,
      ]).status,
    ).toBe(0);
    const grid = JSON.parse(
      stationCli(['coverage', 'show', '--from', today, '--days', '1', '--json', '--data-dir', dir]).stdout,
    ) as {
      cells: { shift: string; available: string[] }[];
    };
    expect(grid.cells.find((c) => c.shift === 'day')?.available).toEqual(['alice', 'bob', 'carol']);
    expect(
      stationCli([
        'coverage',
        'set',
        '--custodian',
        'nobody',
        '--date',
        today,
        '--shift',
        'day',
        '--data-dir',
        dir,
      ]).stderr,
    ).toContain('CUSTODIAN_NOT_FOUND');
  });

  it('station session: the CLI’s acts are recorded under the person who signed in with their own token, until they sign out', () => {
    const dir = join(tempDir(), 'station');
    expect(stationCli(['demo', '--data-dir', dir]).status).toBe(0);
    const cli = (args: string[], input?: string) => stationCli([...args, '--data-dir', dir], input);
    const journal = () =>
      cli(['journal', 'export'])
        .stdout.trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { kind: string; actor: string });
    const nobody = cli(['session', 'status']);
    expect([nobody.status, nobody.stdout]).toEqual([6, expect.stringMatching(/^NOT SIGNED IN/)]);
    // A note with neither a session nor a name is refused, naming the way out.
    const unnamed = cli(['journal', 'note', 'who am I']);
    expect(unnamed.status).toBe(6);
    expect(unnamed.stdout + unnamed.stderr).toMatch(
      /OPERATOR_SIGN_IN_REQUIRED[\s\S]*station session sign-in/,
    );

    const signIn = cli(
      ['session', 'sign-in', '--token', tokenSerial(dir, 'Custodian Bob'), '--pin-stdin'],
      PIN,
    );
    expect(signIn.stderr).toBe('');
    expect(signIn.stdout).toMatch(/^signed in as Bob Brandt \(operator:bob\), journal seq \d+/);
    const file = readdirSync(dir).find((f) => f === 'operator-session');
    expect(file).toBe('operator-session');
    expect(statSync(join(dir, 'operator-session')).mode & 0o777).toBe(0o600);
    const status = cli(['session', 'status', '--json']);
    expect(status.status).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ actor: 'operator:bob', via: 'cli', state: 'ACTIVE' });

    // No --actor: recorded under Bob. A typed name that is not Bob is refused, nothing recorded.
    expect(cli(['journal', 'note', 'inventory checked']).status).toBe(0);
    const before = journal().length;
    const other = cli(['journal', 'note', 'not me', '--actor', 'operator:carol']);
    expect(other.status).toBe(3);
    expect(other.stdout + other.stderr).toContain('OPERATOR_ACTOR_MISMATCH');
    expect(journal().length).toBe(before);
    // A custodian's check-in is still recorded under the key that signs, not the CLI's operator.
    const op = cli([
      'quorum',
      'open',
      '--operation',
      'ceremony-presence:cli-session',
      '--ceremony',
      'C-9',
      '--step',
      '1',
    ]);
    const sessionId = /^session ([0-9a-f-]{36})$/m.exec(op.stdout)![1]!;
    const checkIn = cli(
      [
        'quorum',
        'checkin',
        '--session',
        sessionId,
        '--token',
        tokenSerial(dir, 'Custodian Carol'),
        '--pin-stdin',
      ],
      PIN,
    );
    expect(checkIn.stderr).toBe('');

    expect(cli(['session', 'sign-out']).stdout).toBe('signed out Bob Brandt (operator:bob)\n');
    expect(readdirSync(dir)).not.toContain('operator-session');
    expect(
      journal()
        .slice(-5)
        .map((e) => `${e.kind} ${e.actor}`),
    ).toEqual([
      'operator.signed-in operator:bob',
      'operator.note operator:bob',
      'quorum.session-opened operator:bob',
      'quorum.checked-in operator:carol',
      'operator.signed-out operator:bob',
    ]);
  });
});
