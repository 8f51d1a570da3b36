import { spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ARCHIVE_LIMITS } from '../../../src/core/bundle/archive-policy';
import { CodedError } from '../../../src/core/errors';
import { systemDeps } from '../../../src/main/runtime';
import { importBundle } from '../../../src/main/services/bundles/bundles';
import { Station } from '../../../src/main/station/station';
import { ERROR_CATALOGUE } from '../../../src/shared/errors';
import {
  buildCase,
  caseSchema,
  forgeKey,
  limitsOf,
  priorSpecs,
  sha256,
  type CaseSpec,
  type CorpusKey,
} from '../../helpers/bundle-forge';
import { suiteTempDir } from '../../helpers/temp';

/**
 * The hostile-bundle corpus (tests/fixtures/hostile-bundles): one folder per case, each with a README
 * saying why the station must refuse (or accept) it and a case.json from which this file builds the
 * signed zip at test time, with keys made once per run. Every hostile case must be refused with its
 * expected code AND check ID, leave exactly one `bundle.import-refused` entry carrying both, and write
 * nothing outside the station's staging directory (emptied afterwards). Every valid case must import,
 * and independent zip readers (Python's zipfile, Info-ZIP unzip and zipinfo) must list exactly the entries
 * the station took — and extract them as the station read them: regular files of mode 0644, the same
 * bytes, one modification time.
 */
const CORPUS = join(import.meta.dirname, '..', '..', 'fixtures', 'hostile-bundles');

interface Loaded {
  readonly id: string;
  readonly spec: CaseSpec;
  readonly readme: string;
}

const corpus: Loaded[] = readdirSync(CORPUS, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort()
  .map((id) => ({
    id,
    spec: caseSchema.parse(JSON.parse(readFileSync(join(CORPUS, id, 'case.json'), 'utf8'))),
    readme: readFileSync(join(CORPUS, id, 'README.md'), 'utf8'),
  }));
const hostile = corpus.filter((c) => 'code' in c.spec.expect);
const valid = corpus.filter((c) => 'accept' in c.spec.expect);

let suite: ReturnType<typeof suiteTempDir>;
let station: Station;
let media: string;
const keys = new Map<string, CorpusKey>();

/** The corpus keys: which trust entry each one is (station or reviewer), and its validity. */
const KEYS: readonly {
  name: string;
  curve?: 'p256' | 'p384' | 'ed25519';
  entry: 'station' | 'reviewer' | null;
  validFrom?: string;
  validUntil?: string;
  revoked?: boolean;
}[] = [
  { name: 'station-b', entry: 'station' },
  { name: 'station-c', entry: 'station' },
  { name: 'station-ed25519', curve: 'ed25519', entry: 'station' },
  { name: 'station-p384', curve: 'p384', entry: 'station' },
  { name: 'reviewer', entry: 'reviewer' },
  { name: 'stranger', entry: null },
  { name: 'expired', entry: 'station', validUntil: '2026-02-01T00:00:00.000Z' },
  { name: 'not-yet', entry: 'station', validFrom: '2099-01-01T00:00:00.000Z' },
  { name: 'revoked', entry: 'station', revoked: true },
];

beforeAll(() => {
  suite = suiteTempDir();
  media = join(suite.dir, 'media');
  mkdirSync(media);
  station = Station.init(
    join(suite.dir, 'st'),
    { name: 'Vault', mode: 'offline', demo: false, actor: 'operator:so' },
    systemDeps,
  );
  KEYS.forEach((k, i) => {
    const key = forgeKey(k.curve);
    const stationId = `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`;
    keys.set(k.name, { ...key, name: k.name, stationId });
    if (!k.entry) return;
    station.record([
      {
        kind: 'trust.registered',
        actor: 'operator:so',
        body: {
          trustId: k.name,
          name: k.name,
          entryKind: k.entry,
          roles: k.entry === 'reviewer' ? ['board-reviewer'] : [],
          spki: key.spki.toString('base64'),
          fingerprint: key.fingerprint,
          algorithm: key.algorithm,
          validFrom: k.validFrom ?? '2026-01-01T00:00:00.000Z',
          validUntil: k.validUntil ?? '2099-06-01T00:00:00.000Z',
          registrationDigest: sha256(key.spki),
          confirmedBy: 'Security Officer',
        },
      },
    ]);
    if (k.revoked)
      station.record([
        { kind: 'trust.revoked', actor: 'operator:so', body: { trustId: k.name, reason: 'laptop lost' } },
      ]);
  });
});
afterAll(() => {
  station?.close();
  suite?.remove();
});

function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p, { throwIfNoEntry: false })?.isDirectory()) walk(p);
      else out.push(relative(suite.dir, p));
    }
  };
  walk(dir);
  return out.filter((p) => !/station\.sqlite(-wal|-shm)?$/.test(p)).sort();
}

/** A zipinfo -T / Python date_time stamp, YYYYMMDD.hhmmss (UTC), in seconds. */
const zipTime = (t: string) =>
  Date.UTC(
    +t.slice(0, 4),
    +t.slice(4, 6) - 1,
    +t.slice(6, 8),
    +t.slice(9, 11),
    +t.slice(11, 13),
    +t.slice(13, 15),
  ) / 1000;

/** A case's packet id: its folder name, so each case has its own high-water mark. */
const packetOf = (id: string) => id.toLowerCase().replace(/[^a-z0-9.-]/g, '-');

async function importPriors(c: Loaded): Promise<void> {
  for (const [i, prior] of priorSpecs(c.spec).entries()) {
    const path = join(media, `${c.id}.prior-${i}.bundle.zip`);
    await buildCase(prior, keys, path, packetOf(c.id));
    await importBundle(station, path, 'operator:so');
  }
}

describe('the hostile-bundle corpus', () => {
  it('holds at least 150 hostile and 20 valid cases, each folder with a README saying why', () => {
    expect(hostile.length).toBeGreaterThanOrEqual(150);
    expect(valid.length).toBeGreaterThanOrEqual(20);
    for (const c of corpus) {
      expect(c.readme, c.id).toMatch(/^# .+\n/);
      expect(c.readme.length, c.id).toBeGreaterThan(120);
      if ('code' in c.spec.expect) {
        expect(c.readme, c.id).toContain(c.spec.expect.code);
        expect(c.readme, c.id).toContain(c.spec.expect.check);
      }
    }
    // Every refusal an import can give is in the corpus. The rest are not import refusals, or (a file
    // the operating system will not open) no file can produce: staging-race.test.ts covers that one.
    const notImport = [
      'BUNDLE_WRITE_FAILED',
      'BUNDLE_NOT_FOUND',
      'BUNDLE_CANCELLED',
      'BUNDLE_UNREADABLE',
      'BUNDLE_EXPORT_RECOVERED',
      // An export refusal (a packet-broad bundle whose journal would carry restricted detail):
      // tests/integration/authority/broad-leak.test.ts.
      'BUNDLE_RESTRICTED_CONTENT',
    ];
    const codes = new Set(hostile.map((c) => (c.spec.expect as { code: string }).code));
    expect(
      Object.keys(ERROR_CATALOGUE).filter(
        (k) => k.startsWith('BUNDLE_') && !notImport.includes(k) && !codes.has(k),
      ),
    ).toEqual([]);
    expect(new Set(hostile.map((c) => (c.spec.expect as { check: string }).check)).size).toBeGreaterThan(35);
  });

  it('what the station refuses is real for other tools: Python lists the uncounted entry, shows the comment, fails the CRC', async () => {
    const built = async (id: string) => {
      const c = corpus.find((x) => x.id.slice(x.id.indexOf('-') + 1) === id)!;
      const path = join(media, `${c.id}.python.zip`);
      await buildCase(c.spec, keys, path, packetOf(c.id));
      return path;
    };
    const paths = [
      await built('uncounted-record-traversal'),
      await built('entry-comment'),
      await built('crc-wrong'),
    ];
    const script = [
      'import json, sys, zipfile',
      'out = []',
      'for p in sys.argv[1:]:',
      '    z = zipfile.ZipFile(p)',
      '    out.append({"names": z.namelist(), "comments": [i.comment.decode() for i in z.infolist()], "bad": z.testzip()})',
      'print(json.dumps(out))',
    ].join('\n');
    const [uncounted, comment, crc] = JSON.parse(
      spawnSync('python3', ['-c', script, ...paths], { encoding: 'utf8' }).stdout,
    ) as { names: string[]; comments: string[]; bad: string | null }[];
    expect(uncounted!.names).toContain('../../victim/alias.txt');
    expect(comment!.comments).toContain('see https://example.invalid/more');
    expect(crc!.bad).toBe('evidence/report.txt');
  });

  it('and for Info-ZIP: a BeOS-made link mode extracts a link, version 9.9 is skipped, zipinfo shows the other time', async () => {
    const built = async (id: string) => {
      const c = corpus.find((x) => x.id.slice(x.id.indexOf('-') + 1) === id)!;
      const path = join(media, `${c.id}.infozip.zip`);
      await buildCase(c.spec, keys, path, packetOf(c.id));
      return path;
    };
    const out = join(suite.dir, 'infozip-out');
    mkdirSync(out);
    spawnSync('unzip', ['-q', await built('host-beos-symlink'), '-d', join(out, 'beos')]);
    expect(lstatSync(join(out, 'beos', 'evidence', 'note.txt')).isSymbolicLink()).toBe(true);
    const skipped = spawnSync('unzip', [await built('version-needed-9-9'), '-d', join(out, 'v99')], {
      encoding: 'utf8',
    });
    expect(skipped.status).toBe(81);
    expect(skipped.stdout + skipped.stderr).toMatch(
      /skipping: evidence\/report\.txt\s+need PK compat\. v9\.9/,
    );
    expect(statSync(join(out, 'v99', 'evidence', 'report.txt'), { throwIfNoEntry: false })).toBeUndefined();
    const times = spawnSync('zipinfo', ['-T', await built('timestamp-differs-from-dos')], {
      encoding: 'utf8',
      env: { ...process.env, TZ: 'UTC' },
    });
    // zipinfo shows the extended timestamp (2026); Python's zipfile the DOS fields (1980-01-01).
    expect(times.stdout).toMatch(/20260921\.085736 evidence\/report\.txt/);
  });
});

describe('hostile bundles from removable media are refused with their code and check ID', () => {
  it.each(hostile.map((c) => [`${c.id}: ${c.spec.title}`, c] as const))('%s', async (_name, c) => {
    const expected = c.spec.expect as { code: string; check: string };
    await importPriors(c);
    const path = join(media, `${c.id}.bundle.zip`);
    await buildCase(c.spec, keys, path, packetOf(c.id));
    const before = tree(suite.dir);
    const head = station.journal.head().seq;
    const error = await importBundle(station, path, 'operator:so', {
      limits: limitsOf(c.spec, DEFAULT_ARCHIVE_LIMITS),
    }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CodedError);
    expect({ code: (error as CodedError).code, check: (error as CodedError).data.check }).toEqual(expected);
    // Exactly one journal entry: the refusal, with the same code and check ID.
    const added = station.journal.page(head + 1, 10);
    expect(added.map((r) => r.kind)).toEqual(['bundle.import-refused']);
    expect(JSON.parse(Buffer.from(added[0]!.body).toString())).toMatchObject({
      ...expected,
      fileName: `${c.id}.bundle.zip`,
    });
    // Nothing appeared anywhere (staging is emptied; nothing escaped it); nothing reached the object store.
    expect(tree(suite.dir)).toEqual(before);
    expect(tree(suite.dir).some((p) => /escaped|evil|victim|x\.sh/.test(p))).toBe(false);
  });
});

describe('valid bundles are accepted, kept content-addressed, and read the same by other zip tools', () => {
  const accepted: { path: string; names: string[]; files: { name: string; sha256: string }[] }[] = [];

  it.each(valid.map((c) => [`${c.id}: ${c.spec.title}`, c] as const))('%s', async (_name, c) => {
    await importPriors(c);
    const path = join(media, `${c.id}.bundle.zip`);
    await buildCase(c.spec, keys, path, packetOf(c.id));
    const view = await importBundle(station, path, 'operator:so', {
      limits: limitsOf(c.spec, DEFAULT_ARCHIVE_LIMITS),
    });
    expect(view.signer).toBe(c.spec.signer ?? 'station-b');
    for (const f of view.files) {
      const stored = join(station.dataDir, 'objects', f.sha256.slice(0, 2), f.sha256);
      expect(statSync(stored).size).toBe(f.size);
      expect(sha256(readFileSync(stored))).toBe(f.sha256);
    }
    expect(station.journal.page(station.journal.head().seq, 1)[0]?.kind).toBe('bundle.imported');
    expect(readdirSync(join(station.dataDir, 'staging'))).toEqual([]);
    accepted.push({
      path,
      names: [...view.files.map((f) => f.name), 'bundle.dsse.json'],
      files: view.files.map((f) => ({ name: f.name, sha256: f.sha256 })),
    });
  });

  it('Python zipfile and Info-ZIP unzip list exactly the entries the station took, and test clean', () => {
    expect(accepted.length).toBe(valid.length);
    const script = [
      'import json, sys, zipfile',
      'out = {}',
      'for p in sys.argv[1:]:',
      '    with zipfile.ZipFile(p) as z:',
      '        out[p] = {"names": z.namelist(), "bad": z.testzip(), "entries": [',
      '            {"host": i.create_system, "made": i.create_version, "needs": i.extract_version,',
      '             "mode": i.external_attr, "internal": i.internal_attr,',
      '             "time": "%04d%02d%02d.%02d%02d%02d" % i.date_time} for i in z.infolist()]}',
      'print(json.dumps(out))',
    ].join('\n');
    const py = spawnSync('python3', ['-c', script, ...accepted.map((a) => a.path)], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(py.stderr).toBe('');
    const listed = JSON.parse(py.stdout) as Record<
      string,
      {
        names: string[];
        bad: string | null;
        entries: {
          host: number;
          made: number;
          needs: number;
          mode: number;
          internal: number;
          time: string;
        }[];
      }
    >;
    for (const a of accepted) {
      expect(listed[a.path]?.names, a.path).toEqual(a.names);
      expect(listed[a.path]?.bad, a.path).toBeNull();
      // What Python reads from each record is what the station's writer writes (BND-ENTRY-HOST, -MODE).
      for (const e of listed[a.path]!.entries)
        expect({ ...e, time: undefined, needs: e.needs === 45 ? 20 : e.needs }, a.path).toEqual({
          host: 3,
          made: 63,
          needs: 20,
          mode: 0o100644 * 2 ** 16,
          internal: 0,
          time: undefined,
        });
      // Info-ZIP reads the same type, mode and time (zipinfo prefers the extended timestamp; UTC here).
      const info = spawnSync('zipinfo', ['-T', a.path], {
        encoding: 'utf8',
        env: { ...process.env, TZ: 'UTC', LC_ALL: 'C.UTF-8' },
      });
      const rows = info.stdout
        .split('\n')
        .map((l) => /^(\S{10})\s+\S+\s+(\S+)\s+\d+\s+\S+\s+\S+\s+(\d{8}\.\d{6})\s+(.+)$/.exec(l))
        .filter((m) => m !== null)
        .map((m) => ({ perms: m[1], host: m[2], time: m[3] ?? '', name: m[4] }));
      // The two tools show the same time, but for the odd second yazl rounds down in the DOS fields.
      expect(
        rows.map((r, i) => ({ ...r, time: zipTime(r.time) - zipTime(listed[a.path]!.entries[i]!.time) })),
        a.path,
      ).toEqual(
        a.names.map((name) => ({
          perms: '-rw-r--r--',
          host: 'unx',
          time: expect.toSatisfy((d: number) => d === 0 || d === 1),
          name,
        })),
      );
      // And what unzip extracts: exactly these names, regular files of mode 0644 with the signed bytes.
      const out = join(suite.dir, 'extracted', relative(media, a.path));
      mkdirSync(join(out, '..'), { recursive: true });
      const x = spawnSync('unzip', ['-q', a.path, '-d', out], { encoding: 'utf8' });
      expect(x.status, `${a.path}: ${x.stderr}`).toBe(0);
      const extracted = readdirSync(out, { recursive: true, withFileTypes: true }).filter(
        (d) => !d.isDirectory(),
      );
      expect(extracted.map((d) => relative(out, join(d.parentPath, d.name))).sort(), a.path).toEqual(
        [...a.names].sort(),
      );
      for (const f of a.files) {
        const st = lstatSync(join(out, f.name));
        expect(st.isFile() && (st.mode & 0o7777).toString(8), `${a.path} ${f.name}`).toBe('644');
        expect(sha256(readFileSync(join(out, f.name))), `${a.path} ${f.name}`).toBe(f.sha256);
      }
      const unzip = spawnSync('unzip', ['-Z1', a.path], {
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, LC_ALL: 'C.UTF-8' },
      });
      expect(unzip.status, a.path).toBe(0);
      expect(unzip.stdout.trim().split('\n'), a.path).toEqual(a.names);
      const test = spawnSync('unzip', ['-tq', a.path], { encoding: 'utf8' });
      expect(test.stdout, a.path).toContain('No errors detected');
    }
  });
});
