import { dsse } from '@sigstore/core';
import { describe, expect, it } from 'vitest';
import { envelopeSchema, pae } from './dsse';

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
  it('accepts a well-formed envelope, with or without keyid', () => {
    expect(envelopeSchema.safeParse(good).success).toBe(true);
    expect(envelopeSchema.safeParse({ ...good, signatures: [{ sig: 'AAAA' }] }).success).toBe(true);
  });
  it('refuses unknown members, no signatures, URL-safe or unpadded base64', () => {
    expect(envelopeSchema.safeParse({ ...good, extra: 1 }).success).toBe(false);
    expect(envelopeSchema.safeParse({ ...good, signatures: [] }).success).toBe(false);
    expect(envelopeSchema.safeParse({ ...good, payload: 'aGVsbG8' }).success).toBe(false);
    expect(envelopeSchema.safeParse({ ...good, payload: 'a-_b' }).success).toBe(false);
  });
});
