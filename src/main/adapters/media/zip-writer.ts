import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { open as openFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32, createDeflateRaw, deflateRawSync } from 'node:zlib';
import { descriptorSignatureScanner, STATION_ENTRY_MODE } from '../../../core/bundle/archive-policy';
import { CodedError } from '../../../core/errors';
import { stationError } from '../../errors';
import { beginExclusive } from '../../platform/durable';
import { holdPartial, partialName } from './partials';
import { readRange } from './stored-read';

/** The one entry every bundle has besides its subjects: the DSSE envelope over the statement. */
export const ENVELOPE_NAME = 'bundle.dsse.json';

export interface BundleSource {
  readonly name: string;
  readonly source: { readonly path: string } | { readonly bytes: Uint8Array };
  readonly size: number;
}

export interface WrittenFile {
  readonly name: string;
  readonly sha256: string;
  readonly size: number;
}

export interface WrittenArchive {
  readonly path: string;
  readonly sha256: string;
  readonly size: number;
  readonly files: readonly WrittenFile[];
}

/** Text-like parts are deflated; evidence (often already compressed: PDF, images) is stored as is. */
function compressible(f: BundleSource): boolean {
  return /\.(json|jsonl|txt|csv|pem)$/.test(f.name) && f.size < 64 * 1024 * 1024;
}

/**
 * The writer streams a file before it knows its CRC, so a streamed entry's sizes follow it in a data
 * descriptor. A deflated entry ends by itself; a stored one does not, and a streaming reader ends it at
 * the first descriptor signature in its bytes (the reader refuses such an entry, BND-LAYOUT-DESCRIPTOR).
 * So a file that holds the signature is deflated instead of stored (one extra read of that file only).
 */
async function holdsDescriptorSignature(f: BundleSource): Promise<boolean> {
  const scan = descriptorSignatureScanner();
  let found = false;
  await eachChunk(f, async (chunk) => {
    found ||= scan(chunk);
  });
  return found;
}

/** The latest instant both the DOS fields (to 2107) and the extended timestamp (signed 32-bit) can hold. */
const LATEST_ZIP_TIME = Date.UTC(2038, 0, 19, 3, 14, 6);
/** A day into 1980, so that no time zone puts it before the first DOS date. */
const EARLIEST_ZIP_TIME = Date.UTC(1980, 0, 2);

/**
 * The entry time as the writer writes it: the DOS fields hold the UTC wall-clock time (read through
 * the local-time getters, as yazl reads them, which this Date answers in UTC), so that a reader in any time zone can
 * check them against the extended timestamp (BND-ENTRY-TIME) — both say the same instant, to the even
 * second, in every tool. A clock outside what both fields hold is clamped (the signed statement carries
 * the real time).
 */
export class UtcZipTime extends Date {
  constructor(at: Date) {
    // Whole even seconds: the DOS fields cannot say more, so the extended timestamp says exactly the same.
    const clamped = Math.min(LATEST_ZIP_TIME, Math.max(EARLIEST_ZIP_TIME, at.getTime()));
    super(Math.floor(clamped / 2000) * 2000);
  }
  override getFullYear(): number {
    return this.getUTCFullYear();
  }
  override getMonth(): number {
    return this.getUTCMonth();
  }
  override getDate(): number {
    return this.getUTCDate();
  }
  override getHours(): number {
    return this.getUTCHours();
  }
  override getMinutes(): number {
    return this.getUTCMinutes();
  }
  override getSeconds(): number {
    return this.getUTCSeconds();
  }
}

/** The writer's constants, as yazl 3 writes them and the reader's STATION_WRITER expects them. */
const VERSION_MADE_BY = (3 << 8) | 63;
const VERSION_NEEDED = 20;
const VERSION_NEEDED_ZIP64 = 45;
const FLAG_UTF8 = 1 << 11;
const FLAG_DESCRIPTOR = 1 << 3;
const DEFLATE_LEVEL = 6;
const MAX_32 = 0xffffffff;

/** DOS date and time fields from the (UTC-answering) getters of a UtcZipTime, as yazl computes them. */
function dosDateTime(at: UtcZipTime): { date: number; time: number } {
  const date =
    (at.getDate() & 0x1f) | (((at.getMonth() + 1) & 0xf) << 5) | (((at.getFullYear() - 1980) & 0x7f) << 9);
  const time =
    Math.floor(at.getSeconds() / 2) | ((at.getMinutes() & 0x3f) << 5) | ((at.getHours() & 0x1f) << 11);
  return { date, time };
}

function writeUInt64LE(buf: Buffer, n: number, at: number): void {
  buf.writeUInt32LE(n % 0x100000000, at);
  buf.writeUInt32LE(Math.floor(n / 0x100000000), at + 4);
}

/** One entry as the central directory will describe it. */
interface PackedEntry {
  readonly nameBytes: Buffer;
  readonly method: 0 | 8;
  /** Streamed entries carry CRC and sizes in a data descriptor; the envelope (a buffer) in its header. */
  readonly descriptor: boolean;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly offset: number;
}

const zip64 = (e: Omit<PackedEntry, 'nameBytes' | 'method' | 'descriptor' | 'crc32'>) =>
  e.uncompressedSize > 0xfffffffe || e.compressedSize > 0xfffffffe || e.offset > 0xfffffffe;

function localHeader(
  e: Pick<PackedEntry, 'nameBytes' | 'method' | 'descriptor'>,
  dos: ReturnType<typeof dosDateTime>,
  known?: { crc32: number; compressedSize: number; uncompressedSize: number },
): Buffer {
  const h = Buffer.alloc(30 + e.nameBytes.length);
  h.writeUInt32LE(0x04034b50, 0);
  h.writeUInt16LE(VERSION_NEEDED, 4);
  h.writeUInt16LE(FLAG_UTF8 | (e.descriptor ? FLAG_DESCRIPTOR : 0), 6);
  h.writeUInt16LE(e.method, 8);
  h.writeUInt16LE(dos.time, 10);
  h.writeUInt16LE(dos.date, 12);
  h.writeUInt32LE(known?.crc32 ?? 0, 14);
  h.writeUInt32LE(known?.compressedSize ?? 0, 18);
  h.writeUInt32LE(known?.uncompressedSize ?? 0, 22);
  h.writeUInt16LE(e.nameBytes.length, 26);
  h.writeUInt16LE(0, 28);
  e.nameBytes.copy(h, 30);
  return h;
}

function dataDescriptor(e: PackedEntry): Buffer {
  const wide = zip64(e);
  const d = Buffer.alloc(wide ? 24 : 16);
  d.writeUInt32LE(0x08074b50, 0);
  d.writeUInt32LE(e.crc32, 4);
  if (wide) {
    writeUInt64LE(d, e.compressedSize, 8);
    writeUInt64LE(d, e.uncompressedSize, 16);
  } else {
    d.writeUInt32LE(e.compressedSize, 8);
    d.writeUInt32LE(e.uncompressedSize, 12);
  }
  return d;
}

function centralRecord(e: PackedEntry, dos: ReturnType<typeof dosDateTime>, mtime: UtcZipTime): Buffer {
  const wide = zip64(e);
  const extraLength = 9 + (wide ? 28 : 0);
  const r = Buffer.alloc(46 + e.nameBytes.length + extraLength);
  r.writeUInt32LE(0x02014b50, 0);
  r.writeUInt16LE(VERSION_MADE_BY, 4);
  r.writeUInt16LE(wide ? VERSION_NEEDED_ZIP64 : VERSION_NEEDED, 6);
  r.writeUInt16LE(FLAG_UTF8 | (e.descriptor ? FLAG_DESCRIPTOR : 0), 8);
  r.writeUInt16LE(e.method, 10);
  r.writeUInt16LE(dos.time, 12);
  r.writeUInt16LE(dos.date, 14);
  r.writeUInt32LE(e.crc32, 16);
  r.writeUInt32LE(wide ? MAX_32 : e.compressedSize, 20);
  r.writeUInt32LE(wide ? MAX_32 : e.uncompressedSize, 24);
  r.writeUInt16LE(e.nameBytes.length, 28);
  r.writeUInt16LE(extraLength, 30);
  r.writeUInt16LE(0, 32); // comment
  r.writeUInt16LE(0, 34); // disk
  r.writeUInt16LE(0, 36); // internal attributes
  r.writeUInt32LE((STATION_ENTRY_MODE << 16) >>> 0, 38);
  r.writeUInt32LE(wide ? MAX_32 : e.offset, 42);
  let p = 46;
  e.nameBytes.copy(r, p);
  p += e.nameBytes.length;
  // Info-ZIP extended timestamp: mtime (and the atime flag, no atime), signed 32-bit seconds.
  r.writeUInt16LE(0x5455, p);
  r.writeUInt16LE(5, p + 2);
  r.writeUInt8(0b11, p + 4);
  r.writeInt32LE(Math.min(0x7fffffff, Math.max(-0x80000000, Math.floor(mtime.getTime() / 1000))), p + 5);
  p += 9;
  if (wide) {
    r.writeUInt16LE(0x0001, p);
    r.writeUInt16LE(24, p + 2);
    writeUInt64LE(r, e.uncompressedSize, p + 4);
    writeUInt64LE(r, e.compressedSize, p + 12);
    writeUInt64LE(r, e.offset, p + 20);
  }
  return r;
}

function endRecords(count: number, cdOffset: number, cdSize: number): Buffer {
  const wide = count >= 0xffff || cdSize >= MAX_32 || cdOffset >= MAX_32;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(wide && count >= 0xffff ? 0xffff : count, 8);
  end.writeUInt16LE(wide && count >= 0xffff ? 0xffff : count, 10);
  end.writeUInt32LE(cdSize >= MAX_32 ? MAX_32 : cdSize, 12);
  end.writeUInt32LE(cdOffset >= MAX_32 ? MAX_32 : cdOffset, 16);
  if (!wide) return end;
  const record = Buffer.alloc(56);
  record.writeUInt32LE(0x06064b50, 0);
  writeUInt64LE(record, 44, 4);
  record.writeUInt16LE(VERSION_MADE_BY, 12);
  record.writeUInt16LE(VERSION_NEEDED_ZIP64, 14);
  writeUInt64LE(record, count, 24);
  writeUInt64LE(record, count, 32);
  writeUInt64LE(record, cdSize, 40);
  writeUInt64LE(record, cdOffset, 48);
  const locator = Buffer.alloc(20);
  locator.writeUInt32LE(0x07064b50, 0);
  writeUInt64LE(locator, cdOffset + cdSize, 8);
  locator.writeUInt32LE(1, 16);
  return Buffer.concat([record, locator, end]);
}

/**
 * Writes a bundle archive, streaming: each file is hashed as it is packed, then `sign` turns the file
 * digests into the envelope, which is appended last. The layout is exactly yazl's (thejoshwolfe/yazl 3,
 * which the station used to write with; a unit test compares the bytes): UTF-8 names, no local extra
 * field, a data descriptor after each streamed entry, the envelope with CRC and sizes in its header, an
 * extended timestamp (and zip64 fields when needed) in each directory record. Written here rather than
 * through yazl so that a stored file moves in large direct reads and writes, its CRC-32 by zlib's native
 * code, with the next read in flight while the current chunk is hashed and written.
 *
 * The archive is written through the station's one durable exclusive write (platform/durable.ts): a
 * temporary name in the target directory, fsynced, given its final name without ever replacing an
 * existing file, and the directory fsynced. Nothing is left behind on failure or cancel.
 */
export async function writeArchive(opts: {
  readonly dir: string;
  readonly fileName: string;
  readonly files: readonly BundleSource[];
  readonly mtime: Date;
  readonly sign: (files: readonly WrittenFile[]) => Promise<Uint8Array>;
  readonly onBytes?: (n: number) => void;
  readonly signal?: AbortSignal;
  /** The exporting station: its temporary name carries the owner marker the media sweep looks for. */
  readonly owner?: { readonly stationId: string };
}): Promise<WrittenArchive> {
  const finalPath = join(opts.dir, opts.fileName);
  const owner = opts.owner;
  // Opened and held in one synchronous step: the media sweep never sees the fragment unheld.
  const file = beginExclusive(finalPath, {
    mode: 0o644,
    ...(owner ? { tempName: (name, nonce) => partialName(name, owner.stationId, nonce) } : {}),
  });
  const release = holdPartial(file.temp);
  const whole = createHash('sha256');
  let size = 0;
  // Every byte through the file (and the whole-file digest), in order. One write stays in flight while the
  // caller goes on (hashing the next chunk): a chunk may be reused once the NEXT `emit` settles.
  let writing: Promise<void> = Promise.resolve();
  const emit = async (chunk: Buffer): Promise<void> => {
    whole.update(chunk);
    size += chunk.length;
    await writing;
    writing = file.append(chunk);
    // Handled here so a failure is not unhandled until the next emit (or the end) awaits it.
    writing.catch(() => undefined);
  };
  const mtime = new UtcZipTime(opts.mtime);
  const dos = dosDateTime(mtime);
  try {
    const files: WrittenFile[] = [];
    const entries: PackedEntry[] = [];
    for (const f of opts.files) {
      opts.signal?.throwIfAborted();
      const compress = compressible(f) || (await holdsDescriptorSignature(f));
      const packed = await pack(f, compress, size, dos, emit, opts);
      files.push(packed.file);
      entries.push(packed.entry);
    }
    opts.signal?.throwIfAborted();
    const envelope = Buffer.from(await opts.sign(files));
    const deflated = deflateRawSync(envelope, { level: DEFLATE_LEVEL });
    const env: PackedEntry = {
      nameBytes: Buffer.from(ENVELOPE_NAME),
      method: 8,
      descriptor: false,
      crc32: crc32(envelope),
      compressedSize: deflated.length,
      uncompressedSize: envelope.length,
      offset: size,
    };
    await emit(localHeader(env, dos, env));
    await emit(deflated);
    entries.push(env);
    const cdOffset = size;
    const directory = Buffer.concat(entries.map((e) => centralRecord(e, dos, mtime)));
    await emit(Buffer.concat([directory, endRecords(entries.length, cdOffset, directory.length)]));
    await writing;
    opts.signal?.throwIfAborted();
    await file.flush();
    file.publish();
    return { path: finalPath, sha256: whole.digest('hex'), size, files };
  } catch (e) {
    // No write may land after the discard (the descriptor is closed only once it is answered anyway).
    await writing.catch(() => undefined);
    file.discard();
    if (opts.signal?.aborted)
      throw stationError('BUNDLE_CANCELLED', 'the export was cancelled; nothing was written', {});
    if (e instanceof CodedError) throw e;
    throw stationError('BUNDLE_WRITE_FAILED', `writing the bundle failed: ${(e as Error).message}`, {
      path: finalPath,
    });
  } finally {
    release();
  }
}

/**
 * One entry: local header, data (hashed and CRC'd as it goes, deflated if `compress`), data descriptor.
 * A source that turns out shorter or longer than its declared size fails the export.
 */
async function pack(
  f: BundleSource,
  compress: boolean,
  offset: number,
  dos: ReturnType<typeof dosDateTime>,
  emit: (chunk: Buffer) => Promise<void>,
  opts: { onBytes?: (n: number) => void; signal?: AbortSignal },
): Promise<{ file: WrittenFile; entry: PackedEntry }> {
  const nameBytes = Buffer.from(f.name);
  const method = compress ? 8 : 0;
  await emit(localHeader({ nameBytes, method, descriptor: true }, dos));
  const hash = createHash('sha256');
  let crc = 0;
  let n = 0;
  let compressedSize = 0;
  const take = (chunk: Buffer) => {
    opts.signal?.throwIfAborted();
    hash.update(chunk);
    crc = crc32(chunk, crc);
    n += chunk.length;
    opts.onBytes?.(chunk.length);
  };
  if (!compress) {
    // Three buffers: chunk k is written while k + 1 is hashed and k + 2 is read (`emit` keeps one write open).
    await eachChunk(
      f,
      async (chunk) => {
        take(chunk);
        compressedSize += chunk.length;
        await emit(chunk);
      },
      3,
    );
  } else {
    const deflate = createDeflateRaw({ level: DEFLATE_LEVEL });
    const sink = (async () => {
      for await (const out of deflate as AsyncIterable<Buffer>) {
        compressedSize += out.length;
        await emit(out);
      }
    })();
    try {
      await eachChunk(f, async (chunk) => {
        take(chunk);
        // The deflater holds the chunk until it has read it, and the reader reuses its buffers: a copy.
        // A failed sink stops the deflater without an error event: wait for whichever comes first.
        if (!deflate.write(Buffer.from(chunk))) await Promise.race([once(deflate, 'drain'), sink]);
      });
      deflate.end();
    } catch (e) {
      deflate.destroy(e as Error);
      await sink.catch(() => undefined);
      throw e;
    }
    await sink;
  }
  if (n !== f.size)
    throw new Error(`${f.name} is ${n} bytes, not the ${f.size} it had when the export began`);
  const entry: PackedEntry = {
    nameBytes,
    method,
    descriptor: true,
    crc32: crc,
    compressedSize,
    uncompressedSize: n,
    offset,
  };
  await emit(dataDescriptor(entry));
  return { file: { name: f.name, sha256: hash.digest('hex'), size: n }, entry };
}

/**
 * A source's bytes in order (a file: exactly its declared size in large reads, and nothing after it); a
 * chunk is valid as long as readRange's `buffers` allow.
 */
async function eachChunk(
  f: BundleSource,
  onChunk: (chunk: Buffer) => Promise<void>,
  buffers = 2,
): Promise<void> {
  if ('bytes' in f.source) {
    const b = f.source.bytes;
    await onChunk(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
    return;
  }
  const handle = await openFile(f.source.path, 'r');
  try {
    await readRange(
      handle.fd,
      0,
      f.size,
      onChunk,
      (got) =>
        new Error(`${f.name} ended after ${got} bytes, not the ${f.size} it had when the export began`),
      buffers,
    );
    const { bytesRead } = await handle.read(Buffer.alloc(1), 0, 1, f.size);
    if (bytesRead !== 0) throw new Error(`${f.name} grew after the export began`);
  } finally {
    await handle.close();
  }
}
