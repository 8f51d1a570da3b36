import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  approvalSubjectName,
  PREDICATE_TYPES,
  STATEMENT_TYPE,
  type ApprovalStatement,
  type BundleStatement,
  type Decision,
} from '../../core/bundle/statement';
import { canonicalBytes } from '../../core/canonical';
import { CodedError } from '../../core/errors';
import { journalTime } from '../../core/journal/events';
import { digestWords } from '../../core/words';
import { writeArchive } from '../adapters/media/zip-writer';
import { stationError } from '../errors';
import { keyFromPem, verifyBundleArchive, type VerifiedBundle } from './bundle-verify';
import { signEnvelope, type PublicKeyInfo } from './dsse';
import type { ReviewerSigner } from './reviewer-token';

/**
 * The reviewer's side, on a connected workstation, with no station database: a passphrase-protected
 * key file (PKCS#8, encrypted by OpenSSL through Node's crypto), a key-registration bundle that proves
 * possession of the key, bundle verification against a station certificate the reviewer confirmed out
 * of band, and signed approval statements.
 */
export type ReviewerCurve = 'p256' | 'p384' | 'ed25519';

export function generateReviewerKey(
  passphrase: string,
  curve: ReviewerCurve = 'p256',
): { pem: string; info: PublicKeyInfo } {
  if (passphrase.length < 12)
    throw stationError('INVALID_INPUT', 'the key passphrase must be at least 12 characters', {
      field: 'passphrase',
    });
  const encoding = {
    privateKeyEncoding: { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase },
  } as const;
  const pair =
    curve === 'ed25519'
      ? generateKeyPairSync('ed25519', { ...encoding, publicKeyEncoding: { type: 'spki', format: 'pem' } })
      : generateKeyPairSync('ec', {
          namedCurve: curve === 'p384' ? 'secp384r1' : 'prime256v1',
          ...encoding,
          publicKeyEncoding: { type: 'spki', format: 'pem' },
        });
  return { pem: pair.privateKey, info: keyFromPem(pair.publicKey) };
}

export function loadKeyFile(pem: string, passphrase: string): KeyObject {
  try {
    return createPrivateKey({ key: pem, format: 'pem', passphrase });
  } catch {
    throw stationError('KEY_FILE_INVALID', 'the key file cannot be opened with this passphrase', {
      field: 'key',
    });
  }
}

/** A key-registration bundle: the public key and holder, signed by that key (proof of possession). */
export async function writeRegistrationBundle(opts: {
  signer: ReviewerSigner;
  holder: string;
  organisation: string;
  outDir: string;
  now: Date;
}): Promise<{ path: string; fingerprint: string; words: string[] }> {
  const signer = opts.signer;
  const pem = signer.info.key.export({ format: 'pem', type: 'spki' }).toString();
  const holder = { name: opts.holder, organisation: opts.organisation };
  const createdAt = journalTime(opts.now);
  const slug =
    opts.holder
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'reviewer';
  const bytes = (s: string) => Buffer.from(s, 'utf8');
  const files = [
    { name: 'key/public-key.pem', source: { bytes: bytes(pem) }, size: bytes(pem).length },
    {
      name: 'key/holder.json',
      source: { bytes: bytes(`${JSON.stringify(holder, null, 2)}\n`) },
      size: bytes(`${JSON.stringify(holder, null, 2)}\n`).length,
    },
  ];
  const archive = await writeArchive({
    dir: opts.outDir,
    fileName: `${slug}-${signer.info.fingerprint.slice(0, 8)}.keyreg.bundle.zip`,
    files,
    mtime: opts.now,
    sign: async (packed) => {
      const statement: BundleStatement = {
        _type: STATEMENT_TYPE,
        subject: packed.map((f) => ({ name: f.name, digest: { sha256: f.sha256 } })),
        predicateType: PREDICATE_TYPES.bundle,
        predicate: {
          bundleKind: 'key-registration',
          packetId: 'key-registration',
          version: 1,
          title: `Key registration for ${opts.holder}`,
          createdAt,
          station: null,
          holder,
          journal: null,
        },
      };
      return canonicalBytes(
        await signEnvelope(canonicalBytes(statement), signer.info.fingerprint, signer.sign),
      );
    },
  });
  return {
    path: archive.path,
    fingerprint: signer.info.fingerprint,
    words: digestWords(Buffer.from(signer.info.fingerprint, 'hex')),
  };
}

/** Verifies a station's bundle against the station certificate (or key) the reviewer trusts. */
export async function verifyWithCertificate(
  path: string,
  trustedPem: string,
  now: Date,
): Promise<VerifiedBundle> {
  const info = keyFromPem(trustedPem);
  return verifyBundleArchive(path, {
    trust: {
      anchors: [
        {
          trustId: 'trusted-station',
          name: 'the trusted station',
          info,
          validFrom: '0000-01-01T00:00:00.000Z',
          validUntil: '9999-12-31T23:59:59.999Z',
          revokedAt: null,
          roles: [],
        },
      ],
    },
    now: journalTime(now),
  });
}

/**
 * Signs an approval of exactly the verified bundle's packet version. `sequence` must grow with every
 * decision the reviewer signs for this packet; the default, milliseconds since the epoch on the
 * reviewer's machine, does.
 */
export async function signApproval(opts: {
  bundle: VerifiedBundle;
  sign: ReviewerSigner;
  role: string;
  decision: Decision;
  comment: string;
  expiresAt: string;
  sequence: number;
  reviewer: string;
  now: Date;
  outDir: string;
}): Promise<{ path: string; statement: ApprovalStatement }> {
  const p = opts.bundle.statement.predicate;
  const statement: ApprovalStatement = {
    _type: STATEMENT_TYPE,
    subject: [{ name: approvalSubjectName(p.packetId, p.version), digest: { sha256: opts.bundle.digest } }],
    predicateType: PREDICATE_TYPES.approval,
    predicate: {
      packetId: p.packetId,
      packetVersion: p.version,
      packetDigest: opts.bundle.digest,
      role: opts.role,
      decision: opts.decision,
      comment: opts.comment,
      expiresAt: opts.expiresAt,
      sequence: opts.sequence,
      reviewer: { name: opts.reviewer },
      signedAt: journalTime(opts.now),
    },
  };
  const envelope = await signEnvelope(canonicalBytes(statement), opts.sign.info.fingerprint, opts.sign.sign);
  const slug =
    opts.reviewer
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'reviewer';
  const path = join(opts.outDir, `${p.packetId}-v${p.version}-${slug}-${opts.sequence}.approval.json`);
  try {
    writeFileSync(path, `${JSON.stringify(envelope, null, 2)}\n`, { flag: 'wx', mode: 0o644 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST')
      throw stationError('OUTPUT_EXISTS', `${path} already exists`, { path });
    throw e instanceof CodedError
      ? e
      : stationError('BUNDLE_WRITE_FAILED', `writing ${path} failed`, { path });
  }
  return { path, statement };
}
