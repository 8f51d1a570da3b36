import { randomBytes, randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { javascriptCrc32Unsigned as js, nativeCrc32Unsigned as native } from './native-crc32';

/** zlib's CRC-32 must answer exactly as buffer-crc32's JavaScript does, for every way yazl calls it. */
describe('nativeCrc32Unsigned gives buffer-crc32 unsigned values', () => {
  it('the check value of the zip CRC-32 ("123456789" → cbf43926), so neither side is off', () => {
    expect(native(Buffer.from('123456789')).toString(16)).toBe('cbf43926');
    expect(js(Buffer.from('123456789')).toString(16)).toBe('cbf43926');
  });

  it('random buffers of many lengths, from a fresh start', () => {
    for (const length of [1, 2, 3, 7, 8, 15, 16, 31, 64, 255, 4096, 65_537, 1_000_003]) {
      const b = randomBytes(length);
      expect(native(b)).toBe(js(b));
      expect(native(b)).toBeGreaterThanOrEqual(0);
    }
  });

  it('incremental chunks chain to the same value as the whole, as yazl feeds them', () => {
    const whole = randomBytes(3 * 1024 * 1024 + 17);
    let a: number | undefined;
    let b: number | undefined;
    for (let at = 0; at < whole.length;) {
      const next = Math.min(whole.length, at + randomInt(1, 300_000));
      const chunk = whole.subarray(at, next);
      a = native(chunk, a);
      b = js(chunk, b);
      expect(a).toBe(b);
      at = next;
    }
    expect(a).toBe(js(whole));
    expect(native(whole)).toBe(js(whole));
  });

  it('empty input, with and without a previous value', () => {
    expect(native(Buffer.alloc(0))).toBe(0);
    expect(js(Buffer.alloc(0))).toBe(0);
    expect(native(Buffer.alloc(0), 0xdeadbeef)).toBe(js(Buffer.alloc(0), 0xdeadbeef));
    expect(native('')).toBe(js(''));
  });

  it('previous as missing, undefined, unsigned, signed (negative) or a 4-byte big-endian Buffer', () => {
    const b = randomBytes(1000);
    const prev = js(randomBytes(50));
    const signed = prev | 0;
    const asBuffer = Buffer.alloc(4);
    asBuffer.writeUInt32BE(prev, 0);
    expect(native(b, undefined)).toBe(js(b, undefined));
    expect(native(b, prev)).toBe(js(b, prev));
    expect(native(b, signed)).toBe(js(b, signed));
    expect(native(b, -1)).toBe(js(b, -1));
    expect(native(b, asBuffer)).toBe(js(b, asBuffer));
    expect(native(b, asBuffer)).toBe(native(b, prev));
  });

  it('a string as its UTF-8 bytes, a number as that many zero bytes, anything else refused alike', () => {
    const text = 'bundle.dsse.json — ünïcode ✓ 🔐';
    expect(native(text)).toBe(js(text));
    expect(native(text)).toBe(js(Buffer.from(text, 'utf8')));
    expect(native(text, 12345)).toBe(js(text, 12345));
    expect(native(10)).toBe(js(10));
    expect(native(0)).toBe(js(0));
    const view = new Uint8Array([1, 2, 3]) as unknown as Buffer;
    expect(() => js(view)).toThrow(/input must be buffer, number, or string, received object/);
    expect(() => native(view)).toThrow(/input must be buffer, number, or string, received object/);
  });
});
