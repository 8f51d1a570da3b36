import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, mkdirSync, openSync, readSync } from 'node:fs';
import { open as openFile } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32 } from 'node:zlib';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import {
  checkEntryName,
  checkEntrySet,
  checkEntryShape,
  checkEntryTime,
  decodeEntryName,
  DEFAULT_ARCHIVE_LIMITS,
  descriptorSignatureScanner,
  FLAG_DESCRIPTOR,
  parseExtraFields,
  STATION_WRITER,
  type ArchiveLimits,
  type ArchiveRefusal,
  type RawEntry,
} from '../../../core/bundle/archive-policy';
import { CodedError } from '../../../core/errors';
import { stationError } from '../../errors';
import { containsBytes, readRange } from './stored-read';

/**
 * Opens a bundle archive (zip) as hostile input. Everything the station learns about the archive comes
 * from its own reading of the end-of-central-directory record, the central directory and each local
 * header, checked against the archive policy in src/core/bundle before any content byte is read. The
 * archive must be exactly what the station's writer produces, so that every other zip tool (Python's
 * zipfile, Info-ZIP, 7-Zip, a file manager) sees the same entries with the same names and bytes:
 *
 *  - one end record at the very end, no archive comment, nothing after it (BND-LAYOUT-END, -COMMENT);
 *  - exactly the counted central-directory records, back to back, nothing between or after them, and
 *    the zip64 end record (when present) agreeing with the classic one (BND-LAYOUT-DIRECTORY);
 *  - entries stored in directory order, back to back from offset 0 up to the directory: no byte hides
 *    before, between or after them and no two names share stored bytes (BND-LAYOUT-ORDER, -CONTIGUOUS,
 *    -OVERLAP);
 *  - each local header repeats its directory record (name, flags, method, time, CRC and sizes, or zeros
 *    and a matching data descriptor) (BND-LAYOUT-HEADER, -DESCRIPTOR);
 *  - names, comments, flags, extra fields (a whitelist, exact sizes and content), types, the host,
 *    attributes and versions the station's writer writes, methods, sizes and ratios are checked by the
 *    core policy (BND-NAME-*, BND-ENTRY-*); the CRC-32 of every entry is checked as it is read
 *    (BND-ENTRY-CRC), and a stored entry with a data descriptor must not hold the descriptor signature.
 *
 * yauzl (thejoshwolfe/yauzl) then parses the same directory (its reading must agree with ours) and
 * inflates, with `validateEntrySizes` so a stream that produces more or fewer bytes than declared fails.
 * A stored entry's bytes are read directly from the same descriptor (stored-read.ts: large reads, the next
 * one in flight while the current chunk is hashed), exactly its checked size from the data start its own
 * local header gives; a short read is refused the same way (BND-ENTRY-SIZE).
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
  readonly crc32: number;
  /** Stored (not deflated) with its sizes in a data descriptor: no end of its own for a stream reader. */
  readonly storedWithDescriptor: boolean;
  /** Stored (not deflated): its bytes are read straight from the archive, `compressedSize` of them. */
  readonly stored: boolean;
  /** Where its data starts: after the LOCAL header (name and extra lengths as that header declares them). */
  readonly dataOffset: number;
  readonly entry: Entry;
}

const EOCD_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;
const DESCRIPTOR_SIG = 0x08074b50;
const MAX_16 = 0xffff;
const MAX_32 = 0xffffffff;
/** Far above what 10 000 entries with 200-byte names need; only keeps a hostile directory out of memory. */
const MAX_DIRECTORY_BYTES = 64 * 1024 * 1024;

interface Layout {
  readonly centralDirectoryOffset: number;
  readonly centralDirectorySize: number;
  readonly entryCount: number;
}

/** One central-directory record as stored (32-bit fields not yet resolved through zip64). */
interface CentralRecord {
  readonly versionMadeBy: number;
  readonly versionNeeded: number;
  readonly flags: number;
  readonly method: number;
  /** DOS time and date as one 32-bit value. */
  readonly dosDateTime: number;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly nameBytes: Buffer;
  readonly extra: Buffer;
  readonly commentLength: number;
  readonly diskStart: number;
  readonly internalAttributes: number;
  readonly externalAttributes: number;
  readonly localHeaderOffset: number;
}

/** A record that passed the policy, with its real sizes and offset. */
interface CheckedRecord {
  readonly name: string;
  readonly record: CentralRecord;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly localHeaderOffset: number;
  readonly zip64: boolean;
}

function readAt(fd: number, length: number, position: number): Buffer {
  const buf = Buffer.alloc(length);
  const n = readSync(fd, buf, 0, length, position);
  return buf.subarray(0, n);
}

const notZip = (message: string, check = 'BND-LAYOUT-END'): never =>
  refused({ code: 'BUNDLE_NOT_ZIP', check, message, entry: null });
const directoryMismatch = (message: string): never =>
  refused({ code: 'BUNDLE_DIRECTORY_MISMATCH', check: 'BND-LAYOUT-DIRECTORY', message, entry: null });
const printable = (b: Uint8Array) =>
  Array.from(b.subarray(0, 200), (c) => (c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '?')).join('');

/**
 * BND-LAYOUT-END / -COMMENT / -DIRECTORY: the end record sits exactly at the end with no comment; the
 * zip64 end record, when present, sits right before its locator and agrees with the classic record.
 */
function readLayout(fd: number, size: number): Layout {
  if (size < 22) return notZip('the file is not a zip archive');
  const eocd = readAt(fd, 22, size - 22);
  if (eocd.readUInt32LE(0) !== EOCD_SIG) {
    // Either not a zip at all, a truncated one, or a zip followed by something (or carrying a comment).
    const start = Math.max(0, size - 65_557);
    const tail = readAt(fd, size - start, start);
    const at = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    if (at >= 0 && at + 22 <= tail.length) {
      const commentLength = tail.readUInt16LE(at + 20);
      if (commentLength > 0 && at + 22 + commentLength === tail.length)
        refused({
          code: 'BUNDLE_COMMENT',
          check: 'BND-LAYOUT-COMMENT',
          message: `the archive carries a ${commentLength}-byte comment (station bundles have none)`,
          entry: null,
        });
      refused({
        code: 'BUNDLE_TRAILING_DATA',
        check: 'BND-LAYOUT-END',
        message: `${tail.length - at - 22} bytes follow the end of the archive`,
        entry: null,
      });
    }
    return notZip('the file is not a zip archive');
  }
  if (eocd.readUInt16LE(20) !== 0)
    return notZip('the end record declares a comment that is not there (a truncated archive)');
  if (eocd.readUInt16LE(4) !== 0 || eocd.readUInt16LE(6) !== 0)
    return notZip('the archive claims to span several disks');
  if (eocd.readUInt16LE(8) !== eocd.readUInt16LE(10))
    directoryMismatch(
      `the end record counts ${eocd.readUInt16LE(8)} entries on this disk but ${eocd.readUInt16LE(10)} in all`,
    );
  let entryCount = eocd.readUInt16LE(10);
  let centralDirectorySize = eocd.readUInt32LE(12);
  let centralDirectoryOffset = eocd.readUInt32LE(16);
  let endOfDirectory = size - 22;
  if (size >= 42 && readAt(fd, 4, size - 42).readUInt32LE(0) === ZIP64_LOCATOR_SIG) {
    const locator = readAt(fd, 20, size - 42);
    if (locator.readUInt32LE(4) !== 0 || locator.readUInt32LE(16) !== 1)
      return notZip('the zip64 locator claims several disks');
    const recordOffset = Number(locator.readBigUInt64LE(8));
    const record = readAt(fd, 56, recordOffset);
    if (record.length !== 56 || record.readUInt32LE(0) !== ZIP64_EOCD_SIG)
      return notZip('the zip64 end record is not where its locator says');
    if (record.readBigUInt64LE(4) !== 44n || recordOffset + 56 !== size - 42)
      refused({
        code: 'BUNDLE_HIDDEN_DATA',
        check: 'BND-LAYOUT-CONTIGUOUS',
        message: 'bytes hide in or between the zip64 end records',
        entry: null,
      });
    if (record.readUInt32LE(16) !== 0 || record.readUInt32LE(20) !== 0)
      return notZip('the zip64 end record claims several disks');
    if (
      record.readUInt16LE(12) !== STATION_WRITER.versionMadeBy ||
      record.readUInt16LE(14) !== STATION_WRITER.versionNeededZip64
    )
      directoryMismatch(
        `the zip64 end record says made by 0x${record.readUInt16LE(12).toString(16)}, needs ${record.readUInt16LE(14)}; the station writes 0x33f and 45`,
      );
    const onDisk = record.readBigUInt64LE(24);
    const total = record.readBigUInt64LE(32);
    const cdSize = record.readBigUInt64LE(40);
    const cdOffset = record.readBigUInt64LE(48);
    const agrees = (classic: number, wide: bigint, max: number) =>
      classic === max || BigInt(classic) === wide;
    if (
      onDisk !== total ||
      total > BigInt(Number.MAX_SAFE_INTEGER) ||
      cdSize > BigInt(Number.MAX_SAFE_INTEGER) ||
      cdOffset > BigInt(Number.MAX_SAFE_INTEGER) ||
      !agrees(entryCount, total, MAX_16) ||
      !agrees(centralDirectorySize, cdSize, MAX_32) ||
      !agrees(centralDirectoryOffset, cdOffset, MAX_32)
    )
      directoryMismatch('the zip64 end record and the classic end record disagree');
    entryCount = Number(total);
    centralDirectorySize = Number(cdSize);
    centralDirectoryOffset = Number(cdOffset);
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

/**
 * BND-LAYOUT-DIRECTORY: reads exactly the counted records, back to back. Bytes left over after them — in
 * particular an uncounted record that other tools list as one more entry — are refused.
 */
function readCentralDirectory(fd: number, layout: Layout): CentralRecord[] {
  if (layout.centralDirectorySize > MAX_DIRECTORY_BYTES)
    directoryMismatch(
      `the central directory is ${layout.centralDirectorySize} bytes, far more than any bundle needs`,
    );
  const cd = readAt(fd, layout.centralDirectorySize, layout.centralDirectoryOffset);
  if (cd.length !== layout.centralDirectorySize)
    return notZip('the central directory is cut short', 'BND-LAYOUT-DIRECTORY');
  const records: CentralRecord[] = [];
  let p = 0;
  for (let i = 0; i < layout.entryCount; i++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== CENTRAL_SIG)
      return notZip(
        `central-directory record ${i + 1} of ${layout.entryCount} is missing or damaged`,
        'BND-LAYOUT-DIRECTORY',
      );
    const nameLength = cd.readUInt16LE(p + 28);
    const extraLength = cd.readUInt16LE(p + 30);
    const commentLength = cd.readUInt16LE(p + 32);
    const next = p + 46 + nameLength + extraLength + commentLength;
    if (next > cd.length)
      return notZip(`central-directory record ${i + 1} runs past the directory`, 'BND-LAYOUT-DIRECTORY');
    records.push({
      versionMadeBy: cd.readUInt16LE(p + 4),
      versionNeeded: cd.readUInt16LE(p + 6),
      flags: cd.readUInt16LE(p + 8),
      method: cd.readUInt16LE(p + 10),
      dosDateTime: cd.readUInt32LE(p + 12),
      crc32: cd.readUInt32LE(p + 16),
      compressedSize: cd.readUInt32LE(p + 20),
      uncompressedSize: cd.readUInt32LE(p + 24),
      nameBytes: cd.subarray(p + 46, p + 46 + nameLength),
      extra: cd.subarray(p + 46 + nameLength, p + 46 + nameLength + extraLength),
      commentLength,
      diskStart: cd.readUInt16LE(p + 34),
      internalAttributes: cd.readUInt16LE(p + 36),
      externalAttributes: cd.readUInt32LE(p + 38),
      localHeaderOffset: cd.readUInt32LE(p + 42),
    });
    p = next;
  }
  if (p < cd.length) {
    const uncounted = p + 46 <= cd.length && cd.readUInt32LE(p) === CENTRAL_SIG;
    directoryMismatch(
      uncounted
        ? `an uncounted central-directory record for "${printable(cd.subarray(p + 46, p + 46 + cd.readUInt16LE(p + 28)))}" follows the ${layout.entryCount} counted ones (other zip tools would list it)`
        : `${cd.length - p} bytes follow the ${layout.entryCount} counted central-directory records`,
    );
  }
  return records;
}

/** The policy's view of one record, and its real sizes (the zip64 extra field applied). */
function checkRecord(r: CentralRecord, limits: ArchiveLimits): CheckedRecord {
  const decoded = decodeEntryName({ nameBytes: r.nameBytes, utf8: (r.flags & 0x800) !== 0 });
  if ('code' in decoded) return refused(decoded);
  const { name } = decoded;
  const nameProblem = checkEntryName(name, limits);
  if (nameProblem) refused(nameProblem);
  if (r.diskStart !== 0) notZip(`entry ${name} claims to start on another disk`, 'BND-LAYOUT-DIRECTORY');
  const marks = {
    uncompressedSize: r.uncompressedSize === MAX_32,
    compressedSize: r.compressedSize === MAX_32,
    localHeaderOffset: r.localHeaderOffset === MAX_32,
  };
  const extra = parseExtraFields(r.extra, 'central', marks, name);
  if ('code' in extra) return refused(extra);
  const compressedSize = extra.zip64?.compressedSize ?? r.compressedSize;
  const uncompressedSize = extra.zip64?.uncompressedSize ?? r.uncompressedSize;
  const raw: RawEntry = {
    nameBytes: r.nameBytes,
    utf8: (r.flags & 0x800) !== 0,
    versionMadeBy: r.versionMadeBy,
    versionNeeded: r.versionNeeded,
    externalAttributes: r.externalAttributes,
    internalAttributes: r.internalAttributes,
    zip64: extra.zip64 !== null,
    compressionMethod: r.method,
    flags: r.flags,
    compressedSize,
    uncompressedSize,
    commentLength: r.commentLength,
  };
  const shape = checkEntryShape(raw, name, limits) ?? checkEntryTime(r.dosDateTime, extra.mtime, name);
  if (shape) refused(shape);
  return {
    name,
    record: r,
    compressedSize,
    uncompressedSize,
    localHeaderOffset: extra.zip64?.localHeaderOffset ?? r.localHeaderOffset,
    zip64: extra.zip64 !== null,
  };
}

/**
 * BND-LAYOUT-ORDER / -OVERLAP / -CONTIGUOUS / -HEADER / -DESCRIPTOR: walks the local headers in directory
 * order and proves the entries tile [0, central directory) exactly, each header agreeing with its record.
 */
function checkLayout(fd: number, layout: Layout, entries: readonly CheckedRecord[]): number[] {
  const dataOffsets: number[] = [];
  const offsets = new Map<number, string>();
  for (const e of entries) {
    const other = offsets.get(e.localHeaderOffset);
    if (other !== undefined)
      refused({
        code: 'BUNDLE_ENTRY_OVERLAP',
        check: 'BND-LAYOUT-OVERLAP',
        message: `entries ${other} and ${e.name} share one stored body`,
        entry: e.name,
      });
    offsets.set(e.localHeaderOffset, e.name);
  }
  entries.forEach((e, i) => {
    const before = entries[i - 1];
    if (before && before.localHeaderOffset > e.localHeaderOffset)
      refused({
        code: 'BUNDLE_ENTRY_ORDER',
        check: 'BND-LAYOUT-ORDER',
        message: `entry ${e.name} is stored before ${before.name} but listed after it`,
        entry: e.name,
      });
  });
  let cursor = 0;
  for (const e of entries) {
    const { name, record: r } = e;
    const offset = e.localHeaderOffset;
    if (offset < cursor)
      refused({
        code: 'BUNDLE_ENTRY_OVERLAP',
        check: 'BND-LAYOUT-OVERLAP',
        message: `entry ${name} shares stored bytes with the entry before it`,
        entry: name,
      });
    if (offset > cursor)
      refused({
        code: 'BUNDLE_HIDDEN_DATA',
        check: 'BND-LAYOUT-CONTIGUOUS',
        message: `${offset - cursor} unlisted bytes lie before entry ${name}`,
        entry: name,
      });
    const mismatch = (what: string): never =>
      refused({
        code: 'BUNDLE_HEADER_MISMATCH',
        check: 'BND-LAYOUT-HEADER',
        message: `entry ${name}: the local header ${what}`,
        entry: name,
      });
    const head = readAt(fd, 30, offset);
    if (head.length !== 30 || head.readUInt32LE(0) !== LOCAL_SIG) mismatch('is not where the directory says');
    const nameLength = head.readUInt16LE(26);
    const extraLength = head.readUInt16LE(28);
    if (!readAt(fd, nameLength, offset + 30).equals(r.nameBytes)) mismatch('names a different file');
    // yazl writes 20 in every local header, also before a zip64 entry (whose directory record says 45).
    if (head.readUInt16LE(4) !== STATION_WRITER.versionNeeded)
      refused({
        code: 'BUNDLE_ENTRY_VERSION',
        check: 'BND-ENTRY-VERSION',
        message: `entry ${name}: the local header needs zip ${head.readUInt16LE(4) / 10} to extract; the station writes 2.0 there`,
        entry: name,
      });
    if (
      head.readUInt16LE(6) !== r.flags ||
      head.readUInt16LE(8) !== r.method ||
      head.readUInt32LE(10) !== r.dosDateTime
    )
      mismatch('sets other flags, method or time than the directory');
    const localExtra = parseExtraFields(
      readAt(fd, extraLength, offset + 30 + nameLength),
      'local',
      { uncompressedSize: false, compressedSize: false, localHeaderOffset: false },
      name,
    );
    if ('code' in localExtra) refused(localExtra);
    const descriptor = (r.flags & FLAG_DESCRIPTOR) !== 0;
    const local = {
      crc: head.readUInt32LE(14),
      compressed: head.readUInt32LE(18),
      size: head.readUInt32LE(22),
    };
    const descriptorMismatch = (what: string): never =>
      refused({
        code: 'BUNDLE_DESCRIPTOR_MISMATCH',
        check: 'BND-LAYOUT-DESCRIPTOR',
        message: `entry ${name}: ${what}`,
        entry: name,
      });
    if (descriptor && (local.crc !== 0 || local.compressed !== 0 || local.size !== 0))
      descriptorMismatch(
        'the local header carries a CRC or sizes although they belong in its data descriptor',
      );
    if (
      !descriptor &&
      (local.crc !== r.crc32 || local.compressed !== e.compressedSize || local.size !== e.uncompressedSize)
    )
      mismatch('declares another CRC or other sizes than the directory');
    dataOffsets.push(offset + 30 + nameLength + extraLength);
    cursor = offset + 30 + nameLength + extraLength + e.compressedSize;
    if (descriptor) {
      // Signature, CRC-32, then 4- or 8-byte sizes (8 when the entry is zip64), as yazl writes it.
      const length = e.zip64 ? 24 : 16;
      const d = readAt(fd, length, cursor);
      if (d.length !== length || d.readUInt32LE(0) !== DESCRIPTOR_SIG)
        descriptorMismatch('its data is not followed by a data descriptor');
      const sizes = e.zip64
        ? [Number(d.readBigUInt64LE(8)), Number(d.readBigUInt64LE(16))]
        : [d.readUInt32LE(8), d.readUInt32LE(12)];
      if (d.readUInt32LE(4) !== r.crc32 || sizes[0] !== e.compressedSize || sizes[1] !== e.uncompressedSize)
        descriptorMismatch('its data descriptor declares another CRC or other sizes than the directory');
      cursor += length;
    }
  }
  if (cursor !== layout.centralDirectoryOffset)
    refused({
      code: cursor > layout.centralDirectoryOffset ? 'BUNDLE_ENTRY_OVERLAP' : 'BUNDLE_HIDDEN_DATA',
      check: cursor > layout.centralDirectoryOffset ? 'BND-LAYOUT-OVERLAP' : 'BND-LAYOUT-CONTIGUOUS',
      message: `the entries end at ${cursor} but the central directory starts at ${layout.centralDirectoryOffset}`,
      entry: null,
    });
  return dataOffsets;
}

/** yauzl over the very descriptor the station's own checks read: one open, no second path lookup. */
function openZip(fd: number): Promise<ZipFile> {
  return new Promise((res, rej) => {
    yauzl.fromFd(
      fd,
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

function readEntries(zip: ZipFile, max: number): Promise<Entry[]> {
  return new Promise((res, rej) => {
    const out: Entry[] = [];
    zip.on('entry', (e: Entry) => {
      out.push(e);
      if (out.length > max) {
        rej(new Error(`more than ${max} entries`));
        return;
      }
      zip.readEntry();
    });
    zip.on('end', () => res(out));
    zip.on('error', rej);
    zip.readEntry();
  });
}

/** yauzl must read the directory exactly as the station did: same entries, names, sizes and offsets. */
async function yauzlEntries(zip: ZipFile, checked: readonly CheckedRecord[]): Promise<Entry[]> {
  try {
    const entries = await readEntries(zip, checked.length);
    const agree =
      entries.length === checked.length &&
      entries.every((e, i) => {
        const c = checked[i] as CheckedRecord;
        return (
          e.fileNameRaw.equals(c.record.nameBytes) &&
          e.relativeOffsetOfLocalHeader === c.localHeaderOffset &&
          e.compressedSize === c.compressedSize &&
          e.uncompressedSize === c.uncompressedSize &&
          e.crc32 === c.record.crc32
        );
      });
    if (!agree) directoryMismatch('a second zip reader lists other entries than the station read');
    return entries;
  } catch (e) {
    zip.close();
    if (e instanceof ArchiveRefused) throw e;
    return directoryMismatch(
      `a second zip reader lists other entries than the station read: ${(e as Error).message}`,
    );
  }
}

/** An archive that passed every structural check; content is read only through it. */
export class CheckedArchive {
  /** Direct reads of stored entries not yet answered: yauzl may close the descriptor only after them. */
  private reading = 0;
  private closed = false;

  private constructor(
    /** Reads through the one descriptor (opened O_NOFOLLOW) every check used; owns it from then on. */
    private readonly zip: ZipFile,
    /** That same descriptor, for the direct reads of stored entries (never closed here: yauzl owns it). */
    private readonly fd: number,
    readonly path: string,
    readonly entries: readonly ArchiveEntry[],
  ) {}

  static async open(path: string, limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS): Promise<CheckedArchive> {
    const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    let handedOver = false;
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
      const checked = readCentralDirectory(fd, layout).map((r) => checkRecord(r, limits));
      const setProblem = checkEntrySet(
        checked.map((e) => ({ name: e.name, uncompressedSize: e.uncompressedSize })),
        limits,
      );
      if (setProblem) refused(setProblem);
      const dataOffsets = checkLayout(fd, layout, checked);
      let zip: ZipFile;
      try {
        zip = await openZip(fd);
      } catch (e) {
        return directoryMismatch(
          `a second zip reader cannot open what the station read: ${(e as Error).message}`,
        );
      }
      // yauzl owns the descriptor now: closing the zip file closes it (once its streams are done).
      handedOver = true;
      const entries = await yauzlEntries(zip, checked);
      return new CheckedArchive(
        zip,
        fd,
        path,
        checked.map((c, i) => ({
          name: c.name,
          size: c.uncompressedSize,
          compressedSize: c.compressedSize,
          crc32: c.record.crc32,
          storedWithDescriptor: c.record.method === 0 && (c.record.flags & FLAG_DESCRIPTOR) !== 0,
          stored: c.record.method === 0,
          dataOffset: dataOffsets[i] as number,
          entry: entries[i] as Entry,
        })),
      );
    } finally {
      if (!handedOver) closeSync(fd);
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
    // A chunk is lent only for the call (stored entries reuse their read buffers): keep a copy.
    await this.pump(e, (chunk) => chunks.push(Buffer.from(chunk)));
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

  /**
   * Streams an entry through `onChunk`; its size is checked by yauzl, its CRC-32 here (BND-ENTRY-CRC),
   * and a stored entry with a data descriptor must not hold the descriptor signature
   * (BND-LAYOUT-DESCRIPTOR): a streaming reader would end the entry there. A chunk is valid only during
   * `onChunk` and until `write` settles.
   *
   * A stored entry is read straight from the one descriptor, from the data start its local header gives,
   * exactly its directory size (which the layout check proved ends where the next part begins), in large
   * reads; a deflated one goes through yauzl's inflating stream.
   */
  private async pump(
    e: ArchiveEntry,
    onChunk: (c: Buffer) => void,
    write?: (c: Buffer) => Promise<void>,
  ): Promise<void> {
    let crc = 0;
    const scan = e.storedWithDescriptor ? descriptorSignatureScanner(containsBytes) : null;
    const take = (chunk: Buffer): ArchiveRefused | null => {
      crc = crc32(chunk, crc);
      if (scan?.(chunk))
        return new ArchiveRefused({
          code: 'BUNDLE_DESCRIPTOR_AMBIGUOUS',
          check: 'BND-LAYOUT-DESCRIPTOR',
          message: `stored entry ${e.name} holds the data-descriptor signature PK\\x07\\x08: a streaming zip reader would end it there and read the rest as other entries`,
          entry: e.name,
        });
      onChunk(chunk);
      return null;
    };
    try {
      if (e.stored) await this.readStored(e, take, write);
      else
        await pipeline(
          await this.stream(e),
          new Writable({
            write(chunk: Buffer, _enc, done) {
              const refusal = take(chunk);
              if (refusal) done(refusal);
              else if (write) write(chunk).then(() => done(), done);
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
    if (crc !== e.crc32)
      refused({
        code: 'BUNDLE_CRC_MISMATCH',
        check: 'BND-ENTRY-CRC',
        message: `${e.name} has CRC-32 ${crc.toString(16).padStart(8, '0')}, the archive declares ${e.crc32.toString(16).padStart(8, '0')}`,
        entry: e.name,
      });
  }

  /** A stored entry's bytes through `take` (and `write`), read directly from the checked descriptor. */
  private async readStored(
    e: ArchiveEntry,
    take: (chunk: Buffer) => ArchiveRefused | null,
    write?: (c: Buffer) => Promise<void>,
  ): Promise<void> {
    if (this.closed) throw new Error(`${this.path} is closed`);
    this.reading++;
    try {
      await readRange(
        this.fd,
        e.dataOffset,
        e.compressedSize,
        async (chunk) => {
          const refusal = take(chunk);
          if (refusal) throw refusal;
          if (write) await write(chunk);
        },
        (got) => new Error(`the archive ends ${e.compressedSize - got} bytes into ${e.name}`),
      );
    } finally {
      this.reading--;
      if (this.closed && this.reading === 0) this.zip.close();
    }
  }

  /**
   * Closes the archive; yauzl closes the descriptor when its last stream ends, and this waits for the last
   * direct read of a stored entry (a second call is a no-op).
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.reading === 0) this.zip.close();
  }
}

/** Where an entry lands under a staging directory; refuses anything that would land outside it. */
export function stagedPath(stagingDir: string, name: string): string {
  const root = resolve(stagingDir);
  const target = resolve(root, ...name.split('/'));
  if (!target.startsWith(root + sep))
    throw stationError('BUNDLE_PATH_TRAVERSAL', `entry ${name} would land outside staging`, {
      entry: name,
      check: 'BND-NAME-TRAVERSAL',
    });
  mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
  return target;
}
