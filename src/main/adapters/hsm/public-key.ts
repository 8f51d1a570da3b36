import { createPublicKey, type KeyObject } from 'node:crypto';
import { algorithmForEcParams, signatureAlgorithm } from '../../../core/crypto/algorithms';

/**
 * Turns public-key attributes read from a token into a SubjectPublicKeyInfo (DER), letting OpenSSL (via
 * Node's JWK import) do the ASN.1: the station never hand-assembles key encodings.
 */
export type PublicKeyAttributes =
  | { readonly kind: 'ec'; readonly params: Buffer; readonly point: Buffer }
  | { readonly kind: 'rsa'; readonly modulus: Buffer; readonly exponent: Buffer }
  | { readonly kind: 'ed25519'; readonly point: Buffer };

/** CKA_EC_POINT is a DER OCTET STRING around the point on most tokens; some return the bare point. */
export function unwrapEcPoint(value: Buffer, encoding: 'der-octet-string' | 'raw'): Buffer {
  if (encoding === 'raw') return value;
  if (value[0] !== 0x04) throw new Error('CKA_EC_POINT is not a DER OCTET STRING');
  let len = value[1] ?? 0;
  let off = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n < 1 || n > 2) throw new Error('CKA_EC_POINT has an unsupported length encoding');
    len = n === 1 ? (value[2] ?? 0) : value.readUInt16BE(2);
    off = 2 + n;
  }
  if (off + len !== value.length) throw new Error('CKA_EC_POINT length does not match its content');
  return value.subarray(off);
}

const b64u = (b: Buffer) => b.toString('base64url');

export function publicKeyObject(attrs: PublicKeyAttributes): KeyObject {
  switch (attrs.kind) {
    case 'ec': {
      const curve = algorithmForEcParams('EC', attrs.params.toString('hex'))?.curve;
      if (!curve) throw new Error(`unsupported EC curve parameters ${attrs.params.toString('hex')}`);
      const { name: crv, bytes: size } = curve;
      if (attrs.point.length !== 1 + 2 * size || attrs.point[0] !== 0x04)
        throw new Error('EC point is not uncompressed');
      const x = attrs.point.subarray(1, 1 + size);
      const y = attrs.point.subarray(1 + size);
      return createPublicKey({ key: { kty: 'EC', crv, x: b64u(x), y: b64u(y) }, format: 'jwk' });
    }
    case 'rsa':
      return createPublicKey({
        key: { kty: 'RSA', n: b64u(attrs.modulus), e: b64u(attrs.exponent) },
        format: 'jwk',
      });
    case 'ed25519': {
      const { name: crv, bytes } = signatureAlgorithm('ed25519').curve;
      if (attrs.point.length !== bytes) throw new Error(`${crv} public key is not ${bytes} bytes`);
      return createPublicKey({ key: { kty: 'OKP', crv, x: b64u(attrs.point) }, format: 'jwk' });
    }
    default: {
      const never: never = attrs;
      throw new Error(`unknown key ${JSON.stringify(never)}`);
    }
  }
}

export function spkiDer(attrs: PublicKeyAttributes): Buffer {
  return publicKeyObject(attrs).export({ type: 'spki', format: 'der' });
}
