import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  mkdtempSync,
  openSync,
  readSync,
  rmSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CheckedArchive } from './zip-reader';
import { writeArchive } from './zip-writer';

/**
 * Stored entries are read straight from the checked descriptor in large reads into reused buffers. What
 * the archive says still rules: bytes that change or vanish after the structural checks are refused, a
 * whole read keeps its own copy of every chunk, and closing waits for a read in flight.
 */
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const BIG = 9 * 1024 * 1024 + 7; // more than two read chunks
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function archiveWith(content: Buffer): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'zip-reader-'));
  dirs.push(dir);
  const src = join(dir, 'evidence.bin');
  writeFileSync(src, content);
  const w = await writeArchive({
    dir,
    fileName: 'b.bundle.zip',
    files: [{ name: 'evidence/a.bin', source: { path: src }, size: content.length }],
    mtime: new Date('2026-12-08T00:00:00Z'),
    sign: async () => new TextEncoder().encode('{}'),
  });
  return w.path;
}

describe('stored entries through direct reads', () => {
  it('digest and whole read give the stored bytes exactly (every chunk kept, none overwritten)', async () => {
    const content = randomBytes(BIG);
    const archive = await CheckedArchive.open(await archiveWith(content));
    try {
      const e = archive.find('evidence/a.bin')!;
      expect(e.stored).toBe(true);
      expect(await archive.digest(e)).toBe(sha(content));
      expect((await archive.read(e, BIG)).equals(content)).toBe(true);
    } finally {
      archive.close();
    }
  });

  it('a byte changed after the checks fails the CRC-32 (BND-ENTRY-CRC)', async () => {
    const path = await archiveWith(randomBytes(BIG));
    const archive = await CheckedArchive.open(path);
    try {
      const e = archive.find('evidence/a.bin')!;
      const fd = openSync(path, 'r+');
      const at = e.dataOffset + 6 * 1024 * 1024;
      const byte = Buffer.alloc(1);
      readSync(fd, byte, 0, 1, at);
      byte[0] = (byte[0] as number) ^ 0x01;
      writeSync(fd, byte, 0, 1, at);
      closeSync(fd);
      await expect(archive.digest(e)).rejects.toMatchObject({ code: 'BUNDLE_CRC_MISMATCH' });
    } finally {
      archive.close();
    }
  });

  it('an archive cut short after the checks is refused, never digested short (BND-ENTRY-SIZE)', async () => {
    const path = await archiveWith(randomBytes(BIG));
    const archive = await CheckedArchive.open(path);
    try {
      const e = archive.find('evidence/a.bin')!;
      truncateSync(path, e.dataOffset + 5 * 1024 * 1024);
      await expect(archive.digest(e)).rejects.toMatchObject({
        code: 'BUNDLE_SIZE_MISMATCH',
        message: expect.stringMatching(/ends \d+ bytes into evidence\/a\.bin/),
      });
    } finally {
      archive.close();
    }
  });

  it('close() while a read is in flight lets it finish; reads after close are refused', async () => {
    const content = randomBytes(BIG);
    const archive = await CheckedArchive.open(await archiveWith(content));
    const e = archive.find('evidence/a.bin')!;
    const inFlight = archive.digest(e);
    archive.close();
    expect(await inFlight).toBe(sha(content));
    await expect(archive.digest(e)).rejects.toMatchObject({ code: 'BUNDLE_SIZE_MISMATCH' });
  });
});
