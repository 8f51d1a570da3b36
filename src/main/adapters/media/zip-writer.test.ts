import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { STATION_ENTRY_MODE } from '../../../core/bundle/archive-policy';
import { javascriptCrc32Unsigned, nativeCrc32Unsigned, yazlUsesNativeCrc32 } from './native-crc32';
import { CheckedArchive } from './zip-reader';
import { ENVELOPE_NAME, UtcZipTime, writeArchive, type BundleSource } from './zip-writer';

/**
 * The writer is yazl with zlib's CRC-32 in place of buffer-crc32's JavaScript (native-crc32.ts), large
 * reads and the hashes on the way. It must write exactly the bytes plain yazl 3 writes for the same files
 * with its own CRC — the layout the reader's STATION_WRITER rules and every other zip tool were checked
 * against. Plain yazl is the reference here: same sources, same time, same envelope.
 */
const yazlsCrc32 = createRequire(createRequire(import.meta.url).resolve('yazl'))('buffer-crc32') as {
  unsigned: typeof javascriptCrc32Unsigned;
};
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function temp(): string {
  const d = mkdtempSync(join(tmpdir(), 'zip-writer-'));
  dirs.push(d);
  return d;
}

const ENVELOPE = Buffer.from('{"payload":"signed elsewhere","signatures":[]}'.repeat(20));
const MTIME = new Date('2026-12-08T01:02:03.400Z');

/** The same archive through yazl: streamed entries (data descriptor), the envelope as a buffer. */
async function yazlBytes(files: readonly BundleSource[], compressed: ReadonlySet<string>): Promise<Buffer> {
  // buffer-crc32's own JavaScript for this archive only (yazl looks the function up at each call).
  yazlsCrc32.unsigned = javascriptCrc32Unsigned;
  try {
    return await plainYazlBytes(files, compressed);
  } finally {
    yazlsCrc32.unsigned = nativeCrc32Unsigned;
  }
}

async function plainYazlBytes(
  files: readonly BundleSource[],
  compressed: ReadonlySet<string>,
): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const f of files)
    zip.addReadStream(
      'path' in f.source ? createReadStream(f.source.path) : Readable.from([Buffer.from(f.source.bytes)]),
      f.name,
      {
        compress: compressed.has(f.name),
        mtime: new UtcZipTime(MTIME),
        mode: STATION_ENTRY_MODE,
        size: f.size,
      },
    );
  zip.addBuffer(ENVELOPE, ENVELOPE_NAME, {
    compress: true,
    mtime: new UtcZipTime(MTIME),
    mode: STATION_ENTRY_MODE,
  });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

const fileSource = (dir: string, name: string, bytes: Buffer): BundleSource => {
  const path = join(dir, name.replaceAll('/', '_'));
  writeFileSync(path, bytes);
  return { name, source: { path }, size: bytes.length };
};

describe('writeArchive writes the archive byte for byte as plain yazl does', () => {
  it('computes CRC-32 natively: the writer replaced buffer-crc32 in yazl', () => {
    expect(yazlUsesNativeCrc32()).toBe(true);
    expect(yazlsCrc32.unsigned).toBe(nativeCrc32Unsigned);
  });

  it('stored, deflated, empty, in-memory and signature-holding files; the reader takes it and the digests hold', async () => {
    const src = temp();
    const out = temp();
    const big = randomBytes(9 * 1024 * 1024 + 13); // more than two read chunks, not a multiple of either
    const text = Buffer.from(
      Array.from({ length: 120_000 }, (_, i) => `{"seq":${i},"event":"key.generated"}\n`).join(''),
    );
    // Incompressible bytes holding PK\x07\x08 across no particular boundary: must be deflated, not stored.
    const hostile = Buffer.concat([
      randomBytes(5 * 1024 * 1024),
      Buffer.from([0x50, 0x4b, 0x07, 0x08]),
      randomBytes(99),
    ]);
    const files: BundleSource[] = [
      fileSource(src, 'evidence/hsm-audit-ünïcode.bin', big),
      fileSource(src, 'journal/segment.jsonl', text),
      fileSource(src, 'evidence/empty.bin', Buffer.alloc(0)),
      { name: 'packet/packet.json', source: { bytes: Buffer.from('{"a":1}\n') }, size: 8 },
      fileSource(src, 'evidence/holds-signature.bin', hostile),
    ];
    const written = await writeArchive({
      dir: out,
      fileName: 'b.bundle.zip',
      files,
      mtime: MTIME,
      sign: async () => ENVELOPE,
    });
    const mine = readFileSync(written.path);
    const reference = await yazlBytes(
      files,
      new Set(['journal/segment.jsonl', 'packet/packet.json', 'evidence/holds-signature.bin']),
    );
    expect(mine.length).toBe(reference.length);
    expect(mine.equals(reference)).toBe(true);
    expect(written.size).toBe(mine.length);
    expect(written.sha256).toBe(createHash('sha256').update(mine).digest('hex'));
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    expect(written.files).toEqual([
      { name: 'evidence/hsm-audit-ünïcode.bin', sha256: sha(big), size: big.length },
      { name: 'journal/segment.jsonl', sha256: sha(text), size: text.length },
      { name: 'evidence/empty.bin', sha256: sha(Buffer.alloc(0)), size: 0 },
      { name: 'packet/packet.json', sha256: sha(Buffer.from('{"a":1}\n')), size: 8 },
      { name: 'evidence/holds-signature.bin', sha256: sha(hostile), size: hostile.length },
    ]);
    // And the station's reader, direct reads for stored entries, yauzl for deflated ones, agrees.
    const archive = await CheckedArchive.open(written.path);
    try {
      for (const f of written.files) expect(await archive.digest(archive.find(f.name)!)).toBe(f.sha256);
      expect(archive.find('evidence/hsm-audit-ünïcode.bin')!.stored).toBe(true);
      expect(archive.find('evidence/holds-signature.bin')!.stored).toBe(false);
    } finally {
      archive.close();
    }
  });
});

describe('writeArchive fails whole, leaving nothing, when a source is not what it was declared', () => {
  const attempt = async (source: BundleSource, signal?: AbortSignal) => {
    const out = temp();
    const result = await writeArchive({
      dir: out,
      fileName: 'b.bundle.zip',
      files: [source],
      mtime: MTIME,
      sign: async () => ENVELOPE,
      ...(signal ? { signal } : {}),
    }).then(
      () => null,
      (e: { code?: string; message: string }) => e,
    );
    return { result, left: readdirSync(out) };
  };

  it('a file shorter than declared (cut during the export)', async () => {
    const src = temp();
    const f = fileSource(src, 'evidence/a.bin', randomBytes(5 * 1024 * 1024));
    const { result, left } = await attempt({ ...f, size: f.size + 1 });
    expect(result?.code).toBe('BUNDLE_WRITE_FAILED');
    expect(result?.message).toMatch(/ended after 5242880 bytes/);
    expect(left).toEqual([]);
  });

  it('a file longer than declared (grown during the export)', async () => {
    const src = temp();
    const f = fileSource(src, 'evidence/a.bin', randomBytes(1024));
    const { result, left } = await attempt({ ...f, size: f.size - 1 });
    expect(result?.code).toBe('BUNDLE_WRITE_FAILED');
    expect(result?.message).toMatch(/grew/);
    expect(left).toEqual([]);
  });

  it('a cancel while a large file is being packed', async () => {
    const src = temp();
    const f = fileSource(src, 'evidence/a.bin', randomBytes(12 * 1024 * 1024));
    const controller = new AbortController();
    const out = temp();
    let seen = 0;
    const result = await writeArchive({
      dir: out,
      fileName: 'b.bundle.zip',
      files: [f],
      mtime: MTIME,
      sign: async () => ENVELOPE,
      signal: controller.signal,
      onBytes: (n) => {
        seen += n;
        if (seen >= 4 * 1024 * 1024) controller.abort();
      },
    }).then(
      () => null,
      (e: { code?: string }) => e,
    );
    expect(result?.code).toBe('BUNDLE_CANCELLED');
    expect(seen).toBeLessThan(12 * 1024 * 1024);
    expect(readdirSync(out)).toEqual([]);
  });
});
