import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { descriptorSignatureScanner, STATION_ENTRY_MODE } from '../../../core/bundle/archive-policy';
import { CodedError } from '../../../core/errors';
import { stationError } from '../../errors';
import { beginExclusive } from '../../platform/durable';
import { useNativeCrc32InYazl } from './native-crc32';
import { holdPartial, partialName } from './partials';
import { containsBytes } from './stored-read';

// yazl's CRC-32 through zlib's native code instead of buffer-crc32's JavaScript loop (native-crc32.ts).
useNativeCrc32InYazl();

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

/**
 * Source reads of 1 MiB (the stream default is 64 KiB): each chunk crosses yazl's transform chain, the
 * hashes and the write as one piece, so the per-chunk cost of the streams is paid 256 times per 256 MiB
 * rather than 4,096 times. Not larger: every stage of that chain (about ten) may hold a chunk, and each
 * read is a fresh buffer until the collector frees it; at 4 MiB the bundle bench's peak RSS went over
 * its 200 MB limit (196–236 MB) with no faster export; at 1 MiB it stayed at 171–190 MB.
 */
const READ_CHUNK = 1024 * 1024;

/** Text-like parts are deflated; evidence (often already compressed: PDF, images) is stored as is. */
function compressible(f: BundleSource): boolean {
  return /\.(json|jsonl|txt|csv|pem)$/.test(f.name) && f.size < 64 * 1024 * 1024;
}

/**
 * yazl streams a file before it knows its CRC, so a streamed entry's sizes follow it in a data
 * descriptor. A deflated entry ends by itself; a stored one does not, and a streaming reader ends it at
 * the first descriptor signature in its bytes (the reader refuses such an entry, BND-LAYOUT-DESCRIPTOR).
 * So a file that holds the signature is deflated instead of stored (one extra read of that file only).
 */
async function holdsDescriptorSignature(f: BundleSource): Promise<boolean> {
  const scan = descriptorSignatureScanner(containsBytes);
  if ('bytes' in f.source) return scan(f.source.bytes);
  for await (const chunk of createReadStream(f.source.path, { highWaterMark: READ_CHUNK }))
    if (scan(chunk as Buffer)) return true;
  return false;
}

/** The latest instant both the DOS fields (to 2107) and the extended timestamp (signed 32-bit) can hold. */
const LATEST_ZIP_TIME = Date.UTC(2038, 0, 19, 3, 14, 6);
/** A day into 1980, so that no time zone puts it before the first DOS date. */
const EARLIEST_ZIP_TIME = Date.UTC(1980, 0, 2);

/**
 * The entry time as yazl should write it: the DOS fields hold the UTC wall-clock time (yazl reads them
 * with the local-time getters, which this Date answers in UTC), so that a reader in any time zone can
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

/**
 * Writes a bundle archive with yazl (thejoshwolfe/yazl), streaming: each file is hashed as it is packed,
 * then `sign` turns the file digests into the envelope, which is appended last. The archive is written
 * through the station's one durable exclusive write (platform/durable.ts): a temporary name in the
 * target directory, fsynced, given its final name without ever replacing an existing file, and the
 * directory fsynced. Nothing is left behind on failure or cancel.
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
  const zip = new yazl.ZipFile();
  const whole = createHash('sha256');
  let size = 0;
  // Every byte through the whole-archive digest and the file, in order, and fsync before the stream
  // counts as finished. The next chunk is hashed by yazl's chain while this one is on the thread pool.
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      whole.update(chunk);
      size += chunk.length;
      file.append(chunk).then(() => cb(), cb);
    },
    final(cb) {
      file.flush().then(() => cb(), cb);
    },
  });
  const written = pipeline(zip.outputStream, sink);
  const stop = (e: Error) => (zip.outputStream as Readable).destroy(e);
  // yazl reports a stream whose length differs from `size` on the ZipFile, not on its output stream.
  zip.on('error', stop);
  const abort = () => stop(stationError('BUNDLE_CANCELLED', 'the export was cancelled', {}));
  opts.signal?.addEventListener('abort', abort, { once: true });
  const sources: Readable[] = [];
  try {
    // One file at a time: yazl packs entries in order, so each source is opened only when its turn comes.
    const failed = written.then(() => {
      throw new Error('the archive ended before its files were packed');
    });
    const files: WrittenFile[] = [];
    for (const f of opts.files) {
      opts.signal?.throwIfAborted();
      const compress = compressible(f) || (await holdsDescriptorSignature(f));
      files.push(await Promise.race([pack(zip, f, compress, sources, opts), failed]));
    }
    opts.signal?.throwIfAborted();
    const envelope = await opts.sign(files);
    zip.addBuffer(Buffer.from(envelope.buffer, envelope.byteOffset, envelope.byteLength), ENVELOPE_NAME, {
      compress: true,
      mtime: new UtcZipTime(opts.mtime),
      mode: STATION_ENTRY_MODE,
    });
    zip.end();
    await written;
    opts.signal?.throwIfAborted();
    file.publish();
    return { path: finalPath, sha256: whole.digest('hex'), size, files };
  } catch (e) {
    for (const s of sources) s.destroy();
    (zip.outputStream as Readable).destroy();
    await written.catch(() => undefined);
    file.discard();
    if (opts.signal?.aborted)
      throw stationError('BUNDLE_CANCELLED', 'the export was cancelled; nothing was written', {});
    if (e instanceof CodedError) throw e;
    throw stationError('BUNDLE_WRITE_FAILED', `writing the bundle failed: ${(e as Error).message}`, {
      path: finalPath,
    });
  } finally {
    opts.signal?.removeEventListener('abort', abort);
    release();
  }
}

/**
 * One entry, streamed into yazl: the source is hashed and counted on its way in. A source that turns out
 * shorter or longer than its declared size fails the export here, before yazl sees its end; a cancel
 * stops it at the next chunk.
 */
function pack(
  zip: yazl.ZipFile,
  f: BundleSource,
  compress: boolean,
  sources: Readable[],
  opts: { mtime: Date; onBytes?: (n: number) => void; signal?: AbortSignal },
): Promise<WrittenFile> {
  const hash = createHash('sha256');
  let n = 0;
  let finish: (f: WrittenFile) => void = () => undefined;
  // A transform, not a 'data' listener: bytes move only when yazl reads them, so none can be missed.
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      if (opts.signal?.aborted) return cb(stationError('BUNDLE_CANCELLED', 'the export was cancelled', {}));
      if (n + chunk.length > f.size) return cb(new Error(`${f.name} grew after the export began`));
      hash.update(chunk);
      n += chunk.length;
      opts.onBytes?.(chunk.length);
      cb(null, chunk);
    },
    flush(cb) {
      if (n !== f.size)
        return cb(
          new Error(`${f.name} ended after ${n} bytes, not the ${f.size} it had when the export began`),
        );
      finish({ name: f.name, sha256: hash.digest('hex'), size: n });
      cb();
    },
  });
  const done = new Promise<WrittenFile>((res, rej) => {
    finish = res;
    tap.on('error', rej);
  });
  // A file is read to one byte past its declared size at most: enough to see that it grew.
  const source =
    'path' in f.source
      ? createReadStream(f.source.path, { highWaterMark: READ_CHUNK, start: 0, end: f.size })
      : Readable.from([
          Buffer.from(f.source.bytes.buffer, f.source.bytes.byteOffset, f.source.bytes.byteLength),
        ]);
  sources.push(source);
  source.on('error', (e: Error) => tap.destroy(e));
  tap.once('close', () => source.destroy());
  source.pipe(tap);
  zip.addReadStream(tap, f.name, {
    compress,
    mtime: new UtcZipTime(opts.mtime),
    mode: STATION_ENTRY_MODE,
    size: f.size,
  });
  return done;
}
