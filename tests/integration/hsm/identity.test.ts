import { spawnSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { appendFileSync, copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { checkpointStatement } from '../../../src/core/journal/checkpoint';
import { systemDeps } from '../../../src/main/runtime';
import { registerModule } from '../../../src/main/services/devices/modules';
import { CHECKPOINT_ALG, stationIdentity } from '../../../src/main/services/identity/queries';
import { createStationIdentity, signCheckpoint } from '../../../src/main/services/identity/commands';
import { verifyStationJournal } from '../../../src/main/services/journal/queries';
import { Station } from '../../../src/main/station/station';
import { forgeJournal } from '../../helpers/forge';
import { SOFTHSM_PATH, softhsmWorld } from '../../helpers/softhsm';
import { tempDir } from '../../helpers/temp';
import { stationInfo } from '../../../src/main/services/identity/station-info';

const PIN = '135790';

function freshStation(modulePath = SOFTHSM_PATH) {
  const { conf } = softhsmWorld();
  expect(
    spawnSync('softhsm2-util', [
      '--init-token',
      '--free',
      '--label',
      'Station HSM',
      '--so-pin',
      '11223344',
      '--pin',
      PIN,
    ]).status,
  ).toBe(0);
  const station = Station.init(
    join(tempDir(), 'st'),
    { name: 'Room D, "north"', mode: 'offline', demo: false, actor: 'operator:alice' },
    systemDeps,
  );
  registerModule(station, {
    moduleId: 'station-hsm',
    profile: 'softhsm2',
    path: modulePath,
    environment: { SOFTHSM2_CONF: conf },
    actor: 'operator:alice',
  });
  const serial = station.hsm.module('station-hsm').tokens()[0]!.serial;
  return { station, serial, conf };
}

describe('station identity on a SoftHSM2 token', () => {
  it('creates the identity key and a self-signed certificate that verifies with the key read from the token', async () => {
    const { station, serial } = freshStation();
    try {
      const id = await createStationIdentity(station, {
        moduleId: 'station-hsm',
        tokenSerial: serial,
        pin: PIN,
        actor: 'operator:alice',
      });
      expect(id.fingerprint).toBe(createHash('sha256').update(id.spki).digest('hex'));
      const cert = new X509Certificate(id.certificatePem);
      expect(cert.subject).toContain('CN=Room D\\, \\"north\\"');
      expect(cert.subject).toContain(station.stationRecord().stationId);
      expect(cert.publicKey.export({ type: 'spki', format: 'der' }).equals(id.spki)).toBe(true);
      expect(cert.verify(cert.publicKey)).toBe(true);
      expect(cert.ca).toBe(false);
      const dir = tempDir();
      writeFileSync(join(dir, 'c.pem'), id.certificatePem);
      const text = spawnSync('openssl', ['x509', '-in', join(dir, 'c.pem'), '-noout', '-text'], {
        encoding: 'utf8',
      });
      expect(text.stdout).toContain('ecdsa-with-SHA256');
      expect(text.stdout).toContain('Digital Signature');
      // The projection holds it; the banner shows its words.
      expect(stationIdentity(station)?.keyId).toBe(id.keyId);
      expect(stationInfo(station, 'browser').identity?.words).toHaveLength(8);
      await expect(
        createStationIdentity(station, {
          moduleId: 'station-hsm',
          tokenSerial: serial,
          pin: PIN,
          actor: 'operator:alice',
        }),
      ).rejects.toMatchObject({ code: 'IDENTITY_EXISTS' });
    } finally {
      station.close();
    }
  });

  it('a checkpoint signed on the token makes the journal VERIFIED; a wrong PIN records nothing', async () => {
    const { station, serial } = freshStation();
    try {
      await createStationIdentity(station, {
        moduleId: 'station-hsm',
        tokenSerial: serial,
        pin: PIN,
        actor: 'operator:alice',
      });
      // Creating the identity already had the token logged in: it anchored the journal (checkpoint 1).
      expect((await verifyStationJournal(station)).verdict).toMatchObject({
        status: 'VERIFIED',
        checkpoint: { n: 1 },
      });
      station.record([{ kind: 'operator.note', actor: 'operator:alice', body: { text: 'seal checked' } }]);
      expect((await verifyStationJournal(station)).verdict.status).toBe('UNANCHORED');
      const head = station.journal.head();
      await expect(signCheckpoint(station, { pin: '999999' })).rejects.toMatchObject({
        code: 'PIN_INCORRECT',
      });
      expect(station.journal.checkpoints()).toHaveLength(1);
      expect(station.journal.head()).toEqual(head);
      const cp = await signCheckpoint(station, { pin: PIN });
      expect(cp).toMatchObject({
        n: 2,
        size: head.seq,
        alg: CHECKPOINT_ALG,
        keyId: stationIdentity(station)?.fingerprint,
      });
      expect((await verifyStationJournal(station)).verdict).toMatchObject({
        status: 'VERIFIED',
        checkpoint: { n: 2 },
      });
    } finally {
      station.close();
    }
  });

  it('a checkpoint signed by any other key is JNL-CKPT-SIG, even a key on the same token', async () => {
    const { station, serial } = freshStation();
    try {
      await createStationIdentity(station, {
        moduleId: 'station-hsm',
        tokenSerial: serial,
        pin: PIN,
        actor: 'operator:alice',
      });
      const module = station.hsm.module('station-hsm');
      const rogue = await module.withSessionAsync(
        serial,
        { write: true, login: { user: 'user', pin: PIN } },
        (s) => s.generateKeyPair({ label: 'rogue', algorithm: 'ec-p256' }),
      );
      const head = station.journal.head();
      const n = station.journal.lastCheckpointNumber() + 1;
      const unsigned = {
        n,
        size: head.seq,
        headHash: head.hash,
        at: new Date().toISOString(),
        keyId: stationIdentity(station)!.fingerprint,
        alg: CHECKPOINT_ALG,
      };
      const statement = checkpointStatement(station.stationRecord().stationId, unsigned);
      const signature = module.withSession(serial, { write: false, login: { user: 'user', pin: PIN } }, (s) =>
        s.sign(rogue.id, 'ecdsa-sha256', Buffer.from(statement), (a, d) => createHash(a).update(d).digest()),
      );
      station.journal.addCheckpoint({ ...unsigned, signature });
      expect((await verifyStationJournal(station)).verdict).toMatchObject({
        status: 'TAMPERED',
        check: 'JNL-CKPT-SIG',
        checkpointN: n,
      });
    } finally {
      station.close();
    }
  });

  it('refuses to load a PKCS#11 library that changed since it was registered', () => {
    const copy = join(tempDir(), 'libsofthsm2-copy.so');
    copyFileSync(SOFTHSM_PATH, copy);
    const { station } = freshStation(copy);
    try {
      station.hsm.closeAll();
      appendFileSync(copy, Buffer.from([0]));
      expect(() => station.hsm.module('station-hsm')).toThrowError(
        expect.objectContaining({
          code: 'HSM_MODULE_LOAD_FAILED',
          message: expect.stringContaining('changed since it was registered'),
        }),
      );
    } finally {
      station.close();
    }
  });

  it('the journal records no token identifier: the station file keeps it, and a file that lost it is TAMPERED (the chained commitment names a record that is gone)', async () => {
    const { station, serial } = freshStation();
    const path = station.store.path;
    const dir = station.dataDir;
    await createStationIdentity(station, {
      moduleId: 'station-hsm',
      tokenSerial: serial,
      pin: PIN,
      actor: 'operator:alice',
    });
    await signCheckpoint(station, { pin: PIN });
    const label = stationIdentity(station)?.tokenLabel ?? '';
    expect(label.length).toBeGreaterThan(0);
    expect(stationIdentity(station)?.tokenSerial).toBe(serial);
    for (const row of station.journal.page(1, 1000)) {
      expect(Buffer.from(row.body).includes(serial), `seq ${row.seq} ${row.kind}`).toBe(false);
      expect(Buffer.from(row.body).includes(label), `seq ${row.seq} ${row.kind}`).toBe(false);
    }
    const verified = await verifyStationJournal(station);
    expect(verified.verdict.status).toBe('VERIFIED');
    expect(verified.identity?.token.status).toBe('CONFIRMED');
    station.close();

    // Someone with write access removes the record (past its write-once triggers).
    const raw = new Database(path);
    raw.exec('DROP TRIGGER station_identity_token_no_delete; DELETE FROM station_identity_token;');
    raw.close();
    const reopened = Station.open(dir, systemDeps);
    try {
      const report = await verifyStationJournal(reopened);
      // Removing the record would keep the station from reading the real token's journal mark (and so
      // from seeing a rollback): the commitment in the chained entry says a record was there.
      expect(report.identity?.token).toMatchObject({
        status: 'MISMATCH',
        reason: expect.stringContaining('no longer holds'),
      });
      expect(report.verdict).toMatchObject({ status: 'TAMPERED', check: 'JNL-IDENTITY' });
      // The banner shows no token PRESENT that no act could use, and acts are refused.
      expect(stationInfo(reopened, 'browser').hsm).toMatchObject({
        status: 'ERROR',
        detail: expect.stringContaining('IDENTITY_MISMATCH'),
        tokenSerial: '',
      });
      await expect(signCheckpoint(reopened, { pin: PIN })).rejects.toMatchObject({
        code: 'IDENTITY_MISMATCH',
      });
      // The chain and its checkpoints are still judged with the key the journal records.
      expect(report.identity?.fingerprint).toBe(verified.identity?.fingerprint);
      const { rebuildProjections } = await import('../../../src/main/adapters/store/projections');
      expect(() => rebuildProjections(reopened.store.db, reopened.journal)).toThrowError(
        expect.objectContaining({ code: 'IDENTITY_MISMATCH' }),
      );
    } finally {
      reopened.close();
    }
  });

  it('the identity and module projections rebuild from the journal exactly', async () => {
    const { station, serial } = freshStation();
    try {
      await createStationIdentity(station, {
        moduleId: 'station-hsm',
        tokenSerial: serial,
        pin: PIN,
        actor: 'operator:alice',
      });
      const { rebuildProjections, snapshotProjections } =
        await import('../../../src/main/adapters/store/projections');
      const live = snapshotProjections(station.store.db);
      expect(live.station_identity).toHaveLength(1);
      expect(live.hsm_module).toHaveLength(1);
      rebuildProjections(station.store.db, station.journal);
      expect(snapshotProjections(station.store.db)).toEqual(live);
      const raw = new Database(station.store.path, { readonly: true });
      expect(raw.prepare('SELECT count(*) FROM station_identity').pluck().get()).toBe(1);
      raw.close();
    } finally {
      station.close();
    }
  });

  it('a forged journal — entry edited, identity swapped, chain rebuilt, checkpoint re-signed — is TAMPERED (JNL-IDENTITY): the station token holds the real key', async () => {
    const { station, serial } = freshStation();
    const path = station.store.path;
    const dir = station.dataDir;
    await createStationIdentity(station, {
      moduleId: 'station-hsm',
      tokenSerial: serial,
      pin: PIN,
      actor: 'operator:alice',
    });
    await signCheckpoint(station, { pin: PIN });
    expect((await verifyStationJournal(station)).verdict.status).toBe('VERIFIED');
    station.close();
    forgeJournal(path, { seq: 2, actor: 'operator:mallory' });
    const reopened = Station.open(dir, systemDeps);
    try {
      const report = await verifyStationJournal(reopened);
      expect(report.identity?.token).toMatchObject({ status: 'MISMATCH' });
      expect(report.verdict).toMatchObject({ status: 'TAMPERED', check: 'JNL-IDENTITY', firstBadSeq: 3 });
      await expect(signCheckpoint(reopened, { pin: PIN })).rejects.toMatchObject({
        code: 'IDENTITY_MISMATCH',
      });
    } finally {
      reopened.close();
    }
  });

  it('checkpoints are checked with the journal’s identity record, not the projection table', async () => {
    const { station, serial } = freshStation();
    try {
      await createStationIdentity(station, {
        moduleId: 'station-hsm',
        tokenSerial: serial,
        pin: PIN,
        actor: 'operator:alice',
      });
      await signCheckpoint(station, { pin: PIN });
      // Swapping the projection's key changes nothing: the verdict and the token check read the journal.
      station.store.db.prepare('UPDATE station_identity SET fingerprint = ?').run('0'.repeat(64));
      const report = await verifyStationJournal(station);
      expect(report.verdict.status).toBe('VERIFIED');
      expect(report.identity?.token.status).toBe('CONFIRMED');
    } finally {
      station.close();
    }
  });

  it('a module registration may set only the environment its profile names (no LD_PRELOAD)', () => {
    const { station } = freshStation();
    try {
      expect(() =>
        registerModule(station, {
          moduleId: 'evil',
          profile: 'softhsm2',
          environment: { SOFTHSM2_CONF: '/tmp/x', LD_PRELOAD: '/tmp/evil.so' },
          actor: 'operator:alice',
        }),
      ).toThrowError(expect.objectContaining({ code: 'INVALID_INPUT', data: { field: 'environment' } }));
    } finally {
      station.close();
    }
  });
});
