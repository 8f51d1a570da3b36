import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { exportBundle } from '../../../src/main/services/bundles/bundles';
import { createDemoStation, DEMO_PINS } from '../../../src/main/demo/demo';
import { editPacket, recordHandoff, recordVersion } from '../../../src/main/services/packets/packets';
import type { JobProgress } from '../../../src/main/services/jobs/jobs';
import { verifyStationJournal } from '../../../src/main/services/journal/queries';
import type { Station } from '../../../src/main/station/station';
import { PIN, stationWithIdentity, withMedia } from '../journal/support';
import { tempDir } from '../../helpers/temp';
import { DEMO_ACKS, resolveDemoHold } from '../../helpers/deferral-resolve';

/**
 * BND-RECOVER: an export that stops after its file is on the media but before `bundle.exported` is
 * recorded (the station killed, the power cut) must not block the next export with OUTPUT_EXISTS, nor
 * leave a bundle signed by the station that its journal does not know. The stop is produced exactly at
 * that point: the progress callback of the read-back phase, which runs right after the file is
 * published, throws.
 */
const quiet: JobProgress = { phase: () => {}, add: () => {} };
const stopAtReadBack: JobProgress = {
  phase: (name) => {
    if (name.startsWith('reading back')) throw new Error('power cut');
  },
  add: () => {},
};

let media: string;
beforeEach(() => {
  media = join(tempDir(), 'usb');
  mkdirSync(media);
});

const exported = (station: Station) =>
  station.store.db
    .prepare("SELECT actor, body FROM journal WHERE kind = 'bundle.exported' ORDER BY seq")
    .all() as { actor: string; body: Buffer }[];

describe('an export stopped after publishing, before its record', () => {
  it('is verified and recorded by the next export (actor station, recovered), which then asks to export again as the next version', async () => {
    const { station } = await stationWithIdentity(withMedia(media));
    try {
      const req = { kind: 'journal-segment' as const, pin: PIN, actor: 'operator:alice' };
      await expect(exportBundle(station, req, stopAtReadBack)).rejects.toThrow('power cut');
      expect(readdirSync(media)).toEqual(['journal-segment-v1.bundle.zip']);
      expect(exported(station)).toEqual([]);

      await expect(exportBundle(station, req, quiet)).rejects.toMatchObject({
        code: 'BUNDLE_EXPORT_RECOVERED',
        data: { check: 'BND-RECOVER', version: 1 },
      });
      const recovered = exported(station);
      expect(recovered).toHaveLength(1);
      expect(recovered[0]?.actor).toBe('station');
      expect(JSON.parse(String(recovered[0]?.body))).toMatchObject({
        packetId: 'journal-segment',
        version: 1,
        recovered: true,
      });

      const next = await exportBundle(station, req, quiet);
      expect(next.version).toBe(2);
      expect(readdirSync(media).sort()).toEqual([
        'journal-segment-v1.bundle.zip',
        'journal-segment-v2.bundle.zip',
      ]);
      expect((await verifyStationJournal(station)).verdict.status).not.toBe('TAMPERED');
    } finally {
      station.close();
    }
  });

  it('a file under that name that is not this station’s own export is left alone: OUTPUT_EXISTS, nothing recorded, no PIN used', async () => {
    const { station } = await stationWithIdentity(withMedia(media));
    try {
      writeFileSync(join(media, 'journal-segment-v1.bundle.zip'), 'not a bundle');
      const before = station.journal.head().seq;
      await expect(
        exportBundle(station, { kind: 'journal-segment', pin: 'wrong-pin', actor: 'operator:alice' }, quiet),
      ).rejects.toMatchObject({ code: 'OUTPUT_EXISTS' });
      expect(station.journal.head().seq).toBe(before);
    } finally {
      station.close();
    }
  });

  it('a packet bundle whose version skips (packet v2 exported first) is recovered too', async () => {
    const station = await createDemoStation(join(tempDir(), 'demo'), withMedia(media));
    try {
      const P = 'deferral-rsk-2024';
      editPacket(station, P, { op: 'set-subject', key: 'note', value: 'second look' }, 'operator:pat');
      expect(recordVersion(station, P, 'operator:pat').version).toBe(2);
      // The demo holds for source completion: the records that resolve it, then each exception acknowledged.
      await resolveDemoHold(station);
      recordHandoff(station, {
        packetId: P,
        acknowledge: DEMO_ACKS,
        actor: 'operator:pat',
      });
      const req = { kind: 'packet' as const, packetId: P, pin: DEMO_PINS.user, actor: 'operator:pat' };
      await expect(exportBundle(station, req, stopAtReadBack)).rejects.toThrow('power cut');
      await expect(exportBundle(station, req, quiet)).rejects.toMatchObject({
        code: 'BUNDLE_EXPORT_RECOVERED',
        data: { version: 2 },
      });
      expect(exported(station).map((e) => JSON.parse(String(e.body)) as { version: number })).toMatchObject([
        { version: 2 },
      ]);
    } finally {
      station.close();
    }
  });
});

describe('one export at a time per station', () => {
  it('a second export while one holds the lock is EXPORT_BUSY before any PIN; a lock left by a dead process is taken over', async () => {
    const { station, dir } = await stationWithIdentity(withMedia(media));
    try {
      const lock = join(dir, 'export.lock');
      writeFileSync(lock, `${process.pid}\n`);
      const before = station.journal.head().seq;
      await expect(
        exportBundle(station, { kind: 'journal-segment', pin: 'wrong', actor: 'operator:alice' }, quiet),
      ).rejects.toMatchObject({ code: 'EXPORT_BUSY' });
      expect(station.journal.head().seq).toBe(before);
      // A pid that cannot be alive (beyond pid_max) stands for a crashed exporter.
      writeFileSync(lock, '4194305\n');
      const done = await exportBundle(
        station,
        { kind: 'journal-segment', pin: PIN, actor: 'operator:alice' },
        quiet,
      );
      expect(done.version).toBe(1);
      expect(existsSync(lock)).toBe(false);
    } finally {
      station.close();
    }
  });
});
