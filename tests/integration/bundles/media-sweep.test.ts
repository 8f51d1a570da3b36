import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partialName } from '../../../src/main/adapters/media/partials';
import { systemDeps } from '../../../src/main/runtime';
import { scanMedia } from '../../../src/main/services/bundles/bundles';
import { journalStationId } from '../../../src/main/services/identity/queries';
import { Station } from '../../../src/main/station/station';
import { suiteTempDir } from '../../helpers/temp';

/**
 * The media scan (`scanMedia`, behind `station media` and the UI's volume list) removes this station's
 * own fragments of interrupted exports and nothing else. The crash itself (a SIGKILLed export through the
 * built CLI) is in flow.test.ts; here each rule that keeps a file is shown with a file that breaks only
 * that rule.
 */
let suite: ReturnType<typeof suiteTempDir>;
let station: Station;
let media: string;
let stationId: string;
const ZIP_START = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x08, 0x08]);

/** A pid that certainly belongs to no running process: a child that already exited and was reaped. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(r.stdout);
}

const named = (fileName: string, id: string, pid: number) =>
  partialName(fileName, id, 'a1b2c3d4e5f6').replace(`.${process.pid}.`, `.${pid}.`);

beforeAll(() => {
  suite = suiteTempDir();
  media = join(suite.dir, 'usb');
  mkdirSync(media);
  station = Station.init(
    join(suite.dir, 'st'),
    { name: 'Vault', mode: 'offline', demo: false, actor: 'operator:so' },
    { ...systemDeps, config: { ...systemDeps.config, mediaDirs: [media] } },
  );
  stationId = journalStationId(station);
});
afterAll(() => {
  station?.close();
  suite?.remove();
});

describe('media scan sweeps this station’s interrupted exports (media.partials-removed)', () => {
  it('removes only its own fragments of a dead writer, says what it removed, and journals it once', async () => {
    const dead = deadPid();
    const live = spawn('sleep', ['30']);
    try {
      const own = named('custody-report-v3.bundle.zip', stationId, dead);
      const ownEmpty = named('custody-report-v4.bundle.zip', stationId, dead);
      const keep = {
        running: named('custody-report-v5.bundle.zip', stationId, live.pid!),
        otherStation: named('custody-report-v3.bundle.zip', '00000000-0000-4000-8000-000000000000', dead),
        reviewerTool: '.alice-1a2b3c4d.keyreg.bundle.zip.a1b2c3d4e5f6.partial',
        notZip: named('journal-segment-v1.bundle.zip', stationId, dead),
        link: named('journal-segment-v2.bundle.zip', stationId, dead),
        dir: named('journal-segment-v3.bundle.zip', stationId, dead),
        bundle: 'custody-report-v2.bundle.zip',
        lookalike: `${own}.txt`,
      };
      writeFileSync(join(media, own), Buffer.concat([ZIP_START, Buffer.alloc(1000)]));
      writeFileSync(join(media, ownEmpty), '');
      for (const n of [keep.running, keep.otherStation, keep.reviewerTool, keep.bundle, keep.lookalike])
        writeFileSync(join(media, n), ZIP_START);
      writeFileSync(join(media, keep.notZip), 'my notes, not a zip');
      writeFileSync(join(suite.dir, 'target.zip'), ZIP_START);
      symlinkSync(join(suite.dir, 'target.zip'), join(media, keep.link));
      mkdirSync(join(media, keep.dir));

      const head = station.journal.head().seq;
      const scan = scanMedia(station, {});
      expect(scan.state).toBe('ready');
      expect(scan.removedPartials).toEqual(
        expect.arrayContaining([
          { volume: media, name: own, size: 1008 },
          { volume: media, name: ownEmpty, size: 0 },
        ]),
      );
      expect(scan.removedPartials).toHaveLength(2);
      expect(readdirSync(media).sort()).toEqual(Object.values(keep).sort());
      const added = station.journal.page(head + 1, 10);
      expect(added.map((r) => [r.kind, r.actor])).toEqual([['media.partials-removed', 'station']]);
      const body = JSON.parse(Buffer.from(added[0]!.body).toString()) as { removed: { name: string }[] };
      expect(body.removed.map((r) => r.name).sort()).toEqual([own, ownEmpty].sort());

      // A second scan finds nothing of its own and records nothing.
      expect(scanMedia(station, {}).removedPartials).toEqual([]);
      expect(station.journal.head().seq).toBe(head + 1);
    } finally {
      live.kill('SIGKILL');
    }
  });
});
