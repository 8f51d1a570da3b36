import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MARK_APPLICATION, markBytes } from '../../../src/core/journal/checkpoint';
import { systemDeps } from '../../../src/main/runtime';
import { registerModule } from '../../../src/main/services/devices/modules';
import { createStationIdentity, signCheckpoint } from '../../../src/main/services/identity/commands';
import { journalStationId, stationIdentity } from '../../../src/main/services/identity/queries';
import { verifyStationJournal } from '../../../src/main/services/journal/queries';
import { Station } from '../../../src/main/station/station';
import { initTokens, SOFTHSM_PATH, softhsmWorld, tokenSerialByLabel } from '../../helpers/softhsm';
import { rollBackToCheckpoint } from '../../helpers/tamper';
import { tempDir } from '../../helpers/temp';
import { notes } from '../journal/support';

const PIN = '246810';

describe('the station file’s record of the identity token is bound to the journal', () => {
  it.each([
    ['pointed at a decoy token holding the public key and an old public mark', 'redirect'],
    ['removed, so the real token and its mark are never read', 'remove'],
  ] as const)(
    '%s, it does not hide a rollback: JNL-IDENTITY',
    async (_what, tampering) => {
      const { conf, dir } = softhsmWorld();
      initTokens(['Station HSM', 'Decoy'], () => PIN);
      const real = tokenSerialByLabel(conf, 'Station HSM');
      const decoy = tokenSerialByLabel(conf, 'Decoy');
      const stDir = join(tempDir(), 'st');
      const station = Station.init(
        stDir,
        { name: 'T', mode: 'offline', demo: false, actor: 'operator:alice' },
        systemDeps,
      );
      registerModule(station, {
        moduleId: 'm',
        profile: 'softhsm2',
        environment: { SOFTHSM2_CONF: conf },
        actor: 'operator:alice',
      });
      await createStationIdentity(station, {
        moduleId: 'm',
        tokenSerial: real,
        pin: PIN,
        actor: 'operator:alice',
      });
      const id = stationIdentity(station)!;
      expect(id.tokenSerial).toBe(real);
      const stationId = journalStationId(station);
      const cp1 = station.journal.checkpoints()[0]!;
      // The attacker copies public things onto a token of their own: the identity's public key and mark 1.
      const env = { ...process.env, SOFTHSM2_CONF: conf };
      const pub = join(dir, 'pub.der');
      writeFileSync(pub, id.spki);
      // pkcs11-tool writes each object onto the decoy, logged in with the decoy's own PIN.
      const writeToDecoy = (file: string, extra: string[]) => {
        const r = spawnSync(
          'pkcs11-tool',
          [
            '--module',
            SOFTHSM_PATH,
            '--token-label',
            'Decoy',
            '--login',
            '--pin',
            PIN,
            '--write-object',
            file,
            ...extra,
          ],
          { env, encoding: 'utf8' },
        );
        expect(r.status, r.stderr).toBe(0);
      };
      writeToDecoy(pub, ['--type', 'pubkey', '--id', id.keyId, '--label', 'station-identity']);
      const mark = join(dir, 'mark.bin');
      writeFileSync(mark, markBytes(stationId, cp1));
      writeToDecoy(mark, ['--type', 'data', '--label', stationId, '--application-label', MARK_APPLICATION]);
      // The station goes on: more entries, checkpoint 2 (the real token's mark moves to it).
      notes(station, 3);
      await signCheckpoint(station, { pin: PIN });
      station.close();
      const dbPath = join(stDir, 'station.sqlite');
      // Honest control: a rollback alone is caught.
      rollBackToCheckpoint(dbPath, 1);
      let s = Station.open(stDir, systemDeps);
      expect((await verifyStationJournal(s)).verdict).toMatchObject({
        status: 'TAMPERED',
        check: 'JNL-ROLLBACK',
      });
      s.close();
      // ... and the locator pointed at the decoy (write-once triggers dropped, like the journal's).
      const raw = new Database(dbPath);
      raw.exec(
        tampering === 'redirect'
          ? `DROP TRIGGER station_identity_token_no_update; UPDATE station_identity_token SET token_serial='${decoy}', token_label='Decoy'`
          : 'DROP TRIGGER station_identity_token_no_delete; DELETE FROM station_identity_token',
      );
      raw.close();
      s = Station.open(stDir, systemDeps);
      try {
        const r = await verifyStationJournal(s);
        // The record no longer matches the commitment the chained identity entry made: the decoy is never
        // read as the station token, and the verdict is TAMPERED however good the decoy's copies are.
        expect(r.identity?.token).toMatchObject({
          status: 'MISMATCH',
          reason: expect.stringContaining(tampering === 'redirect' ? 'committed' : 'no longer holds'),
        });
        expect(r.verdict).toMatchObject({ status: 'TAMPERED' });
        await expect(signCheckpoint(s, { pin: PIN })).rejects.toMatchObject({ code: 'IDENTITY_MISMATCH' });
      } finally {
        s.close();
      }
    },
    120_000,
  );
});
