import {
  closeSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { beginExclusive, fsOps, writeExclusive } from './durable';

/**
 * The one durable exclusive write: never over anything, exactly the mode asked, the directory fsynced
 * after the name appears, and nothing under either name after a failure. Real files in real temporary
 * directories; fsOps is swapped only to play FAT/exFAT (no hard links, one mode per mount), which CI
 * cannot mount, and watched to see which descriptor each fsync was given.
 */
function dir(): string {
  const d = mkdtempSync(join(tmpdir(), 'durable-'));
  onTestFinished(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

const codeOf = (f: () => unknown): unknown => {
  try {
    f();
    return null;
  } catch (e) {
    return (e as { code?: string }).code ?? e;
  }
};

function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code} (played)`), { code });
}

function withUmask<T>(mask: number, f: () => T): T {
  const old = process.umask(mask);
  try {
    return f();
  } finally {
    process.umask(old);
  }
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('writeExclusive never writes over anything', () => {
  it('an existing file is untouched: OUTPUT_EXISTS naming the path and field, no temporary file left', () => {
    const d = dir();
    const path = join(d, 'out.txt');
    writeFileSync(path, 'theirs');
    let thrown: unknown;
    try {
      writeExclusive(path, 'ours', { mode: 0o644, field: 'out' });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toMatchObject({ code: 'OUTPUT_EXISTS', data: { field: 'out', path } });
    expect(readFileSync(path, 'utf8')).toBe('theirs');
    expect(readdirSync(d)).toEqual(['out.txt']);
  });

  it('a link at the name (dangling or not) is never followed: OUTPUT_EXISTS, its target untouched', () => {
    const d = dir();
    writeFileSync(join(d, 'target'), 'x');
    symlinkSync(join(d, 'target'), join(d, 'link'));
    symlinkSync(join(d, 'nowhere'), join(d, 'dangling'));
    expect(codeOf(() => writeExclusive(join(d, 'link'), 'ours', { mode: 0o600 }))).toBe('OUTPUT_EXISTS');
    expect(codeOf(() => writeExclusive(join(d, 'dangling'), 'ours', { mode: 0o600 }))).toBe('OUTPUT_EXISTS');
    expect(readFileSync(join(d, 'target'), 'utf8')).toBe('x');
    expect(existsSync(join(d, 'nowhere'))).toBe(false);
    expect(readdirSync(d).sort()).toEqual(['dangling', 'link', 'target']);
  });

  it('a file or link that takes the name while the file is written wins: OUTPUT_EXISTS at publish, nothing of ours left', () => {
    const d = dir();
    for (const [name, take] of [
      ['late-file', (p: string) => writeFileSync(p, 'theirs')],
      ['late-link', (p: string) => symlinkSync(join(d, 'victim'), p)],
    ] as const) {
      writeFileSync(join(d, 'victim'), 'victim');
      const path = join(d, name);
      const file = beginExclusive(path, { mode: 0o600 });
      file.write('ours');
      take(path);
      expect(codeOf(() => file.publish())).toBe('OUTPUT_EXISTS');
      expect(existsSync(file.temp)).toBe(false);
      expect(readFileSync(join(d, 'victim'), 'utf8')).toBe('victim');
    }
    expect(readFileSync(join(d, 'late-file'), 'utf8')).toBe('theirs');
    expect(readdirSync(d).sort()).toEqual(['late-file', 'late-link', 'victim']);
  });

  it('a link planted at the temporary name is neither followed nor removed', () => {
    const d = dir();
    writeFileSync(join(d, 'victim'), 'victim');
    symlinkSync(join(d, 'victim'), join(d, '.planted'));
    const thrown = codeOf(() =>
      writeExclusive(join(d, 'out'), 'ours', { mode: 0o600, tempName: () => '.planted' }),
    );
    expect(thrown).toBe('EEXIST');
    expect(readFileSync(join(d, 'victim'), 'utf8')).toBe('victim');
    expect(lstatSync(join(d, '.planted')).isSymbolicLink()).toBe(true);
    expect(readdirSync(d).sort()).toEqual(['.planted', 'victim']);
  });
});

describe('writeExclusive sets exactly the mode asked, whatever the umask', () => {
  it.each([
    [0o600, 0o000],
    [0o600, 0o022],
    [0o644, 0o077],
    [0o644, 0o000],
  ])('mode %o under umask %o', (mode, umask) => {
    const d = dir();
    const path = join(d, 'f');
    // The temporary file has its final mode from the start: no byte ever sits under a wider one.
    const file = withUmask(umask, () => beginExclusive(path, { mode }));
    expect(lstatSync(file.temp).mode & 0o777).toBe(mode);
    file.write('secret');
    file.publish();
    expect(lstatSync(path).mode & 0o777).toBe(mode);
  });
});

describe('nothing is left after a failure, nothing but the file after success', () => {
  it('success: the file under its name with every byte, no temporary file', () => {
    const d = dir();
    writeExclusive(join(d, 'a.bin'), new Uint8Array([0, 1, 2, 255]), { mode: 0o644 });
    writeExclusive(join(d, 'b.txt'), 'héllo\n', { mode: 0o600 });
    expect(readdirSync(d).sort()).toEqual(['a.bin', 'b.txt']);
    expect([...readFileSync(join(d, 'a.bin'))]).toEqual([0, 1, 2, 255]);
    expect(readFileSync(join(d, 'b.txt'), 'utf8')).toBe('héllo\n');
  });

  it('a stream that throws part-way (after more than one batch was written) leaves neither name', () => {
    const d = dir();
    function* failing(): Generator<string> {
      for (let i = 0; i < 3000; i++) yield `${'x'.repeat(999)}\n`;
      throw new Error('the source failed');
    }
    expect(() => writeExclusive(join(d, 'out.jsonl'), failing(), { mode: 0o600 })).toThrow(
      'the source failed',
    );
    expect(readdirSync(d)).toEqual([]);
  });

  it('the directory removed while the file is written: the write fails and leaves nothing behind', () => {
    const parent = dir();
    const d = join(parent, 'media');
    mkdirSync(d);
    const file = beginExclusive(join(d, 'out'), { mode: 0o644 });
    file.write('half');
    rmSync(d, { recursive: true });
    expect(codeOf(() => file.publish())).toBe('ENOENT');
    expect(readdirSync(parent)).toEqual([]);
  });

  it('a failed directory fsync removes the name it gave: the caller hears "failed" and no file says otherwise', () => {
    const d = dir();
    const real = fsOps.fsyncSync;
    let calls = 0;
    vi.spyOn(fsOps, 'fsyncSync').mockImplementation((fd) => {
      if (++calls === 2) throw errno('EIO');
      real(fd);
    });
    expect(codeOf(() => writeExclusive(join(d, 'out'), 'data', { mode: 0o644 }))).toBe('EIO');
    expect(calls).toBe(2);
    expect(readdirSync(d)).toEqual([]);
  });
});

describe('durability: the data, then the name', () => {
  it('fsyncs the file before its name exists, then the directory once it does', () => {
    const d = dir();
    const path = join(d, 'out');
    const real = fsOps.fsyncSync;
    const seen: { what: string; named: boolean }[] = [];
    vi.spyOn(fsOps, 'fsyncSync').mockImplementation((fd) => {
      seen.push({ what: readlinkSync(`/proc/self/fd/${fd}`), named: existsSync(path) });
      real(fd);
    });
    writeExclusive(path, 'data', { mode: 0o644 });
    expect(seen).toHaveLength(2);
    expect(seen[0]).toEqual({ what: expect.stringMatching(/\/\.out\.[0-9a-f]{12}\.partial$/), named: false });
    expect(seen[1]).toEqual({ what: d, named: true });
  });
});

describe('streaming forms', () => {
  it('a generator of small chunks (several batches) is written whole and in order', () => {
    const d = dir();
    const line = (i: number) => `${JSON.stringify({ seq: i, pad: 'p'.repeat(100) })}\n`;
    function* lines(): Generator<string | Uint8Array> {
      for (let i = 1; i <= 30_000; i++) yield i % 2 ? line(i) : Buffer.from(line(i));
    }
    writeExclusive(join(d, 'export.jsonl'), lines(), { mode: 0o600 });
    const text = readFileSync(join(d, 'export.jsonl'), 'utf8');
    expect(text.length).toBeGreaterThan(3 * 1024 * 1024);
    expect(text).toBe(Array.from({ length: 30_000 }, (_, i) => line(i + 1)).join(''));
  });

  it('async appends and flush (the zip writer), then publish; discard after publish changes nothing', async () => {
    const d = dir();
    const path = join(d, 'out.bundle.zip');
    const file = beginExclusive(path, {
      mode: 0o644,
      tempName: (name, nonce) => `.${name}.own.${nonce}.partial`,
    });
    expect(file.temp).toMatch(/\/\.out\.bundle\.zip\.own\.[0-9a-f]{12}\.partial$/);
    const chunks = Array.from({ length: 20 }, (_, i) => Buffer.alloc(100_000, i));
    for (const c of chunks) await file.append(c);
    await file.flush();
    file.publish();
    file.discard();
    expect(readFileSync(path).equals(Buffer.concat(chunks))).toBe(true);
    expect(readdirSync(d)).toEqual(['out.bundle.zip']);
  });

  it('a discard while an append is in flight (a cancelled export) never lets that write land in another file', async () => {
    const d = dir();
    const file = beginExclusive(join(d, 'out'), { mode: 0o644 });
    const pending = file.append(Buffer.alloc(16 * 1024 * 1024, 1));
    file.discard();
    // Had the descriptor been closed at once, this open would get its number and the write could land here.
    const other = openSync(join(d, 'other'), 'w');
    try {
      await pending.catch(() => undefined);
    } finally {
      closeSync(other);
    }
    expect(readdirSync(d)).toEqual(['other']);
    expect(lstatSync(join(d, 'other')).size).toBe(0);
  });

  it('discard before publish removes the temporary file and leaves the name free', async () => {
    const d = dir();
    const file = beginExclusive(join(d, 'out'), { mode: 0o644 });
    await file.append(Buffer.from('half'));
    file.discard();
    expect(readdirSync(d)).toEqual([]);
    expect(() => file.write('more')).toThrow(/no longer open/);
  });
});

describe('FAT/exFAT media (played: no hard links, one mode per mount)', () => {
  it('without hard links the file is renamed into a free name', () => {
    const d = dir();
    vi.spyOn(fsOps, 'linkSync').mockImplementation(() => {
      throw errno('EPERM');
    });
    writeExclusive(join(d, 'share.txt'), 'share', { mode: 0o600 });
    expect(readdirSync(d)).toEqual(['share.txt']);
    expect(readFileSync(join(d, 'share.txt'), 'utf8')).toBe('share');
  });

  it('without hard links a name taken meanwhile is still never replaced: OUTPUT_EXISTS, temp removed', () => {
    const d = dir();
    vi.spyOn(fsOps, 'linkSync').mockImplementation(() => {
      throw errno('EOPNOTSUPP');
    });
    const file = beginExclusive(join(d, 'out'), { mode: 0o644 });
    file.write('ours');
    writeFileSync(join(d, 'out'), 'theirs');
    expect(codeOf(() => file.publish())).toBe('OUTPUT_EXISTS');
    expect(readFileSync(join(d, 'out'), 'utf8')).toBe('theirs');
    expect(readdirSync(d)).toEqual(['out']);
  });

  it('a name made in the window of the no-link fallback is never replaced: the name is reserved before the rename', () => {
    const d = dir();
    const out = join(d, 'share.txt');
    vi.spyOn(fsOps, 'linkSync').mockImplementation(() => {
      throw errno('EPERM');
    });
    // Another writer tries to create the name (exclusively) just before our rename lands.
    let theirs: unknown = 'created';
    const rename = fsOps.renameSync;
    vi.spyOn(fsOps, 'renameSync').mockImplementation((from, to) => {
      theirs = codeOf(() => writeFileSync(out, 'theirs', { flag: 'wx' })) ?? 'created';
      rename(from, to);
    });
    writeExclusive(out, 'ours', { mode: 0o600 });
    // Theirs found the name taken (our placeholder) instead of being silently replaced by our rename.
    expect(theirs).toBe('EEXIST');
    expect(readFileSync(out, 'utf8')).toBe('ours');
    expect(readdirSync(d)).toEqual(['share.txt']);
  });

  it('a mount that ignores the mode (quiet: fchmod answers 0, the file stays 0755) is refused: OUTPUT_NOT_PRIVATE, nothing left', () => {
    const d = dir();
    vi.spyOn(fsOps, 'fchmodSync').mockImplementation(() => {});
    const fstat = fsOps.fstatSync;
    vi.spyOn(fsOps, 'fstatSync').mockImplementation(((fd: number) => {
      const st = fstat(fd);
      st.mode = (st.mode & ~0o777) | 0o755;
      return st;
    }) as typeof fsOps.fstatSync);
    const e = (() => {
      try {
        writeExclusive(join(d, 'reviewer.key'), 'secret', { mode: 0o600, field: 'out' });
      } catch (x) {
        return x as { code?: string; message: string; field?: string };
      }
      return null;
    })();
    expect(e?.code).toBe('OUTPUT_NOT_PRIVATE');
    expect(e?.message).toContain('mode 0755 on this volume, not 0600');
    expect(readdirSync(d)).toEqual([]);
    // A public file there is fine: the mount's execute bits reveal nothing the mode did not give.
    writeExclusive(join(d, 'export.json'), '{}', { mode: 0o644 });
    expect(readdirSync(d)).toEqual(['export.json']);
  });

  it('a mode the mount cannot hold (fchmod EPERM) is left to the mount; any other fchmod error fails cleanly', () => {
    const d = dir();
    const chmod = vi.spyOn(fsOps, 'fchmodSync').mockImplementation(() => {
      throw errno('EPERM');
    });
    writeExclusive(join(d, 'sheet.pdf'), '%PDF-', { mode: 0o600 });
    expect(readFileSync(join(d, 'sheet.pdf'), 'utf8')).toBe('%PDF-');
    chmod.mockImplementation(() => {
      throw errno('EIO');
    });
    expect(codeOf(() => writeExclusive(join(d, 'other.pdf'), '%PDF-', { mode: 0o600 }))).toBe('EIO');
    expect(readdirSync(d)).toEqual(['sheet.pdf']);
  });
});
