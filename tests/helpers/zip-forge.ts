import { crc32 as zlibCrc32, deflateRawSync } from 'node:zlib';

/**
 * A deliberately low-level zip composer for the hostile-bundle corpus: every header field can be set to
 * a lie. Test-only; the station itself writes bundles with yazl and reads them with its own checks and
 * yauzl. With no options it writes what yazl writes for a buffer (no extra fields, sizes in the headers);
 * `descriptor`, `centralExtra: 'yazl'` and `zip64` give yazl's other shapes.
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
  /** External attributes as stored (overrides `mode`), e.g. an MS-DOS directory bit. */
  readonly externalAttributes?: number;
  /** Internal attributes (yazl: 0; bit 0 would mark "text"). */
  readonly internalAttributes?: number;
  /** "Version made by" low byte (zip specification version; yazl: 63). */
  readonly specVersion?: number;
  /** "Version needed to extract" in both headers (default 20, or 45 in a zip64 record), or locally only. */
  readonly versionNeeded?: number;
  readonly localVersionNeeded?: number;
  /** Extra field in both headers; `localExtra` / `centralExtra` set one header only. */
  readonly extra?: Buffer;
  readonly localExtra?: Buffer;
  readonly centralExtra?: Buffer;
  /** A comment in the central-directory record. */
  readonly comment?: Buffer;
  /** A different name in the local header than in the central directory. */
  readonly localName?: Buffer;
  readonly encrypted?: boolean;
  /** More general-purpose flag bits (both headers), and a local header that differs. */
  readonly flags?: number;
  readonly localFlags?: number;
  readonly localMethod?: number;
  /** DOS time/date as one 32-bit value (both headers) and a local one that differs. */
  readonly dosTime?: number;
  readonly localDosTime?: number;
  /** Override the sizes the headers declare. */
  readonly declaredSize?: number;
  readonly declaredCompressedSize?: number;
  /** Override the CRC-32 (both headers), or the local header's only. */
  readonly crc?: number;
  readonly localCrc?: number;
  readonly localSize?: number;
  readonly localCompressedSize?: number;
  /** Packed bytes to store instead of packing `data` (e.g. a corrupt deflate stream). */
  readonly packed?: Buffer;
  /** Central-directory entry points at another entry's local header (by index), or is shifted. */
  readonly sameOffsetAs?: number;
  readonly offsetDelta?: number;
  readonly diskStart?: number;
  /**
   * Bit 3: zeros in the local header, a data descriptor after the data (as yazl writes a stream).
   * The descriptor can lie, lose its signature, or be written without the flag.
   */
  readonly descriptor?: boolean;
  readonly descriptorCrc?: number;
  readonly descriptorSize?: number;
  readonly descriptorCompressedSize?: number;
  readonly descriptorNoSignature?: boolean;
  readonly descriptorWithoutFlag?: boolean;
  /** The flag is set but no descriptor follows the data. */
  readonly descriptorOmitted?: boolean;
  /** The local header keeps CRC and sizes although the descriptor flag is set. */
  readonly descriptorLocalSizes?: boolean;
  /** Write the central record as yazl does for a big archive: 0xFFFFFFFF fields and a zip64 extra. */
  readonly zip64?: boolean;
  /** With zip64: change one zip64 value (index 0 size, 1 compressed size, 2 offset). */
  readonly zip64Delta?: readonly [number, number];
  /** With descriptor + zip64: write the 24-byte zip64 data descriptor. */
  readonly descriptor64?: boolean;
}

export interface ForgeOptions {
  readonly prefix?: Buffer;
  /** Bytes inserted after the entry with this index (after its data descriptor, if any). */
  readonly gapAfter?: { index: number; bytes: Buffer };
  readonly comment?: Buffer;
  readonly trailing?: Buffer;
  /** The order of the central-directory records (indexes into the entries); default stored order. */
  readonly centralOrder?: readonly number[];
  /** Records added to the central directory but not to the counts (each points at entry `pointsTo`). */
  readonly uncounted?: readonly { name: string; pointsTo: number }[];
  /** Bytes inside the central directory after the record with this index (counted in its size). */
  readonly centralGapAfter?: { index: number; bytes: Buffer };
  /** Bytes between the central directory and the end record (not counted in the directory size). */
  readonly afterCentral?: Buffer;
  /** Change the counts: both (`count`) or only "entries on this disk" (`diskCount`). */
  readonly countDelta?: number;
  readonly diskCountDelta?: number;
  readonly centralSizeDelta?: number;
  readonly centralOffsetDelta?: number;
  /** The end record declares a comment length though no comment follows. */
  readonly declaredCommentLength?: number;
  readonly diskNumber?: number;
  readonly centralDisk?: number;
  /** Write zip64 end records (as yazl does for a big archive), optionally broken one way. */
  readonly zip64End?: {
    readonly countDelta?: number;
    readonly diskCountDelta?: number;
    readonly extensible?: Buffer;
    readonly gapBeforeLocator?: Buffer;
    readonly locatorDisks?: number;
    readonly locatorOffsetDelta?: number;
    /** Keep the real values in the classic end record instead of 0xFFFF/0xFFFFFFFF. */
    readonly classicValues?: boolean;
  };
  /** Raw patches after everything is laid out, relative to a named place (see `ForgedZip.places`). */
  readonly patches?: readonly ZipPatch[];
}

/** Write `u8`/`u16`/`u32` (little-endian) or `bytes` at `place` + `offset`. */
export interface ZipPatch {
  readonly place: string;
  readonly offset: number;
  readonly u8?: number;
  readonly u16?: number;
  readonly u32?: number;
  readonly bytes?: Buffer;
}

/** Where each structure landed: `local:i`, `data:i`, `descriptor:i`, `central:i`, `eocd`, `zip64eocd`, `locator`. */
export interface ForgedZip {
  readonly bytes: Buffer;
  readonly places: ReadonlyMap<string, number>;
}

export function crc32(data: Buffer): number {
  return zlibCrc32(data) >>> 0;
}

const u16 = (v: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(v & 0xffff);
  return b;
};
const u32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0);
  return b;
};
const u64 = (v: number) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(v));
  return b;
};

/** yazl's central timestamp: flags 0x03 (mtime, atime announced), mtime only. */
export function yazlTimestamp(unixSeconds = 1_790_000_000): Buffer {
  return Buffer.concat([u16(0x5455), u16(5), Buffer.from([0x03]), u32(unixSeconds)]);
}

export function forgeZip(entries: readonly ForgeEntry[], opts: ForgeOptions = {}): Buffer {
  return forgeZipWithPlaces(entries, opts).bytes;
}

export function forgeZipWithPlaces(entries: readonly ForgeEntry[], opts: ForgeOptions = {}): ForgedZip {
  const parts: Buffer[] = [];
  const places = new Map<string, number>();
  let offset = 0;
  const push = (b: Buffer) => {
    parts.push(b);
    offset += b.length;
  };
  if (opts.prefix) push(opts.prefix);
  const offsets: number[] = [];
  const central: Buffer[] = [];
  const packedOf = entries.map((e) => e.packed ?? ((e.method ?? 8) === 8 ? deflateRawSync(e.data) : e.data));
  const centralRecord = (i: number, localOffset: number, nameOverride?: Buffer) => {
    const e = entries[i] as ForgeEntry;
    const name = nameOverride ?? (typeof e.name === 'string' ? Buffer.from(e.name, 'utf8') : e.name);
    const method = e.method ?? 8;
    const packed = packedOf[i] as Buffer;
    const flags =
      ((e.utf8 ?? true) ? 0x800 : 0) | (e.encrypted ? 0x1 : 0) | (e.descriptor ? 0x8 : 0) | (e.flags ?? 0);
    const crc = e.crc ?? crc32(e.data);
    const size = e.declaredSize ?? e.data.length;
    const csize = e.declaredCompressedSize ?? packed.length;
    const offsetValue = localOffset + (e.offsetDelta ?? 0);
    let extra = e.centralExtra ?? e.extra ?? Buffer.alloc(0);
    let sizes = [size, csize, offsetValue];
    if (e.zip64) {
      const values = [size, csize, offsetValue];
      if (e.zip64Delta) values[e.zip64Delta[0]] = (values[e.zip64Delta[0]] as number) + e.zip64Delta[1];
      extra = Buffer.concat([extra, u16(0x0001), u16(24), ...values.map(u64)]);
      sizes = [0xffffffff, 0xffffffff, 0xffffffff];
    }
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(((e.host ?? 3) << 8) | (e.specVersion ?? 63), 4);
    c.writeUInt16LE(e.versionNeeded ?? (e.zip64 ? 45 : 20), 6);
    c.writeUInt16LE(flags, 8);
    c.writeUInt16LE(method, 10);
    c.writeUInt32LE((e.dosTime ?? 0x00210000) >>> 0, 12);
    c.writeUInt32LE(crc >>> 0, 16);
    c.writeUInt32LE((sizes[1] as number) >>> 0, 20);
    c.writeUInt32LE((sizes[0] as number) >>> 0, 24);
    c.writeUInt16LE(name.length, 28);
    c.writeUInt16LE(extra.length, 30);
    const comment = e.comment ?? Buffer.alloc(0);
    c.writeUInt16LE(comment.length, 32);
    c.writeUInt16LE(e.diskStart ?? 0, 34);
    c.writeUInt16LE(e.internalAttributes ?? 0, 36);
    c.writeUInt32LE(e.externalAttributes ?? ((e.mode ?? 0o100644) << 16) >>> 0, 38);
    c.writeUInt32LE((sizes[2] as number) >>> 0, 42);
    return Buffer.concat([c, name, extra, comment]);
  };
  entries.forEach((e, i) => {
    const name = typeof e.name === 'string' ? Buffer.from(e.name, 'utf8') : e.name;
    const method = e.method ?? 8;
    const packed = packedOf[i] as Buffer;
    const flags =
      ((e.utf8 ?? true) ? 0x800 : 0) | (e.encrypted ? 0x1 : 0) | (e.descriptor ? 0x8 : 0) | (e.flags ?? 0);
    const crc = e.crc ?? crc32(e.data);
    const size = e.declaredSize ?? e.data.length;
    const csize = e.declaredCompressedSize ?? packed.length;
    let localOffset = offset;
    if (e.sameOffsetAs !== undefined) {
      localOffset = offsets[e.sameOffsetAs] as number;
    } else {
      const localNameBytes = e.localName ?? name;
      const localExtra = e.localExtra ?? e.extra ?? Buffer.alloc(0);
      const zeros = e.descriptor && !e.descriptorLocalSizes;
      const local = Buffer.alloc(30);
      local.writeUInt32LE(0x04034b50, 0);
      local.writeUInt16LE(e.localVersionNeeded ?? e.versionNeeded ?? 20, 4);
      local.writeUInt16LE(e.localFlags ?? flags, 6);
      local.writeUInt16LE(e.localMethod ?? method, 8);
      local.writeUInt32LE((e.localDosTime ?? e.dosTime ?? 0x00210000) >>> 0, 10);
      local.writeUInt32LE(zeros ? 0 : (e.localCrc ?? crc) >>> 0, 14);
      local.writeUInt32LE(zeros ? 0 : (e.localCompressedSize ?? csize) >>> 0, 18);
      local.writeUInt32LE(zeros ? 0 : (e.localSize ?? size) >>> 0, 22);
      local.writeUInt16LE(localNameBytes.length, 26);
      local.writeUInt16LE(localExtra.length, 28);
      places.set(`local:${i}`, offset);
      push(Buffer.concat([local, localNameBytes, localExtra]));
      places.set(`data:${i}`, offset);
      push(packed);
      if ((e.descriptor && !e.descriptorOmitted) || e.descriptorWithoutFlag) {
        places.set(`descriptor:${i}`, offset);
        const sig = e.descriptorNoSignature ? Buffer.alloc(0) : u32(0x08074b50);
        const dcrc = u32(e.descriptorCrc ?? crc);
        const dc = e.descriptorCompressedSize ?? csize;
        const ds = e.descriptorSize ?? size;
        push(Buffer.concat(e.descriptor64 ? [sig, dcrc, u64(dc), u64(ds)] : [sig, dcrc, u32(dc), u32(ds)]));
      }
    }
    offsets.push(localOffset);
    if (opts.gapAfter?.index === i) push(opts.gapAfter.bytes);
    central.push(centralRecord(i, localOffset));
  });
  const cdOffset = offset;
  const order = opts.centralOrder ?? entries.map((_, i) => i);
  order.forEach((i, k) => {
    places.set(`central:${i}`, offset);
    push(central[i] as Buffer);
    if (opts.centralGapAfter?.index === k) push(opts.centralGapAfter.bytes);
  });
  for (const u of opts.uncounted ?? [])
    push(centralRecord(u.pointsTo, offsets[u.pointsTo] as number, Buffer.from(u.name, 'utf8')));
  const cdSize = offset - cdOffset;
  if (opts.afterCentral) push(opts.afterCentral);
  const count = entries.length + (opts.countDelta ?? 0);
  const z = opts.zip64End;
  if (z) {
    const recordOffset = offset;
    places.set('zip64eocd', offset);
    const ext = z.extensible ?? Buffer.alloc(0);
    push(
      Buffer.concat([
        u32(0x06064b50),
        u64(44 + ext.length),
        u16((3 << 8) | 63),
        u16(45),
        u32(0),
        u32(0),
        u64(count + (z.diskCountDelta ?? 0) + (z.countDelta ?? 0)),
        u64(count + (z.countDelta ?? 0)),
        u64(cdSize + (opts.centralSizeDelta ?? 0)),
        u64(cdOffset + (opts.centralOffsetDelta ?? 0)),
        ext,
      ]),
    );
    if (z.gapBeforeLocator) push(z.gapBeforeLocator);
    places.set('locator', offset);
    push(
      Buffer.concat([
        u32(0x07064b50),
        u32(0),
        u64(recordOffset + (z.locatorOffsetDelta ?? 0)),
        u32(z.locatorDisks ?? 1),
      ]),
    );
  }
  const comment = opts.comment ?? Buffer.alloc(0);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(opts.diskNumber ?? 0, 4);
  eocd.writeUInt16LE(opts.centralDisk ?? 0, 6);
  const classic = !z || z.classicValues;
  eocd.writeUInt16LE(classic ? count + (opts.diskCountDelta ?? 0) : 0xffff, 8);
  eocd.writeUInt16LE(classic ? count : 0xffff, 10);
  eocd.writeUInt32LE(classic ? cdSize + (opts.centralSizeDelta ?? 0) : 0xffffffff, 12);
  eocd.writeUInt32LE(classic ? cdOffset + (opts.centralOffsetDelta ?? 0) : 0xffffffff, 16);
  eocd.writeUInt16LE(opts.declaredCommentLength ?? comment.length, 20);
  places.set('eocd', offset);
  push(Buffer.concat([eocd, comment]));
  if (opts.trailing) push(opts.trailing);
  const bytes = Buffer.concat(parts);
  for (const p of opts.patches ?? []) {
    const at = places.get(p.place);
    if (at === undefined) throw new Error(`no place ${p.place} in the forged zip`);
    const o = at + p.offset;
    if (p.u8 !== undefined) bytes.writeUInt8(p.u8, o);
    if (p.u16 !== undefined) bytes.writeUInt16LE(p.u16, o);
    if (p.u32 !== undefined) bytes.writeUInt32LE(p.u32 >>> 0, o);
    if (p.bytes) p.bytes.copy(bytes, o);
  }
  return { bytes, places };
}
