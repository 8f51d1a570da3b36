import { createHash, createPublicKey, X509Certificate } from 'node:crypto';
import { INTOTO_PAYLOAD_TYPE, type Envelope } from '../../../core/bundle/dsse';
import { DEFAULT_ARCHIVE_LIMITS, type ArchiveLimits } from '../../../core/bundle/archive-policy';
import { checkSigner, type SignerKind } from '../../../core/bundle/import-policy';
import { bundleStatementSchema, type BundleStatement } from '../../../core/bundle/statement';
import { CodedError } from '../../../core/errors';
import { CheckedArchive, stagedPath } from '../../adapters/media/zip-reader';
import { ENVELOPE_NAME, type WrittenFile } from '../../adapters/media/zip-writer';
import { stationError } from '../../errors';
import type { ErrorCode } from '../../../shared/errors';
import {
  envelopeMemberBytes,
  parseEnvelope,
  publicKeyInfo,
  verifyDsseSignature,
  type PublicKeyInfo,
} from './dsse';
import { firstIssue } from '../../../core/validate';

/**
 * Verifies a bundle archive in this order, and stops at the first failure with its own code and check ID:
 * archive structure (zip-reader) → envelope, the last entry → signature against the trust anchors → only
 * then the statement is parsed → the signer may sign this kind and is the station the bundle names →
 * the caller's own acceptance rule (an import's high-water mark) → subjects and entries match one to
 * one → every file's SHA-256 (and CRC-32). Nothing in the payload is parsed before the signature verifies.
 */
export interface TrustAnchor {
  readonly trustId: string;
  readonly name: string;
  /** A station's identity key or a person's key: decides which bundle kinds it may sign (BND-SIGNER-ROLE). */
  readonly entryKind: SignerKind;
  readonly info: PublicKeyInfo;
  readonly validFrom: string;
  readonly validUntil: string;
  readonly revokedAt: string | null;
  readonly roles: readonly string[];
}

/**
 * `anchors`: the signer must be one of these keys. `self`: a registration or identity bundle, signed by
 * the key it carries (proof of possession only; a person then confirms the fingerprint out of band).
 */
export type TrustSource = { readonly anchors: readonly TrustAnchor[] } | { readonly self: true };

export interface VerifiedBundle {
  readonly statement: BundleStatement;
  /** SHA-256 of the signed statement (the DSSE payload): what approvals name. */
  readonly digest: string;
  readonly signer: TrustAnchor;
  readonly files: readonly WrittenFile[];
  readonly envelope: Buffer;
}

const MAX_ENVELOPE_BYTES = 4 * 1024 * 1024;
const MAX_KEY_FILE_BYTES = 16 * 1024;
/** Where a self-signed bundle carries its key: a key-registration's SPKI, or a station's certificate. */
export const SELF_KEY_FILES = ['key/public-key.pem', 'identity/station-certificate.pem'] as const;

const fail = (
  code: ErrorCode,
  check: string,
  message: string,
  data: Record<string, string | null> = {},
): never => {
  throw stationError(code, message, { ...data, check });
};

export function keyFromPem(pem: string): PublicKeyInfo {
  try {
    const key = pem.includes('BEGIN CERTIFICATE') ? new X509Certificate(pem).publicKey : createPublicKey(pem);
    return publicKeyInfo(key.export({ format: 'der', type: 'spki' }));
  } catch (e) {
    if (e instanceof CodedError) throw e;
    throw stationError('KEY_FILE_INVALID', 'the PEM holds no readable public key or certificate', {});
  }
}

async function selfAnchor(archive: CheckedArchive): Promise<TrustAnchor> {
  const entry = SELF_KEY_FILES.map((n) => archive.find(n)).find((e) => e !== undefined);
  if (!entry)
    return fail(
      'BUNDLE_SIGNER_UNKNOWN',
      'BND-SIGNER',
      'the bundle carries no key of its own and no trusted key signed it',
    );
  const info = keyFromPem((await archive.read(entry, MAX_KEY_FILE_BYTES)).toString('utf8'));
  return {
    trustId: 'self',
    name: 'the key holder (unconfirmed)',
    // A carried station certificate is a station's key; a carried bare public key is a person's.
    entryKind: entry.name === 'identity/station-certificate.pem' ? 'station' : 'reviewer',
    info,
    validFrom: '0000-01-01T00:00:00.000Z',
    validUntil: '9999-12-31T23:59:59.999Z',
    revokedAt: null,
    roles: [],
  };
}

/**
 * The trusted key that signed the envelope. `keyid` is a hint only: a signature naming a trusted key that
 * does not verify is `invalid`; no trusted key at all is `unknown`. The same key under two keyids is one key.
 */
export function matchSigner(
  anchors: readonly TrustAnchor[],
  envelope: Envelope,
  payload: Uint8Array,
): TrustAnchor | 'unknown' | 'invalid' {
  let knownButBad = false;
  for (const s of envelope.signatures) {
    const candidates = s.keyid ? anchors.filter((a) => a.info.fingerprint === s.keyid) : anchors;
    for (const a of candidates) {
      if (verifyDsseSignature(a.info, envelope.payloadType, payload, envelopeMemberBytes(s.sig))) return a;
      if (s.keyid) knownButBad = true;
    }
  }
  return knownButBad ? 'invalid' : 'unknown';
}

export async function verifyBundleArchive(
  path: string,
  opts: {
    readonly trust: TrustSource;
    readonly now: string;
    readonly limits?: ArchiveLimits;
    /** Copy each verified file under this staging directory (names already checked). */
    readonly extractTo?: string;
    readonly onBytes?: (n: number) => void;
    /**
     * The caller's own rule once signer and statement are known, before any file is read (an import
     * checks its high-water mark here); it throws a coded refusal.
     */
    readonly accept?: (statement: BundleStatement, signer: TrustAnchor) => void;
  },
): Promise<VerifiedBundle> {
  const archive = await CheckedArchive.open(path, opts.limits ?? DEFAULT_ARCHIVE_LIMITS);
  try {
    const envEntry =
      archive.find(ENVELOPE_NAME) ??
      fail('BUNDLE_ENVELOPE_MISSING', 'BND-ENVELOPE', `the archive has no ${ENVELOPE_NAME}`);
    // Last in the directory is last in the file: the reader proved both orders agree (BND-LAYOUT-ORDER).
    if (archive.entries.at(-1) !== envEntry)
      fail(
        'BUNDLE_ENVELOPE_NOT_LAST',
        'BND-ENVELOPE-LAST',
        `${ENVELOPE_NAME} is not the last entry: the writer appends it after every signed file`,
      );
    const envelopeBytes = await archive.read(envEntry, MAX_ENVELOPE_BYTES);
    const parsed = parseEnvelope(envelopeBytes);
    if (!parsed.ok) return fail('BUNDLE_ENVELOPE_MALFORMED', 'BND-ENVELOPE', parsed.message);
    const { envelope, payload } = parsed;
    if (envelope.payloadType !== INTOTO_PAYLOAD_TYPE)
      fail(
        'BUNDLE_PAYLOAD_TYPE',
        'BND-ENVELOPE',
        `payloadType "${envelope.payloadType.slice(0, 80)}" is not ${INTOTO_PAYLOAD_TYPE}`,
      );

    const anchors = 'self' in opts.trust ? [await selfAnchor(archive)] : opts.trust.anchors;
    const match = matchSigner(anchors, envelope, payload);
    if (match === 'invalid')
      return fail(
        'BUNDLE_SIGNATURE_INVALID',
        'BND-SIGNER',
        'the signature does not verify with the key it names',
      );
    if (match === 'unknown')
      return fail(
        'BUNDLE_SIGNER_UNKNOWN',
        'BND-SIGNER',
        `signed by ${envelope.signatures.map((s) => s.keyid ?? '(no keyid)').join(', ')}, which is not in the trust store`,
        { keyid: envelope.signatures[0]?.keyid ?? null },
      );
    const signer = match;
    if (signer.revokedAt !== null && signer.revokedAt <= opts.now)
      fail(
        'BUNDLE_SIGNER_NOT_VALID',
        'BND-SIGNER-VALID',
        `the key of ${signer.name} was revoked at ${signer.revokedAt}`,
      );
    if (opts.now < signer.validFrom || opts.now >= signer.validUntil)
      fail(
        'BUNDLE_SIGNER_NOT_VALID',
        'BND-SIGNER-VALID',
        `the key of ${signer.name} is valid ${signer.validFrom} → ${signer.validUntil}`,
      );

    // Only now is the payload parsed.
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
    } catch {
      return fail('BUNDLE_STATEMENT_INVALID', 'BND-STATEMENT', 'the signed payload is not UTF-8 JSON');
    }
    const st = bundleStatementSchema.safeParse(json);
    if (!st.success) {
      const { field, message } = firstIssue(st.error, 'statement');
      return fail('BUNDLE_STATEMENT_INVALID', 'BND-STATEMENT', `${field} ${message}`);
    }
    const statement = st.data;
    const signerProblem = checkSigner(
      {
        kind: signer.entryKind,
        name: signer.name,
        fingerprint: signer.info.fingerprint,
        // A self-signed registration names its holder for a person to confirm; nothing to compare yet.
        registeredName: 'self' in opts.trust ? null : signer.name,
      },
      statement.predicate,
    );
    if (signerProblem) fail(signerProblem.code, signerProblem.check, signerProblem.message);
    opts.accept?.(statement, signer);
    const subjects = new Map<string, string>();
    for (const s of statement.subject) {
      if (subjects.has(s.name) || s.name === ENVELOPE_NAME)
        fail(
          'BUNDLE_STATEMENT_INVALID',
          'BND-STATEMENT',
          `subject ${s.name} is listed twice or names the envelope`,
        );
      subjects.set(s.name, s.digest.sha256);
    }
    for (const name of subjects.keys())
      if (!archive.find(name))
        fail('BUNDLE_SUBJECT_MISSING', 'BND-SUBJECTS', `${name} is signed for but not in the archive`, {
          entry: name,
        });
    for (const e of archive.entries)
      if (e.name !== ENVELOPE_NAME && !subjects.has(e.name))
        fail(
          'BUNDLE_EXTRA_FILE',
          'BND-SUBJECTS',
          `${e.name} is in the archive but not in the signed statement`,
          { entry: e.name },
        );

    const files: WrittenFile[] = [];
    for (const s of statement.subject) {
      const e =
        archive.find(s.name) ??
        fail('BUNDLE_SUBJECT_MISSING', 'BND-SUBJECTS', `${s.name} is not in the archive`);
      const dest = opts.extractTo ? stagedPath(opts.extractTo, s.name) : undefined;
      const got = await archive.digest(e, opts.onBytes, dest);
      if (got !== s.digest.sha256)
        fail(
          'BUNDLE_DIGEST_MISMATCH',
          'BND-DIGEST',
          `${s.name} has SHA-256 ${got.slice(0, 16)}…, the statement signs ${s.digest.sha256.slice(0, 16)}…`,
          { entry: s.name },
        );
      files.push({ name: s.name, sha256: got, size: e.size });
    }
    return {
      statement,
      digest: createHash('sha256').update(payload).digest('hex'),
      signer,
      files,
      envelope: envelopeBytes,
    };
  } finally {
    archive.close();
  }
}
