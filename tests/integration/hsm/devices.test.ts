import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { canonicalBytes } from '../../../src/core/canonical';
import { signInCli, stationCli } from '../../e2e/harness';
import { tempDir } from '../../helpers/temp';

const PIN = '123456\n';
let dir: string;
let serial: string;

function head(): number {
  const lines = stationCli(['journal', 'export', '--data-dir', dir]).stdout.trim().split('\n');
  return lines.length;
}

function lastEvent(kind?: string): { kind: string; actor: string; body: Record<string, unknown> } {
  const lines = stationCli(['journal', 'export', '--data-dir', dir]).stdout.trim().split('\n');
  const events = lines.map((l) => JSON.parse(l) as { kind: string; actor: string; body: string });
  const e = kind ? events.findLast((x) => x.kind === kind)! : events.at(-1)!;
  return { kind: e.kind, actor: e.actor, body: JSON.parse(e.body) as Record<string, unknown> };
}

function keys(): {
  label: string;
  id: string;
  keyType: string;
  size: string;
  spkiSha256: string;
  residency: { verdict: string };
}[] {
  const r = stationCli(['hsm', 'keys', '--token', serial, '--pin-stdin', '--json', '--data-dir', dir], PIN);
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout) as ReturnType<typeof keys>;
}

function opensslVerifiesRequest(file: string): { ok: boolean; pubkeySha256: string } {
  const verify = spawnSync('openssl', ['req', '-in', file, '-verify', '-noout'], { encoding: 'utf8' });
  const pub = spawnSync('openssl', ['req', '-in', file, '-pubkey', '-noout'], { encoding: 'utf8' });
  const der = spawnSync('openssl', ['pkey', '-pubin', '-outform', 'DER'], { input: pub.stdout });
  return {
    ok: verify.status === 0 && /verify OK/i.test(verify.stdout + verify.stderr),
    pubkeySha256: createHash('sha256').update(der.stdout).digest('hex'),
  };
}

/**
 * `station hsm keygen` as an operator runs it: reviews the exact template first (--dry-run), then
 * passes the digest they reviewed with --confirm.
 */
function keygen(args: string[], input?: string): ReturnType<typeof stationCli> {
  const dry = stationCli([...args.filter((a) => a !== '--pin-stdin'), '--dry-run']);
  const digest = /template digest ([0-9a-f]{64})/.exec(dry.stdout)?.[1];
  return stationCli(digest ? [...args, '--confirm', digest] : args, input);
}

/** Each test its own demo station, SoftHSM2 world and token. */
function freshDemo(): void {
  dir = join(tempDir(), 'station');
  expect(stationCli(['demo', '--data-dir', dir]).status).toBe(0);
  // The demo has a roster: the CLI's acts are Alice's, signed in with her own token (docs/operators.md).
  signInCli(dir, 'Alice');
  serial = (
    JSON.parse(stationCli(['info', '--data-dir', dir]).stdout) as { identity: { tokenSerial: string } }
  ).identity.tokenSerial;
}

beforeEach(() => freshDemo());

describe('devices: keys, generation, CSRs and inventory on a fresh demo token each (SoftHSM2, via the CLI)', () => {
  it('lists the identity key as RESIDENT after login', () => {
    expect(keys()).toEqual([
      expect.objectContaining({
        label: 'station-identity',
        keyType: 'EC',
        size: 'P-256',
        residency: expect.objectContaining({ verdict: 'RESIDENT' }),
      }),
    ]);
  });

  it('--dry-run shows exactly what would be requested and touches nothing', () => {
    const before = head();
    const r = stationCli([
      'hsm',
      'keygen',
      '--token',
      serial,
      '--label',
      'k',
      '--algorithm',
      'ec-p384',
      '--actor',
      'operator:alice',
      '--dry-run',
      '--data-dir',
      dir,
    ]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/mechanism CKM_EC(DSA)?_KEY_PAIR_GEN/);
    expect(r.stdout).toContain('CKA_EXTRACTABLE = false');
    expect(r.stdout).toContain('CKA_SENSITIVE = true');
    expect(r.stdout).toContain('CKA_EC_PARAMS = 06052b81040022');
    expect(head()).toBe(before);
  });

  it('never confirms its own template: without --confirm (no terminal) or with a wrong digest it refuses before any PIN or login', () => {
    const before = head();
    const args = [
      'hsm',
      'keygen',
      '--token',
      serial,
      '--label',
      'unconfirmed',
      '--algorithm',
      'ec-p256',
      '--actor',
      'operator:alice',
      '--pin-stdin',
      '--data-dir',
      dir,
    ];
    const none = stationCli(args, PIN);
    expect(none.status).toBe(3);
    expect(none.stderr).toContain('RECIPE_NOT_CONFIRMED');
    const wrong = stationCli([...args, '--confirm', 'f'.repeat(64)], PIN);
    expect(wrong.status).toBe(3);
    expect(wrong.stderr).toContain('RECIPE_NOT_CONFIRMED');
    expect(head()).toBe(before);
    expect(keys().some((k) => k.label === 'unconfirmed')).toBe(false);
  });

  it('refuses a bad spec naming the field, an existing label, and a wrong PIN — journaling nothing', () => {
    const before = head();
    const bad = stationCli(
      [
        'hsm',
        'keygen',
        '--token',
        serial,
        '--label',
        'k',
        '--algorithm',
        'ec-p521',
        '--actor',
        'operator:alice',
        '--pin-stdin',
        '--data-dir',
        dir,
      ],
      PIN,
    );
    expect(bad.status).toBe(3);
    expect(bad.stderr).toContain('key.algorithm');
    const dup = keygen(
      [
        'hsm',
        'keygen',
        '--token',
        serial,
        '--label',
        'station-identity',
        '--algorithm',
        'ec-p256',
        '--actor',
        'operator:alice',
        '--pin-stdin',
        '--data-dir',
        dir,
      ],
      PIN,
    );
    expect(dup.status).toBe(3);
    expect(dup.stderr).toContain('KEY_EXISTS');
    const pin = keygen(
      [
        'hsm',
        'keygen',
        '--token',
        serial,
        '--label',
        'x',
        '--algorithm',
        'ec-p256',
        '--actor',
        'operator:alice',
        '--pin-stdin',
        '--data-dir',
        dir,
      ],
      '000000\n',
    );
    expect(pin.status).toBe(5);
    expect(pin.stderr).toContain('PIN_INCORRECT');
    expect(head()).toBe(before);
  });

  it.each([
    ['ec-p384', 'EC', 'P-384'],
    ['rsa-3072', 'RSA', '3072'],
    ['ed25519', 'EdDSA', 'Ed25519'],
  ])(
    'generates %s, journals it with its read-back attributes, and makes a CSR that openssl verifies',
    (algorithm, keyType, size) => {
      const label = `release-signing-${algorithm}`;
      const gen = keygen(
        [
          'hsm',
          'keygen',
          '--token',
          serial,
          '--label',
          label,
          '--algorithm',
          algorithm,
          '--actor',
          'operator:alice',
          '--pin-stdin',
          '--data-dir',
          dir,
        ],
        PIN,
      );
      expect(gen.stderr).toBe('');
      expect(gen.status).toBe(0);
      // Generation on the station token is anchored in the same login: the journal ends with that checkpoint.
      expect(lastEvent()).toMatchObject({ kind: 'journal.checkpoint', actor: 'station' });
      const event = lastEvent('hsm.key-generated');
      expect(event).toMatchObject({ kind: 'hsm.key-generated', actor: 'operator:alice' });
      expect(event.body.key).toMatchObject({
        label,
        keyType,
        size,
        residency: 'RESIDENT',
        attributes: { extractable: false, sensitive: true },
      });
      const key = keys().find((k) => k.label === label)!;
      expect(key.residency.verdict).toBe('RESIDENT');

      const out = join(tempDir(), 'req.pem');
      const csr = stationCli(
        [
          'hsm',
          'csr',
          '--token',
          serial,
          '--key',
          key.id,
          '--cn',
          'Release Signing 2027',
          '--o',
          'Example, Inc.',
          '--c',
          'DE',
          '--dns',
          'sign.example.org',
          '--email',
          'pki@example.org',
          '--out',
          out,
          '--actor',
          'operator:alice',
          '--pin-stdin',
          '--data-dir',
          dir,
        ],
        PIN,
      );
      expect(csr.stderr).toBe('');
      expect(csr.status).toBe(0);
      const checked = opensslVerifiesRequest(out);
      expect(checked.ok).toBe(true);
      expect(checked.pubkeySha256).toBe(key.spkiSha256);
      const text = spawnSync('openssl', ['req', '-in', out, '-noout', '-text'], { encoding: 'utf8' }).stdout;
      expect(text).toMatch(/Subject: .*CN\s*=\s*Release Signing 2027/);
      expect(text).toContain('DNS:sign.example.org');
      // The request on the station token is anchored in the same login too (review 2, item 6).
      expect(lastEvent()).toMatchObject({ kind: 'journal.checkpoint', actor: 'station' });
      const recorded = lastEvent('hsm.csr-created');
      expect(recorded).toMatchObject({
        kind: 'hsm.csr-created',
        body: { keyId: key.id, san: ['DNS:sign.example.org', 'email:pki@example.org'] },
      });
      expect(recorded.body.csrPem).toBe(readFileSync(out, 'utf8'));
    },
  );

  it('never overwrites an output file, and validates the request before touching the token', () => {
    const key = keys()[0]!;
    const out = join(tempDir(), 'exists.pem');
    writeFileSync(out, 'keep me');
    const before = head();
    const exists = stationCli(
      [
        'hsm',
        'csr',
        '--token',
        serial,
        '--key',
        key.id,
        '--cn',
        'x',
        '--out',
        out,
        '--actor',
        'operator:alice',
        '--pin-stdin',
        '--data-dir',
        dir,
      ],
      PIN,
    );
    expect(exists.status).toBe(3);
    expect(exists.stderr).toContain('OUTPUT_EXISTS');
    expect(readFileSync(out, 'utf8')).toBe('keep me');
    const badCountry = stationCli(
      [
        'hsm',
        'csr',
        '--token',
        serial,
        '--key',
        key.id,
        '--cn',
        'x',
        '--c',
        'Germany',
        '--out',
        join(tempDir(), 'n.pem'),
        '--actor',
        'operator:alice',
        '--pin-stdin',
        '--data-dir',
        dir,
      ],
      PIN,
    );
    expect(badCountry.status).toBe(3);
    expect(badCountry.stderr).toContain('csr.subject.country');
    expect(head()).toBe(before);
  });

  it('records the inventory as evidence whose digest recomputes from the recorded content, anchored in the same login on the station token', () => {
    const r = stationCli(
      ['hsm', 'inventory', '--token', serial, '--actor', 'operator:alice', '--pin-stdin', '--data-dir', dir],
      PIN,
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(lastEvent()).toMatchObject({ kind: 'journal.checkpoint', actor: 'station' });
    const event = lastEvent('hsm.inventory-recorded');
    expect(event.kind).toBe('hsm.inventory-recorded');
    const body = event.body as {
      token: { serial: string };
      keys: { label: string; residency: string }[];
      digest: string;
      librarySha256: string;
    };
    expect(body.token.serial).toBe(serial);
    expect(body.keys.map((k) => k.label)).toContain('station-identity');
    expect(body.keys.every((k) => k.residency === 'RESIDENT')).toBe(true);
    expect(
      createHash('sha256')
        .update(canonicalBytes({ token: body.token, keys: body.keys }))
        .digest('hex'),
    ).toBe(body.digest);
    expect(body.librarySha256).toMatch(/^[0-9a-f]{64}$/);
    // Review 2, item 6: before, the inventory was left unsigned (UNANCHORED, exit 7).
    expect(stationCli(['journal', 'verify', '--data-dir', dir]).status).toBe(0);
  });
});
