import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  scryptSync,
  type KeyObject,
} from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import {
  approvalPredicateSchema,
  approvalSubjectName,
  bundlePredicateSchema,
  PREDICATE_TYPES,
  STATEMENT_TYPE,
  type ApprovalStatement,
  type BundleStatement,
  type Decision,
} from '../../../core/bundle/statement';
import { canonicalBytes } from '../../../core/canonical';
import { dsseAlgorithmForCurve, type CurveShortName } from '../../../core/crypto/algorithms';
import { CodedError } from '../../../core/errors';
import { journalTime } from '../../../core/journal/events';
import { parseOrThrow } from '../../../core/validate';
import { z } from 'zod';
import { digestWords } from '../../../core/words';
import { base64, sha256Hex } from '../../../core/schema';
import { writeArchive } from '../../adapters/media/zip-writer';
import { stationError } from '../../errors';
import { writeExclusive } from '../../platform/durable';
import { keyFromPem, verifyBundleArchive, type VerifiedBundle } from './verify';
import { publicKeyInfo, signEnvelope, softwareSigner, type PublicKeyInfo } from './dsse';
import type { ReviewerSigner } from './reviewer-token';

/**
 * The reviewer's side, on a connected workstation, with no station database: a passphrase-protected
 * key file, a key-registration bundle that proves possession of the key, bundle verification against a
 * station certificate the reviewer confirmed out of band, and signed approval statements.
 */
export type ReviewerCurve = CurveShortName;

/**
 * Reviewer key files (format 2). The private key (PKCS#8 DER) is sealed with AES-256-GCM under a key
 * derived from the passphrase with scrypt (node:crypto, RFC 7914) at the cost OWASP's Password Storage
 * Cheat Sheet sets for scrypt: N = 2^17, r = 8, p = 1 (128 MiB, ~0.3 s here). The parameters are in the
 * file, so a later station can raise them; a file below SCRYPT_FLOOR is refused when read (KEY_FILE_WEAK)
 * and so is a file above SCRYPT_CEILING (KEY_FILE_INVALID): a key file is input too, and one must not
 * make the station allocate gigabytes or compute for half a minute — at most 256 MiB of scrypt memory
 * and four times today's work (N·r·p), which still leaves room to raise the cost. The header
 * (format, key, parameters, IV) is the cipher's additional data, so no part of it can be swapped, and the
 * public key it names must be the one the private key derives.
 *
 * Files written before (OpenSSL's encrypted PKCS#8 PEM, PBKDF2 at 2048 iterations) and unencrypted PEM
 * keys are refused for signing with KEY_FILE_WEAK, which names the fix: `station reviewer rekey` reads
 * the old file once and writes a new format-2 file (the key, and so its trust-store registration, stays
 * the same).
 */
export const SCRYPT_DEFAULT = { N: 2 ** 17, r: 8, p: 1 } as const;
export const SCRYPT_FLOOR = { N: 2 ** 17, r: 8, p: 1 } as const;
export const SCRYPT_CEILING = {
  memoryBytes: 256 * 1024 ** 2,
  work: 4 * SCRYPT_DEFAULT.N * SCRYPT_DEFAULT.r * SCRYPT_DEFAULT.p,
} as const;
/** Far above any key file (a few KiB): only keeps a hostile or mistaken path out of memory. */
export const MAX_KEY_FILE_BYTES = 64 * 1024;
const KEY_FILE_FORMAT = 'ceremony-station/reviewer-key';

const b64 = base64;
const keyFileSchema = z.strictObject({
  format: z.literal(KEY_FILE_FORMAT),
  version: z.literal(2),
  fingerprint: sha256Hex,
  publicKey: b64.max(1024),
  kdf: z.strictObject({
    name: z.literal('scrypt'),
    N: z
      .number()
      .int()
      .min(2)
      .max(2 ** 30),
    r: z.number().int().min(1).max(1024),
    p: z.number().int().min(1).max(1024),
    salt: b64.max(128),
  }),
  cipher: z.strictObject({ name: z.literal('aes-256-gcm'), iv: b64.max(64), tag: b64.max(64) }),
  ciphertext: b64.max(16 * 1024),
});
type KeyFile = z.infer<typeof keyFileSchema>;

const weak = (message: string) =>
  stationError('KEY_FILE_WEAK', `${message}; re-protect it with \`station reviewer rekey\``, {
    field: 'key',
  });

function scryptKey(passphrase: string, kdf: KeyFile['kdf']): Buffer {
  const memory = 128 * kdf.N * kdf.r;
  return scryptSync(passphrase.normalize('NFC'), Buffer.from(kdf.salt, 'base64'), 32, {
    N: kdf.N,
    r: kdf.r,
    p: kdf.p,
    maxmem: 2 * memory + 1024 * 1024,
  });
}

type KeyFileHeader = Omit<KeyFile, 'ciphertext' | 'cipher'> & { cipher: Omit<KeyFile['cipher'], 'tag'> };

/** The sealed part's additional data: every header field, canonical, so none can be changed. */
const headerBytes = (f: KeyFileHeader) =>
  canonicalBytes({
    format: f.format,
    version: f.version,
    fingerprint: f.fingerprint,
    publicKey: f.publicKey,
    kdf: f.kdf,
    cipher: { name: f.cipher.name, iv: f.cipher.iv },
  });

/** Seals a private key into a format-2 key file (text), by default at today's scrypt cost. */
export function protectKey(
  privateKey: KeyObject,
  passphrase: string,
  cost: { readonly N: number; readonly r: number; readonly p: number } = SCRYPT_DEFAULT,
): string {
  if (passphrase.length < 12)
    throw stationError('INVALID_INPUT', 'the key passphrase must be at least 12 characters', {
      field: 'passphrase',
    });
  const info = publicKeyInfo(createPublicKey(privateKey).export({ format: 'der', type: 'spki' }));
  const header: KeyFileHeader = {
    format: KEY_FILE_FORMAT,
    version: 2,
    fingerprint: info.fingerprint,
    publicKey: info.spki.toString('base64'),
    kdf: { name: 'scrypt', N: cost.N, r: cost.r, p: cost.p, salt: randomBytes(16).toString('base64') },
    cipher: { name: 'aes-256-gcm', iv: randomBytes(12).toString('base64') },
  };
  const key = scryptKey(passphrase, header.kdf);
  const cipher = createCipheriv('aes-256-gcm', key, Buffer.from(header.cipher.iv, 'base64'));
  cipher.setAAD(headerBytes(header));
  const sealed = Buffer.concat([
    cipher.update(privateKey.export({ format: 'der', type: 'pkcs8' })),
    cipher.final(),
  ]);
  key.fill(0);
  const file: KeyFile = {
    ...header,
    cipher: { ...header.cipher, tag: cipher.getAuthTag().toString('base64') },
    ciphertext: sealed.toString('base64'),
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

export function generateReviewerKey(
  passphrase: string,
  curve: ReviewerCurve = 'p256',
): { text: string; info: PublicKeyInfo } {
  const { node } = dsseAlgorithmForCurve(curve);
  const { privateKey } =
    node.type === 'ed25519'
      ? generateKeyPairSync('ed25519')
      : generateKeyPairSync('ec', { namedCurve: node.namedCurve });
  const text = protectKey(privateKey, passphrase);
  return { text, info: publicKeyInfo(createPublicKey(privateKey).export({ format: 'der', type: 'spki' })) };
}

/** Opens a format-2 key file; refuses an old or too weakly protected one (KEY_FILE_WEAK). */
export function loadKeyFile(text: string, passphrase: string): KeyObject {
  const opened = openAnyKeyFile(text, passphrase);
  if (opened.weakness) throw weak(opened.weakness);
  return opened.key;
}

/**
 * Opens any key file the station ever wrote, telling whether it is below today's protection: what
 * `reviewer rekey` reads before it writes the key again in format 2.
 */
export function openAnyKeyFile(
  text: string,
  passphrase: string,
): { key: KeyObject; weakness: string | null } {
  const cannotOpen = () =>
    stationError('KEY_FILE_INVALID', 'the key file cannot be opened with this passphrase', { field: 'key' });
  if (/-----BEGIN (ENCRYPTED )?PRIVATE KEY-----/.test(text)) {
    let key: KeyObject;
    try {
      key = createPrivateKey({ key: text, format: 'pem', passphrase });
    } catch {
      throw cannotOpen();
    }
    return {
      key,
      weakness: text.includes('ENCRYPTED')
        ? 'the key file is an old PKCS#8 file protected with PBKDF2 at 2048 iterations'
        : 'the key file is not protected by a passphrase',
    };
  }
  let file: KeyFile;
  try {
    file = keyFileSchema.parse(JSON.parse(text));
  } catch {
    throw stationError('KEY_FILE_INVALID', 'this is not a reviewer key file', { field: 'key' });
  }
  const { N, r, p } = file.kdf;
  if ((N & (N - 1)) !== 0 || 128 * N * r > SCRYPT_CEILING.memoryBytes || N * r * p > SCRYPT_CEILING.work)
    throw stationError(
      'KEY_FILE_INVALID',
      `the key file asks for scrypt N=${N}, r=${r}, p=${p}, beyond what the station computes (at most ${SCRYPT_CEILING.memoryBytes / 1024 ** 2} MiB and N·r·p ≤ ${SCRYPT_CEILING.work})`,
      { field: 'key' },
    );
  const key = scryptKey(passphrase, file.kdf);
  let der: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(file.cipher.iv, 'base64'));
    decipher.setAAD(headerBytes(file));
    decipher.setAuthTag(Buffer.from(file.cipher.tag, 'base64'));
    der = Buffer.concat([decipher.update(Buffer.from(file.ciphertext, 'base64')), decipher.final()]);
  } catch {
    throw cannotOpen();
  } finally {
    key.fill(0);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } catch {
    throw cannotOpen();
  } finally {
    der.fill(0);
  }
  if (softwareSigner(privateKey).info.fingerprint !== file.fingerprint)
    throw stationError('KEY_FILE_INVALID', 'the key file names another public key than it holds', {
      field: 'key',
    });
  const below = N < SCRYPT_FLOOR.N || r < SCRYPT_FLOOR.r || p < SCRYPT_FLOOR.p;
  return {
    key: privateKey,
    weakness: below
      ? `the key file is protected with scrypt N=${N}, r=${r}, p=${p}, below the floor N=${SCRYPT_FLOOR.N}, r=${SCRYPT_FLOOR.r}, p=${SCRYPT_FLOOR.p}`
      : null,
  };
}

/**
 * Reads a key file: a regular file of at most MAX_KEY_FILE_BYTES (a FIFO, device or huge file is
 * refused, never read whole). `exposedMode` is the file's permission bits when group or others may
 * read or write it (the caller warns: a 0644 file hands the sealed key to every local account), else null.
 */
export function readKeyFile(path: string): { text: string; exposedMode: number | null } {
  const unreadable = (why: string) =>
    stationError('KEY_FILE_INVALID', `cannot read the key file ${path}: ${why}`, { field: 'key' });
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    throw unreadable((e as NodeJS.ErrnoException).code ?? 'cannot open');
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw unreadable('not a regular file');
    if (st.size > MAX_KEY_FILE_BYTES)
      throw unreadable(`${st.size} bytes, far larger than a key file (${MAX_KEY_FILE_BYTES})`);
    const buf = Buffer.alloc(MAX_KEY_FILE_BYTES + 1);
    let n = 0;
    for (let got = -1; got !== 0 && n < buf.length; n += got)
      got = readSync(fd, buf, n, buf.length - n, null);
    if (n > MAX_KEY_FILE_BYTES) throw unreadable(`it grew past ${MAX_KEY_FILE_BYTES} bytes while read`);
    const mode = st.mode & 0o777;
    return { text: buf.subarray(0, n).toString('utf8'), exposedMode: (mode & 0o077) !== 0 ? mode : null };
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes a key file readable by its owner only (exactly 0600, whatever the umask), durably and never over
 * an existing file or through a link (OUTPUT_EXISTS).
 */
export function writeKeyFile(path: string, text: string): void {
  writeExclusive(path, text, { mode: 0o600, field: 'out' });
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
  const createdAt = journalTime(opts.now);
  // The station reads the predicate with this schema: refuse here what it would refuse there (a bidi
  // override in a name, title or organisation), before anything is signed.
  const predicate = parseOrThrow(
    bundlePredicateSchema,
    {
      bundleKind: 'key-registration',
      packetId: 'key-registration',
      version: 1,
      title: `Key registration for ${opts.holder}`,
      createdAt,
      station: null,
      holder: { name: opts.holder, organisation: opts.organisation },
      journal: null,
    },
    'registration',
  );
  const holder = predicate.holder as NonNullable<typeof predicate.holder>;
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
        predicate,
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
          entryKind: 'station',
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
  // Checked with the schema the station reads it with, before anything is signed.
  const predicate = parseOrThrow(
    approvalPredicateSchema,
    {
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
    'approval',
  );
  const statement: ApprovalStatement = {
    _type: STATEMENT_TYPE,
    subject: [{ name: approvalSubjectName(p.packetId, p.version), digest: { sha256: opts.bundle.digest } }],
    predicateType: PREDICATE_TYPES.approval,
    predicate,
  };
  const envelope = await signEnvelope(canonicalBytes(statement), opts.sign.info.fingerprint, opts.sign.sign);
  const slug =
    opts.reviewer
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'reviewer';
  const path = join(opts.outDir, `${p.packetId}-v${p.version}-${slug}-${opts.sequence}.approval.json`);
  try {
    writeExclusive(path, `${JSON.stringify(envelope, null, 2)}\n`, { mode: 0o644 });
  } catch (e) {
    throw e instanceof CodedError
      ? e
      : stationError('BUNDLE_WRITE_FAILED', `writing ${path} failed`, { path });
  }
  return { path, statement };
}
