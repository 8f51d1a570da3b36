/**
 * What the station accepts inside a bundle archive, decided on the archive's own metadata before any
 * byte of content is read. Each refusal has its own code and check ID (docs/bundle-format.md lists them);
 * the adapter that reads the zip (src/main/adapters/media) feeds raw central-directory facts in here.
 */

export type ArchiveRefusalCode =
  | 'BUNDLE_TOO_LARGE'
  | 'BUNDLE_NOT_ZIP'
  | 'BUNDLE_TOO_MANY_ENTRIES'
  | 'BUNDLE_ENTRY_TOO_LARGE'
  | 'BUNDLE_TOTAL_TOO_LARGE'
  | 'BUNDLE_RATIO'
  | 'BUNDLE_NAME_ENCODING'
  | 'BUNDLE_NAME_NUL'
  | 'BUNDLE_PATH_ABSOLUTE'
  | 'BUNDLE_PATH_TRAVERSAL'
  | 'BUNDLE_PATH_BACKSLASH'
  | 'BUNDLE_NAME_INVALID'
  | 'BUNDLE_NAME_DUPLICATE'
  | 'BUNDLE_NAME_CASE_COLLISION'
  | 'BUNDLE_NAME_AMBIGUOUS'
  | 'BUNDLE_DIRECTORY_ENTRY'
  | 'BUNDLE_SYMLINK'
  | 'BUNDLE_SPECIAL_FILE'
  | 'BUNDLE_ENTRY_OVERLAP'
  | 'BUNDLE_HEADER_MISMATCH'
  | 'BUNDLE_HIDDEN_DATA'
  | 'BUNDLE_TRAILING_DATA'
  | 'BUNDLE_ENCRYPTED'
  | 'BUNDLE_COMPRESSION_METHOD'
  | 'BUNDLE_SIZE_MISMATCH'
  | 'BUNDLE_COMMENT'
  | 'BUNDLE_DIRECTORY_MISMATCH'
  | 'BUNDLE_EXTRA_FIELD'
  | 'BUNDLE_EXTRA_FIELD_INVALID'
  | 'BUNDLE_FLAGS_UNSUPPORTED'
  | 'BUNDLE_ENTRY_ORDER'
  | 'BUNDLE_DESCRIPTOR_MISMATCH'
  | 'BUNDLE_DESCRIPTOR_AMBIGUOUS'
  | 'BUNDLE_CRC_MISMATCH'
  | 'BUNDLE_ENTRY_HOST'
  | 'BUNDLE_ENTRY_MODE'
  | 'BUNDLE_ENTRY_VERSION'
  | 'BUNDLE_TIME_MISMATCH';

export interface ArchiveRefusal {
  readonly code: ArchiveRefusalCode;
  /** Stable check ID, e.g. BND-NAME-TRAVERSAL. */
  readonly check: string;
  readonly message: string;
  /** The entry concerned (as far as it could be decoded), or null for the archive as a whole. */
  readonly entry: string | null;
}

export interface ArchiveLimits {
  /** Size of the bundle file itself. */
  readonly maxBundleBytes: number;
  readonly maxEntries: number;
  readonly maxEntryBytes: number;
  readonly maxTotalBytes: number;
  /** Largest uncompressed ÷ compressed size for an entry bigger than `ratioFloorBytes`. */
  readonly maxRatio: number;
  readonly ratioFloorBytes: number;
  readonly maxNameBytes: number;
  readonly maxDepth: number;
}

export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = {
  maxBundleBytes: 8 * 1024 ** 3,
  maxEntries: 10_000,
  maxEntryBytes: 4 * 1024 ** 3 - 1,
  maxTotalBytes: 8 * 1024 ** 3,
  maxRatio: 100,
  ratioFloorBytes: 64 * 1024,
  maxNameBytes: 200,
  maxDepth: 8,
};

/** Central-directory facts about one entry, as the zip reader found them (nothing decoded yet). */
export interface RawEntry {
  readonly nameBytes: Uint8Array;
  /** General-purpose flag bit 11: the name is UTF-8. */
  readonly utf8: boolean;
  /** "Version made by": the host system in the high byte, the zip specification version in the low. */
  readonly versionMadeBy: number;
  /** "Version needed to extract", as the central-directory record states it. */
  readonly versionNeeded: number;
  /** External attributes: a Unix st_mode in the high 16 bits, MS-DOS attributes in the low 16. */
  readonly externalAttributes: number;
  readonly internalAttributes: number;
  /** The record carries the zip64 extended-information field. */
  readonly zip64: boolean;
  readonly compressionMethod: number;
  /** The whole general-purpose bit flag. */
  readonly flags: number;
  /** Sizes after the zip64 extra field was applied. */
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly commentLength: number;
}

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
const DOS_DIRECTORY = 0x10;

/**
 * What the station's writer (yazl 3, src/main/adapters/media/zip-writer.ts) puts in every entry's
 * fixed fields, and so the only values the reader accepts. Other tools read these fields by rules of
 * their own (Info-ZIP takes the high 16 attribute bits as a Unix mode, and so a symbolic link, for hosts
 * 0, 2, 3, 5, 16 and 30; libarchive also for 19; 7-Zip honours the DOS directory bit on any host), so the
 * one safe reading is the one combination the station itself writes:
 *  - version made by 0x033F: Unix (3), zip specification 6.3;
 *  - external attributes: a regular file, mode 0644, in the high 16 bits; nothing in the DOS 16 bits;
 *    internal attributes 0;
 *  - version needed to extract 20 (2.0: UTF-8 names, deflate), 45 (4.5) in a zip64 record — in the
 *    directory; yazl writes 20 in every local header, a zip64 entry's too;
 *  - the extended timestamp 0x5455 only in the directory, flags 0x03 (mtime and atime announced, mtime
 *    given), the mtime the DOS time says (the writer writes DOS time as UTC wall-clock time).
 */
export const STATION_ENTRY_MODE = 0o100644;
export const STATION_WRITER = {
  versionMadeBy: 0x033f,
  versionNeeded: 20,
  versionNeededZip64: 45,
  externalAttributes: (STATION_ENTRY_MODE << 16) >>> 0,
  internalAttributes: 0,
  timestampFlags: 0x03,
} as const;

/** Host names of "version made by" (APPNOTE 4.4.2), for messages. */
const HOSTS: Readonly<Record<number, string>> = {
  0: 'MS-DOS',
  1: 'Amiga',
  2: 'OpenVMS',
  3: 'Unix',
  4: 'VM/CMS',
  5: 'Atari ST',
  6: 'OS/2 HPFS',
  7: 'Macintosh',
  8: 'Z-System',
  9: 'CP/M',
  10: 'Windows NTFS',
  11: 'MVS',
  12: 'VSE',
  13: 'Acorn RISC',
  14: 'VFAT',
  15: 'alternate MVS',
  16: 'BeOS',
  17: 'Tandem',
  18: 'OS/400',
  19: 'OS X (Darwin)',
  30: 'AtheOS',
};
const hostName = (madeBy: number) => HOSTS[madeBy >> 8] ?? 'an unknown system';

/** General-purpose flags: bit 0 encrypted, 6 strong encryption, 13 masked (encrypted) directory. */
const FLAG_ENCRYPTION = 0x0001 | 0x0040 | 0x2000;
/** The only other bits a station bundle uses: 3 (sizes in a data descriptor) and 11 (UTF-8 name). */
export const FLAG_DESCRIPTOR = 0x0008;
const FLAG_UTF8 = 0x0800;

/**
 * BND-ENTRY-EXTRA / BND-ENTRY-EXTRA-FORM: the extra fields an entry may carry, where, and in which exact
 * shape. This is what yazl writes (the station's writer) and nothing else: in the central directory, the
 * Info-ZIP extended timestamp exactly as yazl writes it (flags 0x03, then the mtime: 5 bytes) and the
 * zip64 extended information holding exactly the values its header marks 0xFFFFFFFF; in the local header,
 * nothing at all (yazl writes no local extra field, so a local timestamp could only carry other times
 * than the directory's, which tools like zipinfo would show). Every other id is refused, and the Unicode
 * path and comment fields (0x7075, 0x6375) are refused as renaming the entry, wherever they appear:
 * another tool would show a different name than the station checked.
 */
export const EXTRA_TIMESTAMP = 0x5455;
export const EXTRA_ZIP64 = 0x0001;
const RENAMING_EXTRA = new Set([0x7075, 0x6375]);
const ALLOWED_EXTRA = {
  local: new Set<number>(),
  central: new Set([EXTRA_TIMESTAMP, EXTRA_ZIP64]),
};
const MAX_32 = 0xffffffff;

/** Which header fields hold 0xFFFFFFFF, so that their real value is in the zip64 extra field. */
export interface Zip64Marks {
  readonly uncompressedSize: boolean;
  readonly compressedSize: boolean;
  readonly localHeaderOffset: boolean;
}

/** The values an entry's extra fields supplied. */
export interface ExtraFields {
  /** From the zip64 field: only the values its header marked. */
  readonly zip64: { uncompressedSize?: number; compressedSize?: number; localHeaderOffset?: number } | null;
  /** The extended timestamp's modification time (Unix seconds), if the field is present. */
  readonly mtime: number | null;
}

const hex4 = (id: number) => `0x${id.toString(16).padStart(4, '0')}`;

/**
 * Parses one header's extra-field block and checks every field against the whitelist: no unknown id, no
 * duplicate, each field exactly the size and shape the writer gives it (so nothing can hide inside or
 * after it).
 */
export function parseExtraFields(
  extra: Uint8Array,
  where: 'local' | 'central',
  marks: Zip64Marks,
  name: string,
): ExtraFields | ArchiveRefusal {
  const view = new DataView(extra.buffer, extra.byteOffset, extra.byteLength);
  const invalid = (why: string) =>
    refuse(
      'BUNDLE_EXTRA_FIELD_INVALID',
      'BND-ENTRY-EXTRA-FORM',
      `entry ${name}: the ${where} extra field ${why}`,
      name,
    );
  const seen = new Set<number>();
  let zip64: ExtraFields['zip64'] = null;
  let mtime: number | null = null;
  let i = 0;
  while (i < extra.length) {
    if (i + 4 > extra.length) return invalid(`block ends with ${extra.length - i} stray bytes`);
    const id = view.getUint16(i, true);
    const size = view.getUint16(i + 2, true);
    const at = i + 4;
    if (at + size > extra.length)
      return invalid(`${hex4(id)} declares ${size} bytes but only ${extra.length - at} remain`);
    i = at + size;
    if (RENAMING_EXTRA.has(id))
      return refuse(
        'BUNDLE_NAME_AMBIGUOUS',
        'BND-ENTRY-EXTRA',
        `entry ${name} carries a Unicode path or comment field (${hex4(id)}) in its ${where} header that could rename it`,
        name,
      );
    if (!ALLOWED_EXTRA[where].has(id))
      return refuse(
        'BUNDLE_EXTRA_FIELD',
        'BND-ENTRY-EXTRA',
        `entry ${name} carries an extra field ${hex4(id)} in its ${where} header that station bundles never use`,
        name,
      );
    if (seen.has(id)) return invalid(`${hex4(id)} appears twice`);
    seen.add(id);
    if (id === EXTRA_TIMESTAMP) {
      // yazl: flags 0x03 (mtime and atime announced; the directory copy gives the mtime only), mtime.
      const flags = size >= 1 ? view.getUint8(at) : -1;
      if (size !== 5 || flags !== STATION_WRITER.timestampFlags)
        return invalid(
          `${hex4(id)} (timestamp) is ${size} bytes with flags ${flags < 0 ? 'missing' : `0x${flags.toString(16).padStart(2, '0')}`}; the station writes 5 bytes, flags 0x03`,
        );
      mtime = view.getUint32(at + 1, true);
    } else {
      // Zip64: exactly the 8-byte values the header marks, in the order the format fixes.
      const wanted = (['uncompressedSize', 'compressedSize', 'localHeaderOffset'] as const).filter(
        (k) => marks[k],
      );
      if (wanted.length === 0 || size !== 8 * wanted.length)
        return invalid(
          `${hex4(id)} (zip64) is ${size} bytes; the header marks ${wanted.length} value(s) of 8 bytes`,
        );
      const values: Record<string, number> = {};
      for (const [k, key] of wanted.entries()) {
        const v = view.getBigUint64(at + 8 * k, true);
        if (v > BigInt(Number.MAX_SAFE_INTEGER))
          return invalid(`${hex4(id)} (zip64) holds an impossible ${key}`);
        values[key] = Number(v);
      }
      zip64 = values;
    }
  }
  if (!zip64 && (marks.uncompressedSize || marks.compressedSize || marks.localHeaderOffset))
    return invalid(`is missing: the header marks values 0x${MAX_32.toString(16)} but carries no zip64 field`);
  return { zip64, mtime };
}

/** DOS time and date (one 32-bit value: time low, date high) of a UTC instant, as the writer stores it. */
export function dosDateTimeUtc(unixSeconds: number): number | null {
  const d = new Date(unixSeconds * 1000);
  const year = d.getUTCFullYear();
  if (!Number.isFinite(unixSeconds) || year < 1980 || year > 2107) return null;
  const date = ((year - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate();
  const time = (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() >> 1);
  return ((date << 16) | time) >>> 0;
}

function showDos(v: number): string {
  const date = v >>> 16;
  const time = v & 0xffff;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${1980 + (date >> 9)}-${two((date >> 5) & 0xf)}-${two(date & 0x1f)} ${two(time >> 11)}:${two((time >> 5) & 0x3f)}:${two((time & 0x1f) * 2)}`;
}

/**
 * BND-ENTRY-TIME: an entry with an extended timestamp shows one time in every tool. zipinfo and unzip
 * take the extended timestamp, Python's zipfile and most others the DOS fields; yazl stores the same
 * instant in both, the DOS fields in two-second steps (the second rounded down to an even one). So the
 * DOS fields must be exactly what that instant gives, read as UTC (the station's writer writes UTC and,
 * since this check, even seconds, so its own bundles agree to the second; an odd second from an earlier
 * export is the one difference the DOS format itself forces).
 */
export function checkEntryTime(
  dosDateTime: number,
  mtime: number | null,
  name: string,
): ArchiveRefusal | null {
  if (mtime === null) return null;
  if (dosDateTimeUtc(mtime) === dosDateTime) return null;
  const shown = Number.isFinite(new Date(mtime * 1000).getTime())
    ? new Date(mtime * 1000).toISOString()
    : String(mtime);
  return refuse(
    'BUNDLE_TIME_MISMATCH',
    'BND-ENTRY-TIME',
    `entry ${name}: the extended timestamp says ${shown} but the DOS time says ${showDos(dosDateTime)} (UTC); other tools would show different times`,
    name,
  );
}

/** The data-descriptor signature, "PK\x07\x08". */
const DESCRIPTOR_SIGNATURE = [0x50, 0x4b, 0x07, 0x08] as const;

/**
 * BND-LAYOUT-DESCRIPTOR: a stored entry whose sizes follow in a data descriptor has no end of its own; a
 * streaming reader (libarchive reading a pipe, for one) ends it at the first "PK\x07\x08" in its bytes
 * and reads what follows as more entries. Such an entry must not contain the signature. Returns a
 * scanner fed chunk by chunk (a signature may straddle two chunks): true once the signature was seen.
 * `contains` may be given a native whole-signature search (an adapter's Buffer.indexOf); without it,
 * each "P" is found natively and the next three bytes compared.
 */
export function descriptorSignatureScanner(
  contains?: (bytes: Uint8Array, signature: Uint8Array) => boolean,
): (chunk: Uint8Array) => boolean {
  const sig = DESCRIPTOR_SIGNATURE;
  const signature = Uint8Array.from(sig);
  // The last three bytes of what came before, to find a signature split across chunks.
  let tail = new Uint8Array(0);
  let found = false;
  const scan = (bytes: Uint8Array): boolean => {
    if (contains) return contains(bytes, signature);
    for (let i = bytes.indexOf(sig[0]); i >= 0 && i + 3 < bytes.length; i = bytes.indexOf(sig[0], i + 1))
      if (bytes[i + 1] === sig[1] && bytes[i + 2] === sig[2] && bytes[i + 3] === sig[3]) return true;
    return false;
  };
  return (chunk) => {
    if (found) return true;
    if (tail.length > 0) {
      const seam = new Uint8Array(tail.length + Math.min(3, chunk.length));
      seam.set(tail);
      seam.set(chunk.subarray(0, 3), tail.length);
      found = scan(seam);
    }
    found ||= scan(chunk);
    const joined = new Uint8Array(Math.min(3, tail.length + chunk.length));
    const rest = chunk.subarray(Math.max(0, chunk.length - 3));
    joined.set(tail.subarray(tail.length - (joined.length - rest.length)));
    joined.set(rest, joined.length - rest.length);
    tail = joined;
    return found;
  };
}

const refuse = (code: ArchiveRefusalCode, check: string, message: string, entry: string | null) => ({
  code,
  check,
  message,
  entry,
});

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes an entry name: UTF-8 when flagged, otherwise it must be plain ASCII (no CP437 guessing). */
export function decodeEntryName(
  raw: Pick<RawEntry, 'nameBytes' | 'utf8'>,
): { name: string } | ArchiveRefusal {
  const printable = Array.from(raw.nameBytes, (b) =>
    b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '?',
  ).join('');
  if (!raw.utf8 && raw.nameBytes.some((b) => b >= 0x80)) {
    return refuse(
      'BUNDLE_NAME_ENCODING',
      'BND-NAME-ENCODING',
      `entry name "${printable}" is not flagged UTF-8 and is not ASCII`,
      printable,
    );
  }
  try {
    return { name: utf8.decode(raw.nameBytes) };
  } catch {
    return refuse(
      'BUNDLE_NAME_ENCODING',
      'BND-NAME-ENCODING',
      `entry name "${printable}" is not valid UTF-8`,
      printable,
    );
  }
}

/** BND-NAME-*: one entry's name is a plain relative path the station would write nowhere else. */
export function checkEntryName(
  name: string,
  limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS,
): ArchiveRefusal | null {
  const shown = JSON.stringify(name);
  if (name.includes('\0'))
    return refuse('BUNDLE_NAME_NUL', 'BND-NAME-NUL', `entry name ${shown} contains NUL`, name);
  if (name.includes('\\'))
    return refuse(
      'BUNDLE_PATH_BACKSLASH',
      'BND-NAME-BACKSLASH',
      `entry name ${shown} contains a backslash`,
      name,
    );
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name))
    return refuse(
      'BUNDLE_PATH_ABSOLUTE',
      'BND-NAME-ABSOLUTE',
      `entry name ${shown} is an absolute path`,
      name,
    );
  const segments = name.split('/');
  if (segments.includes('..'))
    return refuse(
      'BUNDLE_PATH_TRAVERSAL',
      'BND-NAME-TRAVERSAL',
      `entry name ${shown} climbs out with ".."`,
      name,
    );
  if (name.endsWith('/'))
    return refuse('BUNDLE_DIRECTORY_ENTRY', 'BND-ENTRY-TYPE', `entry ${shown} is a directory entry`, name);
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(name) || segments.some((s) => s === '' || s === '.'))
    return refuse(
      'BUNDLE_NAME_INVALID',
      'BND-NAME-FORM',
      `entry name ${shown} has an empty, "." or control-character part`,
      name,
    );
  if (new TextEncoder().encode(name).length > limits.maxNameBytes || segments.length > limits.maxDepth)
    return refuse(
      'BUNDLE_NAME_INVALID',
      'BND-NAME-FORM',
      `entry name ${shown} is too long or too deep`,
      name,
    );
  if (name !== name.normalize('NFC'))
    return refuse(
      'BUNDLE_NAME_INVALID',
      'BND-NAME-FORM',
      `entry name ${shown} is not in Unicode NFC form`,
      name,
    );
  return null;
}

/**
 * BND-ENTRY-*: type, origin, attributes, version, method, encryption, sizes and ratio of one entry, from
 * its metadata alone. The type is judged first the way any tool might read it — the DOS directory bit
 * and a Unix file type in the high attribute bits, whatever host the entry claims — so a link or a
 * directory is named as such; then everything must be exactly what the station's writer writes.
 */
export function checkEntryShape(
  raw: RawEntry,
  name: string,
  limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS,
): ArchiveRefusal | null {
  const host = `made by ${hostName(raw.versionMadeBy)} (host ${raw.versionMadeBy >> 8})`;
  if ((raw.externalAttributes & DOS_DIRECTORY) !== 0)
    return refuse(
      'BUNDLE_DIRECTORY_ENTRY',
      'BND-ENTRY-TYPE',
      `entry ${name} is a directory (DOS attribute)`,
      name,
    );
  const type = (raw.externalAttributes >>> 16) & S_IFMT;
  if (type === S_IFLNK)
    return refuse('BUNDLE_SYMLINK', 'BND-ENTRY-TYPE', `entry ${name} is a symbolic link (${host})`, name);
  if (type === S_IFDIR)
    return refuse('BUNDLE_DIRECTORY_ENTRY', 'BND-ENTRY-TYPE', `entry ${name} is a directory (${host})`, name);
  if (type !== 0 && type !== S_IFREG)
    return refuse(
      'BUNDLE_SPECIAL_FILE',
      'BND-ENTRY-TYPE',
      `entry ${name} is a device, FIFO or socket (mode ${type.toString(8)}, ${host})`,
      name,
    );
  if (raw.versionMadeBy !== STATION_WRITER.versionMadeBy)
    return refuse(
      'BUNDLE_ENTRY_HOST',
      'BND-ENTRY-HOST',
      `entry ${name} is ${host}, zip ${(raw.versionMadeBy & 0xff) / 10}; station bundles are made by Unix, zip 6.3 (0x033f), and other tools read the attributes of other hosts by other rules`,
      name,
    );
  if (
    raw.externalAttributes !== STATION_WRITER.externalAttributes ||
    raw.internalAttributes !== STATION_WRITER.internalAttributes
  )
    return refuse(
      'BUNDLE_ENTRY_MODE',
      'BND-ENTRY-MODE',
      `entry ${name} has attributes 0x${raw.externalAttributes.toString(16).padStart(8, '0')} (mode ${(raw.externalAttributes >>> 16).toString(8)}) and internal attributes ${raw.internalAttributes}; station bundles hold regular files of mode 644 only`,
      name,
    );
  const needed = raw.zip64 ? STATION_WRITER.versionNeededZip64 : STATION_WRITER.versionNeeded;
  if (raw.versionNeeded !== needed)
    return refuse(
      'BUNDLE_ENTRY_VERSION',
      'BND-ENTRY-VERSION',
      `entry ${name} needs zip ${raw.versionNeeded / 10} to extract; the station writes ${needed / 10}${raw.zip64 ? ' for a zip64 entry' : ''} (other tools skip or refuse entries by this field)`,
      name,
    );
  if (raw.commentLength > 0)
    return refuse(
      'BUNDLE_COMMENT',
      'BND-LAYOUT-COMMENT',
      `entry ${name} carries a ${raw.commentLength}-byte comment (station bundles have none)`,
      name,
    );
  if ((raw.flags & FLAG_ENCRYPTION) !== 0)
    return refuse('BUNDLE_ENCRYPTED', 'BND-ENTRY-METHOD', `entry ${name} is encrypted`, name);
  if ((raw.flags & ~(FLAG_DESCRIPTOR | FLAG_UTF8)) !== 0)
    return refuse(
      'BUNDLE_FLAGS_UNSUPPORTED',
      'BND-ENTRY-FLAGS',
      `entry ${name} sets general-purpose flags 0x${raw.flags.toString(16).padStart(4, '0')} (only bit 3, data descriptor, and bit 11, UTF-8, are used)`,
      name,
    );
  if (raw.compressionMethod !== 0 && raw.compressionMethod !== 8)
    return refuse(
      'BUNDLE_COMPRESSION_METHOD',
      'BND-ENTRY-METHOD',
      `entry ${name} uses compression method ${raw.compressionMethod} (only stored and deflate)`,
      name,
    );
  if (raw.compressionMethod === 0 && raw.compressedSize !== raw.uncompressedSize)
    return refuse(
      'BUNDLE_SIZE_MISMATCH',
      'BND-ENTRY-SIZE',
      `stored entry ${name} declares different packed and unpacked sizes`,
      name,
    );
  if (raw.uncompressedSize > limits.maxEntryBytes)
    return refuse(
      'BUNDLE_ENTRY_TOO_LARGE',
      'BND-LIMIT-ENTRY',
      `entry ${name} unpacks to ${raw.uncompressedSize} bytes (limit ${limits.maxEntryBytes})`,
      name,
    );
  if (
    raw.uncompressedSize > limits.ratioFloorBytes &&
    raw.uncompressedSize > limits.maxRatio * Math.max(1, raw.compressedSize)
  )
    return refuse(
      'BUNDLE_RATIO',
      'BND-LIMIT-RATIO',
      `entry ${name} expands ${Math.round(raw.uncompressedSize / Math.max(1, raw.compressedSize))}× (limit ${limits.maxRatio}×)`,
      name,
    );
  return null;
}

/** BND-NAME-UNIQUE and BND-LIMIT-TOTAL: across all entries. Case and Unicode form never tell two names apart. */
export function checkEntrySet(
  entries: readonly { name: string; uncompressedSize: number }[],
  limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS,
): ArchiveRefusal | null {
  const exact = new Set<string>();
  const folded = new Map<string, string>();
  let total = 0;
  for (const e of entries) {
    if (exact.has(e.name))
      return refuse('BUNDLE_NAME_DUPLICATE', 'BND-NAME-UNIQUE', `entry ${e.name} appears twice`, e.name);
    exact.add(e.name);
    const key = e.name.normalize('NFC').toLowerCase();
    const other = folded.get(key);
    if (other !== undefined)
      return refuse(
        'BUNDLE_NAME_CASE_COLLISION',
        'BND-NAME-UNIQUE',
        `entries ${other} and ${e.name} differ only in case`,
        e.name,
      );
    folded.set(key, e.name);
    total += e.uncompressedSize;
    if (total > limits.maxTotalBytes)
      return refuse(
        'BUNDLE_TOTAL_TOO_LARGE',
        'BND-LIMIT-TOTAL',
        `entries unpack to more than ${limits.maxTotalBytes} bytes`,
        null,
      );
  }
  return null;
}
