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
  | 'BUNDLE_SIZE_MISMATCH';

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
  /** Unix file type bits (S_IFMT) when the entry was made on Unix, else null. */
  readonly unixType: number | null;
  readonly compressionMethod: number;
  readonly encrypted: boolean;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  /** IDs of the extra fields present (0x0001 zip64, 0x5455 timestamp, 0x7075 Unicode path …). */
  readonly extraFieldIds: readonly number[];
}

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
/** Extra fields that cannot change what an entry is called or holds. */
const HARMLESS_EXTRA = new Set([0x0001, 0x5455, 0x7875, 0x000a]);

const refuse = (code: ArchiveRefusalCode, check: string, message: string, entry: string | null) => ({
  code,
  check,
  message,
  entry,
});

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes an entry name: UTF-8 when flagged, otherwise it must be plain ASCII (no CP437 guessing). */
export function decodeEntryName(raw: RawEntry): { name: string } | ArchiveRefusal {
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

/** BND-ENTRY-*: type, method, encryption, sizes and ratio of one entry, from its metadata alone. */
export function checkEntryShape(
  raw: RawEntry,
  name: string,
  limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS,
): ArchiveRefusal | null {
  if (raw.unixType !== null) {
    const type = raw.unixType & S_IFMT;
    if (type === S_IFLNK)
      return refuse('BUNDLE_SYMLINK', 'BND-ENTRY-TYPE', `entry ${name} is a symbolic link`, name);
    if (type === S_IFDIR)
      return refuse('BUNDLE_DIRECTORY_ENTRY', 'BND-ENTRY-TYPE', `entry ${name} is a directory`, name);
    if (type !== 0 && type !== S_IFREG)
      return refuse(
        'BUNDLE_SPECIAL_FILE',
        'BND-ENTRY-TYPE',
        `entry ${name} is a device, FIFO or socket (mode ${type.toString(8)})`,
        name,
      );
  }
  if (raw.extraFieldIds.some((id) => !HARMLESS_EXTRA.has(id)))
    return refuse(
      'BUNDLE_NAME_AMBIGUOUS',
      'BND-ENTRY-EXTRA',
      `entry ${name} carries an extra field (${raw.extraFieldIds.map((i) => `0x${i.toString(16).padStart(4, '0')}`).join(', ')}) that could rename or reinterpret it`,
      name,
    );
  if (raw.encrypted)
    return refuse('BUNDLE_ENCRYPTED', 'BND-ENTRY-METHOD', `entry ${name} is encrypted`, name);
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
