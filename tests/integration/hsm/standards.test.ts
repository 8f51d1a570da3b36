import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CodedError } from '../../../src/core/errors';
import { ipAddressBytes } from '../../../src/core/hsm/csr-request';
import { CK } from '../../../src/main/adapters/hsm/ck';
import type { Pkcs11Module } from '../../../src/main/adapters/hsm/module';
import { systemDeps } from '../../../src/main/runtime';
import { createTokenCsr } from '../../../src/main/services/devices/devices';
import { registerModule } from '../../../src/main/services/devices/modules';
import { createStationIdentity } from '../../../src/main/services/identity/commands';
import { Station } from '../../../src/main/station/station';
import { FAULT_SHIM, faultShim, SOFTHSM_PATH, softhsmWorld, type FaultShim } from '../../helpers/softhsm';
import { suiteTempDir } from '../../helpers/temp';

/**
 * What a reviewer with only openssl and pkcs11-tool checks on what the station makes (issue #18): the
 * X.500 order of names in a CSR and in the identity certificate, the IP addresses of a CSR's
 * subjectAltName, and the public-key attributes of a generated key. The station runs over the PKCS#11
 * fault shim (no faults planned) so that the logins reaching the token can be counted.
 */

const PIN = '135790';
const MODULE = 'std-hsm';
const NAME_TYPES = new Set([
  'countryName',
  'stateOrProvinceName',
  'localityName',
  'organizationName',
  'organizationalUnitName',
  'commonName',
  'serialNumber',
]);

let suite: ReturnType<typeof suiteTempDir>;
let shim: FaultShim;
let station: Station;
let module: Pkcs11Module;
let conf: string;
const serial: Record<string, string> = {};
let csrKeyId: string;

beforeAll(async () => {
  suite = suiteTempDir('station-standards-');
  const world = softhsmWorld(suite.dir);
  conf = world.conf;
  for (const label of ['Station HSM', 'CSR HSM']) {
    const r = spawnSync('softhsm2-util', [
      ...['--init-token', '--free', '--label', label, '--so-pin', '11223344', '--pin', PIN],
    ]);
    expect(r.status).toBe(0);
  }
  shim = faultShim(world);
  station = Station.init(
    join(suite.dir, 'st'),
    { name: 'Room D, "north" + <west>', mode: 'offline', demo: false, actor: 'operator:alice' },
    systemDeps,
  );
  registerModule(station, {
    moduleId: MODULE,
    profile: FAULT_SHIM.id,
    path: shim.path,
    environment: { ...shim.environment },
    actor: 'operator:alice',
  });
  module = station.hsm.module(MODULE);
  for (const t of module.tokens()) serial[t.label] = t.serial;
  const key = await module.withSessionAsync(
    serial['CSR HSM']!,
    { write: true, login: { user: 'user', pin: PIN } },
    (s) => s.generateKeyPair({ label: 'csr-key', algorithm: 'ec-p256' }),
  );
  csrKeyId = key.id;
}, 60_000);

afterAll(() => {
  station?.close();
  suite?.remove();
});

function file(name: string, text: string): string {
  const path = join(suite.dir, name);
  writeFileSync(path, text);
  return path;
}

function openssl(args: string[]): string {
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout;
}

/** The attribute types of a DER structure's names, in DER order, as openssl's own ASN.1 parser reads them. */
function nameOrder(pemPath: string): string[] {
  return openssl(['asn1parse', '-inform', 'PEM', '-in', pemPath])
    .split('\n')
    .map((line) => /prim: OBJECT\s+:(\S+)/.exec(line)?.[1])
    .filter((t): t is string => t !== undefined && NAME_TYPES.has(t));
}

function csr(request: unknown) {
  return createTokenCsr(station, {
    moduleId: MODULE,
    serial: serial['CSR HSM']!,
    pin: PIN,
    keyId: csrKeyId,
    request,
    actor: 'operator:alice',
  });
}

describe('X.509 names are encoded in X.500 order (most significant first)', () => {
  it('a CSR made on the token: C, ST, L, O, OU, CN in the DER; RFC 2253 prints them reversed', async () => {
    const made = await csr({
      subject: {
        commonName: 'Release, "Signing" 2027',
        organizationalUnit: 'PKI',
        organization: 'Example, Inc.',
        locality: 'Berlin',
        state: 'Berlin',
        country: 'DE',
      },
    });
    const path = file('order.csr.pem', made.pem);
    expect(nameOrder(path)).toEqual([
      'countryName',
      'stateOrProvinceName',
      'localityName',
      'organizationName',
      'organizationalUnitName',
      'commonName',
    ]);
    const subject = openssl(['req', '-in', path, '-noout', '-subject', '-nameopt', 'RFC2253']).trim();
    expect(subject).toBe(
      'subject=CN=Release\\, \\"Signing\\" 2027,OU=PKI,O=Example\\, Inc.,L=Berlin,ST=Berlin,C=DE',
    );
  });

  it('the identity certificate: O, CN, serialNumber (the station id) in the DER, issuer = subject', async () => {
    const id = await createStationIdentity(station, {
      moduleId: MODULE,
      tokenSerial: serial['Station HSM']!,
      pin: PIN,
      actor: 'operator:alice',
    });
    const path = file('identity.pem', id.certificatePem);
    // Issuer then subject, each in X.500 order.
    const order = ['organizationName', 'commonName', 'serialNumber'];
    expect(nameOrder(path)).toEqual([...order, ...order]);
    const stationId = station.stationRecord().stationId;
    const out = openssl(['x509', '-in', path, '-noout', '-subject', '-issuer', '-nameopt', 'RFC2253']);
    const expected = `serialNumber=${stationId},CN=Room D\\, \\"north\\" \\+ \\<west\\>,O=Ceremony Station`;
    expect(out.trim().split('\n')).toEqual([`subject=${expected}`, `issuer=${expected}`]);
  });
});

describe('CSR IP addresses are validated before any login and encoded in their 4- or 16-byte form', () => {
  it.each(['1:2:3:4:5:6:7:8:9', ':::', '1::2::3', '12345::', '::ffff:1.2.3.256', '1.2.3.04', '::1.2.3'])(
    '%s is refused as csr.san.ip.1 (INVALID_INPUT) and no login reaches the token',
    async (bad) => {
      const logins = shim.stats().logins;
      const refused = await csr({ subject: { commonName: 'x' }, san: { ip: ['192.0.2.1', bad] } }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(refused).toBeInstanceOf(CodedError);
      expect(refused).toMatchObject({ code: 'INVALID_INPUT', data: { field: 'csr.san.ip.1' } });
      expect(shim.stats().logins).toBe(logins);
    },
  );

  it('accepts IPv4, IPv6 and an IPv4-mapped IPv6 address; openssl shows each with its own length', async () => {
    const made = await csr({
      subject: { commonName: 'addresses' },
      san: { ip: ['192.0.2.1', '2001:db8::1', '::ffff:1.2.3.4'] },
    });
    const path = file('ip.csr.pem', made.pem);
    const text = openssl(['req', '-in', path, '-noout', '-text']);
    // openssl prints a 4-byte address dotted and a 16-byte one as eight groups, so a mapped address
    // shortened to 4 bytes would read 1.2.3.4 here.
    expect(text).toContain(
      'IP Address:192.0.2.1, IP Address:2001:DB8:0:0:0:0:0:1, IP Address:0:0:0:0:0:FFFF:102:304',
    );
    // The recorded digest is over the request's DER, as openssl writes it.
    const der = spawnSync('openssl', ['req', '-in', path, '-outform', 'DER']).stdout;
    expect(createHash('sha256').update(der).digest('hex')).toBe(made.sha256);
  });

  it("the address parser agrees with Node's isIP on what is an address, and with the URL parser on its bytes", () => {
    const sometimes = <T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<T>) =>
      fc.oneof({ weight: 8, arbitrary: good }, { weight: 1, arbitrary: bad });
    const hex = sometimes(fc.stringMatching(/^[0-9a-fA-F]{1,4}$/), fc.constantFrom('', '12345', 'g', '0x1'));
    const octet = sometimes(fc.nat(255).map(String), fc.constantFrom('256', '01', '', '1e1'));
    const v4 = fc.array(octet, { minLength: 3, maxLength: 5 }).map((p) => p.join('.'));
    const piece = fc.oneof({ weight: 9, arbitrary: hex }, { weight: 1, arbitrary: v4 });
    const address = fc.oneof(
      v4,
      fc
        .tuple(fc.array(piece, { maxLength: 9 }), fc.option(fc.nat(9)), fc.constantFrom('', ':'))
        .map(([pieces, gap, edge]) => {
          const groups = [...pieces];
          if (gap !== null) groups.splice(Math.min(gap, groups.length), 0, '');
          const text = groups.join(':');
          return gap === 0 ? `:${text}` : gap !== null && gap >= pieces.length ? `${text}:` : edge + text;
        }),
    );
    fc.assert(
      fc.property(address, (text) => {
        const bytes = ipAddressBytes(text);
        const family = isIP(text);
        expect(bytes === null ? 0 : bytes.length === 4 ? 4 : 6).toBe(family);
        if (bytes === null) return;
        const ours =
          bytes.length === 4
            ? [...bytes].join('.')
            : `[${Array.from({ length: 8 }, (_, i) => ((bytes[2 * i]! << 8) | bytes[2 * i + 1]!).toString(16)).join(':')}]`;
        const host = (t: string) => new URL(`http://${t}/`).hostname;
        expect(host(ours)).toBe(host(family === 4 ? text : `[${text}]`));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('a generated public key is verify-only: CKA_VERIFY_RECOVER is false', () => {
  it('reads back false through the adapter and pkcs11-tool lists no verifyRecover usage', async () => {
    const key = await module.withSessionAsync(
      serial['CSR HSM']!,
      { write: true, login: { user: 'user', pin: PIN } },
      async (s) => {
        const made = await s.generateKeyPair({ label: 'verify-only', algorithm: 'ec-p384' });
        const [pub] = s.find([
          { type: CK.CKA_CLASS, value: CK.CKO_PUBLIC_KEY },
          { type: CK.CKA_ID, value: Buffer.from(made.id, 'hex') },
        ]);
        // The raw CK_BBOOL as the token stores it, and the adapter's read-back the policy checks.
        expect(s.attribute(pub!, CK.CKA_VERIFY_RECOVER)).toEqual(Buffer.from([0]));
        expect(s.publicKeyAttributes(pub!)).toMatchObject({ verify: true, verifyRecover: false });
        return made;
      },
    );
    const listed = spawnSync(
      'pkcs11-tool',
      [
        '--module',
        SOFTHSM_PATH,
        '--token-label',
        'CSR HSM',
        '--list-objects',
        '--type',
        'pubkey',
        '--id',
        key.id,
      ],
      { encoding: 'utf8', env: { ...process.env, SOFTHSM2_CONF: conf } },
    );
    expect(listed.status).toBe(0);
    const usage = /Usage:\s+(.*)/.exec(listed.stdout)?.[1];
    expect(usage).toBe('verify');
  });
});
