import { dsse } from '@sigstore/core';
import { describe, expect, it } from 'vitest';
import { decodeEnvelopeBase64, envelopeSchema, pae } from './dsse';

const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe('DSSE pre-authentication encoding', () => {
  it('matches the DSSE protocol test vector', () => {
    // secure-systems-lab/dsse protocol.md, "Test Vectors".
    expect(text(pae('http://example.com/HelloWorld', new TextEncoder().encode('hello world')))).toBe(
      'DSSEv1 29 http://example.com/HelloWorld 11 hello world',
    );
  });

  it('agrees byte for byte with an independent implementation (@sigstore/core) on binary and UTF-8 input', () => {
    const payload = new Uint8Array([0, 255, 32, 10, 0xe2, 0x82, 0xac]);
    for (const type of ['application/vnd.in-toto+json', 'tÿpe with ünïcode', '']) {
      expect(Buffer.from(pae(type, payload))).toEqual(dsse.preAuthEncoding(type, Buffer.from(payload)));
    }
  });

  it('counts bytes, not characters, in LEN', () => {
    expect(text(pae('€', new Uint8Array()))).toBe('DSSEv1 3 € 0 ');
  });
});

describe('DSSE envelope schema', () => {
  const good = {
    payload: 'aGVsbG8=',
    payloadType: 'application/vnd.in-toto+json',
    signatures: [{ keyid: 'k', sig: 'AAAA' }],
  };
  const parses = (v: unknown) => envelopeSchema.safeParse(v).success;
  it('accepts a well-formed envelope, with or without keyid', () => {
    expect(parses(good)).toBe(true);
    expect(parses({ ...good, signatures: [{ sig: 'AAAA' }] })).toBe(true);
  });
  it('refuses unknown members and an envelope without signatures', () => {
    expect(parses({ ...good, extra: 1 })).toBe(false);
    expect(parses({ ...good, signatures: [] })).toBe(false);
  });
  // DSSE envelope.md: "Either standard or URL-safe encoding is allowed" (RFC 4648 §4 and §5).
  it('accepts payload and sig in either base64 alphabet, padded or not', () => {
    const sig = Buffer.from([0xfb, 0xff, 0xbe, 0xfa, 0x3e]); // encodes to characters of both alphabets' last two
    for (const enc of [
      sig.toString('base64'),
      sig.toString('base64url'),
      sig.toString('base64').replace(/=+$/, ''),
      `${sig.toString('base64url')}=`,
    ]) {
      expect(parses({ ...good, signatures: [{ sig: enc }] }), enc).toBe(true);
      expect(parses({ ...good, payload: enc }), enc).toBe(true);
    }
    expect(parses({ ...good, payload: 'a-_b' })).toBe(true);
    expect(parses({ ...good, payload: 'aGVsbG8' })).toBe(true);
  });
  it('refuses a character outside both alphabets, mixed alphabets, bad padding and stray bits', () => {
    for (const bad of [
      'AA*A', // outside both alphabets
      'AA.A',
      'AA A',
      'AA\nAA',
      '%%not base64%%',
      'a+_b', // one string, two alphabets
      '-A/A',
      'aGVsbG8==', // padding that is not the canonical amount
      'aGVsbA=', // partial padding
      'aGVs=bG8', // padding inside
      '=AAA',
      'aGVsb', // a length no byte string encodes to (5 ≡ 1 mod 4)
      'aGVsbG9=', // the last character carries bits no byte holds (non-canonical)
      'aGVsbG9',
      'aGVsbH==',
    ]) {
      expect(parses({ ...good, signatures: [{ sig: bad }] }), bad).toBe(false);
      expect(parses({ ...good, payload: bad }), bad).toBe(false);
    }
  });
});

describe('decodeEnvelopeBase64: the one decoder of envelope payloads and signatures', () => {
  it('decodes every length in each of the four encodings to the same bytes Node encoded', () => {
    for (let n = 0; n <= 40; n++) {
      const bytes = Buffer.from(Array.from({ length: n }, (_, i) => (i * 157 + n * 31 + 0xf8) & 0xff));
      const std = bytes.toString('base64');
      const url = bytes.toString('base64url');
      for (const enc of [std, std.replace(/=+$/, ''), url, url + '='.repeat((4 - (url.length % 4)) % 4)]) {
        expect(Buffer.from(decodeEnvelopeBase64(enc)), enc).toEqual(bytes);
      }
    }
  });
  it('throws on anything the schema refuses, rather than dropping characters', () => {
    for (const bad of ['AA*A', 'a+_b', 'aGVsbG9=', 'aGVsb', 'aGVsbG8=='])
      expect(() => decodeEnvelopeBase64(bad), bad).toThrow();
  });
});
