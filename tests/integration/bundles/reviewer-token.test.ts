import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportStationPem, registerTrust, signInCli, stationCli } from '../../e2e/harness';
import { SOFTHSM_PATH, softhsmWorld } from '../../helpers/softhsm';
import { suiteTempDir } from '../../helpers/temp';

/**
 * A reviewer whose key lives on their own PKCS#11 token (SoftHSM2 here, a smart card or YubiKey PIV
 * through OpenSC in the field). The key pair is made with OpenSC's pkcs11-tool, not by the station, so
 * the station's reviewer commands are proven against a key they did not create.
 */
let suite: ReturnType<typeof suiteTempDir>;
let dir: string;
let media: string;
let stationEnv: Record<string, string>;
let reviewerEnv: Record<string, string>;
let serial: string;
let stationPem: string;
const TOKEN_PIN = '24681357';
const KEY_ID = '0a1b';

const pkcs11Tool = (args: string[]) =>
  spawnSync('pkcs11-tool', ['--module', SOFTHSM_PATH, ...args], {
    encoding: 'buffer',
    env: { ...process.env, ...reviewerEnv },
  });
const tokenArgs = () => ['--token', serial, '--key-id', KEY_ID, '--pkcs11', 'softhsm2', '--pin-stdin'];

beforeAll(() => {
  suite = suiteTempDir();
  dir = join(suite.dir, 'station');
  media = join(suite.dir, 'usb');
  mkdirSync(media);
  stationEnv = { STATION_MEDIA_DIRS: media };
  expect(stationCli(['demo', '--data-dir', dir], undefined, stationEnv).status).toBe(0);
  signInCli(dir, 'Alice', stationEnv);

  const world = softhsmWorld(join(suite.dir, 'reviewer'));
  reviewerEnv = { SOFTHSM2_CONF: world.conf };
  const init = spawnSync(
    'softhsm2-util',
    ['--init-token', '--free', '--label', 'Reviewer card', '--so-pin', '87654321', '--pin', TOKEN_PIN],
    { encoding: 'utf8', env: { ...process.env, ...reviewerEnv } },
  );
  expect(init.status).toBe(0);
  const gen = pkcs11Tool([
    '--token-label',
    'Reviewer card',
    '--login',
    '--pin',
    TOKEN_PIN,
    '--keypairgen',
    '--key-type',
    'EC:prime256v1',
    '--id',
    KEY_ID,
    '--label',
    'approval key',
  ]);
  expect(gen.status, gen.stderr.toString()).toBe(0);
  const slots = spawnSync('softhsm2-util', ['--show-slots'], {
    encoding: 'utf8',
    env: { ...process.env, ...reviewerEnv },
  });
  serial = /Serial number:\s+([0-9a-f]{16})/.exec(slots.stdout)![1]!;

  stationPem = join(suite.dir, 'station.pem');
  exportStationPem(dir, stationPem, stationEnv);
  expect(
    stationCli(
      ['bundle', 'export', '--kind', 'custody-report', '--pin-stdin', '--data-dir', dir],
      '123456\n',
      stationEnv,
    ).status,
  ).toBe(0);
});
afterAll(() => suite?.remove());

describe('reviewer key on a PKCS#11 token', () => {
  it('registers the token key (fingerprint = SHA-256 of the SPKI pkcs11-tool reads), approves with it, and the station accepts the approval', () => {
    const request = stationCli(
      ['reviewer', 'request', ...tokenArgs(), '--name', 'Tess Token', '--out-dir', media],
      `${TOKEN_PIN}\n`,
      reviewerEnv,
    );
    expect(request.stderr).toBe('');
    expect(request.status).toBe(0);
    const path = /^wrote (.+)$/m.exec(request.stdout)![1]!;
    const words = /read these to the station operator: (.+)$/m.exec(request.stdout)![1]!;
    const fingerprint = /fingerprint ([0-9a-f]{64})/.exec(request.stdout)![1]!;
    // Independent of the station: OpenSC reads the public key off the token as DER SPKI.
    const spki = pkcs11Tool([
      '--token-label',
      'Reviewer card',
      '--read-object',
      '--type',
      'pubkey',
      '--id',
      KEY_ID,
    ]);
    expect(spki.status).toBe(0);
    expect(createHash('sha256').update(spki.stdout).digest('hex')).toBe(fingerprint);

    const reg = registerTrust(dir, path, { id: 'tess', roles: 'release-integrity-owner', words }, stationEnv);
    expect(reg.stderr).toBe('');
    expect(reg.status).toBe(0);

    const bundle = join(media, 'custody-report-v1.bundle.zip');
    const approve = stationCli(
      [
        'approve',
        bundle,
        ...tokenArgs(),
        '--trust',
        stationPem,
        '--name',
        'Tess Token',
        '--role',
        'release-integrity-owner',
        '--sequence',
        '7',
        '--out-dir',
        media,
      ],
      `${TOKEN_PIN}\n`,
      reviewerEnv,
    );
    expect(approve.stderr).toBe('');
    expect(approve.status).toBe(0);
    const file = /^wrote (.+\.approval\.json):/m.exec(approve.stdout)![1]!;
    const imported = stationCli(['bundle', 'import', file, '--data-dir', dir], undefined, stationEnv);
    expect(imported.stderr).toBe('');
    expect(imported.status).toBe(0);
    const list = JSON.parse(
      stationCli(['bundle', 'list', '--json', '--data-dir', dir], undefined, stationEnv).stdout,
    ) as { packetId: string; version: number; status: { satisfiedRoles: string[] } }[];
    const custody = list.find((v) => v.packetId === 'custody-report' && v.version === 1)!;
    expect(custody.status.satisfiedRoles).toEqual(['release-integrity-owner']);
  });

  it('a wrong token PIN writes no approval; naming both a key file and a token is refused', () => {
    const before = readdirSync(media).length;
    const wrong = stationCli(
      [
        'approve',
        join(media, 'custody-report-v1.bundle.zip'),
        ...tokenArgs(),
        '--trust',
        stationPem,
        '--name',
        'Tess Token',
        '--role',
        'release-integrity-owner',
        '--out-dir',
        media,
      ],
      '00000000\n',
      reviewerEnv,
    );
    expect(wrong.stderr).toContain('PIN_INCORRECT');
    expect(wrong.status).toBe(5);
    const both = stationCli(
      [
        'reviewer',
        'request',
        ...tokenArgs(),
        '--key',
        join(suite.dir, 'x.key'),
        '--name',
        'X',
        '--out-dir',
        media,
      ],
      `${TOKEN_PIN}\n`,
      reviewerEnv,
    );
    expect(both.stderr).toContain('INVALID_INPUT');
    expect(both.stderr).toContain('--key FILE or --token SERIAL');
    expect(both.status).toBe(3);
    expect(readdirSync(media).length).toBe(before);
  });
});
