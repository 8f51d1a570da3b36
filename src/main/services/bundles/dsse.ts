import {
  createHash,
  createPublicKey,
  sign as nodeSign,
  verify as nodeVerify,
  type KeyObject,
} from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { envelopeSchema, INTOTO_PAYLOAD_TYPE, pae, type Envelope } from '../../../core/bundle/dsse';
import { stationError } from '../../errors';
import { firstIssue } from '../../../core/validate';

/**
 * DSSE signing and verification with the station's keys: the algorithm always follows from the public
 * key itself (never from anything in the envelope), and ECDSA signatures are DER, as sigstore and
 * openssl expect. `keyid` is the hex SHA-256 of the signer's SubjectPublicKeyInfo, the same fingerprint
 * the trust store and the UI show.
 */
export type KeyAlgorithm = 'ecdsa-p256-sha256' | 'ecdsa-p384-sha384' | 'ed25519';

export interface PublicKeyInfo {
  readonly spki: Buffer;
  readonly fingerprint: string;
  readonly algorithm: KeyAlgorithm;
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

export function algorithmOf(key: KeyObject): KeyAlgorithm {
  if (key.asymmetricKeyType === 'ed25519') return 'ed25519';
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1') return 'ecdsa-p256-sha256';
    if (curve === 'secp384r1') return 'ecdsa-p384-sha384';
  }
  throw stationError(
    'KEY_FILE_INVALID',
    'only EC P-256, EC P-384 and Ed25519 keys sign station statements',
    {},
  );
}

const hashFor = (alg: KeyAlgorithm) =>
  alg === 'ed25519' ? null : alg === 'ecdsa-p384-sha384' ? 'sha384' : 'sha256';

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
    return nodeVerify(hashFor(signer.algorithm), paeBytes, { key: signer.key, dsaEncoding: 'der' }, sig);
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
    sign: async (data) => nodeSign(hashFor(info.algorithm), data, { key: privateKey, dsaEncoding: 'der' }),
  };
}

/** Turns a token's raw ECDSA r||s into DER (via @peculiar/x509's own formatter). */
export function ecdsaRawToDer(raw: Uint8Array, namedCurve: 'P-256' | 'P-384'): Uint8Array {
  const der = new x509.AsnEcSignatureFormatter().toAsnSignature(
    { name: 'ECDSA', namedCurve } as EcKeyAlgorithm,
    raw,
  );
  if (!der) throw stationError('DEVICE_ERROR', 'the token signature could not be encoded', {});
  return new Uint8Array(der);
}

type EcKeyAlgorithm = Parameters<x509.AsnEcSignatureFormatter['toAsnSignature']>[0];

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
  return { ok: true, envelope: r.data, payload: Buffer.from(r.data.payload, 'base64') };
}
