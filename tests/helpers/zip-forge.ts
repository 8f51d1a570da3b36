import { deflateRawSync } from 'node:zlib';

/**
 * A deliberately low-level zip composer for the hostile-bundle corpus: every header field can be set to
 * a lie. Test-only; the station itself writes bundles with yazl and reads them with yauzl.
 */
export interface ForgeEntry {
  readonly name: string | Buffer;
  readonly data: Buffer;
  readonly method?: number;
  readonly utf8?: boolean;
  /** Full Unix st_mode (type + permissions); default a regular 0644 file. */
  readonly mode?: number;
  /** Host system in "version made by" (3 = Unix, 0 = MS-DOS). */
  readonly host?: number;
  readonly extra?: Buffer;
  /** A different name in the local header than in the central directory. */
  readonly localName?: Buffer;
  readonly encrypted?: boolean;
  /** Override the sizes the headers declare. */
  readonly declaredSize?: number;
  readonly declaredCompressedSize?: number;
  /** Central-directory entry points at another entry's local header (by index). */
  readonly sameOffsetAs?: number;
}

export interface ForgeOptions {
  readonly prefix?: Buffer;
  /** Bytes inserted after the entry with this index. */
  readonly gapAfter?: { index: number; bytes: Buffer };
  readonly comment?: Buffer;
  readonly trailing?: Buffer;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export function crc32(data: Buffer): number {
  let c = 0xffffffff;
  for (const b of data) c = (CRC_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function forgeZip(entries: readonly ForgeEntry[], opts: ForgeOptions = {}): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  const push = (b: Buffer) => {
    parts.push(b);
    offset += b.length;
  };
  if (opts.prefix) push(opts.prefix);
  const offsets: number[] = [];
  const central: Buffer[] = [];
  entries.forEach((e, i) => {
    const name = typeof e.name === 'string' ? Buffer.from(e.name, 'utf8') : e.name;
    const method = e.method ?? 8;
    const packed = method === 8 ? deflateRawSync(e.data) : e.data;
    const flags = ((e.utf8 ?? true) ? 0x800 : 0) | (e.encrypted ? 0x1 : 0);
    const crc = crc32(e.data);
    const size = e.declaredSize ?? e.data.length;
    const csize = e.declaredCompressedSize ?? packed.length;
    const extra = e.extra ?? Buffer.alloc(0);
    let localOffset = offset;
    if (e.sameOffsetAs !== undefined) {
      localOffset = offsets[e.sameOffsetAs] as number;
    } else {
      const localNameBytes = e.localName ?? name;
      const local = Buffer.alloc(30);
      local.writeUInt32LE(0x04034b50, 0);
      local.writeUInt16LE(20, 4);
      local.writeUInt16LE(flags, 6);
      local.writeUInt16LE(method, 8);
      local.writeUInt32LE(0x00210000, 10);
      local.writeUInt32LE(crc, 14);
      local.writeUInt32LE(csize, 18);
      local.writeUInt32LE(size, 22);
      local.writeUInt16LE(localNameBytes.length, 26);
      local.writeUInt16LE(extra.length, 28);
      push(Buffer.concat([local, localNameBytes, extra, packed]));
    }
    offsets.push(localOffset);
    if (opts.gapAfter?.index === i) push(opts.gapAfter.bytes);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(((e.host ?? 3) << 8) | 20, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt16LE(flags, 8);
    c.writeUInt16LE(method, 10);
    c.writeUInt32LE(0x00210000, 12);
    c.writeUInt32LE(crc, 16);
    c.writeUInt32LE(csize, 20);
    c.writeUInt32LE(size, 24);
    c.writeUInt16LE(name.length, 28);
    c.writeUInt16LE(extra.length, 30);
    c.writeUInt16LE(0, 32);
    c.writeUInt16LE(0, 34);
    c.writeUInt16LE(0, 36);
    c.writeUInt32LE(((e.mode ?? 0o100644) << 16) >>> 0, 38);
    c.writeUInt32LE(localOffset, 42);
    central.push(Buffer.concat([c, name, extra]));
  });
  const cdOffset = offset;
  const cd = Buffer.concat(central);
  push(cd);
  const comment = opts.comment ?? Buffer.alloc(0);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(cdOffset, 16);
  eocd.writeUInt16LE(comment.length, 20);
  push(Buffer.concat([eocd, comment]));
  if (opts.trailing) push(opts.trailing);
  return Buffer.concat(parts);
}
