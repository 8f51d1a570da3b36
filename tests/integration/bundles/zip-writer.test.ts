import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dosDateTimeUtc } from '../../../src/core/bundle/archive-policy';
import { CheckedArchive } from '../../../src/main/adapters/media/zip-reader';
import { writeArchive, type BundleSource } from '../../../src/main/adapters/media/zip-writer';
import { suiteTempDir } from '../../helpers/temp';

/**
 * The station's writer (yazl) holds itself to what its reader demands of everyone (docs/bundle-format.md
 * §2): one modification time in the DOS fields and the extended timestamp, whatever the station's time
 * zone (BND-ENTRY-TIME); and no stored entry that a streaming reader could end early
 * (BND-LAYOUT-DESCRIPTOR). Each archive is read back by the station's own reader, Python and zipinfo.
 */
let suite: ReturnType<typeof suiteTempDir>;
const zone = process.env.TZ;
beforeAll(() => {
  suite = suiteTempDir();
});
afterAll(() => suite?.remove());
afterEach(() => {
  if (zone === undefined) delete process.env.TZ;
  else process.env.TZ = zone;
});

let n = 0;
async function write(files: readonly BundleSource[], mtime: Date) {
  const dir = join(suite.dir, `w${++n}`);
  mkdirSync(dir);
  return writeArchive({
    dir,
    fileName: 'out.bundle.zip',
    files,
    mtime,
    sign: async () => new TextEncoder().encode('{"signed":"elsewhere"}'),
  });
}
const bytes = (name: string, b: Buffer): BundleSource => ({ name, source: { bytes: b }, size: b.length });

/** What Python's zipfile reads from each record: DOS time fields and compression method. */
function python(path: string): { name: string; time: number[]; method: number; flags: number }[] {
  const script = [
    'import json, sys, zipfile',
    'z = zipfile.ZipFile(sys.argv[1])',
    'print(json.dumps([{"name": i.filename, "time": list(i.date_time), "method": i.compress_type, "flags": i.flag_bits} for i in z.infolist()]))',
  ].join('\n');
  return JSON.parse(spawnSync('python3', ['-c', script, path], { encoding: 'utf8' }).stdout) as {
    name: string;
    time: number[];
    method: number;
    flags: number;
  }[];
}

describe('BND-ENTRY-TIME: the writer stores one instant in both time fields, in any time zone', () => {
  it.each(['Pacific/Chatham', 'America/St_Johns', 'UTC'])(
    'written with TZ=%s: DOS fields are the UTC wall clock, the extended timestamp the same even second',
    async (tz) => {
      process.env.TZ = tz;
      const at = new Date('2026-11-25T10:00:07.900Z');
      const w = await write([bytes('evidence/a.txt', Buffer.from('a\n'))], at);
      // The station's own reader accepts it (it would refuse two different times).
      const archive = await CheckedArchive.open(w.path);
      archive.close();
      // Python reads the DOS fields: 10:00:06 UTC, not the writer's local wall clock.
      for (const e of python(w.path)) expect(e.time).toEqual([2026, 11, 25, 10, 0, 6]);
      // zipinfo reads the extended timestamp: the same second.
      const info = spawnSync('zipinfo', ['-T', w.path], {
        encoding: 'utf8',
        env: { ...process.env, TZ: 'UTC' },
      });
      expect(info.stdout.match(/\d{8}\.\d{6}/g)).toEqual(['20261125.100006', '20261125.100006']);
    },
  );

  it('a clock before 1980 or after 2038 is clamped into what both fields hold, and still reads back', async () => {
    for (const [at, shown] of [
      ['1970-01-01T00:00:00.000Z', [1980, 1, 2, 0, 0, 0]],
      ['2099-01-01T00:00:00.000Z', [2038, 1, 19, 3, 14, 6]],
    ] as const) {
      const w = await write([bytes('evidence/a.txt', Buffer.from('a\n'))], new Date(at));
      (await CheckedArchive.open(w.path)).close();
      expect(python(w.path)[0]?.time).toEqual(shown);
    }
    expect(dosDateTimeUtc(Date.UTC(2038, 0, 19, 3, 14, 6) / 1000)).not.toBeNull();
  });
});

describe('BND-LAYOUT-DESCRIPTOR: a stored file holding the descriptor signature is deflated instead', () => {
  it('stores clean evidence (with a descriptor), deflates one holding PK\\x07\\x08, and both read back', async () => {
    const clean = Buffer.alloc(100_000, 0x41);
    const tricky = Buffer.concat([
      Buffer.alloc(50_000, 0x42),
      Buffer.from('PK\x07\x08'),
      Buffer.alloc(10, 0),
    ]);
    const src = join(suite.dir, 'tricky.bin');
    writeFileSync(src, tricky);
    const w = await write(
      [
        bytes('evidence/clean.bin', clean),
        { name: 'evidence/tricky.bin', source: { path: src }, size: tricky.length },
      ],
      new Date('2026-11-25T10:00:00.000Z'),
    );
    const entries = python(w.path);
    expect(entries.map((e) => [e.name, e.method, (e.flags & 8) !== 0])).toEqual([
      ['evidence/clean.bin', 0, true],
      ['evidence/tricky.bin', 8, true],
      ['bundle.dsse.json', 8, false],
    ]);
    const archive = await CheckedArchive.open(w.path);
    try {
      for (const e of archive.entries.slice(0, 2)) await archive.digest(e);
      expect((await archive.read(archive.entries[1]!, 1 << 20)).equals(tricky)).toBe(true);
    } finally {
      archive.close();
    }
    expect(readFileSync(w.path).length).toBe(w.size);
  });
});
