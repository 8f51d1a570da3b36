import { describe, expect, it } from 'vitest';
import {
  checkEntryName,
  checkEntrySet,
  checkEntryShape,
  decodeEntryName,
  DEFAULT_ARCHIVE_LIMITS,
  type RawEntry,
} from './archive-policy';

const raw = (over: Partial<RawEntry> = {}): RawEntry => ({
  nameBytes: new TextEncoder().encode('files/packet.json'),
  utf8: true,
  unixType: 0o100644,
  compressionMethod: 8,
  encrypted: false,
  compressedSize: 1000,
  uncompressedSize: 4000,
  extraFieldIds: [0x5455],
  ...over,
});

describe('BND-NAME-*: entry names', () => {
  it.each([
    ['files/packet.json', null],
    ['evidence/ab12.pdf', null],
    ['/etc/passwd', 'BUNDLE_PATH_ABSOLUTE'],
    ['C:/Windows/x', 'BUNDLE_PATH_ABSOLUTE'],
    ['files/../../x', 'BUNDLE_PATH_TRAVERSAL'],
    ['..', 'BUNDLE_PATH_TRAVERSAL'],
    ['files\\x', 'BUNDLE_PATH_BACKSLASH'],
    ['files/a\0.json', 'BUNDLE_NAME_NUL'],
    ['files//a', 'BUNDLE_NAME_INVALID'],
    ['./a', 'BUNDLE_NAME_INVALID'],
    ['a\nb', 'BUNDLE_NAME_INVALID'],
    ['files/', 'BUNDLE_DIRECTORY_ENTRY'],
    ['e\u0301.txt', 'BUNDLE_NAME_INVALID'],
    [`${'a/'.repeat(9)}x`, 'BUNDLE_NAME_INVALID'],
    ['x'.repeat(201), 'BUNDLE_NAME_INVALID'],
  ])('%j → %s', (name, code) => {
    expect(checkEntryName(name)?.code ?? null).toBe(code);
  });

  it('decodes flagged UTF-8 and plain ASCII; refuses high bytes without the flag and invalid UTF-8', () => {
    expect(decodeEntryName(raw({ nameBytes: new TextEncoder().encode('é.txt') }))).toEqual({ name: 'é.txt' });
    expect(decodeEntryName(raw({ utf8: false }))).toEqual({ name: 'files/packet.json' });
    expect(decodeEntryName(raw({ utf8: false, nameBytes: new Uint8Array([0x82, 0x41]) }))).toMatchObject({
      code: 'BUNDLE_NAME_ENCODING',
    });
    expect(decodeEntryName(raw({ nameBytes: new Uint8Array([0xc3, 0x28]) }))).toMatchObject({
      code: 'BUNDLE_NAME_ENCODING',
    });
  });
});

describe('BND-ENTRY-*: entry shape', () => {
  const code = (over: Partial<RawEntry>) => checkEntryShape(raw(over), 'x')?.code ?? null;
  it('a regular deflated or stored file passes; DOS-made entries carry no type', () => {
    expect(code({})).toBeNull();
    expect(code({ compressionMethod: 0, compressedSize: 10, uncompressedSize: 10 })).toBeNull();
    expect(code({ unixType: null })).toBeNull();
  });
  it('symlinks, directories, devices, FIFOs and sockets are refused by type', () => {
    expect(code({ unixType: 0o120777 })).toBe('BUNDLE_SYMLINK');
    expect(code({ unixType: 0o040755 })).toBe('BUNDLE_DIRECTORY_ENTRY');
    for (const t of [0o020644, 0o060644, 0o010644, 0o140644])
      expect(code({ unixType: t })).toBe('BUNDLE_SPECIAL_FILE');
  });
  it('encryption, unknown methods, a renaming extra field and stored size lies are refused', () => {
    expect(code({ encrypted: true })).toBe('BUNDLE_ENCRYPTED');
    expect(code({ compressionMethod: 12 })).toBe('BUNDLE_COMPRESSION_METHOD');
    expect(code({ extraFieldIds: [0x7075] })).toBe('BUNDLE_NAME_AMBIGUOUS');
    expect(code({ compressionMethod: 0, compressedSize: 10, uncompressedSize: 11 })).toBe(
      'BUNDLE_SIZE_MISMATCH',
    );
  });
  it('BND-LIMIT-ENTRY and BND-LIMIT-RATIO: size and expansion, with small files exempt from the ratio', () => {
    expect(
      code({ uncompressedSize: DEFAULT_ARCHIVE_LIMITS.maxEntryBytes + 1, compressedSize: 2 ** 31 }),
    ).toBe('BUNDLE_ENTRY_TOO_LARGE');
    expect(code({ compressedSize: 1000, uncompressedSize: 100_001 })).toBe('BUNDLE_RATIO');
    expect(code({ compressedSize: 1000, uncompressedSize: 100_000 })).toBeNull();
    expect(code({ compressedSize: 10, uncompressedSize: 60_000 })).toBeNull();
  });
});

describe('BND-NAME-UNIQUE and BND-LIMIT-TOTAL', () => {
  it('duplicates and case or Unicode-form twins are refused; distinct names pass', () => {
    const e = (name: string) => ({ name, uncompressedSize: 1 });
    expect(checkEntrySet([e('a'), e('b')])).toBeNull();
    expect(checkEntrySet([e('a'), e('a')])?.code).toBe('BUNDLE_NAME_DUPLICATE');
    expect(checkEntrySet([e('Packet.json'), e('packet.JSON')])?.code).toBe('BUNDLE_NAME_CASE_COLLISION');
  });
  it('the total unpacked size is bounded', () => {
    const limits = { ...DEFAULT_ARCHIVE_LIMITS, maxTotalBytes: 100 };
    expect(
      checkEntrySet(
        [
          { name: 'a', uncompressedSize: 60 },
          { name: 'b', uncompressedSize: 40 },
        ],
        limits,
      ),
    ).toBeNull();
    expect(
      checkEntrySet(
        [
          { name: 'a', uncompressedSize: 60 },
          { name: 'b', uncompressedSize: 41 },
        ],
        limits,
      )?.code,
    ).toBe('BUNDLE_TOTAL_TOO_LARGE');
  });
});
