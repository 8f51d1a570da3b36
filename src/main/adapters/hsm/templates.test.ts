import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  KEY_ALGORITHMS,
  keySpecAlgorithm,
  SIGNATURE_ALGORITHM_NAMES,
  signatureAlgorithm,
} from '../../../core/crypto/algorithms';
import { CK } from './ck';
import { publicKeyObject } from './public-key';
import { describeRecipe, publicPolicyViolations, PUBLIC_KEY_POLICY } from './templates';

const quirks = { rejectsExtractableInPublicTemplate: true, supportsEd25519: true };

describe('the adapter reads the algorithm table', () => {
  it.each(SIGNATURE_ALGORITHM_NAMES)(
    '%s: every PKCS#11 name the row gives is a value the adapter has at run time',
    (name) => {
      const { pkcs11 } = signatureAlgorithm(name);
      for (const constant of [pkcs11.keyType, pkcs11.keyGen, pkcs11.sign])
        expect(typeof CK[constant], constant).toBe('number');
    },
  );

  it.each(KEY_ALGORITHMS)(
    '%s: the template asks for the row’s key type, mechanism and curve or size',
    (algorithm) => {
      const { algorithm: row, modulusBits } = keySpecAlgorithm(algorithm);
      const recipe = describeRecipe({ label: 'k', algorithm }, quirks);
      const pub = Object.fromEntries(recipe.publicKey.map((a) => [a.attribute, a.value]));
      const priv = Object.fromEntries(recipe.privateKey.map((a) => [a.attribute, a.value]));
      expect(recipe.mechanism).toBe(row.pkcs11.keyGen);
      expect([pub.CKA_KEY_TYPE, priv.CKA_KEY_TYPE]).toEqual([row.pkcs11.keyType, row.pkcs11.keyType]);
      if (row.curve) {
        expect(pub.CKA_EC_PARAMS).toBe(row.curve.ecParams);
        expect(pub.CKA_MODULUS_BITS).toBeUndefined();
      } else {
        expect(pub.CKA_MODULUS_BITS).toBe(String(modulusBits));
        expect(pub.CKA_PUBLIC_EXPONENT).toBe('010001');
        expect(pub.CKA_EC_PARAMS).toBeUndefined();
      }
    },
  );

  it.each(['ecdsa-p256-sha256', 'ecdsa-p384-sha384'] as const)(
    '%s: a token EC point with the row’s CKA_EC_PARAMS becomes the same SubjectPublicKeyInfo Node has',
    (name) => {
      const row = signatureAlgorithm(name);
      const { publicKey } = generateKeyPairSync('ec', { namedCurve: row.node.namedCurve });
      const jwk = publicKey.export({ format: 'jwk' });
      const point = Buffer.concat([
        Buffer.from([0x04]),
        Buffer.from(jwk.x ?? '', 'base64url'),
        Buffer.from(jwk.y ?? '', 'base64url'),
      ]);
      const params = Buffer.from(row.curve.ecParams, 'hex');
      const spki = publicKeyObject({ kind: 'ec', params, point }).export({ type: 'spki', format: 'der' });
      expect(spki.equals(publicKey.export({ type: 'spki', format: 'der' }))).toBe(true);
      // The Ed25519 OID is a curve of the table, but not an EC (Weierstrass) one.
      const ed = Buffer.from(signatureAlgorithm('ed25519').curve.ecParams, 'hex');
      expect(() => publicKeyObject({ kind: 'ec', params: ed, point })).toThrowError(/unsupported EC curve/);
    },
  );

  it('a backup-capable key is extractable only under a trusted key; the default stays never extractable', () => {
    const attrs = (backup?: 'wrap-with-trusted') =>
      Object.fromEntries(
        describeRecipe(
          { label: 'k', algorithm: 'ec-p256', ...(backup ? { backup } : {}) },
          quirks,
        ).privateKey.map((a) => [a.attribute, a.value]),
      );
    expect(attrs()).toMatchObject({ CKA_EXTRACTABLE: 'false', CKA_SENSITIVE: 'true' });
    expect(attrs().CKA_WRAP_WITH_TRUSTED).toBeUndefined();
    expect(attrs('wrap-with-trusted')).toMatchObject({
      CKA_EXTRACTABLE: 'true',
      CKA_WRAP_WITH_TRUSTED: 'true',
      CKA_SENSITIVE: 'true',
      CKA_SIGN: 'true',
      CKA_DECRYPT: 'false',
      CKA_UNWRAP: 'false',
    });
  });
});

describe('the public half is verify only', () => {
  it('asks for CKA_VERIFY_RECOVER false beside CKA_VERIFY true', () => {
    for (const algorithm of KEY_ALGORITHMS) {
      const pub = describeRecipe({ label: 'k', algorithm }, quirks).publicKey;
      expect(pub).toContainEqual({ attribute: 'CKA_VERIFY', value: 'true' });
      expect(pub).toContainEqual({ attribute: 'CKA_VERIFY_RECOVER', value: 'false' });
    }
  });

  it('the read-back policy passes a verify-only key and names VERIFY_RECOVER=true (or unreported) as a violation', () => {
    const readBack = { ...PUBLIC_KEY_POLICY };
    expect(publicPolicyViolations(readBack)).toEqual([]);
    expect(publicPolicyViolations({ ...readBack, verifyRecover: true })).toEqual([
      'public verifyRecover=true (policy: false)',
    ]);
    expect(publicPolicyViolations({ ...readBack, verifyRecover: null })).toEqual([
      'public verifyRecover=null (policy: false)',
    ]);
  });
});
