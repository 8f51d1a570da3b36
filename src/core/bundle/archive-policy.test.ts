import { describe, expect, it } from 'vitest';
import {
  checkEntryName,
  checkEntrySet,
  checkEntryShape,
  checkEntryTime,
  decodeEntryName,
  DEFAULT_ARCHIVE_LIMITS,
  descriptorSignatureScanner as scanner,
  dosDateTimeUtc,
  parseExtraFields,
  type RawEntry,
} from './archive-policy';

const raw = (over: Partial<RawEntry> = {}): RawEntry => ({
  nameBytes: new TextEncoder().encode('files/packet.json'),
  utf8: true,
  versionMadeBy: 0x033f,
  versionNeeded: 20,
  externalAttributes: (0o100644 << 16) >>> 0,
  internalAttributes: 0,
  zip64: false,
  compressionMethod: 8,
  flags: 0x0808,
  compressedSize: 1000,
  uncompressedSize: 4000,
  commentLength: 0,
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
  const mode = (m: number, dos = 0) => ({ externalAttributes: ((m << 16) | dos) >>> 0 });
  it('a regular deflated or stored file passes, as the station writes it', () => {
    expect(code({})).toBeNull();
    expect(code({ compressionMethod: 0, compressedSize: 10, uncompressedSize: 10 })).toBeNull();
    expect(code({ zip64: true, versionNeeded: 45 })).toBeNull();
  });
  it('symlinks, directories, devices, FIFOs and sockets are refused by type', () => {
    expect(code(mode(0o120777))).toBe('BUNDLE_SYMLINK');
    expect(code(mode(0o040755))).toBe('BUNDLE_DIRECTORY_ENTRY');
    for (const t of [0o020644, 0o060644, 0o010644, 0o140644])
      expect(code(mode(t))).toBe('BUNDLE_SPECIAL_FILE');
  });
  it('BND-ENTRY-TYPE: a Unix link mode is a link whatever host the entry claims (Info-ZIP reads it for 0, 2, 5, 16, 30)', () => {
    for (const host of [0, 2, 5, 16, 19, 30, 7, 10, 255])
      expect(checkEntryShape(raw({ versionMadeBy: (host << 8) | 20, ...mode(0o120777) }), 'x')).toMatchObject(
        {
          code: 'BUNDLE_SYMLINK',
          check: 'BND-ENTRY-TYPE',
        },
      );
  });
  it('BND-ENTRY-HOST: only what the writer writes, version made by 0x033f (Unix, zip 6.3)', () => {
    for (const madeBy of [0x0014, 0x0314, 0x0500 | 63, 0x1000 | 63, 0x1300 | 63, 0x1e00 | 63, 0x0b00 | 63])
      expect(checkEntryShape(raw({ versionMadeBy: madeBy }), 'x')).toMatchObject({
        code: 'BUNDLE_ENTRY_HOST',
        check: 'BND-ENTRY-HOST',
      });
  });
  it('BND-ENTRY-MODE: a regular 0644 file and nothing else in the attributes', () => {
    for (const over of [
      mode(0o100755),
      mode(0o104644),
      mode(0o000644),
      mode(0o100644, 0x20),
      mode(0o100644, 0x01),
      { externalAttributes: 0 },
      { internalAttributes: 1 },
    ])
      expect(checkEntryShape(raw(over), 'x')).toMatchObject({
        code: 'BUNDLE_ENTRY_MODE',
        check: 'BND-ENTRY-MODE',
      });
  });
  it('BND-ENTRY-VERSION: version needed 20, or 45 with the zip64 field, nothing else', () => {
    for (const over of [{ versionNeeded: 99 }, { versionNeeded: 45 }, { versionNeeded: 10 }, { zip64: true }])
      expect(checkEntryShape(raw(over), 'x')).toMatchObject({
        code: 'BUNDLE_ENTRY_VERSION',
        check: 'BND-ENTRY-VERSION',
      });
  });
  it('encryption, unknown methods and stored size lies are refused', () => {
    expect(code({ flags: 0x0801 })).toBe('BUNDLE_ENCRYPTED');
    expect(code({ flags: 0x0840 })).toBe('BUNDLE_ENCRYPTED');
    expect(code({ flags: 0x2800 })).toBe('BUNDLE_ENCRYPTED');
    expect(code({ compressionMethod: 12 })).toBe('BUNDLE_COMPRESSION_METHOD');
    expect(code({ compressionMethod: 0, compressedSize: 10, uncompressedSize: 11 })).toBe(
      'BUNDLE_SIZE_MISMATCH',
    );
  });
  it('BND-ENTRY-FLAGS: only the data-descriptor and UTF-8 bits; BND-LAYOUT-COMMENT: no entry comment', () => {
    expect(code({ flags: 0 })).toBeNull();
    expect(code({ flags: 0x0800 })).toBeNull();
    for (const bit of [0x0002, 0x0004, 0x0010, 0x0020, 0x0080, 0x1000, 0x4000, 0x8000])
      expect(code({ flags: 0x0800 | bit })).toBe('BUNDLE_FLAGS_UNSUPPORTED');
    expect(code({ commentLength: 1 })).toBe('BUNDLE_COMMENT');
  });
  it('BND-ENTRY-TYPE: a DOS directory attribute is a directory too, on any host', () => {
    expect(code({ versionMadeBy: 0x0014, externalAttributes: 0x10 })).toBe('BUNDLE_DIRECTORY_ENTRY');
    expect(code(mode(0o100644, 0x10))).toBe('BUNDLE_DIRECTORY_ENTRY');
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

describe('BND-ENTRY-EXTRA and BND-ENTRY-EXTRA-FORM: the extra-field whitelist', () => {
  const none = { uncompressedSize: false, compressedSize: false, localHeaderOffset: false };
  const all = { uncompressedSize: true, compressedSize: true, localHeaderOffset: true };
  const field = (id: number, data: number[] | Buffer) => {
    const body = Buffer.from(data);
    const head = Buffer.alloc(4);
    head.writeUInt16LE(id, 0);
    head.writeUInt16LE(body.length, 2);
    return Buffer.concat([head, body]);
  };
  const u64 = (...v: number[]) =>
    Buffer.concat(
      v.map((n) => {
        const b = Buffer.alloc(8);
        b.writeBigUInt64LE(BigInt(n));
        return b;
      }),
    );
  const code = (extra: Buffer, where: 'local' | 'central' = 'central', marks = none) => {
    const r = parseExtraFields(extra, where, marks, 'x');
    return 'code' in r ? [r.code, r.check] : null;
  };
  const ts = (flags: number, times: number) => field(0x5455, [flags, ...Array<number>(4 * times).fill(1)]);

  it('accepts what yazl writes: a central timestamp (flags + mtime), zip64 with exactly the marked values', () => {
    expect(code(Buffer.alloc(0))).toBeNull();
    expect(code(ts(0x03, 1))).toBeNull();
    expect(code(Buffer.concat([ts(0x03, 1), field(0x0001, u64(5, 6, 7))]), 'central', all)).toBeNull();
    expect(parseExtraFields(field(0x0001, u64(5, 6, 7)), 'central', all, 'x')).toEqual({
      zip64: { uncompressedSize: 5, compressedSize: 6, localHeaderOffset: 7 },
      mtime: null,
    });
    expect(parseExtraFields(ts(0x03, 1), 'central', none, 'x')).toEqual({ zip64: null, mtime: 0x01010101 });
  });
  it('a timestamp in the local header (yazl writes none: it could only disagree) or with other flags is refused', () => {
    expect(code(ts(0x07, 3), 'local')).toEqual(['BUNDLE_EXTRA_FIELD', 'BND-ENTRY-EXTRA']);
    expect(code(ts(0x03, 2), 'local')).toEqual(['BUNDLE_EXTRA_FIELD', 'BND-ENTRY-EXTRA']);
    const form = ['BUNDLE_EXTRA_FIELD_INVALID', 'BND-ENTRY-EXTRA-FORM'];
    expect(code(ts(0x01, 1))).toEqual(form);
    expect(code(ts(0x07, 1))).toEqual(form);
    expect(code(ts(0x03, 3))).toEqual(form);
  });
  it('refuses Unicode path and comment fields anywhere, and any id off the whitelist', () => {
    const unicodePath = field(0x7075, [1, 0, 0, 0, 0, ...Buffer.from('../x.sh')]);
    expect(code(unicodePath)).toEqual(['BUNDLE_NAME_AMBIGUOUS', 'BND-ENTRY-EXTRA']);
    expect(code(unicodePath, 'local')).toEqual(['BUNDLE_NAME_AMBIGUOUS', 'BND-ENTRY-EXTRA']);
    expect(code(field(0x6375, [1, 0, 0, 0, 0]))).toEqual(['BUNDLE_NAME_AMBIGUOUS', 'BND-ENTRY-EXTRA']);
    for (const id of [0x7875, 0x000a, 0x9901, 0xcafe, 0x0017])
      expect(code(field(id, [0, 0, 0, 0]))).toEqual(['BUNDLE_EXTRA_FIELD', 'BND-ENTRY-EXTRA']);
    expect(code(field(0x0001, u64(1, 2)), 'local', all)).toEqual(['BUNDLE_EXTRA_FIELD', 'BND-ENTRY-EXTRA']);
  });
  it('refuses hidden bytes, oversize and malformed fields, duplicates and a missing zip64 field', () => {
    const form = ['BUNDLE_EXTRA_FIELD_INVALID', 'BND-ENTRY-EXTRA-FORM'];
    expect(code(Buffer.concat([ts(0x01, 1), Buffer.alloc(4096, 0x41)]))).toEqual(form);
    expect(code(field(0x5455, [0x01, ...Buffer.alloc(4096)]))).toEqual(form);
    expect(code(ts(0x01, 0))).toEqual(form);
    expect(code(field(0x5455, []))).toEqual(form);
    expect(code(ts(0x81, 1))).toEqual(form);
    expect(code(Buffer.concat([ts(0x03, 1), ts(0x03, 1)]))).toEqual(form);
    expect(code(Buffer.concat([ts(0x01, 1), Buffer.from([0x55, 0x54])]))).toEqual(form);
    expect(code(Buffer.from([0x55, 0x54, 0x09, 0x00, 0x01]))).toEqual(form);
    expect(code(field(0x0001, u64(5, 6)), 'central', all)).toEqual(form);
    expect(code(field(0x0001, u64(5, 6, 7, 8)), 'central', all)).toEqual(form);
    expect(code(field(0x0001, u64(5)), 'central', none)).toEqual(form);
    expect(code(Buffer.alloc(0), 'central', { ...none, compressedSize: true })).toEqual(form);
    expect(code(field(0x0001, Buffer.alloc(8, 0xff)), 'central', { ...none, compressedSize: true })).toEqual(
      form,
    );
  });
});

describe('BND-ENTRY-TIME: the extended timestamp and the DOS time are one instant', () => {
  const at = Date.UTC(2026, 10, 25, 10, 0, 6) / 1000;
  it('DOS fields hold the UTC wall-clock time in two-second steps', () => {
    // 2026-11-25 10:00:06 → date (46 << 9 | 11 << 5 | 25), time (10 << 11 | 0 << 5 | 3).
    expect(dosDateTimeUtc(at)).toBe(((((46 << 9) | (11 << 5) | 25) << 16) | ((10 << 11) | 3)) >>> 0);
    expect(dosDateTimeUtc(Date.UTC(1979, 11, 31) / 1000)).toBeNull();
    expect(dosDateTimeUtc(Date.UTC(2108, 0, 1) / 1000)).toBeNull();
  });
  it('agreeing times pass; a different time (even by one DOS step or a time zone) is refused', () => {
    const dos = dosDateTimeUtc(at)!;
    expect(checkEntryTime(dos, at, 'x')).toBeNull();
    // The odd second after it has the same DOS fields (yazl rounds down): the format's own resolution.
    expect(checkEntryTime(dos, at + 1, 'x')).toBeNull();
    expect(checkEntryTime(dos, null, 'x')).toBeNull();
    for (const mtime of [at - 2, at + 2, at + 3600, 0, 0xfffffffe])
      expect(checkEntryTime(dos, mtime, 'x')).toMatchObject({
        code: 'BUNDLE_TIME_MISMATCH',
        check: 'BND-ENTRY-TIME',
      });
    // An impossible DOS date (30 February) that a normalising reader would turn into 2 March.
    const feb30 = ((((46 << 9) | (2 << 5) | 30) << 16) | (10 << 11)) >>> 0;
    expect(checkEntryTime(feb30, Date.UTC(2026, 2, 2, 10) / 1000, 'x')).toMatchObject({
      code: 'BUNDLE_TIME_MISMATCH',
    });
  });
});

/** A plain whole-signature search, standing for the adapter's native one. */
const naive = (bytes: Uint8Array, signature: Uint8Array) =>
  bytes.some((_, i) => signature.every((b, j) => bytes[i + j] === b));

describe.each([
  ['its own search', undefined],
  ['a given whole-signature search', naive],
])('BND-LAYOUT-DESCRIPTOR: the descriptor signature inside stored data (%s)', (_, contains) => {
  const sig = [0x50, 0x4b, 0x07, 0x08];
  const descriptorSignatureScanner = () => scanner(contains);
  it('finds it whole, split across chunks at every seam, and not in look-alikes', () => {
    const data = Uint8Array.from([1, 2, 0x50, 0x50, 0x4b, 7, 0x50, 0x4b, 0x07, 9, ...sig, 3]);
    expect(descriptorSignatureScanner()(data)).toBe(true);
    for (let cut = 0; cut <= data.length; cut++) {
      const scan = descriptorSignatureScanner();
      scan(data.subarray(0, cut));
      expect(scan(data.subarray(cut)), `cut at ${cut}`).toBe(true);
    }
    // One byte at a time.
    const scan = descriptorSignatureScanner();
    expect(Array.from(data, (b) => scan(Uint8Array.of(b))).indexOf(true)).toBe(13);
    const clean = Uint8Array.from([0x50, 0x4b, 0x07, 0x07, 0x50, 0x4b, 0x03, 0x04, 0x50, 0x4b, 0x07]);
    const s2 = descriptorSignatureScanner();
    expect(s2(clean.subarray(0, 5)) || s2(clean.subarray(5))).toBe(false);
  });
});
