import { createHash, createPublicKey, verify } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { dsaEncodingOption, keySpecAlgorithm, type KeyAlgorithm } from '../../../src/core/crypto/algorithms';
import { escrowBackupVerdict } from '../../../src/core/hsm/key-acts';
import { wrapTrustedOnly } from '../../../src/core/hsm/residency';
import { CK } from '../../../src/main/adapters/hsm/ck';
import { backupToEscrow, destroyKey } from '../../../src/main/adapters/hsm/escrow';
import { Pkcs11Module, type Session } from '../../../src/main/adapters/hsm/module';
import { initTokens, SOFTHSM, SOFTHSM_PATH, softhsmWorld } from '../../helpers/softhsm';

const SO = '87654321';
const PIN = '246810';
const user = { user: 'user' as const, pin: PIN };
const digest = (alg: string, d: Buffer) => createHash(alg).update(d).digest();

let opened: Pkcs11Module[] = [];
afterEach(() => {
  for (const m of opened) m.close();
  opened = [];
});

/** A fresh SoftHSM2 world (own SOFTHSM2_CONF) with a source and an escrow token. */
function world() {
  const { conf } = softhsmWorld();
  initTokens(['source', 'escrow'], () => PIN, SO);
  const m = Pkcs11Module.open(SOFTHSM, SOFTHSM_PATH, { environment: { SOFTHSM2_CONF: conf } });
  opened.push(m);
  const source = m.serialByLabel('source');
  const escrow = m.serialByLabel('escrow');
  return {
    m,
    source,
    escrow,
    backup: (id: string) =>
      backupToEscrow({
        source: { module: m, serial: source, pin: PIN, soPin: SO },
        escrow: { module: m, serial: escrow, pin: PIN },
        id,
      }),
    generate: (serial: string, label: string, algorithm: KeyAlgorithm, backup?: 'wrap-with-trusted') =>
      m.withSessionAsync(serial, { write: true, login: user }, (s) =>
        s.generateKeyPair({ label, algorithm, ...(backup ? { backup } : {}) }),
      ),
    on: <T>(serial: string, fn: (s: Session) => T) => m.withSession(serial, { write: true, login: user }, fn),
  };
}

/** A one-time AES-256 session key the user made: it may wrap, but it is not trusted. */
function untrustedAes(s: Session) {
  return s.generateSecretKey(CK.CKM_AES_KEY_GEN, [
    { type: CK.CKA_CLASS, value: CK.CKO_SECRET_KEY },
    { type: CK.CKA_KEY_TYPE, value: CK.CKK_AES },
    { type: CK.CKA_VALUE_LEN, value: 32 },
    { type: CK.CKA_TOKEN, value: false },
    { type: CK.CKA_WRAP, value: true },
  ]);
}

const secretKeys = (s: Session) => s.find([{ type: CK.CKA_CLASS, value: CK.CKO_SECRET_KEY }]).length;
const objectsWithId = (s: Session, id: string) =>
  s.find([{ type: CK.CKA_ID, value: Buffer.from(id, 'hex') }]);

describe('backup-capable keys (CKA_WRAP_WITH_TRUSTED) on SoftHSM2', () => {
  it('are generated extractable only under a trusted key, read back so, and classified honestly', async () => {
    const w = world();
    const made = await w.generate(w.source, 'backup-capable', 'ec-p256', 'wrap-with-trusted');
    const plain = await w.generate(w.source, 'default', 'ec-p256');
    // residencyOf does not soften: a key that can be wrapped out is EXPOSABLE.
    expect(made.residency?.verdict).toBe('EXPOSABLE');
    expect(made.residency?.failed).toEqual(['HSM-RES-NONEXTRACTABLE', 'HSM-RES-NEVER-EXTRACTABLE']);
    expect(plain.residency?.verdict).toBe('RESIDENT');
    w.on(w.source, (s) => {
      const attrs = s.backupKeyAttributes(s.privateKey(made.id));
      expect(attrs).toMatchObject({ extractable: true, wrapWithTrusted: true, sensitive: true, sign: true });
      expect(wrapTrustedOnly(attrs)).toMatchObject({ exportClass: 'WRAP-TRUSTED-ONLY', passed: true });
      const defaults = s.backupKeyAttributes(s.privateKey(plain.id));
      expect(defaults).toMatchObject({ extractable: false, neverExtractable: true });
      expect(wrapTrustedOnly(defaults)).toMatchObject({ exportClass: 'NON-EXTRACTABLE', passed: true });
    });
  });

  it('the token refuses a wrap under an untrusted key, and a user cannot make a key trusted', async () => {
    const w = world();
    const made = await w.generate(w.source, 'backup-capable', 'ec-p256', 'wrap-with-trusted');
    w.on(w.source, (s) => {
      const aes = untrustedAes(s);
      expect(() =>
        s.wrapKey({ mechanism: CK.CKM_AES_KEY_WRAP_PAD }, aes, s.privateKey(made.id)),
      ).toThrowError(
        expect.objectContaining({ data: expect.objectContaining({ ckr: 'CKR_KEY_NOT_WRAPPABLE' }) }),
      );
      expect(() =>
        s.generateSecretKey(CK.CKM_AES_KEY_GEN, [
          { type: CK.CKA_CLASS, value: CK.CKO_SECRET_KEY },
          { type: CK.CKA_KEY_TYPE, value: CK.CKK_AES },
          { type: CK.CKA_VALUE_LEN, value: 32 },
          { type: CK.CKA_TOKEN, value: false },
          { type: CK.CKA_WRAP, value: true },
          { type: CK.CKA_TRUSTED, value: true },
        ]),
      ).toThrowError(
        expect.objectContaining({ data: expect.objectContaining({ ckr: 'CKR_ATTRIBUTE_READ_ONLY' }) }),
      );
    });
  });
});

describe('backup to an escrow token', () => {
  it.each(['ec-p256', 'rsa-3072'] as const)(
    '%s: the escrow copy signs, verifies with the source public key, and cannot leave the escrow',
    async (algorithm) => {
      const w = world();
      const key = await w.generate(w.source, 'release-2027', algorithm, 'wrap-with-trusted');
      const evidence = await w.backup(key.id);

      expect(escrowBackupVerdict(evidence)).toEqual({ verdict: 'PROVEN', failed: [] });
      const sourceSpki = createHash('sha256').update(key.spki!).digest('hex');
      expect(evidence.key).toMatchObject({ label: 'release-2027', id: key.id, spkiSha256: sourceSpki });
      expect(evidence.escrowCopy.spkiSha256).toBe(sourceSpki);
      expect(evidence.escrowCopy.attributes).toMatchObject({
        token: true,
        private: true,
        sensitive: true,
        extractable: false,
        sign: true,
        decrypt: false,
        unwrap: false,
        derive: false,
        modifiable: false,
      });
      // An unwrapped key honestly says it was imported, not generated there.
      expect(evidence.escrowCopy.residency).toBe('IMPORTED');
      expect([evidence.source.serial, evidence.escrow.serial]).toEqual([w.source, w.escrow]);
      expect(['sha256', 'sha1']).toContain(evidence.transport.oaepHash);

      // Independently of the evidence: the escrow holds the pair; its signature verifies with the source key.
      const row = keySpecAlgorithm(algorithm).algorithm;
      const message = Buffer.from(`escrow test ${algorithm}`);
      const signature = w.on(w.escrow, (s) => {
        const copy = s.key(key.id);
        expect(copy).toMatchObject({ label: 'release-2027', hasPrivate: true, hasPublic: true });
        expect(copy.spki?.equals(key.spki!)).toBe(true);
        return s.sign(key.id, row.token, message, digest);
      });
      const sourcePublic = createPublicKey({ key: key.spki!, format: 'der', type: 'spki' });
      expect(
        verify(row.hash, message, { key: sourcePublic, ...dsaEncodingOption(row, 'token') }, signature),
      ).toBe(true);
      expect(
        verify(
          row.hash,
          Buffer.from('other'),
          { key: sourcePublic, ...dsaEncodingOption(row, 'token') },
          signature,
        ),
      ).toBe(false);

      // The copy cannot be wrapped out, even by a key allowed to wrap; no one-time key is left anywhere.
      w.on(w.escrow, (s) => {
        const aes = untrustedAes(s);
        expect(() =>
          s.wrapKey({ mechanism: CK.CKM_AES_KEY_WRAP_PAD }, aes, s.privateKey(key.id)),
        ).toThrowError(
          expect.objectContaining({ data: expect.objectContaining({ ckr: 'CKR_KEY_UNEXTRACTABLE' }) }),
        );
        s.destroyObject(aes);
        expect(secretKeys(s)).toBe(0);
      });
      w.on(w.source, (s) => {
        expect(secretKeys(s)).toBe(0);
        expect(s.key(key.id).hasPrivate).toBe(true);
      });
    },
  );

  it('a key the token will not wrap (SoftHSM 2.6: Ed25519) fails with its CKR code and leaves no one-time key', async () => {
    const w = world();
    const key = await w.generate(w.source, 'ed-backup', 'ed25519', 'wrap-with-trusted');
    await expect(w.backup(key.id)).rejects.toMatchObject({
      code: 'DEVICE_ERROR',
      data: expect.objectContaining({ ckr: 'CKR_KEY_NOT_WRAPPABLE', operation: 'C_WrapKey' }),
    });
    w.on(w.source, (s) => {
      expect(secretKeys(s)).toBe(0);
      expect(s.key(key.id).hasPrivate).toBe(true);
    });
    w.on(w.escrow, (s) => expect(s.find([]).length).toBe(0));
  });

  it('a default (never-extractable) key cannot be backed up: a coded refusal, nothing made on either token', async () => {
    const w = world();
    const key = await w.generate(w.source, 'resident', 'ec-p256');
    await expect(w.backup(key.id)).rejects.toMatchObject({
      code: 'KEY_NOT_BACKUP_CAPABLE',
      data: expect.objectContaining({ exportClass: 'NON-EXTRACTABLE' }),
    });
    w.on(w.escrow, (s) => expect(s.find([]).length).toBe(0));
    w.on(w.source, (s) => expect(secretKeys(s)).toBe(0));
  });

  it('refuses to overwrite: an escrow already holding the label is refused before any key is made', async () => {
    const w = world();
    const key = await w.generate(w.source, 'release-2027', 'ec-p256', 'wrap-with-trusted');
    await w.generate(w.escrow, 'release-2027', 'ec-p256');
    await expect(w.backup(key.id)).rejects.toMatchObject({ code: 'KEY_EXISTS' });
    w.on(w.escrow, (s) => expect(s.listKeys()).toHaveLength(1));
    w.on(w.source, (s) => expect(secretKeys(s)).toBe(0));
  });
});

describe('key destruction with evidence', () => {
  it('destroys both halves, the after-search is empty, the evidence lists what was there', async () => {
    const w = world();
    const doomed = await w.generate(w.source, 'retired-2020', 'ec-p256');
    const kept = await w.generate(w.source, 'current', 'ec-p256');
    const result = destroyKey({ token: { module: w.m, serial: w.source, pin: PIN }, id: doomed.id });

    expect(result.verdict).toBe('PROVEN');
    const spki = createHash('sha256').update(doomed.spki!).digest('hex');
    expect(result.evidence.before).toEqual([
      { class: 'private-key', label: 'retired-2020', id: doomed.id, spkiSha256: spki },
      { class: 'public-key', label: 'retired-2020', id: doomed.id, spkiSha256: spki },
    ]);
    expect(result.evidence.destroyed).toEqual([
      { class: 'private-key', result: 'CKR_OK' },
      { class: 'public-key', result: 'CKR_OK' },
    ]);
    expect(result.evidence.after).toEqual({ byId: 0, byLabel: 0 });
    expect(result.evidence.token).toMatchObject({ serial: w.source, label: 'source', model: 'SoftHSM v2' });
    w.on(w.source, (s) => {
      expect(objectsWithId(s, doomed.id)).toHaveLength(0);
      expect(s.listKeys().map((k) => k.id)).toEqual([kept.id]);
    });
  });

  it('refuses a missing key and an ambiguous one, with nothing destroyed', async () => {
    const w = world();
    const key = await w.generate(w.source, 'shared-label', 'ec-p256');
    const token = { module: w.m, serial: w.source, pin: PIN };
    expect(() => destroyKey({ token, id: 'deadbeef' })).toThrowError(
      expect.objectContaining({ code: 'KEY_NOT_FOUND' }),
    );
    // Another object carries the key's label: the after-search could never prove it gone.
    w.on(w.source, (s) => s.createDataObject('test', 'shared-label', Buffer.from('x'), 'private'));
    expect(() => destroyKey({ token, id: key.id })).toThrowError(
      expect.objectContaining({ code: 'KEY_DESTROY_AMBIGUOUS' }),
    );
    w.on(w.source, (s) => {
      expect(objectsWithId(s, key.id)).toHaveLength(2);
      expect(s.listKeys()).toHaveLength(1);
    });
  });
});
