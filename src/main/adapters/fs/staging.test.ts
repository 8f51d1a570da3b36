import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { fsOps } from '../../platform/durable';
import { keepObject, objectPath } from './staging';

/**
 * Review of issue #11, item 8: the journal cites kept objects by digest, so keeping one must be durable —
 * the bytes fsynced before the name appears, the directories fsynced after. fsOps is watched to see which
 * descriptor each fsync was given (a real file system, real files).
 */
function dataDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'objects-'));
  onTestFinished(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('keepObject is durable', () => {
  it('fsyncs the bytes before the name exists, then the object folder and the new fan-out folder', () => {
    const dir = dataDir();
    const sha = 'ab'.repeat(32);
    const from = join(dir, 'attestation');
    writeFileSync(from, 'typed attestation');
    const target = objectPath({ dataDir: dir }, sha);
    const real = fsOps.fsyncSync;
    const seen: { what: string; named: boolean }[] = [];
    vi.spyOn(fsOps, 'fsyncSync').mockImplementation((fd) => {
      seen.push({ what: readlinkSync(`/proc/self/fd/${fd}`), named: existsSync(target) });
      real(fd);
    });
    expect(keepObject({ dataDir: dir }, sha, from)).toBe(target);
    expect(readFileSync(target, 'utf8')).toBe('typed attestation');
    expect(seen).toEqual([
      { what: from, named: false },
      { what: join(dir, 'objects', 'ab'), named: true },
      { what: join(dir, 'objects'), named: true },
    ]);
    // Kept once per digest: a second copy is left where it is and nothing is synced.
    seen.length = 0;
    writeFileSync(from, 'typed attestation');
    keepObject({ dataDir: dir }, sha, from);
    expect(seen).toEqual([]);
    expect(existsSync(from)).toBe(true);
  });
});
