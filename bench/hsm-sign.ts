/**
 * Signatures per second through the station's signing path (Pkcs11Module session + Session.signWith:
 * CKR mapping, software digest, mechanism choice) against a raw pkcs11js loop on the same SoftHSM2
 * token and key in the same run, for EC P-256 and RSA-3072. Target ≥ 0.90 for both.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pkcs11js from 'pkcs11js';
import { Pkcs11Module, type SignAlgorithm } from '../src/main/adapters/hsm/module';
import { findProfile, resolveModulePath } from '../src/main/adapters/hsm/profiles';
import { benchDir, rate, ratioLine, seconds } from './support';

const TARGET = 0.9;
const ROUNDS = 3;
const PIN = '246810';
const sha = (alg: 'sha256' | 'sha384', d: Buffer) => createHash(alg).update(d).digest();

const { dir, cleanup } = benchDir('hsm-sign');
try {
  mkdirSync(join(dir, 'tokens'));
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(
    conf,
    `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`,
  );
  const profile = findProfile('softhsm2');
  const path = profile ? resolveModulePath(profile) : null;
  if (!profile || !path) throw new Error('SoftHSM2 is not installed (npm run setup)');
  const station = Pkcs11Module.open(profile, path, { environment: { SOFTHSM2_CONF: conf } });
  const serial = station.initToken('bench', '12345678', PIN);
  const login = { user: 'user' as const, pin: PIN };
  const ec = await station.withSessionAsync(serial, { write: true, login }, (s) =>
    s.generateKeyPair({ label: 'ec', algorithm: 'ec-p256' }),
  );
  const rsa = await station.withSessionAsync(serial, { write: true, login }, (s) =>
    s.generateKeyPair({ label: 'rsa', algorithm: 'rsa-3072' }),
  );

  // The raw contender: pkcs11js directly on the same library (shared C_Initialize), its own session.
  const raw = new pkcs11js.PKCS11();
  raw.load(path);
  const slot = raw.C_GetSlotList(true).find((s) => raw.C_GetTokenInfo(s).serialNumber.trim() === serial)!;
  const rawSession = raw.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION);
  const rawKey = (id: string) => {
    raw.C_FindObjectsInit(rawSession, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
      { type: pkcs11js.CKA_ID, value: Buffer.from(id, 'hex') },
    ]);
    const [h] = raw.C_FindObjects(rawSession, 1);
    raw.C_FindObjectsFinal(rawSession);
    return h!;
  };

  const data = Buffer.from('offline signing: manifest entry 00042, sha256 of artifact, frozen at 2026-11-25');
  const ratios: number[] = [];
  for (const [label, key, alg, n] of [
    ['EC P-256', ec, 'ecdsa-sha256', 4000],
    ['RSA-3072', rsa, 'rsa-pkcs1-sha256', 300],
  ] as const) {
    let oursS = Infinity;
    let rawS = Infinity;
    for (let round = 0; round < ROUNDS; round++) {
      const t0 = process.hrtime.bigint();
      station.withSession(serial, { write: false, login }, (s) => {
        const handle = s.privateKey(key.id);
        for (let i = 0; i < n; i++) s.signWith(handle, alg as SignAlgorithm, data, sha);
      });
      oursS = Math.min(oursS, seconds(t0));

      // The station's session is logged out again; the raw loop logs in its own session.
      raw.C_Login(rawSession, pkcs11js.CKU_USER, PIN);
      const handle = rawKey(key.id);
      const t1 = process.hrtime.bigint();
      for (let i = 0; i < n; i++) {
        if (alg === 'ecdsa-sha256') {
          raw.C_SignInit(rawSession, { mechanism: pkcs11js.CKM_ECDSA }, handle);
          raw.C_Sign(rawSession, createHash('sha256').update(data).digest(), Buffer.alloc(1024));
        } else {
          raw.C_SignInit(rawSession, { mechanism: pkcs11js.CKM_SHA256_RSA_PKCS }, handle);
          raw.C_Sign(rawSession, data, Buffer.alloc(1024));
        }
      }
      rawS = Math.min(rawS, seconds(t1));
      raw.C_Logout(rawSession);
    }
    const ratio = rawS / oursS;
    ratios.push(ratio);
    console.log(
      `${label}: station ${rate(n, oursS)}  raw pkcs11js ${rate(n, rawS)}  ratio ${ratio.toFixed(2)}`,
    );
  }
  raw.C_CloseSession(rawSession);
  station.close();
  console.log(ratioLine(Math.min(...ratios), TARGET));
} finally {
  cleanup();
}
