import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import yauzl from 'yauzl';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CheckedArchive } from '../../../src/main/adapters/media/zip-reader';
import { writeArchive } from '../../../src/main/adapters/media/zip-writer';
import { suiteTempDir } from '../../helpers/temp';

/**
 * The reader opens a bundle once (O_NOFOLLOW) and every check and every read goes through that one
 * descriptor: yauzl reads the same descriptor (fromFd), never the path again, so nothing can be
 * swapped in between the station's layout checks and the content it reads (issue #11).
 */
let suite: ReturnType<typeof suiteTempDir>;
beforeAll(() => {
  suite = suiteTempDir();
});
afterAll(() => suite?.remove());

describe('one descriptor per archive', () => {
  it('yauzl reads the descriptor the checks read (fromFd), never the path', async () => {
    const dir = join(suite.dir, 'w');
    mkdirSync(dir);
    const written = await writeArchive({
      dir,
      fileName: 'one.bundle.zip',
      files: [{ name: 'evidence/a.txt', source: { bytes: Buffer.from('evidence\n') }, size: 9 }],
      mtime: new Date('2026-12-01T10:00:00.000Z'),
      sign: async () => new TextEncoder().encode('{"signed":"elsewhere"}'),
    });
    const byPath = vi.spyOn(yauzl, 'open');
    const byFd = vi.spyOn(yauzl, 'fromFd');
    try {
      const archive = await CheckedArchive.open(written.path);
      try {
        expect(byPath).not.toHaveBeenCalled();
        expect(byFd).toHaveBeenCalledTimes(1);
        const entry = archive.find('evidence/a.txt');
        expect(entry && (await archive.digest(entry))).toMatch(/^[0-9a-f]{64}$/);
      } finally {
        archive.close();
        archive.close();
      }
    } finally {
      byPath.mockRestore();
      byFd.mockRestore();
    }
  });
});
