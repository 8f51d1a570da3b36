import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CodedError } from '../../../src/core/errors';
import { systemDeps } from '../../../src/main/runtime';
import { importApproval } from '../../../src/main/services/bundles/approvals';
import { importBundle } from '../../../src/main/services/bundles/bundles';
import { Station } from '../../../src/main/station/station';
import { suiteTempDir } from '../../helpers/temp';

/**
 * BND-MEDIA-FILE / APR-FILE when the file on the media changes between the station's look at it (lstat)
 * and its open: a link swapped in is refused by O_NOFOLLOW with its own code, a FIFO or directory by the
 * check on the open descriptor — each journaled like every other refusal, and no staging directory is
 * left behind. The swap happens in `beforeOpen`, the seam stageCopy offers for exactly this window, so
 * the race is deterministic. Before, the open failed with a bare ELOOP: uncoded, not journaled, and
 * `staging/in-*` stayed.
 */
let suite: ReturnType<typeof suiteTempDir>;
let station: Station;
let media: string;

beforeAll(() => {
  suite = suiteTempDir();
  media = join(suite.dir, 'media');
  mkdirSync(media);
  station = Station.init(
    join(suite.dir, 'st'),
    { name: 'Vault', mode: 'offline', demo: false, actor: 'operator:so' },
    systemDeps,
  );
  writeFileSync(join(suite.dir, 'elsewhere.zip'), 'not on the media');
});
afterAll(() => {
  station?.close();
  suite?.remove();
});

const staging = () => {
  const dir = join(station.dataDir, 'staging');
  return existsSync(dir) ? readdirSync(dir) : [];
};

/** A plain file on the media that becomes something else right before the station opens it. */
function swapped(name: string, become: (path: string) => void): { path: string; beforeOpen: () => void } {
  const path = join(media, name);
  writeFileSync(path, 'PK\x03\x04 looks like a bundle');
  return {
    path,
    beforeOpen: () => {
      renameSync(path, `${path}.original`);
      become(path);
    },
  };
}
const toLink = (path: string) => symlinkSync(join(suite.dir, 'elsewhere.zip'), path);
const toFifo = (path: string) => void spawnSync('mkfifo', [path]);
const toDirectory = (path: string) => mkdirSync(path);

async function refused<T>(work: Promise<T>) {
  const head = station.journal.head().seq;
  const error = await work.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CodedError);
  const added = station.journal.page(head + 1, 10);
  return {
    code: (error as CodedError).code,
    check: (error as CodedError).data.check,
    journaled: added.map((r) => ({
      kind: r.kind,
      ...(JSON.parse(Buffer.from(r.body).toString()) as object),
    })),
  };
}

describe('BND-MEDIA-FILE: a bundle swapped between check and open', () => {
  it.each([
    ['a symbolic link', toLink, 'BUNDLE_SYMLINK'],
    ['a FIFO', toFifo, 'BUNDLE_SPECIAL_FILE'],
    ['a directory', toDirectory, 'BUNDLE_SPECIAL_FILE'],
  ] as const)('for %s → %s, journaled, no staging left', async (what, become, code) => {
    const s = swapped(`race-${code}-${what.length}.bundle.zip`, become);
    const r = await refused(importBundle(station, s.path, 'operator:so', { beforeOpen: s.beforeOpen }));
    expect([r.code, r.check]).toEqual([code, 'BND-MEDIA-FILE']);
    expect(r.journaled).toMatchObject([{ kind: 'bundle.import-refused', code, check: 'BND-MEDIA-FILE' }]);
    expect(staging()).toEqual([]);
  });

  it('a file gone before the open is a usage slip: BUNDLE_NOT_FOUND, nothing journaled, no staging', async () => {
    const path = join(media, 'vanishing.bundle.zip');
    writeFileSync(path, 'x');
    const r = await refused(importBundle(station, path, 'operator:so', { beforeOpen: () => rmSync(path) }));
    expect(r.code).toBe('BUNDLE_NOT_FOUND');
    expect(r.journaled).toEqual([]);
    expect(staging()).toEqual([]);
  });

  it('a file the system will not open is BUNDLE_UNREADABLE, coded and journaled', async () => {
    // A name longer than the file system allows (ENAMETOOLONG): a refusal no bundle content can cause.
    const r = await refused(
      importBundle(station, join(media, `${'x'.repeat(300)}.bundle.zip`), 'operator:so'),
    );
    expect([r.code, r.check]).toEqual(['BUNDLE_UNREADABLE', 'BND-MEDIA-FILE']);
    expect(r.journaled).toMatchObject([{ kind: 'bundle.import-refused', code: 'BUNDLE_UNREADABLE' }]);
    expect(staging()).toEqual([]);
  });
});

describe('APR-FILE: an approval swapped between check and open', () => {
  it('a link swapped in → APPROVAL_NOT_REGULAR_FILE, journaled as approval.refused, no staging left', async () => {
    const s = swapped('race-v1-bob-1.approval.json', toLink);
    const r = await refused(importApproval(station, s.path, 'operator:so', { beforeOpen: s.beforeOpen }));
    expect([r.code, r.check]).toEqual(['APPROVAL_NOT_REGULAR_FILE', 'APR-FILE']);
    expect(r.journaled).toMatchObject([
      {
        kind: 'approval.refused',
        code: 'APPROVAL_NOT_REGULAR_FILE',
        check: 'APR-FILE',
        envelopeSha256: null,
      },
    ]);
    expect(staging()).toEqual([]);
  });

  it('an approval the system will not open → APPROVAL_UNREADABLE, journaled', async () => {
    const r = await refused(
      importApproval(station, join(media, `${'y'.repeat(300)}.approval.json`), 'operator:so'),
    );
    expect([r.code, r.check]).toEqual(['APPROVAL_UNREADABLE', 'APR-FILE']);
    expect(r.journaled).toMatchObject([{ kind: 'approval.refused', code: 'APPROVAL_UNREADABLE' }]);
  });
});
