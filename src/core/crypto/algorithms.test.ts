import {
  generateKeyPairSync,
  randomBytes,
  sign as nodeSign,
  verify as nodeVerify,
  webcrypto,
  type KeyObject,
} from 'node:crypto';
import { ECParameters } from '@peculiar/asn1-ecc';
import { AsnConvert } from '@peculiar/asn1-schema';
import { describe, expect, it } from 'vitest';
import { fromHex } from '../bytes';
import { EVENT_BODIES } from '../journal/events';
import {
  algorithmForEcParams,
  algorithmForPublicKey,
  algorithmForTokenKey,
  dsaEncodingOption,
  DSSE_ALGORITHM_NAMES,
  DSSE_CURVES,
  dsseAlgorithmForCurve,
  KEY_ALGORITHMS,
  KEY_TYPES,
  keySpecAlgorithm,
  SIGNATURE_ALGORITHM_NAMES,
  signatureAlgorithm,
  TOKEN_ALGORITHM_NAMES,
  tokenAlgorithm,
  type SignatureAlgorithm,
} from './algorithms';

/**
 * The names journals, bundles and trust stores already hold, written out as they were before the table
 * existed (roster entries, trust entries and checkpoints; `hsm.signed`; key specifications). The table
 * may grow, but these must keep meaning what they meant.
 */
const STORED = {
  signature: ['ecdsa-p256-sha256', 'ecdsa-p384-sha384', 'rsa-pkcs1-sha256', 'ed25519'],
  token: {
    'ecdsa-p256-sha256': 'ecdsa-sha256',
    'ecdsa-p384-sha384': 'ecdsa-sha384',
    'rsa-pkcs1-sha256': 'rsa-pkcs1-sha256',
    ed25519: 'ed25519',
  },
  dsse: ['ecdsa-p256-sha256', 'ecdsa-p384-sha384', 'ed25519'],
  keySpec: {
    'ec-p256': ['ecdsa-p256-sha256', 'EC', 'P-256'],
    'ec-p384': ['ecdsa-p384-sha384', 'EC', 'P-384'],
    'rsa-3072': ['rsa-pkcs1-sha256', 'RSA', '3072'],
    'rsa-4096': ['rsa-pkcs1-sha256', 'RSA', '4096'],
    ed25519: ['ed25519', 'EdDSA', 'Ed25519'],
  },
  keyTypes: ['EC', 'RSA', 'EdDSA', 'other'],
  reviewerCurves: { p256: 'ecdsa-p256-sha256', p384: 'ecdsa-p384-sha384', ed25519: 'ed25519' },
} as const;

/** DER of id-ecPublicKey (1.2.840.10045.2.1): in an EC SubjectPublicKeyInfo the curve OID follows it. */
const ID_EC_PUBLIC_KEY = '06072a8648ce3d0201';

function nodeKeyPair(row: SignatureAlgorithm, modulusBits: number | null) {
  switch (row.node.type) {
    case 'ec':
      return generateKeyPairSync('ec', { namedCurve: row.node.namedCurve });
    case 'rsa':
      return generateKeyPairSync('rsa', { modulusLength: modulusBits ?? 0 });
    case 'ed25519':
      return generateKeyPairSync('ed25519');
  }
}

/** Signs as a token would hand the signature over (ECDSA raw r||s). */
function tokenStyleSign(row: SignatureAlgorithm, key: KeyObject, data: Buffer): Buffer {
  return nodeSign(row.hash, data, { key, ...dsaEncodingOption(row, 'token') });
}

describe('algorithm table', () => {
  it.each(KEY_ALGORITHMS)(
    '%s: a key Node makes from the row is that row’s key (curve OID, sizes, lookups), and signs and verifies with the row’s own parameters in Node and WebCrypto',
    async (spec) => {
      const { algorithm: row, size, modulusBits } = keySpecAlgorithm(spec);
      const { publicKey, privateKey } = nodeKeyPair(row, modulusBits);
      const spki = publicKey.export({ type: 'spki', format: 'der' });
      const details = publicKey.asymmetricKeyDetails;

      expect(publicKey.asymmetricKeyType).toBe(row.node.type);
      if (row.curve) {
        // The OID the row names is what its CKA_EC_PARAMS encode, and what Node puts in the key's SPKI.
        expect(AsnConvert.parse(fromHex(row.curve.ecParams), ECParameters).namedCurve).toBe(row.curve.oid);
        const spkiHex = spki.toString('hex');
        expect(spkiHex).toContain(
          row.family === 'EC' ? ID_EC_PUBLIC_KEY + row.curve.ecParams : `3005${row.curve.ecParams}`,
        );
        const jwk = publicKey.export({ format: 'jwk' });
        expect(jwk.crv).toBe(row.curve.name);
        expect(Buffer.from(jwk.x ?? '', 'base64url')).toHaveLength(row.curve.bytes);
        expect(size).toBe(row.curve.name);
        expect(algorithmForEcParams(row.family, row.curve.ecParams)?.name).toBe(row.name);
      } else {
        expect(details?.modulusLength).toBe(modulusBits);
        expect(size).toBe(String(modulusBits));
      }
      if (row.node.type === 'ec') expect(details?.namedCurve).toBe(row.node.namedCurve);

      // The lookups find the row again from what Node and the token adapter report for such a key.
      const fromNode = algorithmForPublicKey({
        type: publicKey.asymmetricKeyType,
        namedCurve: details?.namedCurve,
        modulusLength: details?.modulusLength,
      });
      expect(fromNode?.name).toBe(row.name);
      expect(algorithmForTokenKey(row.family, size)?.name).toBe(row.name);

      const data = randomBytes(100);
      const sig = tokenStyleSign(row, privateKey, data);
      // WebCrypto with the row's import and sign parameters accepts the token-style signature (for ECDSA
      // WebCrypto's own form is raw r||s: the row's token encoding), and refuses it over other data.
      const subtle = webcrypto.subtle;
      const imported = await subtle.importKey('spki', spki, row.webCrypto.import, false, ['verify']);
      expect(await subtle.verify(row.webCrypto.sign, imported, sig, data)).toBe(true);
      expect(await subtle.verify(row.webCrypto.sign, imported, sig, randomBytes(100))).toBe(false);
      // And WebCrypto's signature verifies in Node with the row's hash and token encoding.
      const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'der' });
      const signer = await subtle.importKey('pkcs8', pkcs8, row.webCrypto.import, false, ['sign']);
      const webSig = Buffer.from(await subtle.sign(row.webCrypto.sign, signer, data));
      expect(nodeVerify(row.hash, data, { key: publicKey, ...dsaEncodingOption(row, 'token') }, webSig)).toBe(
        true,
      );

      if (row.dsaEncoding && row.curve) {
        expect(sig).toHaveLength(2 * row.curve.bytes);
        // DSSE's form is DER (an ASN.1 SEQUENCE) of the same signature.
        const der = nodeSign(row.hash, data, { key: privateKey, ...dsaEncodingOption(row, 'dsse') });
        expect(der[0]).toBe(0x30);
        expect(nodeVerify(row.hash, data, { key: publicKey, dsaEncoding: 'der' }, der)).toBe(true);
      }
    },
  );

  it('the names journals and bundles already hold round-trip through the table and the journal schemas', () => {
    expect(SIGNATURE_ALGORITHM_NAMES).toEqual(STORED.signature);
    expect(DSSE_ALGORITHM_NAMES).toEqual(STORED.dsse);
    expect(KEY_ALGORITHMS).toEqual(Object.keys(STORED.keySpec));
    expect(KEY_TYPES).toEqual(STORED.keyTypes);
    expect(DSSE_CURVES).toEqual(Object.keys(STORED.reviewerCurves));
    expect(TOKEN_ALGORITHM_NAMES).toEqual(Object.values(STORED.token));
    for (const name of STORED.signature) {
      expect(signatureAlgorithm(name).name).toBe(name);
      expect(signatureAlgorithm(name).token).toBe(STORED.token[name]);
      expect(tokenAlgorithm(STORED.token[name]).name).toBe(name);
    }
    for (const [spec, [name, family, size]] of Object.entries(STORED.keySpec)) {
      const made = keySpecAlgorithm(spec);
      expect([made.algorithm.name, made.algorithm.family, made.size]).toEqual([name, family, size]);
    }
    for (const [curve, name] of Object.entries(STORED.reviewerCurves))
      expect(dsseAlgorithmForCurve(curve).name).toBe(name);

    // The journal's schemas take exactly these names where records carry them.
    const custodianAlg = EVENT_BODIES['roster.custodian-added'].shape.custodian.shape.algorithm;
    expect(custodianAlg.options).toEqual(STORED.signature);
    expect(EVENT_BODIES['trust.registered'].shape.algorithm.options).toEqual(STORED.dsse);
    expect(EVENT_BODIES['hsm.signed'].shape.algorithm.options).toEqual(Object.values(STORED.token));
    expect(EVENT_BODIES['hsm.key-generated'].shape.key.shape.keyType.options).toEqual(STORED.keyTypes);
    expect(EVENT_BODIES['station.identity-created'].shape.algorithm.value).toBe('ec-p256');
    expect(custodianAlg.safeParse('ecdsa-p521-sha512').success).toBe(false);
  });

  it('an unknown name is ALGORITHM_UNKNOWN naming it and what the station knows; an unknown key is no row', () => {
    const unknown = (name: string) => ({
      code: 'ALGORITHM_UNKNOWN',
      data: { field: 'algorithm', algorithm: name },
    });
    expect(() => signatureAlgorithm('ecdsa-p521-sha512')).toThrowError(
      expect.objectContaining(unknown('ecdsa-p521-sha512')),
    );
    expect(() => signatureAlgorithm('ecdsa-p521-sha512')).toThrowError(/knows ecdsa-p256-sha256, ecdsa-p384/);
    expect(() => tokenAlgorithm('ecdsa-sha512')).toThrowError(
      expect.objectContaining(unknown('ecdsa-sha512')),
    );
    expect(() => keySpecAlgorithm('rsa-2048')).toThrowError(expect.objectContaining(unknown('rsa-2048')));
    // Names an object has by inheritance are not key specifications.
    expect(() => keySpecAlgorithm('toString')).toThrowError(expect.objectContaining(unknown('toString')));
    expect(() => dsseAlgorithmForCurve('p521')).toThrowError(expect.objectContaining(unknown('p521')));

    expect(algorithmForTokenKey('EC', 'EC(06052b8104000a)')).toBeNull();
    expect(algorithmForTokenKey('other', '?')).toBeNull();
    expect(algorithmForEcParams('EC', signatureAlgorithm('ed25519').curve.ecParams)).toBeNull();
    expect(algorithmForPublicKey({ type: 'ec', namedCurve: 'secp256k1' })).toBeNull();
    expect(algorithmForPublicKey({ type: 'rsa', modulusLength: 1024 })).toBeNull();
    expect(algorithmForPublicKey({ type: 'rsa', modulusLength: 2048 })?.name).toBe('rsa-pkcs1-sha256');
    expect(algorithmForPublicKey({ type: 'dsa' })).toBeNull();
    expect(algorithmForPublicKey({ type: undefined })).toBeNull();
  });
});
