import { spawnSync } from 'node:child_process';
import { createHash, createPublicKey } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OpenGate } from '../../../src/main/services/activation';
import { checkInWithToken, initRoster, openQuorumSession } from '../../../src/main/services/custodians';
import { registerModule } from '../../../src/main/services/devices';
import { systemDeps } from '../../../src/main/runtime';
import { Station } from '../../../src/main/station/station';
import { encodeOperation } from '../../../src/core/custody/operation';
import { gatedSignOperation, manifestSha256 } from '../../../src/core/signing/batch';
import { SOFTHSM, SOFTHSM_PATH, softhsmWorld } from '../../helpers/softhsm';

/**
 * A station for gated-signing tests: its own SoftHSM2 world (SOFTHSM2_CONF), a signing token with an EC
 * P-256 key, three custodians with their own tokens on a 2-of-3 roster, and a stand-in for the open
 * activation gate (services/activation's OpenGate) whose manifest lists real files written here.
 */
export const PIN = '246810';
export const SIGNER_PIN = '135790';
export const MODULE = 'signing-hsm';
export const ACTOR = 'operator:so';

export interface SigningWorld {
  readonly dir: string;
  readonly dataDir: string;
  readonly conf: string;
  readonly station: Station;
  readonly signerSerial: string;
  readonly keyId: string;
  readonly spki: Buffer;
  readonly custodianSerials: Record<string, string>;
}

export async function signingWorld(dir: string): Promise<SigningWorld> {
  const world = softhsmWorld(dir);
  for (const label of ['Signing HSM', 'alice', 'bob', 'carol']) {
    const r = spawnSync('softhsm2-util', [
      ...['--init-token', '--free', '--label', label, '--so-pin', '11223344'],
      ...['--pin', label === 'Signing HSM' ? SIGNER_PIN : PIN],
    ]);
    if (r.status !== 0) throw new Error(`softhsm2-util failed: ${String(r.stderr)}`);
  }
  const dataDir = join(dir, 'st');
  const station = Station.init(
    dataDir,
    { name: 'Vault', mode: 'offline', demo: false, actor: ACTOR },
    // The suite's folder is the station's media volume (STATION_MEDIA_DIRS): media and output folders
    // must lie on a listed volume.
    { ...systemDeps, config: { ...systemDeps.config, mediaDirs: [dir] } },
  );
  registerModule(station, {
    moduleId: MODULE,
    profile: SOFTHSM.id,
    path: SOFTHSM_PATH,
    environment: { SOFTHSM2_CONF: world.conf },
    actor: ACTOR,
  });
  const module = station.hsm.module(MODULE);
  const serial: Record<string, string> = {};
  for (const t of module.tokens()) serial[t.label] = t.serial;
  const pem: Record<string, string> = {};
  for (const who of ['alice', 'bob', 'carol']) {
    const key = await module.withSessionAsync(
      serial[who]!,
      { write: true, login: { user: 'user', pin: PIN } },
      (s) => s.generateKeyPair({ label: `${who}-custodian`, algorithm: 'ec-p256' }),
    );
    pem[who] = createPublicKey({ key: key.spki!, format: 'der', type: 'spki' })
      .export({ type: 'spki', format: 'pem' })
      .toString();
  }
  const signer = await module.withSessionAsync(
    serial['Signing HSM']!,
    { write: true, login: { user: 'user', pin: SIGNER_PIN } },
    (s) => s.generateKeyPair({ label: 'release-2026', algorithm: 'ec-p256' }),
  );
  initRoster(station, {
    quorum: 2,
    custodians: ['alice', 'bob', 'carol'].map((who) => ({
      custodianId: who,
      name: who[0]!.toUpperCase() + who.slice(1),
      roles: ['custodian'],
      publicKey: pem[who]!,
      validFrom: '2026-01-01T00:00:00.000Z',
      validUntil: '2030-01-01T00:00:00.000Z',
    })),
    witnesses: ['W. Itness'],
    actor: ACTOR,
  });
  return {
    dir,
    dataDir,
    conf: world.conf,
    station,
    signerSerial: serial['Signing HSM']!,
    keyId: signer.id,
    spki: signer.spki!,
    custodianSerials: serial,
  };
}

export const sha256 = (d: Uint8Array) => createHash('sha256').update(d).digest('hex');

/** Writes artifacts into a new media folder; returns their manifest lines. */
export function writeMedia(
  dir: string,
  files: Record<string, string | Buffer>,
): { artifact: string; sha256: string; sizeBytes: number }[] {
  mkdirSync(dir, { recursive: true });
  return Object.entries(files).map(([name, content]) => {
    const bytes = Buffer.from(content);
    writeFileSync(join(dir, name), bytes);
    return { artifact: name, sha256: sha256(bytes), sizeBytes: bytes.length };
  });
}

/** An OPEN gate (as services/activation would return it) over this manifest and the world's key. */
export function openGate(
  w: Pick<SigningWorld, 'signerSerial' | 'keyId' | 'spki'>,
  artifacts: OpenGate['manifest']['artifacts'],
  declarationId = 'DECL-2026-0611',
): OpenGate {
  return {
    declarationId,
    packetId: 'activation-gate-decl-2026-0611',
    version: 3,
    packetDigest: 'a1'.repeat(32),
    approvalSeq: 41,
    policyDigest: 'b2'.repeat(32),
    ledgerDigest: 'c3'.repeat(32),
    manifest: { manifestId: 'MAN-7', manifestVersion: 2, artifacts },
    signingKey: { tokenSerial: w.signerSerial, keyId: w.keyId, spkiSha256: sha256(w.spki) },
  };
}

/** A quorum session bound to exactly this gate's batch, with `who` checked in on their own tokens. */
export function gatedQuorum(
  w: SigningWorld,
  gate: OpenGate,
  who: readonly string[] = ['alice', 'bob'],
): string {
  const digest = manifestSha256(gate.manifest.artifacts, (d) => createHash('sha256').update(d).digest());
  const session = openQuorumSession(w.station, {
    operation: encodeOperation(gatedSignOperation(gate, digest)),
    ceremonyId: 'gated-sign',
    step: 'sign batch',
    actor: ACTOR,
  });
  for (const c of who) {
    const v = checkInWithToken(w.station, {
      sessionId: session.sessionId,
      moduleId: MODULE,
      serial: w.custodianSerials[c]!,
      pin: PIN,
    });
    if (!v.ok) throw new Error(`check-in of ${c} refused: ${v.reason}`);
  }
  return session.sessionId;
}
