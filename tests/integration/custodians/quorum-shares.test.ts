import { spawnSync } from 'node:child_process';
import { createHash, verify } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fsOps } from '../../../src/main/platform/durable';
import { systemDeps } from '../../../src/main/runtime';
import { ceremonyKeygen, ceremonySign } from '../../../src/main/services/custodians/ceremony-ops';
import { generateTokenKey, listTokenKeys } from '../../../src/main/services/devices/devices';
import { registerModule } from '../../../src/main/services/devices/modules';
import { createStationIdentity } from '../../../src/main/services/identity/commands';
import {
  checkInWithToken,
  openQuorumSession,
  quorumSessionView,
  requireQuorum,
  submitCheckIn,
} from '../../../src/main/services/custodians/quorum';
import {
  addCustodian,
  initRoster,
  proposeCustodian,
  revokeCustodian,
  revokeOperation,
} from '../../../src/main/services/custodians/roster';
import { splitActivationSecret, verifyShare } from '../../../src/main/services/custodians/shares';
import { Station } from '../../../src/main/station/station';
import { custodianKeyPems, initTokens, SOFTHSM_PATH, softhsmWorld } from '../../helpers/softhsm';
import { suiteTempDir } from '../../helpers/temp';
import type { QuorumOperation } from '../../../src/core/custody/operation';
import { keygenOp, opText, signOp, testOp } from '../../helpers/operations';

const PIN = '246810';
const CEREMONY_PIN = '135790';
const MODULE = 'station-hsm';
let suite: ReturnType<typeof suiteTempDir>;
let station: Station;
const serial: Record<string, string> = {};
const pem: Record<string, string> = {};
let shareDir: string;
let splitId: string;

function kinds(from: number): string[] {
  return station.journal.page(from, 500).map((r) => r.kind);
}

beforeAll(async () => {
  suite = suiteTempDir();
  const { conf } = softhsmWorld(suite.dir);
  const tokens = ['Station HSM', 'Ceremony HSM', 'alice', 'bob', 'carol', 'mallory', 'dave'];
  initTokens(tokens, (label) => (label === 'Ceremony HSM' ? CEREMONY_PIN : PIN));
  station = Station.init(
    join(suite.dir, 'st'),
    { name: 'Vault', mode: 'offline', demo: false, actor: 'operator:so' },
    systemDeps,
  );
  registerModule(station, {
    moduleId: MODULE,
    profile: 'softhsm2',
    path: SOFTHSM_PATH,
    environment: { SOFTHSM2_CONF: conf },
    actor: 'operator:so',
  });
  const module = station.hsm.module(MODULE);
  for (const t of module.tokens()) serial[t.label] = t.serial;
  await createStationIdentity(station, {
    moduleId: MODULE,
    tokenSerial: serial['Station HSM']!,
    pin: PIN,
    actor: 'operator:so',
  });
  // Each custodian generates a key on their own token; the roster takes its public key from the token.
  Object.assign(
    pem,
    await custodianKeyPems(module, serial, ['alice', 'bob', 'carol', 'mallory', 'dave'], PIN, (who) =>
      who === 'carol' ? 'ed25519' : 'ec-p256',
    ),
  );
  const entry = (who: string) => ({
    custodianId: who,
    name: who[0]!.toUpperCase() + who.slice(1),
    roles: ['custodian'],
    publicKey: pem[who]!,
    validFrom: '2026-01-01T00:00:00.000Z',
    validUntil: '2030-01-01T00:00:00.000Z',
  });
  initRoster(station, {
    quorum: 2,
    custodians: ['alice', 'bob', 'carol'].map(entry),
    witnesses: ['W. Itness'],
    actor: 'operator:so',
  });
  shareDir = join(suite.dir, 'media');
  spawnSync('mkdir', ['-p', shareDir]);
});

afterAll(() => {
  station?.close();
  suite?.remove();
});

const open = (operation: QuorumOperation) =>
  openQuorumSession(station, {
    operation: opText(operation),
    ceremonyId: 'KSK-2026',
    step: '3',
    actor: 'operator:admin',
  });
const checkIn = (sessionId: string, who: string, pin = PIN) =>
  checkInWithToken(station, {
    sessionId,
    moduleId: MODULE,
    serial: serial[who]!,
    pin,
    actor: `operator:${who}`,
  });

describe('quorum check-ins with each custodian’s own SoftHSM2 token', () => {
  it('reaches 2 of 3 with real signatures and lists every valid check-in', () => {
    const s = open(testOp('reach'));
    expect(checkIn(s.sessionId, 'alice')).toEqual({ ok: true, custodianId: 'alice' });
    expect(quorumSessionView(station, { sessionId: s.sessionId }).state.reached).toBe(false);
    expect(checkIn(s.sessionId, 'carol')).toEqual({ ok: true, custodianId: 'carol' });
    expect(checkIn(s.sessionId, 'bob')).toEqual({ ok: true, custodianId: 'bob' });
    const view = quorumSessionView(station, { sessionId: s.sessionId });
    expect(view.state.reached).toBe(true);
    expect(view.state.checkedIn.map((c) => c.custodianId)).toEqual(['alice', 'carol', 'bob']);
    expect(requireQuorum(station, s.sessionId, testOp('reach')).reached).toBe(true);
  });

  it('refuses — and journals — an off-roster token, the same person twice, a replayed challenge and a wrong PIN', () => {
    const first = open(testOp('first'));
    expect(checkIn(first.sessionId, 'alice').ok).toBe(true);
    const s = open(testOp('second'));
    const seq = station.journal.head().seq + 1;
    expect(checkIn(s.sessionId, 'mallory')).toMatchObject({ ok: false, code: 'QUORUM_OFF_ROSTER' });
    expect(checkIn(s.sessionId, 'bob').ok).toBe(true);
    expect(checkIn(s.sessionId, 'bob')).toMatchObject({ ok: false, code: 'QUORUM_DUPLICATE_PERSON' });
    // Replay: alice's signature over the first session's challenge, presented to the second.
    const old = quorumSessionView(station, { sessionId: first.sessionId });
    const oldSig = station.store.db
      .prepare('SELECT signature, fingerprint FROM quorum_checkin WHERE session_id = ?')
      .get(first.sessionId) as { signature: string; fingerprint: string };
    const replay = submitCheckIn(
      station,
      s.sessionId,
      {
        statement: Buffer.from(old.challenge.text),
        signature: Buffer.from(oldSig.signature, 'base64'),
        fingerprint: oldSig.fingerprint,
      },
      'operator:mallory',
    );
    expect(replay).toMatchObject({ ok: false, code: 'QUORUM_FOREIGN_CHALLENGE' });
    expect(() => checkIn(s.sessionId, 'carol', '000000')).toThrowError(
      expect.objectContaining({ code: 'PIN_INCORRECT' }),
    );
    expect(kinds(seq)).toEqual([
      'quorum.check-in-refused',
      'quorum.checked-in',
      'quorum.check-in-refused',
      'quorum.check-in-refused',
    ]);
    const view = quorumSessionView(station, { sessionId: s.sessionId });
    expect(view.refusals.map((r) => r.code)).toEqual([
      'QUORUM_OFF_ROSTER',
      'QUORUM_DUPLICATE_PERSON',
      'QUORUM_FOREIGN_CHALLENGE',
    ]);
    expect(view.state.reached).toBe(false);
  });

  it('a roster change needs a quorum bound to exactly that change; a revoked custodian no longer counts', () => {
    const dave = {
      custodianId: 'dave',
      name: 'Dave',
      roles: ['custodian'],
      publicKey: pem.dave!,
      validFrom: '2026-01-01T00:00:00.000Z',
      validUntil: '2030-01-01T00:00:00.000Z',
    };
    const wrong = open({ kind: 'roster-change', changeSha256: '0'.repeat(64) });
    checkIn(wrong.sessionId, 'alice');
    checkIn(wrong.sessionId, 'bob');
    expect(() =>
      addCustodian(station, { custodian: dave, quorumSessionId: wrong.sessionId, actor: 'operator:so' }),
    ).toThrowError(expect.objectContaining({ code: 'QUORUM_WRONG_OPERATION' }));
    const right = open(proposeCustodian(dave).operation);
    checkIn(right.sessionId, 'alice');
    expect(() =>
      addCustodian(station, { custodian: dave, quorumSessionId: right.sessionId, actor: 'operator:so' }),
    ).toThrowError(expect.objectContaining({ code: 'QUORUM_NOT_REACHED' }));
    checkIn(right.sessionId, 'carol');
    expect(
      addCustodian(station, { custodian: dave, quorumSessionId: right.sessionId, actor: 'operator:so' })
        .custodianId,
    ).toBe('dave');
    // One quorum, one act: the same session cannot authorise a second change.
    expect(() => requireQuorum(station, right.sessionId, proposeCustodian(dave).operation)).toThrowError(
      expect.objectContaining({ code: 'QUORUM_SESSION_CLOSED' }),
    );

    const revoke = open(revokeOperation('dave', 'left the organisation'));
    checkIn(revoke.sessionId, 'alice');
    checkIn(revoke.sessionId, 'bob');
    revokeCustodian(station, {
      custodianId: 'dave',
      reason: 'left the organisation',
      quorumSessionId: revoke.sessionId,
      actor: 'operator:so',
    });
    const later = open(testOp('after-revoke'));
    expect(checkIn(later.sessionId, 'dave')).toMatchObject({ ok: false, code: 'QUORUM_ENTRY_NOT_VALID' });
  });
});

describe('M-of-N activation of the ceremony token', () => {
  it('a share sheet name already taken on the media: OUTPUT_EXISTS, that file untouched, none of ours left, PIN unchanged', async () => {
    const media = join(suite.dir, 'media-taken');
    mkdirSync(media);
    writeFileSync(join(media, 'bob-share-2-of-3.pdf'), 'not ours');
    await expect(
      splitActivationSecret(station, {
        moduleId: MODULE,
        serial: serial['Ceremony HSM']!,
        currentPin: CEREMONY_PIN,
        holders: ['alice', 'bob', 'carol'],
        threshold: 2,
        outDir: media,
        actor: 'operator:so',
      }),
    ).rejects.toMatchObject({ code: 'OUTPUT_EXISTS', data: { path: join(media, 'bob-share-2-of-3.pdf') } });
    expect(readdirSync(media)).toEqual(['bob-share-2-of-3.pdf']);
    expect(readFileSync(join(media, 'bob-share-2-of-3.pdf'), 'utf8')).toBe('not ours');
    expect(
      station.hsm
        .module(MODULE)
        .withSession(
          serial['Ceremony HSM']!,
          { write: false, login: { user: 'user', pin: CEREMONY_PIN } },
          () => 'opened',
        ),
    ).toBe('opened');
  });

  it('splits a new random PIN among the custodians; share sheets (PDF + text) go to their media, never the station', async () => {
    // Watch the fsyncs of the durable write: each sheet's data, then the media directory's entry.
    const fsync = fsOps.fsyncSync;
    const synced: string[] = [];
    vi.spyOn(fsOps, 'fsyncSync').mockImplementation((fd) => {
      synced.push(readlinkSync(`/proc/self/fd/${fd}`));
      fsync(fd);
    });
    const r = await splitActivationSecret(station, {
      moduleId: MODULE,
      serial: serial['Ceremony HSM']!,
      currentPin: CEREMONY_PIN,
      holders: ['alice', 'bob', 'carol'],
      threshold: 2,
      outDir: shareDir,
      actor: 'operator:so',
    });
    splitId = r.splitId;
    expect(readdirSync(shareDir).sort()).toEqual([
      'alice-share-1-of-3.pdf',
      'alice-share-1-of-3.txt',
      'bob-share-2-of-3.pdf',
      'bob-share-2-of-3.txt',
      'carol-share-3-of-3.pdf',
      'carol-share-3-of-3.txt',
    ]);
    vi.restoreAllMocks();
    // Secrets printed once: each on disk (data fsynced before its name, the name fsynced after) and
    // readable by its holder's owner only.
    for (const name of readdirSync(shareDir)) {
      expect(lstatSync(join(shareDir, name)).mode & 0o777).toBe(0o600);
      expect(synced.filter((p) => p.startsWith(join(shareDir, `.${name}.`)))).toHaveLength(1);
    }
    expect(synced.filter((p) => p === shareDir)).toHaveLength(6);
    expect(readFileSync(join(shareDir, 'alice-share-1-of-3.pdf')).subarray(0, 5).toString()).toBe('%PDF-');
    // The old PIN no longer opens the token, and nothing of the shares is in the station's data dir.
    const module = station.hsm.module(MODULE);
    expect(() =>
      module.withSession(
        serial['Ceremony HSM']!,
        { write: false, login: { user: 'user', pin: CEREMONY_PIN } },
        () => 1,
      ),
    ).toThrowError(expect.objectContaining({ code: 'PIN_INCORRECT' }));
    const aliceShare = readFileSync(join(shareDir, 'alice-share-1-of-3.txt'), 'utf8').replace(/\s/g, '');
    const dbBytes =
      readFileSync(station.store.path).toString('latin1') +
      (existsSync(`${station.store.path}-wal`)
        ? readFileSync(`${station.store.path}-wal`).toString('latin1')
        : '');
    expect(dbBytes.includes(aliceShare.slice(0, 24))).toBe(false);
    // Direct token operations are closed to a share-activated token.
    expect(() =>
      listTokenKeys(station, { moduleId: MODULE, serial: serial['Ceremony HSM']!, pin: 'x'.repeat(64) }),
    ).toThrowError(expect.objectContaining({ code: 'QUORUM_REQUIRED' }));
    await expect(
      generateTokenKey(station, {
        moduleId: MODULE,
        serial: serial['Ceremony HSM']!,
        pin: 'x',
        key: { label: 'k', algorithm: 'ec-p256' },
        confirmedRecipe: '0'.repeat(64),
        actor: 'operator:x',
      }),
    ).rejects.toMatchObject({ code: 'QUORUM_REQUIRED' });
  });

  it('share health: a custodian verifies their own share; someone else’s is named', () => {
    const text = readFileSync(join(shareDir, 'bob-share-2-of-3.txt'), 'utf8');
    expect(
      verifyShare(station, { splitId, custodianId: 'bob', shareText: text, actor: 'operator:bob' }),
    ).toMatchObject({ ok: true, position: 2 });
    expect(
      verifyShare(station, { splitId, custodianId: 'alice', shareText: text, actor: 'operator:alice' }),
    ).toMatchObject({ ok: false, code: 'SHARE_WRONG_HOLDER' });
    expect(kinds(station.journal.head().seq - 1)).toEqual(['shares.share-verified', 'shares.share-verified']);
  });

  it('2 shares + a quorum bound to the operation: generates a key, then signs; the signature verifies', async () => {
    const share = (who: string, pos: number) => ({
      text: readFileSync(join(shareDir, `${who}-share-${pos}-of-3.txt`), 'utf8'),
      enteredBy: who,
    });
    const kg = open(keygenOp(serial['Ceremony HSM']!, 'zsk-2027', 'ec-p256'));
    checkIn(kg.sessionId, 'alice');
    checkIn(kg.sessionId, 'carol');
    const key = await ceremonyKeygen(station, {
      splitId,
      shares: [share('alice', 1), share('carol', 3)],
      quorumSessionId: kg.sessionId,
      key: { label: 'zsk-2027', algorithm: 'ec-p256' },
      actor: 'operator:admin',
    });
    expect(key.residency?.verdict).toBe('RESIDENT');

    const data = Buffer.from('KSR 2027 Q1: zone signing key set');
    const digest = createHash('sha256').update(data).digest('hex');
    const sg = open(signOp(serial['Ceremony HSM']!, key.id, digest));
    checkIn(sg.sessionId, 'bob');
    checkIn(sg.sessionId, 'alice');
    const before = station.journal.head().seq;
    const r = await ceremonySign(station, {
      splitId,
      shares: [share('bob', 2), share('alice', 1)],
      quorumSessionId: sg.sessionId,
      keyId: key.id,
      data,
      actor: 'operator:admin',
    });
    const spki = Buffer.from(
      station.journal
        .page(1, 1000)
        .filter((x) => x.kind === 'hsm.key-generated')
        .map((x) => JSON.parse(Buffer.from(x.body).toString()) as { spki: string })
        .at(-1)!.spki,
      'base64',
    );
    expect(
      verify(
        'sha256',
        data,
        { key: spki, format: 'der', type: 'spki', dsaEncoding: 'ieee-p1363' },
        r.signature,
      ),
    ).toBe(true);
    // Claimed before the token was touched (QUORUM-CLAIM), then the act and the quorum's use together.
    expect(kinds(before + 1)).toEqual([
      'quorum.session-claimed',
      'hsm.signed',
      'shares.activation-used',
      'quorum.session-closed',
    ]);
    const used = JSON.parse(Buffer.from(station.journal.get(before + 3)!.body).toString()) as {
      contributors: { custodianId: string }[];
    };
    expect(used.contributors.map((c) => c.custodianId).sort()).toEqual(['alice', 'bob']);
  });

  it('one share, a flipped share, or a quorum for another operation is refused before any C_Login', async () => {
    const module = station.hsm.module(MODULE);
    const share = (who: string, pos: number) => ({
      text: readFileSync(join(shareDir, `${who}-share-${pos}-of-3.txt`), 'utf8'),
      enteredBy: who,
    });
    const op = keygenOp(serial['Ceremony HSM']!, 'k2', 'ec-p256');
    const s = open(op);
    checkIn(s.sessionId, 'alice');
    checkIn(s.sessionId, 'bob');
    const other = open(testOp('something-else'));
    checkIn(other.sessionId, 'alice');
    checkIn(other.sessionId, 'bob');
    const logins = module.logins;
    const attempt = (shares: { text: string; enteredBy?: string }[], sessionId = s.sessionId) =>
      ceremonyKeygen(station, {
        splitId,
        shares,
        quorumSessionId: sessionId,
        key: { label: 'k2', algorithm: 'ec-p256' },
        actor: 'operator:admin',
      });

    await expect(attempt([share('alice', 1)])).rejects.toMatchObject({
      code: 'SHARES_REFUSED',
      message: expect.stringContaining('2 are needed'),
    });
    const flipped = share('bob', 2);
    const groups = flipped.text.trim().split(/\s+/);
    groups[3] = groups[3]![0] === 'A' ? `B${groups[3]!.slice(1)}` : `A${groups[3]!.slice(1)}`;
    await expect(
      attempt([share('alice', 1), { text: groups.join(' '), enteredBy: 'bob' }]),
    ).rejects.toMatchObject({
      code: 'SHARES_REFUSED',
      message: expect.stringContaining('share 2'),
    });
    await expect(attempt([share('alice', 1), share('bob', 2)], other.sessionId)).rejects.toMatchObject({
      code: 'QUORUM_WRONG_OPERATION',
    });
    expect(module.logins).toBe(logins);
    expect(
      kinds(station.journal.head().seq - 7).filter((k) => k === 'shares.activation-refused'),
    ).toHaveLength(2);
  });
});
