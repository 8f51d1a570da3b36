import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, mkdirSync, openSync, readSync } from 'node:fs';
import { open as openFile } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import {
  checkEntryName,
  checkEntrySet,
  checkEntryShape,
  decodeEntryName,
  DEFAULT_ARCHIVE_LIMITS,
  type ArchiveLimits,
  type ArchiveRefusal,
  type RawEntry,
} from '../../../core/bundle/archive-policy';
import { CodedError } from '../../../core/errors';
import { stationError } from '../../errors';

/**
 * Opens a bundle archive (zip) as hostile input. Everything the station learns about the archive comes
 * from its own reading of the end-of-central-directory record, the central directory and each local
 * header, checked against the archive policy in src/core/bundle before any content byte is read:
 *
 *  - the layout must be exactly what the station's writer produces: entries back to back from offset 0,
 *    the central directory right after the last entry, the end record right after that, no comment and
 *    nothing after it (BND-LAYOUT-*) — so no data can hide before, between or after entries, and no two
 *    names can share stored bytes (the zip form of a hard link);
 *  - each local header must repeat its central-directory name and method (BND-LAYOUT-HEADER);
 *  - names, types, methods, sizes and ratios are checked by the core policy.
 *
 * yauzl (thejoshwolfe/yauzl) does the parsing and inflation, with `validateEntrySizes` so a stream that
 * produces more or fewer bytes than declared fails.
 */

export class ArchiveRefused extends CodedError {
  constructor(readonly refusal: ArchiveRefusal) {
    super(refusal.code, refusal.message, { check: refusal.check, entry: refusal.entry });
  }
}

const refused = (r: ArchiveRefusal): never => {
  throw new ArchiveRefused(r);
};

export interface ArchiveEntry {
  readonly name: string;
  readonly size: number;
  readonly compressedSize: number;
  readonly entry: Entry;
}

const EOCD_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const LOCAL_SIG = 0x04034b50;
const DESCRIPTOR_SIG = 0x08074b50;

interface Layout {
  readonly centralDirectoryOffset: number;
  readonly centralDirectorySize: number;
  readonly entryCount: number;
}

function readAt(fd: number, length: number, position: number): Buffer {
  const buf = Buffer.alloc(length);
  const n = readSync(fd, buf, 0, length, position);
  return buf.subarray(0, n);
}

/** BND-LAYOUT-END: the end record sits exactly at the end, with no comment (so nothing can trail it). */
function readLayout(fd: number, size: number): Layout {
  const notZip = () =>
    refused({
      code: 'BUNDLE_NOT_ZIP',
      check: 'BND-LAYOUT-END',
      message: 'the file is not a zip archive',
      entry: null,
    });
  if (size < 22) return notZip();
  const eocd = readAt(fd, 22, size - 22);
  if (eocd.readUInt32LE(0) !== EOCD_SIG) {
    // Either not a zip at all, a truncated one, or a zip followed by something (or carrying a comment).
    const start = Math.max(0, size - 65_557);
    const tail = readAt(fd, size - start, start);
    const at = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    if (at >= 0 && at + 22 <= tail.length)
      refused({
        code: 'BUNDLE_TRAILING_DATA',
        check: 'BND-LAYOUT-END',
        message: `${tail.length - at - 22} bytes follow the end of the archive (trailing data or a comment)`,
        entry: null,
      });
    return notZip();
  }
  if (eocd.readUInt16LE(4) !== 0 || eocd.readUInt16LE(6) !== 0) return notZip();
  let entryCount = eocd.readUInt16LE(10);
  let centralDirectorySize = eocd.readUInt32LE(12);
  let centralDirectoryOffset = eocd.readUInt32LE(16);
  let endOfDirectory = size - 22;
  if (size >= 42 && readAt(fd, 4, size - 42).readUInt32LE(0) === ZIP64_LOCATOR_SIG) {
    const locator = readAt(fd, 20, size - 42);
    const recordOffset = Number(locator.readBigUInt64LE(8));
    const record = readAt(fd, 56, recordOffset);
    if (record.length !== 56 || record.readUInt32LE(0) !== ZIP64_EOCD_SIG) return notZip();
    if (recordOffset + 56 !== size - 42)
      refused({
        code: 'BUNDLE_HIDDEN_DATA',
        check: 'BND-LAYOUT-CONTIGUOUS',
        message: 'bytes hide between the zip64 end records',
        entry: null,
      });
    entryCount = Number(record.readBigUInt64LE(32));
    centralDirectorySize = Number(record.readBigUInt64LE(40));
    centralDirectoryOffset = Number(record.readBigUInt64LE(48));
    endOfDirectory = recordOffset;
  }
  if (centralDirectoryOffset + centralDirectorySize !== endOfDirectory)
    refused({
      code: 'BUNDLE_HIDDEN_DATA',
      check: 'BND-LAYOUT-CONTIGUOUS',
      message: 'bytes hide between the central directory and the end record',
      entry: null,
    });
  return { centralDirectoryOffset, centralDirectorySize, entryCount };
}

function openZip(path: string): Promise<ZipFile> {
  return new Promise((res, rej) => {
    yauzl.open(
      path,
      {
        lazyEntries: true,
        autoClose: false,
        decodeStrings: false,
        validateEntrySizes: true,
        strictFileNames: false,
      },
      (err, zip) => (err ? rej(err) : res(zip)),
    );
  });
}

function readEntries(zip: ZipFile, limits: ArchiveLimits): Promise<Entry[]> {
  return new Promise((res, rej) => {
    const out: Entry[] = [];
    zip.on('entry', (e: Entry) => {
      out.push(e);
      if (out.length > limits.maxEntries) {
        rej(
          new ArchiveRefused({
            code: 'BUNDLE_TOO_MANY_ENTRIES',
            check: 'BND-LIMIT-COUNT',
            message: `the archive holds more than ${limits.maxEntries} entries`,
            entry: null,
          }),
        );
        return;
      }
      zip.readEntry();
    });
    zip.on('end', () => res(out));
    zip.on('error', rej);
    zip.readEntry();
  });
}

function extraFieldIds(raw: Buffer): number[] {
  const ids: number[] = [];
  for (let i = 0; i + 4 <= raw.length;) {
    ids.push(raw.readUInt16LE(i));
    i += 4 + raw.readUInt16LE(i + 2);
  }
  return ids;
}

function rawEntry(e: Entry): RawEntry {
  const madeOnUnix = e.versionMadeBy >> 8 === 3;
  return {
    nameBytes: e.fileNameRaw,
    utf8: (e.generalPurposeBitFlag & 0x800) !== 0,
    unixType: madeOnUnix ? (e.externalFileAttributes >>> 16) & 0o170000 : null,
    compressionMethod: e.compressionMethod,
    encrypted: (e.generalPurposeBitFlag & 0x1) !== 0,
    compressedSize: e.compressedSize,
    uncompressedSize: e.uncompressedSize,
    extraFieldIds: extraFieldIds(e.extraFieldRaw),
  };
}

/**
 * BND-LAYOUT-CONTIGUOUS / -HEADER / -OVERLAP: walks the local headers in offset order and proves the
 * entries tile [0, central directory) exactly.
 */
function checkLayout(fd: number, layout: Layout, entries: readonly ArchiveEntry[]): void {
  let cursor = 0;
  const byOffset = [...entries].sort(
    (a, b) => a.entry.relativeOffsetOfLocalHeader - b.entry.relativeOffsetOfLocalHeader,
  );
  for (const { entry: e, name } of byOffset) {
    const offset = e.relativeOffsetOfLocalHeader;
    if (offset < cursor)
      refused({
        code: 'BUNDLE_ENTRY_OVERLAP',
        check: 'BND-LAYOUT-OVERLAP',
        message: `entry ${name} shares stored bytes with another entry`,
        entry: name,
      });
    if (offset > cursor)
      refused({
        code: 'BUNDLE_HIDDEN_DATA',
        check: 'BND-LAYOUT-CONTIGUOUS',
        message: `${offset - cursor} unlisted bytes lie before entry ${name}`,
        entry: name,
      });
    const head = readAt(fd, 30, offset);
    if (head.length !== 30 || head.readUInt32LE(0) !== LOCAL_SIG)
      refused({
        code: 'BUNDLE_HEADER_MISMATCH',
        check: 'BND-LAYOUT-HEADER',
        message: `entry ${name} has no local header where the directory says`,
        entry: name,
      });
    const flags = head.readUInt16LE(6);
    const nameLength = head.readUInt16LE(26);
    const extraLength = head.readUInt16LE(28);
    const localName = readAt(fd, nameLength, offset + 30);
    if (
      !localName.equals(e.fileNameRaw) ||
      head.readUInt16LE(8) !== e.compressionMethod ||
      (flags & 0x1) !== (e.generalPurposeBitFlag & 0x1)
    )
      refused({
        code: 'BUNDLE_HEADER_MISMATCH',
        check: 'BND-LAYOUT-HEADER',
        message: `entry ${name}: the local header names or packs it differently from the directory`,
        entry: name,
      });
    cursor = offset + 30 + nameLength + extraLength + e.compressedSize;
    if (flags & 0x8) {
      // Data descriptor: signature, CRC-32, then 4- or 8-byte sizes (8 when the entry is zip64).
      if (readAt(fd, 4, cursor).readUInt32LE(0) !== DESCRIPTOR_SIG)
        refused({
          code: 'BUNDLE_HIDDEN_DATA',
          check: 'BND-LAYOUT-CONTIGUOUS',
          message: `entry ${name} is not followed by its data descriptor`,
          entry: name,
        });
      cursor += e.extraFields.some((f) => f.id === 0x0001) ? 24 : 16;
    }
  }
  if (cursor !== layout.centralDirectoryOffset)
    refused({
      code: cursor > layout.centralDirectoryOffset ? 'BUNDLE_ENTRY_OVERLAP' : 'BUNDLE_HIDDEN_DATA',
      check: 'BND-LAYOUT-CONTIGUOUS',
      message: `the entries end at ${cursor} but the central directory starts at ${layout.centralDirectoryOffset}`,
      entry: null,
    });
}

/** An archive that passed every structural check; content is read only through it. */
export class CheckedArchive {
  private constructor(
    private readonly zip: ZipFile,
    readonly path: string,
    readonly entries: readonly ArchiveEntry[],
  ) {}

  static async open(path: string, limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS): Promise<CheckedArchive> {
    const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    let zip: ZipFile | undefined;
    try {
      const size = fstatSync(fd).size;
      if (size > limits.maxBundleBytes)
        refused({
          code: 'BUNDLE_TOO_LARGE',
          check: 'BND-LIMIT-FILE',
          message: `the bundle is ${size} bytes (limit ${limits.maxBundleBytes})`,
          entry: null,
        });
      const layout = readLayout(fd, size);
      if (layout.entryCount > limits.maxEntries)
        refused({
          code: 'BUNDLE_TOO_MANY_ENTRIES',
          check: 'BND-LIMIT-COUNT',
          message: `the archive declares ${layout.entryCount} entries (limit ${limits.maxEntries})`,
          entry: null,
        });
      try {
        zip = await openZip(path);
      } catch (e) {
        throw e instanceof ArchiveRefused
          ? e
          : new ArchiveRefused({
              code: 'BUNDLE_NOT_ZIP',
              check: 'BND-LAYOUT-END',
              message: `the archive cannot be read: ${(e as Error).message}`,
              entry: null,
            });
      }
      let raw: Entry[];
      try {
        raw = await readEntries(zip, limits);
      } catch (e) {
        if (e instanceof ArchiveRefused) throw e;
        // yauzl (pinned) checks a stored entry's two sizes while reading the directory.
        const sizes = /size mismatch/.test((e as Error).message);
        throw new ArchiveRefused({
          code: sizes ? 'BUNDLE_SIZE_MISMATCH' : 'BUNDLE_NOT_ZIP',
          check: sizes ? 'BND-ENTRY-SIZE' : 'BND-LAYOUT-DIRECTORY',
          message: sizes ? (e as Error).message : `the central directory is damaged: ${(e as Error).message}`,
          entry: null,
        });
      }
      const entries: ArchiveEntry[] = [];
      for (const e of raw) {
        const r = rawEntry(e);
        const decoded = decodeEntryName(r);
        if ('code' in decoded) refused(decoded);
        const { name } = decoded as { name: string };
        const problem = checkEntryName(name, limits) ?? checkEntryShape(r, name, limits);
        if (problem) refused(problem);
        entries.push({ name, size: e.uncompressedSize, compressedSize: e.compressedSize, entry: e });
      }
      const setProblem = checkEntrySet(
        entries.map((e) => ({ name: e.name, uncompressedSize: e.size })),
        limits,
      );
      if (setProblem) refused(setProblem);
      checkLayout(fd, layout, entries);
      return new CheckedArchive(zip, path, entries);
    } catch (e) {
      zip?.close();
      throw e;
    } finally {
      closeSync(fd);
    }
  }

  find(name: string): ArchiveEntry | undefined {
    return this.entries.find((e) => e.name === name);
  }

  /** The entry's content as a stream; a size that differs from the directory fails the stream. */
  stream(e: ArchiveEntry): Promise<Readable> {
    return new Promise((res, rej) => {
      this.zip.openReadStream(e.entry, (err, s) => (err ? rej(err) : res(s)));
    });
  }

  /** A small entry read whole (bounded: envelopes, statements, JSON). */
  async read(e: ArchiveEntry, maxBytes: number): Promise<Buffer> {
    if (e.size > maxBytes)
      refused({
        code: 'BUNDLE_ENTRY_TOO_LARGE',
        check: 'BND-LIMIT-ENTRY',
        message: `${e.name} is ${e.size} bytes (limit ${maxBytes} for this part)`,
        entry: e.name,
      });
    const chunks: Buffer[] = [];
    await this.pump(e, (chunk) => chunks.push(chunk));
    return Buffer.concat(chunks);
  }

  /** SHA-256 of an entry's content, streamed (optionally copied to `dest`, created exclusively). */
  async digest(e: ArchiveEntry, onBytes?: (n: number) => void, dest?: string): Promise<string> {
    const hash = createHash('sha256');
    const handle = dest ? await openFile(dest, 'wx', 0o600) : undefined;
    try {
      await this.pump(
        e,
        (chunk) => {
          hash.update(chunk);
          onBytes?.(chunk.length);
        },
        handle ? (chunk) => handle.write(chunk).then(() => undefined) : undefined,
      );
      if (handle) await handle.sync();
    } finally {
      await handle?.close();
    }
    return hash.digest('hex');
  }

  private async pump(
    e: ArchiveEntry,
    onChunk: (c: Buffer) => void,
    write?: (c: Buffer) => Promise<void>,
  ): Promise<void> {
    const source = await this.stream(e);
    try {
      await pipeline(
        source,
        new Writable({
          write(chunk: Buffer, _enc, done) {
            onChunk(chunk);
            if (write) write(chunk).then(() => done(), done);
            else done();
          },
        }),
      );
    } catch (err) {
      if (err instanceof CodedError) throw err;
      throw new ArchiveRefused({
        code: 'BUNDLE_SIZE_MISMATCH',
        check: 'BND-ENTRY-SIZE',
        message: `${e.name} cannot be unpacked as declared: ${(err as Error).message}`,
        entry: e.name,
      });
    }
  }

  close(): void {
    this.zip.close();
  }
}

/** Where an entry lands under a staging directory; refuses anything that would land outside it. */
export function stagedPath(stagingDir: string, name: string): string {
  const root = resolve(stagingDir);
  const target = resolve(root, ...name.split('/'));
  if (!target.startsWith(root + sep))
    throw stationError('BUNDLE_PATH_TRAVERSAL', `entry ${name} would land outside staging`, { entry: name });
  mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
  return target;
}
