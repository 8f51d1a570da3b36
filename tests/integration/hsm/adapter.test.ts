import { spawnSync } from 'node:child_process';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pkcs11js from 'pkcs11js';
import { afterEach, describe, expect, it } from 'vitest';
import { ecdsaRawToDer } from '../../helpers/ecdsa';
import { Pkcs11Module, type Pkcs11Binding, type SignAlgorithm } from '../../../src/main/adapters/hsm/module';
import { SOFTHSM, SOFTHSM_PATH, softhsmWorld } from '../../helpers/softhsm';
import { tempDir } from '../../helpers/temp';

const SO = '87654321';
const PIN = '246810';
const sha = (alg: 'sha256' | 'sha384', d: Buffer) => createHash(alg).update(d).digest();
const user = { user: 'user' as const, pin: PIN };

let opened: Pkcs11Module[] = [];
afterEach(() => {
  for (const m of opened) m.close();
  opened = [];
});

/** A fresh SoftHSM2 world with the given tokens, opened through the station's adapter. */
function world(labels: string[], binding?: Pkcs11Binding) {
  const { conf } = softhsmWorld();
  for (const label of labels) {
    const r = spawnSync('softhsm2-util', [
      '--init-token',
      '--free',
      '--label',
      label,
      '--so-pin',
      SO,
      '--pin',
      PIN,
    ]);
    expect(r.status).toBe(0);
  }
  const m = Pkcs11Module.open(SOFTHSM, SOFTHSM_PATH, {
    environment: { SOFTHSM2_CONF: conf },
    ...(binding ? { binding } : {}),
  });
  opened.push(m);
  return { m, conf };
}

describe('PKCS#11 adapter on SoftHSM2', () => {
  it('lists tokens with serial, label, manufacturer, model, versions and decoded flags', () => {
    const { m } = world(['station']);
    const [t] = m.tokens();
    expect(t).toMatchObject({ label: 'station', manufacturer: 'SoftHSM project', model: 'SoftHSM v2' });
    expect(t?.serial).toMatch(/^[0-9a-f]{16}$/);
    expect(t?.firmware).toMatch(/^\d+\.\d+$/);
    expect(t?.flags).toMatchObject({ loginRequired: true, tokenInitialized: true, userPinLocked: false });
    expect(m.info().manufacturer).toBe('SoftHSM');
  });

  it('addresses tokens by serial; a shared label is an explicit ambiguity, an unknown serial is TOKEN_NOT_FOUND', () => {
    const { m } = world(['twin', 'twin']);
    const serials = m.tokens().map((t) => t.serial);
    expect(new Set(serials).size).toBe(2);
    expect(() => m.serialByLabel('twin')).toThrowError(expect.objectContaining({ code: 'TOKEN_AMBIGUOUS' }));
    expect(() => m.withSession('ffffffffffffffff', { write: false }, () => 1)).toThrowError(
      expect.objectContaining({ code: 'TOKEN_NOT_FOUND' }),
    );
    expect(m.withSession(serials[1]!, { write: false }, (s) => s.serial)).toBe(serials[1]);
  });

  it.each([
    ['ec-p256', 'ecdsa-sha256', 'EC', 'P-256'],
    ['ec-p384', 'ecdsa-sha384', 'EC', 'P-384'],
    ['rsa-3072', 'rsa-pkcs1-sha256', 'RSA', '3072'],
    ['ed25519', 'ed25519', 'EdDSA', 'Ed25519'],
  ] as const)(
    '%s: generated on the token, read back RESIDENT, signature verifies with the read-back public key',
    async (algorithm, alg, type, size) => {
      const { m } = world(['station']);
      const serial = m.tokens()[0]!.serial;
      const key = await m.withSessionAsync(serial, { write: true, login: user }, (s) =>
        s.generateKeyPair({ label: `k-${algorithm}`, algorithm }),
      );
      expect(key).toMatchObject({ keyType: type, size, hasPrivate: true, hasPublic: true });
      expect(key.residency).toEqual({ verdict: 'RESIDENT', failed: [], unknown: [] });
      expect(key.attributes).toEqual({
        token: true,
        private: true,
        sensitive: true,
        extractable: false,
        alwaysSensitive: true,
        neverExtractable: true,
        local: true,
        sign: true,
        decrypt: false,
        unwrap: false,
        derive: false,
        modifiable: false,
        copyable: false,
        signRecover: false,
      });
      const message = Buffer.from('ceremony transcript line 42');
      const sig = m.withSession(serial, { write: false, login: user }, (s) =>
        s.sign(key.id, alg as SignAlgorithm, message, sha),
      );
      const pub = createPublicKey({ key: key.spki!, format: 'der', type: 'spki' });
      const ok =
        alg === 'ed25519'
          ? verify(null, message, pub, sig)
          : verify(
              alg.endsWith('384') ? 'sha384' : 'sha256',
              message,
              { key: pub, dsaEncoding: 'ieee-p1363' },
              sig,
            );
      expect(ok).toBe(true);
      // The token verifies its own signature, and refuses a flipped one.
      const flipped = Buffer.from(sig);
      flipped[flipped.length - 1]! ^= 1;
      const onToken = m.withSession(serial, { write: false }, (s) => [
        s.verify(key.id, alg as SignAlgorithm, message, sig, sha),
        s.verify(key.id, alg as SignAlgorithm, message, flipped, sha),
      ]);
      expect(onToken).toEqual([true, false]);
      expect(m.openSessions).toBe(0);
    },
  );

  it('interop: openssl verifies an ECDSA signature made on the token; pkcs11-tool lists the key with the policy attributes', async () => {
    const { m, conf } = world(['station']);
    const serial = m.tokens()[0]!.serial;
    const key = await m.withSessionAsync(serial, { write: true, login: user }, (s) =>
      s.generateKeyPair({ label: 'interop', algorithm: 'ec-p256' }),
    );
    const message = Buffer.from('checkpoint statement');
    const raw = m.withSession(serial, { write: false, login: user }, (s) =>
      s.sign(key.id, 'ecdsa-sha256', message, sha),
    );
    const dir = tempDir();
    writeFileSync(join(dir, 'msg'), message);
    writeFileSync(join(dir, 'sig.der'), ecdsaRawToDer(raw));
    writeFileSync(
      join(dir, 'pub.pem'),
      createPublicKey({ key: key.spki!, format: 'der', type: 'spki' }).export({
        type: 'spki',
        format: 'pem',
      }),
    );
    const ossl = spawnSync(
      'openssl',
      [
        'dgst',
        '-sha256',
        '-verify',
        join(dir, 'pub.pem'),
        '-signature',
        join(dir, 'sig.der'),
        join(dir, 'msg'),
      ],
      { encoding: 'utf8' },
    );
    expect(ossl.stdout.trim()).toBe('Verified OK');

    const tool = spawnSync(
      'pkcs11-tool',
      [
        '--module',
        SOFTHSM_PATH,
        '--token-label',
        'station',
        '--login',
        '--pin',
        PIN,
        '--list-objects',
        '--type',
        'privkey',
      ],
      {
        encoding: 'utf8',
        env: { ...process.env, SOFTHSM2_CONF: conf },
      },
    );
    expect(tool.status).toBe(0);
    expect(tool.stdout).toContain('label:      interop');
    expect(tool.stdout).toContain(`ID:         ${key.id}`);
    expect(tool.stdout).toMatch(/Usage:\s+sign\b/);
    expect(tool.stdout).toMatch(/Access:\s+sensitive, always sensitive, never extractable, local/);
  });

  it('refuses a label or CKA_ID already on the token, and closes every session on every path', async () => {
    const { m } = world(['station']);
    const serial = m.tokens()[0]!.serial;
    const key = await m.withSessionAsync(serial, { write: true, login: user }, (s) =>
      s.generateKeyPair({ label: 'dup', algorithm: 'ec-p256' }),
    );
    await expect(
      m.withSessionAsync(serial, { write: true, login: user }, (s) =>
        s.generateKeyPair({ label: 'dup', algorithm: 'ec-p256' }),
      ),
    ).rejects.toMatchObject({ code: 'KEY_EXISTS', data: { field: 'key.label' } });
    await expect(
      m.withSessionAsync(serial, { write: true, login: user }, (s) =>
        s.generateKeyPair({ label: 'other', id: key.id, algorithm: 'ec-p256' }),
      ),
    ).rejects.toMatchObject({ code: 'KEY_EXISTS', data: { field: 'key.id' } });
    expect(
      m.withSession(serial, { write: false, login: user }, (s) => s.listKeys()).map((k) => k.label),
    ).toEqual(['dup']);
    expect(m.openSessions).toBe(0);
  });

  it('a wrong PIN is PIN_INCORRECT with the token’s PIN state, and the session is closed', () => {
    const { m } = world(['station']);
    const serial = m.tokens()[0]!.serial;
    expect(() =>
      m.withSession(serial, { write: false, login: { user: 'user', pin: '000000' } }, () => 1),
    ).toThrowError(
      expect.objectContaining({
        code: 'PIN_INCORRECT',
        data: expect.objectContaining({ ckr: 'CKR_PIN_INCORRECT', serial }),
      }),
    );
    expect(m.openSessions).toBe(0);
    expect(m.tokens()[0]?.flags.userPinCountLow).toBe(true);
  });
});

/**
 * Faults SoftHSM2 cannot produce (token removal, PIN lockout, a lost session, a token that breaks the
 * key policy) are injected at the adapter's binding boundary: a real pkcs11js binding on a real
 * SoftHSM2 token whose chosen calls fail with the CKR a device would return. The binding also counts
 * what really reached the library: C_Login calls, and sessions opened minus sessions closed.
 */
function faulty(faults: Partial<Record<keyof Pkcs11Binding, number | ((...args: unknown[]) => unknown)>>) {
  const real = new pkcs11js.PKCS11();
  const counts = { logins: 0, opened: 0, closed: 0 };
  const binding = new Proxy(real, {
    get(target, prop, receiver) {
      const fault = faults[prop as keyof Pkcs11Binding];
      const value = Reflect.get(target, prop, receiver) as unknown;
      const call = typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : null;
      const counted = (...args: unknown[]) => {
        if (prop === 'C_Login') counts.logins++;
        if (fault === undefined) {
          const result = (call as (...a: unknown[]) => unknown)(...args);
          if (prop === 'C_OpenSession') counts.opened++;
          if (prop === 'C_CloseSession') counts.closed++;
          return result;
        }
        if (typeof fault === 'function') return fault(...args, call);
        throw new pkcs11js.Pkcs11Error(`CKR:${fault}`, fault, String(prop));
      };
      return call ? counted : value;
    },
  }) as Pkcs11Binding;
  return { binding, counts };
}

async function tokenWithKey() {
  const { m: setup, conf } = world(['station']);
  const serial = setup.tokens()[0]!.serial;
  const key = await setup.withSessionAsync(serial, { write: true, login: user }, (s) =>
    s.generateKeyPair({ label: 'k', algorithm: 'ec-p256' }),
  );
  setup.close();
  opened = [];
  return { serial, key, conf };
}

describe('PKCS#11 adapter: device faults at the binding boundary (injected, see above)', () => {
  it.each([
    ['C_Sign', pkcs11js.CKR_DEVICE_REMOVED, 'DEVICE_REMOVED'],
    ['C_Sign', pkcs11js.CKR_TOKEN_NOT_PRESENT, 'TOKEN_NOT_PRESENT'],
    ['C_Sign', pkcs11js.CKR_SESSION_HANDLE_INVALID, 'SESSION_HANDLE_INVALID'],
    ['C_Sign', pkcs11js.CKR_FUNCTION_FAILED, 'DEVICE_ERROR'],
    ['C_Login', pkcs11js.CKR_PIN_LOCKED, 'PIN_LOCKED'],
    ['C_Login', pkcs11js.CKR_USER_ALREADY_LOGGED_IN, 'USER_ALREADY_LOGGED_IN'],
    ['C_Login', pkcs11js.CKR_PIN_LEN_RANGE, 'PIN_INVALID'],
    ['C_Login', pkcs11js.CKR_PIN_INCORRECT, 'PIN_INCORRECT'],
  ] as const)(
    '%s failing with CKR %i is %s, mapped by code; one C_Login, every session closed on the token',
    async (call, ckr, code) => {
      const { serial, key } = await tokenWithKey();
      const { binding, counts } = faulty({ [call]: ckr });
      const broken = Pkcs11Module.open(SOFTHSM, SOFTHSM_PATH, { binding });
      opened.push(broken);
      expect(() =>
        broken.withSession(serial, { write: false, login: user }, (s) =>
          s.sign(key.id, 'ecdsa-sha256', Buffer.from('x'), sha),
        ),
      ).toThrowError(
        expect.objectContaining({
          code,
          data: expect.objectContaining({ ckr: expect.stringMatching(/^CKR_/) }),
        }),
      );
      expect(counts.logins).toBe(1);
      expect(counts.opened).toBe(1);
      expect(counts.closed).toBe(1);
    },
  );

  it('a token that already reports its PIN locked is refused PIN_LOCKED without any C_Login', async () => {
    const { serial } = await tokenWithKey();
    const { binding, counts } = faulty({
      C_GetTokenInfo: (slot, real) => {
        const info = (real as (s: unknown) => { flags: number })(slot);
        return { ...info, flags: info.flags | pkcs11js.CKF_USER_PIN_LOCKED };
      },
    });
    const m = Pkcs11Module.open(SOFTHSM, SOFTHSM_PATH, { binding });
    opened.push(m);
    expect(() => m.withSession(serial, { write: false, login: user }, () => 1)).toThrowError(
      expect.objectContaining({ code: 'PIN_LOCKED' }),
    );
    expect(counts.logins).toBe(0);
    expect(counts.opened).toBe(counts.closed);
  });

  it('a wrong PIN that locks the token is reported PIN_LOCKED, not PIN_INCORRECT', async () => {
    const { serial } = await tokenWithKey();
    let failedOnce = false;
    const { binding, counts } = faulty({
      C_Login: () => {
        failedOnce = true;
        throw new pkcs11js.Pkcs11Error('CKR_PIN_INCORRECT:160', pkcs11js.CKR_PIN_INCORRECT, 'C_Login');
      },
      C_GetTokenInfo: (slot, real) => {
        const info = (real as (s: unknown) => { flags: number })(slot);
        return failedOnce ? { ...info, flags: info.flags | pkcs11js.CKF_USER_PIN_LOCKED } : info;
      },
    });
    const m = Pkcs11Module.open(SOFTHSM, SOFTHSM_PATH, { binding });
    opened.push(m);
    expect(() => m.withSession(serial, { write: false, login: user }, () => 1)).toThrowError(
      expect.objectContaining({ code: 'PIN_LOCKED', message: expect.stringContaining('now locked') }),
    );
    expect(counts.logins).toBe(1);
    expect(counts.opened).toBe(counts.closed);
  });

  it('a token that reports an extractable key after generation breaks the policy: KEY_POLICY_VIOLATION, and the pair is destroyed', async () => {
    const { conf } = softhsmWorld();
    spawnSync('softhsm2-util', [
      '--init-token',
      '--free',
      '--label',
      'station',
      '--so-pin',
      SO,
      '--pin',
      PIN,
    ]);
    const { binding: lying } = faulty({
      C_GetAttributeValue: (session, object, template, real) => {
        const result = (real as (...a: unknown[]) => { type: number; value: Buffer }[])(
          session,
          object,
          template,
        );
        return result.map((a) =>
          a.type === pkcs11js.CKA_EXTRACTABLE ? { ...a, value: Buffer.from([1]) } : a,
        );
      },
    });
    const m = Pkcs11Module.open(SOFTHSM, SOFTHSM_PATH, {
      environment: { SOFTHSM2_CONF: conf },
      binding: lying,
    });
    opened.push(m);
    const serial = m.tokens()[0]!.serial;
    await expect(
      m.withSessionAsync(serial, { write: true, login: user }, (s) =>
        s.generateKeyPair({ label: 'bad', algorithm: 'ec-p256' }),
      ),
    ).rejects.toMatchObject({
      code: 'KEY_POLICY_VIOLATION',
      data: { violations: ['extractable=true (policy: false)'] },
    });
    expect(m.withSession(serial, { write: false, login: user }, (s) => s.listKeys())).toEqual([]);
    expect(m.openSessions).toBe(0);
  });
});
