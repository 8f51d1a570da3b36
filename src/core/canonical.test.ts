import { describe, expect, it } from 'vitest';
import { canonicalBytes, canonicalJson } from './canonical';

describe('canonicalJson (RFC 8785)', () => {
  it('sorts keys by UTF-16 code units at every depth and drops insignificant whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('serialises numbers the ECMAScript way (RFC 8785 §3.2.2.3 examples)', () => {
    expect(canonicalJson([1e21, 1e-7, 0.000001, -0, 333333333.3333333, 100])).toBe(
      '[1e+21,1e-7,0.000001,0,333333333.3333333,100]',
    );
  });

  it('orders non-ASCII keys by code unit, not by locale (RFC 8785 §3.2.3 sample)', () => {
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    const keys = Object.keys(JSON.parse(canonicalJson(input)) as object);
    // JSON.parse re-orders integer-like keys first; compare the raw text order instead.
    expect(keys).toContain('1');
    const text = canonicalJson(input);
    const order = ['\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33'].map((k) =>
      text.indexOf(JSON.stringify(k)),
    );
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('refuses values JSON cannot represent exactly, with a coded error', () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, undefined, 10n, '\ud800']) {
      expect(() => canonicalJson(bad)).toThrowError(
        expect.objectContaining({ code: 'CANONICAL_JSON_INVALID' }),
      );
    }
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrowError(
      expect.objectContaining({ code: 'CANONICAL_JSON_INVALID' }),
    );
  });

  it('encodes as UTF-8 bytes', () => {
    expect(Array.from(canonicalBytes({ k: 'é' }))).toEqual([...Buffer.from('{"k":"é"}', 'utf8')]);
  });
});
