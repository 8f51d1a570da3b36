import { webcrypto } from 'node:crypto';

import * as x509 from '@peculiar/x509';
import { signatureAlgorithm, type SignatureAlgorithmName } from '../../../core/crypto/algorithms';
import {
  ipAddressBytes,
  type DistinguishedName,
  type NameAttributeType,
} from '../../../core/hsm/csr-request';
import { stationError } from '../../errors';

/**
 * X.509 with @peculiar/x509 and a key that never leaves its token: a WebCrypto-shaped provider whose
 * `sign` goes to the HSM (through the injected function) and whose every other operation is Node's
 * WebCrypto. A small signer of our own instead of node-webcrypto-p11 (whose README calls it
 * research-grade): it goes through the station's adapter, so sessions, errors and quorum gates are the
 * station's own.
 */
export type HsmSign = (data: Uint8Array) => Promise<Uint8Array>;

const HSM_KEY_MARK = Symbol('hsm-key');

type WebCrypto = typeof webcrypto;
type CryptoKey = webcrypto.CryptoKey;

function hsmKey(algorithm: webcrypto.KeyAlgorithm): CryptoKey {
  return {
    algorithm,
    extractable: false,
    type: 'private',
    usages: ['sign'],
    [HSM_KEY_MARK]: true,
  } as unknown as CryptoKey;
}

function providerFor(sign: HsmSign): WebCrypto {
  const base = webcrypto;
  const subtle = new Proxy(base.subtle, {
    get(target, prop, receiver) {
      if (prop === 'sign') {
        return async (alg: webcrypto.AlgorithmIdentifier, key: CryptoKey, data: webcrypto.BufferSource) => {
          if (!(HSM_KEY_MARK in key)) return target.sign(alg, key, data);
          const bytes = ArrayBuffer.isView(data)
            ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
            : new Uint8Array(data);
          const sig = await sign(bytes);
          return sig.buffer.slice(sig.byteOffset, sig.byteOffset + sig.byteLength);
        };
      }
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return {
    subtle,
    getRandomValues: base.getRandomValues.bind(base),
    randomUUID: base.randomUUID.bind(base),
  } as WebCrypto;
}

/** The X.520 attribute types the station writes in names. */
const NAME_OIDS: Readonly<Record<NameAttributeType, string>> = {
  C: '2.5.4.6',
  ST: '2.5.4.8',
  L: '2.5.4.7',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  CN: '2.5.4.3',
  serialNumber: '2.5.4.5',
};

/**
 * A name for @peculiar/x509 from its structure, RDN by RDN in the order given (X.500 order: the DER lists
 * them so). Never a string: the library keeps a string's left-to-right order, which RFC 4514 text
 * reverses, and unescapes its values its own way. Each value's string type is stated: PrintableString
 * where the value allows it (countryName and serialNumber must be one, X.520), else UTF8String.
 */
function x509Name(name: DistinguishedName): x509.Name {
  return new x509.Name(
    name.map((a) => ({
      [NAME_OIDS[a.type]]: [
        x509.Name.isPrintableString(a.value) ? { printableString: a.value } : { utf8String: a.value },
      ],
    })),
  );
}

/**
 * An IP address as the text @peculiar/x509 turns into the exact bytes: four decimal octets, or eight
 * hex groups (its own parser misreads an embedded IPv4 tail and shortened forms are its guesswork). The
 * request's schema has refused every other text already.
 */
function ipSanText(address: string): string {
  const bytes = ipAddressBytes(address);
  if (!bytes) throw stationError('INVALID_INPUT', `${address} is not an IP address`, { field: 'san.ip' });
  if (bytes.length === 4) return bytes.join('.');
  return Array.from({ length: 8 }, (_, i) =>
    (((bytes[2 * i] ?? 0) << 8) | (bytes[2 * i + 1] ?? 0)).toString(16),
  ).join(':');
}

/**
 * A self-signed certificate for a key on the token (the station identity), verified against the public
 * key before it is returned.
 */
export async function selfSignedCertificate(opts: {
  spki: Uint8Array;
  algorithm: SignatureAlgorithmName;
  /** In X.500 order (most significant first); issuer and subject alike. */
  subject: DistinguishedName;
  notBefore: Date;
  notAfter: Date;
  sign: HsmSign;
}): Promise<string> {
  const crypto = providerFor(opts.sign);
  const { webCrypto } = signatureAlgorithm(opts.algorithm);
  const publicKey = await webcrypto.subtle.importKey('spki', opts.spki, webCrypto.import, true, ['verify']);
  const name = x509Name(opts.subject);
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)))
        .toString('hex')
        .replace(/^[89a-f]/, '7'),
      subject: name,
      issuer: name,
      notBefore: opts.notBefore,
      notAfter: opts.notAfter,
      publicKey: opts.spki,
      signingKey: hsmKey(webCrypto.import),
      signingAlgorithm: webCrypto.sign,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        await x509.SubjectKeyIdentifierExtension.create(publicKey, false, crypto),
      ],
    },
    crypto,
  );
  if (!(await cert.verify({ publicKey, signatureOnly: true }, webcrypto))) {
    throw stationError(
      'SIGNATURE_VERIFY_FAILED',
      'the certificate signed on the token does not verify with its public key',
      {},
    );
  }
  return cert.toString('pem');
}

/**
 * A PKCS#10 request signed by a key on the token. Before it is returned, its signature is verified
 * and its public key compared with the SubjectPublicKeyInfo read from the token.
 */
export async function certificationRequest(opts: {
  spki: Uint8Array;
  /** The algorithm the token key signs with (src/core/crypto/algorithms.ts). */
  algorithm: SignatureAlgorithmName;
  /** In X.500 order (most significant first). */
  subject: DistinguishedName;
  san: { dns: readonly string[]; email: readonly string[]; ip: readonly string[] };
  sign: HsmSign;
}): Promise<string> {
  const crypto = providerFor(opts.sign);
  const { webCrypto } = signatureAlgorithm(opts.algorithm);
  const publicKey = await webcrypto.subtle.importKey('spki', opts.spki, webCrypto.import, true, ['verify']);
  const names = [
    ...opts.san.dns.map((value) => ({ type: 'dns' as const, value })),
    ...opts.san.email.map((value) => ({ type: 'email' as const, value })),
    ...opts.san.ip.map((value) => ({ type: 'ip' as const, value: ipSanText(value) })),
  ];
  const csr = await x509.Pkcs10CertificateRequestGenerator.create(
    {
      name: x509Name(opts.subject),
      keys: { publicKey, privateKey: hsmKey(webCrypto.sign) },
      signingAlgorithm: webCrypto.sign,
      extensions: names.length > 0 ? [new x509.SubjectAlternativeNameExtension(names, false)] : [],
    },
    crypto,
  );
  if (!(await csr.verify(webcrypto))) {
    throw stationError('SIGNATURE_VERIFY_FAILED', 'the request signed on the token does not verify', {});
  }
  const embedded = Buffer.from(csr.publicKey.rawData);
  if (!embedded.equals(Buffer.from(opts.spki)))
    throw stationError('KEY_MISMATCH', 'the request carries a public key other than the token key', {});
  return csr.toString('pem');
}
