import { createRequire } from 'node:module';
import { crc32 } from 'node:zlib';

/**
 * yazl computes every entry's CRC-32 with buffer-crc32, a table-driven loop in JavaScript: about 2.2 s
 * per GiB here, more than the SHA-256 the export computes anyway, and alone enough to miss issue #18's
 * export target. node:zlib's `crc32` is zlib's own (the same CRC-32 polynomial as zip, folded with
 * CPU instructions where there are any) and gives the same unsigned value. yazl looks the function up
 * on buffer-crc32's module object at each call (`crc32.unsigned(chunk, prev)` in its Crc32Watcher and
 * addBuffer), so replacing that one property makes yazl use zlib's; yazl itself still lays out every
 * byte of the archive. native-crc32.test.ts holds the two implementations to the same answers.
 */

/** buffer-crc32's `unsigned`, as its types declare it (a number input is that many zero bytes). */
type Unsigned = (input: string | Buffer | number, previous?: Buffer | number) => number;

const requireHere = createRequire(import.meta.url);
/**
 * buffer-crc32 resolved from yazl's own folder: the very module object yazl's `require` returned. (An
 * `import` would not do: the package's ESM build is a separate module with a separate object.)
 */
const yazlsCrc32 = createRequire(requireHere.resolve('yazl'))('buffer-crc32') as { unsigned: Unsigned };

/** buffer-crc32's own JavaScript implementation, kept for the tests that compare against it. */
export const javascriptCrc32Unsigned: Unsigned = yazlsCrc32.unsigned;

/**
 * buffer-crc32's `unsigned` over zlib's CRC-32, argument for argument: a string is hashed as its UTF-8
 * bytes (as `Buffer.from(string)` gives them), a number as that many zero bytes, anything else that is
 * not a Buffer is refused as buffer-crc32 refuses it; the previous value may be a 4-byte big-endian
 * Buffer, a signed or unsigned 32-bit number, or missing (0).
 */
export const nativeCrc32Unsigned: Unsigned = (input, previous) => {
  let data: string | Buffer;
  if (Buffer.isBuffer(input) || typeof input === 'string') data = input;
  else if (typeof input === 'number') data = Buffer.alloc(input);
  else throw new Error(`input must be buffer, number, or string, received ${typeof input}`);
  // buffer-crc32 takes `~~previous` (ToInt32, so undefined is 0); `>>> 0` gives the same 32 bits unsigned.
  const start = Buffer.isBuffer(previous) ? previous.readUInt32BE(0) : Number(previous ?? 0) >>> 0;
  return crc32(data, start);
};

/** Makes yazl compute CRC-32 with zlib from now on (the module object is shared: once is enough). */
export function useNativeCrc32InYazl(): void {
  yazlsCrc32.unsigned = nativeCrc32Unsigned;
}

/** True when yazl's next CRC-32 goes through zlib (a test checks that the replacement took hold). */
export function yazlUsesNativeCrc32(): boolean {
  return yazlsCrc32.unsigned === nativeCrc32Unsigned;
}
