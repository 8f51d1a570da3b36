import {
  createHash,
  createPublicKey,
  sign as nodeSign,
  verify as nodeVerify,
  type KeyObject,
} from 'node:crypto';
import * as x509 from '@peculiar/x509';
import {
  algorithmForPublicKey,
  dsaEncodingOption,
  signatureAlgorithm,
  type DsseAlgorithmName,
} from '../../../core/crypto/algorithms';
import {
  decodeEnvelopeBase64,
  envelopeSchema,
  INTOTO_PAYLOAD_TYPE,
  pae,
  type Envelope,
} from '../../../core/bundle/dsse';
import { stationError } from '../../errors';
import { firstIssue } from '../../../core/validate';

/**
 * DSSE signing and verification with the station's keys: the algorithm always follows from the public
 * key itself (never from anything in the envelope), and ECDSA signatures are DER, as sigstore and
 * openssl expect. `keyid` is the hex SHA-256 of the signer's SubjectPublicKeyInfo, the same fingerprint
 * the trust store and the UI show.
 */
export interface PublicKeyInfo {
  readonly spki: Buffer;
  readonly fingerprint: string;
  /** One of the algorithms the table lets sign DSSE statements (src/core/crypto/algorithms.ts). */
  readonly algorithm: DsseAlgorithmName;
  readonly key: KeyObject;
}

export function publicKeyInfo(spkiDer: Buffer): PublicKeyInfo {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: spkiDer, format: 'der', type: 'spki' });
  } catch {
    throw stationError('KEY_FILE_INVALID', 'the public key cannot be read', {});
  }
  return {
    spki: key.export({ format: 'der', type: 'spki' }),
    fingerprint: createHash('sha256')
      .update(key.export({ format: 'der', type: 'spki' }))
      .digest('hex'),
    algorithm: algorithmOf(key),
    key,
  };
}

export function algorithmOf(key: KeyObject): DsseAlgorithmName {
  const algorithm = algorithmForPublicKey({
    type: key.asymmetricKeyType,
    namedCurve: key.asymmetricKeyDetails?.namedCurve,
  });
  if (algorithm?.dsse) return algorithm.name;
  throw stationError(
    'KEY_FILE_INVALID',
    'only EC P-256, EC P-384 and Ed25519 keys sign station statements',
    {},
  );
}

/** Node's digest and key input for a DSSE signature by this algorithm (ECDSA: DER, as envelopes carry it). */
function dsseParams(alg: DsseAlgorithmName, key: KeyObject) {
  const row = signatureAlgorithm(alg);
  return { hash: row.hash, key: { key, ...dsaEncodingOption(row, 'dsse') } };
}

export function verifyDsseSignature(
  signer: PublicKeyInfo,
  payloadType: string,
  payload: Uint8Array,
  sig: Uint8Array,
): boolean {
  return verifyPae(signer, pae(payloadType, payload), sig);
}

/** Whether `sig` (DER for ECDSA) is the signer's signature over these PAE bytes. */
export function verifyPae(signer: PublicKeyInfo, paeBytes: Uint8Array, sig: Uint8Array): boolean {
  try {
    const p = dsseParams(signer.algorithm, signer.key);
    return nodeVerify(p.hash, paeBytes, p.key, sig);
  } catch {
    return false;
  }
}

/** Signs with a private key held in this process (a reviewer's passphrase-protected key file). */
export function softwareSigner(privateKey: KeyObject): {
  info: PublicKeyInfo;
  sign: (pae: Uint8Array) => Promise<Uint8Array>;
} {
  const info = publicKeyInfo(createPublicKey(privateKey).export({ format: 'der', type: 'spki' }));
  return {
    info,
    sign: async (data) => {
      const p = dsseParams(info.algorithm, privateKey);
      return nodeSign(p.hash, data, p.key);
    },
  };
}

/**
 * A token's signature in the form DSSE envelopes carry: ECDSA's raw r||s turned into DER (via
 * @peculiar/x509's own formatter); an Ed25519 signature has one form and is returned as it is.
 */
export function dsseSignatureFromToken(raw: Uint8Array, algorithm: DsseAlgorithmName): Uint8Array {
  const row = signatureAlgorithm(algorithm);
  if (!row.dsaEncoding) return raw;
  const der = new x509.AsnEcSignatureFormatter().toAsnSignature(row.webCrypto.import, raw);
  if (!der) throw stationError('DEVICE_ERROR', 'the token signature could not be encoded', {});
  return new Uint8Array(der);
}

/** Builds an envelope: the payload signed by one key. */
export async function signEnvelope(
  payload: Uint8Array,
  keyid: string,
  sign: (pae: Uint8Array) => Promise<Uint8Array>,
  payloadType = INTOTO_PAYLOAD_TYPE,
): Promise<Envelope> {
  const sig = await sign(pae(payloadType, payload));
  return {
    payload: Buffer.from(payload).toString('base64'),
    payloadType,
    signatures: [{ keyid, sig: Buffer.from(sig).toString('base64') }],
  };
}

export type EnvelopeParse =
  { ok: true; envelope: Envelope; payload: Buffer } | { ok: false; message: string };

/** An envelope member's bytes (payload or sig), in either base64 alphabet: one strict decoder for all. */
export function envelopeMemberBytes(text: string): Buffer {
  const bytes = decodeEnvelopeBase64(text);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Parses envelope JSON strictly; the payload is decoded but not parsed (that waits for the signature). */
export function parseEnvelope(bytes: Uint8Array): EnvelopeParse {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return { ok: false, message: 'the envelope is not UTF-8 JSON' };
  }
  const r = envelopeSchema.safeParse(json);
  if (!r.success) {
    const { field, message } = firstIssue(r.error, 'envelope');
    return { ok: false, message: `${field} ${message}` };
  }
  return { ok: true, envelope: r.data, payload: envelopeMemberBytes(r.data.payload) };
}
