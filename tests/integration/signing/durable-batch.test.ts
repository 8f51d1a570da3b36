import {
  existsSync,
  lstatSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { fsOps, syncFolder, syncStats, writeNewFiles } from '../../../src/main/platform/durable';

/**
 * The batch write gated signing uses for its `.sig` files (docs/gated-signing.md, SIGN-VERIFY): each
 * file created under its final name, never over anything, exactly the mode asked, then the batch made
 * durable together. Real files in real temporary directories.
 */
function dir(): string {
  const d = mkdtempSync(join(tmpdir(), 'durable-batch-'));
  onTestFinished(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

describe('writeNewFiles + syncFolder: a batch of small files, made durable together', () => {
  it('creates each file whole under its name, never over anything (a file or a dangling link): those answer "exists" and are untouched', async () => {
    const d = dir();
    writeFileSync(join(d, 'taken.sig'), 'theirs');
    symlinkSync(join(d, 'nowhere'), join(d, 'link.sig'));
    const files = [
      { name: 'a.sig', bytes: Buffer.from('signature a') },
      { name: 'taken.sig', bytes: Buffer.from('ours') },
      { name: 'link.sig', bytes: Buffer.from('ours') },
      { name: 'b.sig', bytes: Buffer.alloc(0) },
    ];
    const results = await writeNewFiles(d, files, { mode: 0o644 });
    expect(results).toEqual(['written', 'exists', 'exists', 'written']);
    expect(readFileSync(join(d, 'a.sig'), 'utf8')).toBe('signature a');
    expect(readFileSync(join(d, 'b.sig'))).toHaveLength(0);
    expect(readFileSync(join(d, 'taken.sig'), 'utf8')).toBe('theirs');
    expect(readlinkSync(join(d, 'link.sig'))).toBe(join(d, 'nowhere'));
    expect(existsSync(join(d, 'nowhere'))).toBe(false);
    expect(lstatSync(join(d, 'a.sig')).mode & 0o777).toBe(0o644);
  });

  it('sets exactly the mode asked on every file of the batch, whatever the umask', async () => {
    const d = dir();
    const old = process.umask(0o077);
    try {
      const files = Array.from({ length: 40 }, (_, i) => ({ name: `f${i}.sig`, bytes: Buffer.from(`${i}`) }));
      await writeNewFiles(d, files, { mode: 0o644 });
      for (const f of files) expect(lstatSync(join(d, f.name)).mode & 0o777).toBe(0o644);
    } finally {
      process.umask(old);
    }
  });

  it('syncFolder makes the batch durable in one syncfs where coreutils has it; else an fsync per file, then the folder', async () => {
    const d = dir();
    const files = Array.from({ length: 5 }, (_, i) => ({ name: `f${i}.sig`, bytes: Buffer.from(`${i}`) }));
    await writeNewFiles(d, files, { mode: 0o644 });
    const fsyncs = vi.spyOn(fsOps, 'fsyncSync');
    onTestFinished(() => fsyncs.mockRestore());
    const before = { ...syncStats };
    await syncFolder(
      d,
      files.map((f) => f.name),
    );
    const viaSyncfs =
      ['/usr/bin/sync', '/bin/sync'].some((b) => existsSync(b)) && process.platform === 'linux';
    if (viaSyncfs) {
      expect(syncStats.syncfs).toBe(before.syncfs + 1);
      expect(fsyncs).not.toHaveBeenCalled();
    } else {
      expect(syncStats.fsyncEach).toBe(before.fsyncEach + 1);
      expect(fsyncs).toHaveBeenCalledTimes(files.length + 1);
    }
  });

  it('a folder that is gone: the batch fails, nothing is created', async () => {
    const d = dir();
    await expect(
      writeNewFiles(join(d, 'missing'), [{ name: 'a.sig', bytes: Buffer.from('x') }], { mode: 0o644 }),
    ).rejects.toMatchObject({ code: 'ENOENT' });
    expect(readdirSync(d)).toEqual([]);
  });
});
