import { ECDSASigValue } from '@peculiar/asn1-ecc';
import { AsnConvert } from '@peculiar/asn1-schema';

/**
 * Test helper: CKM_ECDSA returns the raw r||s (IEEE P1363); OpenSSL wants the DER ECDSA-Sig-Value.
 * The ASN.1 comes from @peculiar/asn1-ecc, not from hand-written encoders.
 */
export function ecdsaRawToDer(raw: Uint8Array): Buffer {
  if (raw.length % 2 !== 0 || raw.length === 0)
    throw new Error('raw ECDSA signature must be r||s of equal halves');
  const half = raw.length / 2;
  const positive = (x: Uint8Array) => {
    let i = 0;
    while (i < x.length - 1 && x[i] === 0) i++;
    const trimmed = x.subarray(i);
    return (trimmed[0] as number) & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : Buffer.from(trimmed);
  };
  const value = new ECDSASigValue({
    r: toArrayBuffer(positive(raw.subarray(0, half))),
    s: toArrayBuffer(positive(raw.subarray(half))),
  });
  return Buffer.from(AsnConvert.serialize(value));
}

function toArrayBuffer(b: Buffer): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}
