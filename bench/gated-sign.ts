/**
 * Gated signing throughput (docs/gated-signing.md): 10,000 small artifacts plus three of 100 MB through
 * the station's whole signing path (gate, quorum claim, streamed re-hash, journal intents, C_Sign, DER,
 * software verification against the token's public key, each chunk's .sig files created, made durable by
 * one syncfs and read back, counted records carrying the signatures, the DSSE envelope), against `sha256sum` of the same files plus a raw pkcs11js C_Sign loop over
 * their digests on the same SoftHSM2 token and key, in the same run. Target ≥ 0.90.
 */
import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import { createHash, createPublicKey, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pkcs11js from 'pkcs11js';
import { encodeOperation } from '../src/core/custody/operation';
import { gatedSignOperation, manifestSha256 } from '../src/core/signing/batch';
import { findProfile, resolveModulePath } from '../src/main/adapters/hsm/profiles';
import { systemDeps } from '../src/main/runtime';
import type { OpenGate } from '../src/main/services/activation';
import { checkInWithToken, initRoster, openQuorumSession } from '../src/main/services/custodians';
import { registerModule } from '../src/main/services/devices';
import { startSigningRun } from '../src/main/services/signing';
import { Station } from '../src/main/station/station';
import { benchDir, rate, ratioLine, seconds } from './support';

const TARGET = 0.9;
const SMALL = 10_000;
const LARGE = 3;
const LARGE_BYTES = 100 * 1024 * 1024;
const PIN = '246810';
const SIGNER_PIN = '135790';
const MODULE = 'bench-hsm';
const ACTOR = 'operator:bench';

const { dir, cleanup } = benchDir('gated-sign');
try {
  mkdirSync(join(dir, 'tokens'));
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(
    conf,
    `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`,
  );
  process.env.SOFTHSM2_CONF = conf;
  const profile = findProfile('softhsm2');
  const path = profile ? resolveModulePath(profile) : null;
  if (!profile || !path) throw new Error('SoftHSM2 is not installed (npm run setup)');
  for (const label of ['signer', 'alice', 'bob']) {
    const r = spawnSync('softhsm2-util', [
      ...['--init-token', '--free', '--label', label, '--so-pin', '11223344'],
      ...['--pin', label === 'signer' ? SIGNER_PIN : PIN],
    ]);
    if (r.status !== 0) throw new Error(String(r.stderr));
  }

  // The station: its module, two custodians on a 2-of-2 roster, the signing key.
  const station = Station.init(
    join(dir, 'st'),
    { name: 'Bench', mode: 'offline', demo: false, actor: ACTOR },
    // The bench folder is the station's media volume: media and output folders must lie on one.
    { ...systemDeps, config: { ...systemDeps.config, mediaDirs: [dir] } },
  );
  registerModule(station, {
    moduleId: MODULE,
    profile: profile.id,
    path,
    environment: { SOFTHSM2_CONF: conf },
    actor: ACTOR,
  });
  const module = station.hsm.module(MODULE);
  const serial = Object.fromEntries(module.tokens().map((t) => [t.label, t.serial]));
  const custodians = [];
  for (const who of ['alice', 'bob']) {
    const key = await module.withSessionAsync(
      serial[who]!,
      { write: true, login: { user: 'user', pin: PIN } },
      (s) => s.generateKeyPair({ label: who, algorithm: 'ec-p256' }),
    );
    custodians.push({
      custodianId: who,
      name: who,
      roles: ['custodian'],
      publicKey: createPublicKey({ key: key.spki!, format: 'der', type: 'spki' })
        .export({ type: 'spki', format: 'pem' })
        .toString(),
      validFrom: '2026-01-01T00:00:00.000Z',
      validUntil: '2030-01-01T00:00:00.000Z',
    });
  }
  initRoster(station, { quorum: 2, custodians, witnesses: ['Bench Witness'], actor: ACTOR });
  const signer = await module.withSessionAsync(
    serial.signer!,
    { write: true, login: { user: 'user', pin: SIGNER_PIN } },
    (s) => s.generateKeyPair({ label: 'release', algorithm: 'ec-p256' }),
  );

  // The media: 10,000 small artifacts (200 B – 8 KiB) and three of 100 MB.
  const media = join(dir, 'media');
  mkdirSync(media);
  const artifacts: { artifact: string; sha256: string; sizeBytes: number | null }[] = [];
  for (let i = 0; i < SMALL + LARGE; i++) {
    const bytes = i < SMALL ? randomBytes(200 + ((i * 811) % 8000)) : randomBytes(LARGE_BYTES);
    const name = i < SMALL ? `pkg-${String(i).padStart(5, '0')}.bin` : `image-${i - SMALL}.img`;
    writeFileSync(join(media, name), bytes);
    artifacts.push({
      artifact: name,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      sizeBytes: bytes.length,
    });
  }
  const totalBytes = artifacts.reduce((n, a) => n + (a.sizeBytes ?? 0), 0);
  const gate: OpenGate = {
    declarationId: 'DECL-BENCH',
    packetId: 'activation-gate-bench',
    version: 1,
    packetDigest: 'a1'.repeat(32),
    approvalSeq: 1,
    policyDigest: 'b2'.repeat(32),
    ledgerDigest: 'c3'.repeat(32),
    manifest: { manifestId: 'MAN-BENCH', manifestVersion: 1, artifacts },
    signingKey: {
      tokenSerial: serial.signer!,
      keyId: signer.id,
      spkiSha256: createHash('sha256').update(signer.spki!).digest('hex'),
    },
  };
  const operation = gatedSignOperation(
    gate,
    manifestSha256(artifacts, (d) => createHash('sha256').update(d).digest()),
  );
  const session = openQuorumSession(station, {
    operation: encodeOperation(operation),
    ceremonyId: 'bench',
    step: 'sign',
    actor: ACTOR,
  });
  for (const who of ['alice', 'bob'])
    checkInWithToken(station, {
      sessionId: session.sessionId,
      moduleId: MODULE,
      serial: serial[who]!,
      pin: PIN,
    });

  // The peer: sha256sum of the same files, then raw pkcs11js C_Sign over each digest (ECDSA P-256).
  const names = readdirSync(media).sort();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < names.length; i += 2000) {
    const r = spawnSync('sha256sum', names.slice(i, i + 2000), { cwd: media, maxBuffer: 64 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`sha256sum failed: ${String(r.stderr)}`);
  }
  const hashS = seconds(t0);
  const raw = new pkcs11js.PKCS11();
  raw.load(path);
  const slot = raw
    .C_GetSlotList(true)
    .find((s) => raw.C_GetTokenInfo(s).serialNumber.trim() === serial.signer)!;
  const rawSession = raw.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION);
  raw.C_Login(rawSession, pkcs11js.CKU_USER, SIGNER_PIN);
  raw.C_FindObjectsInit(rawSession, [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
    { type: pkcs11js.CKA_ID, value: Buffer.from(signer.id, 'hex') },
  ]);
  const [handle] = raw.C_FindObjects(rawSession, 1);
  raw.C_FindObjectsFinal(rawSession);
  const digests = artifacts.map((a) => Buffer.from(a.sha256, 'hex'));
  const t1 = process.hrtime.bigint();
  for (const d of digests) {
    raw.C_SignInit(rawSession, { mechanism: pkcs11js.CKM_ECDSA }, handle!);
    raw.C_Sign(rawSession, d, Buffer.alloc(1024));
  }
  const signS = seconds(t1);
  raw.C_Logout(rawSession);
  raw.C_CloseSession(rawSession);
  const peerS = hashS + signS;

  // The station's signing path, end to end.
  const out = join(dir, 'out');
  mkdirSync(out);
  // Instrumentation: wall time per phase of the station's path (chunks overlap: the landing phases —
  // verify-wait, write, sync, readback, record-signed — run while the next chunk is hashed and signed).
  const phases: Record<string, number> = {};
  const cpu0 = process.cpuUsage();
  const t2 = process.hrtime.bigint();
  const result = await startSigningRun(
    station,
    {
      declarationId: gate.declarationId,
      mediaDir: media,
      outDir: out,
      quorumSessionId: session.sessionId,
      pin: SIGNER_PIN,
      actor: ACTOR,
    },
    { gate: () => gate, phases },
  );
  const oursS = seconds(t2);
  const cpu = process.cpuUsage(cpu0);
  if (result.signed !== artifacts.length) throw new Error(`signed ${result.signed} of ${artifacts.length}`);
  station.close();

  const mb = (totalBytes / 1024 / 1024).toFixed(0);
  console.log(`artifacts: ${artifacts.length} (${SMALL} small + ${LARGE} × 100 MB, ${mb} MB)`);
  console.log(
    `peer: sha256sum ${hashS.toFixed(2)} s + raw pkcs11js C_Sign ${signS.toFixed(2)} s = ${peerS.toFixed(2)} s (${rate(artifacts.length, peerS)})`,
  );
  console.log(`station gated signing: ${oursS.toFixed(2)} s (${rate(artifacts.length, oursS)})`);
  console.log(
    `station phases (ms): ${Object.entries(phases)
      .map(([k, v]) => `${k} ${v.toFixed(0)}`)
      .join(
        ', ',
      )}; process CPU user ${(cpu.user / 1e6).toFixed(2)} s, system ${(cpu.system / 1e6).toFixed(2)} s`,
  );
  console.log(ratioLine(peerS / oursS, TARGET));
} finally {
  cleanup();
}
