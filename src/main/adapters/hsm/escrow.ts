import { createHash, createPublicKey, randomBytes, verify } from 'node:crypto';
import type { Handle, Mechanism, RsaOAEP, Template } from 'pkcs11js';
import {
  algorithmForTokenKey,
  dsaEncodingOption,
  type HashName,
  type KeyType,
  type SignatureAlgorithm,
} from '../../../core/crypto/algorithms';
import {
  destructionChecks,
  destructionVerdict,
  escrowBackupEvidenceSchema,
  escrowBackupVerdict,
  keyDestructionEvidenceSchema,
  type ActVerdict,
  type DestroyCheckId,
  type EscrowBackupEvidence,
  type KeyDestructionEvidence,
  type ObjectClass,
  type TokenObject,
  type TokenSnapshot,
} from '../../../core/hsm/key-acts';
import { residencyOf, wrapTrustedOnly } from '../../../core/hsm/residency';
import { CodedError } from '../../../core/errors';
import { stationError } from '../../errors';
import { CK } from './ck';
import type { KeyInfo, Pkcs11Module, Session } from './module';
import {
  ESCROW_TRANSPORT_MODULUS_BITS,
  escrowAesTemplate,
  escrowCopyPolicyViolations,
  escrowCopyTemplate,
  escrowPublicTemplate,
  escrowTransportRecipe,
  oneTimeTrustedAesTemplate,
  transportPublicTemplate,
} from './templates';

/**
 * The two token-level acts a key ceremony performs on an existing key, on real PKCS#11 tokens, each
 * returning the evidence the tokens read back (src/core/hsm/key-acts.ts): backup to an escrow token, and
 * destruction. Templates come from templates.ts; what this file decides is the order of the steps and
 * what counts as proof.
 *
 * Backup (what SoftHSM 2.6 supports, tested in tests/integration/hsm/escrow.test.ts):
 *   1. source, user: the key exists and passes HSM-RES-WRAP-TRUSTED-ONLY as WRAP-TRUSTED-ONLY (a key
 *      generated with backup "wrap-with-trusted"); a never-extractable key is refused, nothing made.
 *   2. escrow, user (held to the end): nothing with that label or CKA_ID yet; a one-time RSA-3072
 *      transport pair (session objects).
 *   3. source, SO: the transport public key imported (session object); a one-time AES-256 key made
 *      trusted (only the SO can), wrapped under the transport key with RSA-OAEP.
 *   4. source, user: the key wrapped under the trusted AES key (CKM_AES_KEY_WRAP_PAD); the AES key is
 *      destroyed whatever happened (ESCROW_TRANSPORT_KEY_LEFT when it cannot be).
 *   5. escrow: the AES key unwrapped (session object), then the key under the restrictive copy template;
 *      the public half made from the source's; every one-time key destroyed.
 *   6. evidence: the copy's attributes read back against the policy, its SPKI equal to the source's, a
 *      fresh challenge signed by the copy verified with the source public key (Node crypto). A copy that
 *      fails is destroyed (ESCROW_COPY_INVALID).
 * Wrapped bytes exist only in memory and are overwritten with zeros once unwrapped.
 */

export interface TokenAccess {
  readonly module: Pkcs11Module;
  readonly serial: string;
  /** The user PIN. */
  readonly pin: string;
}

export interface BackupRequest {
  readonly source: TokenAccess & { readonly soPin: string };
  readonly escrow: TokenAccess;
  /** CKA_ID (lowercase hex) of the key to back up. */
  readonly id: string;
  readonly now?: () => Date;
}

export interface DestroyRequest {
  readonly token: TokenAccess;
  /** CKA_ID (lowercase hex) of the key to destroy. */
  readonly id: string;
  readonly now?: () => Date;
}

/** The outcome of a destruction that was carried out: NOT PROVEN names the failed checks. */
export interface KeyDestruction {
  readonly verdict: ActVerdict;
  readonly failed: readonly DestroyCheckId[];
  readonly evidence: KeyDestructionEvidence;
}

const AES_KEY_WRAP_PAD: Mechanism = { mechanism: CK.CKM_AES_KEY_WRAP_PAD };
/** CKZ_DATA_SPECIFIED (PKCS#11 2.40; pkcs11js does not export it): OAEP with an empty label. */
const CKZ_DATA_SPECIFIED = 1;
/** OAEP hashes in order of preference; SoftHSM 2.6 wraps with SHA-1 only (CKR_ARGUMENTS_BAD otherwise). */
const OAEP = [
  { hash: 'sha256', hashAlg: CK.CKM_SHA256, mgf: CK.CKG_MGF1_SHA256 },
  { hash: 'sha1', hashAlg: CK.CKM_SHA_1, mgf: CK.CKG_MGF1_SHA1 },
] as const;
type OaepHash = (typeof OAEP)[number]['hash'];

function oaepMechanism(o: (typeof OAEP)[number]): Mechanism {
  const parameter: RsaOAEP = {
    type: CK.CK_PARAMS_RSA_OAEP,
    hashAlg: o.hashAlg,
    mgf: o.mgf,
    source: CKZ_DATA_SPECIFIED,
  };
  return { mechanism: CK.CKM_RSA_PKCS_OAEP, parameter };
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const digest = (alg: HashName, d: Buffer) => createHash(alg).update(d).digest();
const user = (a: TokenAccess) => ({ user: 'user' as const, pin: a.pin });

/** Backs the key `id` up from the source token to the escrow token; see the file comment for the steps. */
export async function backupToEscrow(req: BackupRequest): Promise<EscrowBackupEvidence> {
  const now = req.now ?? (() => new Date());
  const { source, escrow, id } = req;
  if (source.module === escrow.module && source.serial === escrow.serial)
    throw stationError('INVALID_INPUT', 'the escrow token must be another token than the source', {
      field: 'escrow.serial',
    });
  const src = source.module.withSession(
    source.serial,
    { write: false, login: user(source), purpose: 'escrow backup: read the key' },
    (s) => readSourceKey(s, id, snapshotOf(source, now)),
  );
  return escrow.module.withSessionAsync(
    escrow.serial,
    { write: true, login: user(escrow), purpose: 'escrow backup' },
    async (e) => {
      refuseExisting(e, src.key);
      const escrowToken = snapshotOf(escrow, now);
      const transport = await e.generateTransportKeyPair(escrowTransportRecipe());
      let transportGone = false;
      let aesGone: boolean;
      let copy: Handle;
      let oaepHash: OaepHash;
      try {
        const modulus = e.attribute(transport.publicKey, CK.CKA_MODULUS);
        const exponent = e.attribute(transport.publicKey, CK.CKA_PUBLIC_EXPONENT);
        if (!modulus || !exponent) throw new Error('the escrow transport public key cannot be read');
        const wrapped = wrapOnSource(source, id, modulus, exponent);
        oaepHash = wrapped.oaepHash;
        try {
          const aes = e.unwrapKey(
            oaepMechanism(OAEP.find((o) => o.hash === oaepHash) ?? OAEP[0]),
            transport.privateKey,
            wrapped.aes,
            escrowAesTemplate(),
          );
          transportGone = destroyAll(e, [transport.privateKey, transport.publicKey]);
          try {
            copy = e.unwrapKey(
              AES_KEY_WRAP_PAD,
              aes,
              wrapped.key,
              escrowCopyTemplate(CK[src.algorithm.pkcs11.keyType], src.key.label, Buffer.from(id, 'hex')),
            );
          } finally {
            aesGone = destroyAll(e, [aes]);
          }
        } finally {
          wrapped.aes.fill(0);
          wrapped.key.fill(0);
        }
      } finally {
        if (!transportGone) transportGone = destroyAll(e, [transport.privateKey, transport.publicKey]);
      }
      let evidence: EscrowBackupEvidence;
      try {
        e.createObject(
          escrowPublicTemplate(
            CK[src.algorithm.pkcs11.keyType],
            src.key.label,
            Buffer.from(id, 'hex'),
            src.publicMaterial,
          ),
        );
        evidence = escrowEvidence(e, copy, src, {
          escrowToken,
          oaepHash,
          oneTimeKeysGone: transportGone && aesGone,
        });
      } catch (err) {
        throw withCopyDestroyed(err, e, src.key);
      }
      const { failed } = escrowBackupVerdict(evidence);
      const copyFailures = failed.filter((f) => f !== 'HSM-ESCROW-ONE-TIME-KEYS');
      if (copyFailures.length > 0) {
        const destroyed = destroyKeyObjects(e, src.key);
        throw stationError(
          'ESCROW_COPY_INVALID',
          `the escrow copy of "${src.key.label}" on token ${escrow.serial} failed ${copyFailures.join(', ')}: ${evidence.checks
            .filter((c) => !c.passed)
            .map((c) => c.detail)
            .join('; ')}; destroyed: ${String(destroyed)}`,
          { serial: escrow.serial, id, failed: copyFailures, destroyed },
        );
      }
      return evidence;
    },
  );
}

interface SourceKey {
  readonly key: KeyInfo;
  readonly spki: Buffer;
  readonly algorithm: SignatureAlgorithm;
  /** The public key's own attributes (EC: params and point; RSA: modulus and exponent), for the escrow. */
  readonly publicMaterial: Template;
  readonly token: TokenSnapshot;
}

function readSourceKey(s: Session, id: string, token: TokenSnapshot): SourceKey {
  const key = s.key(id);
  const priv = s.privateKey(id);
  const exportClass = wrapTrustedOnly(s.backupKeyAttributes(priv));
  if (exportClass.exportClass !== 'WRAP-TRUSTED-ONLY') {
    throw stationError(
      'KEY_NOT_BACKUP_CAPABLE',
      `key "${key.label}" (CKA_ID ${id}) on token ${s.serial} is ${exportClass.exportClass} (${exportClass.check}): only a key that leaves its token under a trusted key alone can be backed up`,
      { field: 'id', id, serial: s.serial, exportClass: exportClass.exportClass },
    );
  }
  const algorithm = algorithmForTokenKey(key.keyType, key.size);
  const pub = s.find([
    { type: CK.CKA_CLASS, value: CK.CKO_PUBLIC_KEY },
    { type: CK.CKA_ID, value: Buffer.from(id, 'hex') },
  ]);
  if (!algorithm || !key.spki || pub.length !== 1)
    throw stationError(
      'KEY_NOT_FOUND',
      `key "${key.label}" (CKA_ID ${id}) on token ${s.serial} has no single readable public key of a known algorithm`,
      { field: 'id', id },
    );
  return {
    key,
    spki: key.spki,
    algorithm,
    publicMaterial: publicMaterial(s, pub[0] as Handle, key.keyType),
    token,
  };
}

function publicMaterial(s: Session, pub: Handle, keyType: KeyType): Template {
  const types =
    keyType === 'RSA' ? [CK.CKA_MODULUS, CK.CKA_PUBLIC_EXPONENT] : [CK.CKA_EC_PARAMS, CK.CKA_EC_POINT];
  return types.map((type) => {
    const value = s.attribute(pub, type);
    if (!value) throw stationError('KEY_NOT_FOUND', `the public key on token ${s.serial} cannot be read`, {});
    return { type, value };
  });
}

/** The escrow must not hold anything with the key's label or CKA_ID: outputs are never overwritten. */
function refuseExisting(e: Session, key: KeyInfo): void {
  for (const [field, attr] of [
    ['label', { type: CK.CKA_LABEL, value: key.label }],
    ['id', { type: CK.CKA_ID, value: Buffer.from(key.id, 'hex') }],
  ] as const) {
    if (e.find([attr]).length > 0)
      throw stationError(
        'KEY_EXISTS',
        `token ${e.serial} already holds an object with the ${field} of "${key.label}" (CKA_ID ${key.id}): nothing was backed up`,
        { field, serial: e.serial },
      );
  }
}

/**
 * Steps 3 and 4 on the source token: the key wrapped under a one-time trusted AES key, and that AES key
 * wrapped under the escrow's transport key. The AES key is destroyed on every path.
 */
function wrapOnSource(
  source: BackupRequest['source'],
  id: string,
  modulus: Buffer,
  exponent: Buffer,
): { aes: Buffer; key: Buffer; oaepHash: OaepHash } {
  const label = `escrow-transport-${randomBytes(8).toString('hex')}`;
  let result: { aes: Buffer; key: Buffer; oaepHash: OaepHash } | null = null;
  let failure: unknown = null;
  try {
    const aes = source.module.withSession(
      source.serial,
      {
        write: true,
        login: { user: 'so', pin: source.soPin },
        purpose: 'escrow backup: one-time trusted key',
      },
      (s) => {
        const rsa = s.createObject(transportPublicTemplate(modulus, exponent));
        const key = s.generateSecretKey(CK.CKM_AES_KEY_GEN, oneTimeTrustedAesTemplate(label));
        return wrapUnderOaep(s, rsa, key);
      },
    );
    try {
      const key = source.module.withSession(
        source.serial,
        { write: true, login: user(source), purpose: 'escrow backup: wrap the key' },
        (s) => {
          const [one, ...more] = oneTimeKeys(s, label);
          if (!one || more.length > 0 || s.attribute(one, CK.CKA_TRUSTED)?.[0] !== 1)
            throw stationError(
              'DEVICE_ERROR',
              `the one-time key ${label} is not the single trusted key made`,
              {
                serial: s.serial,
              },
            );
          return s.wrapKey(AES_KEY_WRAP_PAD, one, s.privateKey(id));
        },
      );
      result = { aes: aes.wrapped, key, oaepHash: aes.oaepHash };
    } catch (e) {
      aes.wrapped.fill(0);
      throw e;
    }
  } catch (e) {
    failure = e;
  }
  if (!destroyOneTimeKey(source, label)) {
    result?.aes.fill(0);
    result?.key.fill(0);
    throw stationError(
      'ESCROW_TRANSPORT_KEY_LEFT',
      `the one-time trusted key "${label}" could not be destroyed on token ${source.serial}: nothing was backed up`,
      {
        serial: source.serial,
        label,
        ...(failure instanceof CodedError ? { cause: failure.code } : {}),
      },
    );
  }
  if (failure !== null || !result) throw failure;
  return result;
}

function wrapUnderOaep(s: Session, rsa: Handle, key: Handle): { wrapped: Buffer; oaepHash: OaepHash } {
  for (const o of OAEP) {
    try {
      return { wrapped: s.wrapKey(oaepMechanism(o), rsa, key), oaepHash: o.hash };
    } catch (e) {
      const ckr = e instanceof CodedError ? e.data.ckr : null;
      // The token refuses these OAEP parameters: try the next hash; anything else is the error.
      if (ckr !== 'CKR_ARGUMENTS_BAD' && ckr !== 'CKR_MECHANISM_PARAM_INVALID') throw e;
    }
  }
  throw stationError(
    'MECHANISM_UNSUPPORTED',
    `token ${s.serial} wraps with RSA-OAEP under none of ${OAEP.map((o) => o.hash).join(', ')}`,
    { serial: s.serial },
  );
}

function oneTimeKeys(s: Session, label: string): Handle[] {
  return s.find([
    { type: CK.CKA_CLASS, value: CK.CKO_SECRET_KEY },
    { type: CK.CKA_LABEL, value: label },
  ]);
}

/** Destroys the one-time key (user session, then SO session); true when none is left on the token. */
function destroyOneTimeKey(source: BackupRequest['source'], label: string): boolean {
  for (const login of [user(source), { user: 'so' as const, pin: source.soPin }]) {
    try {
      const left = source.module.withSession(
        source.serial,
        { write: true, login, purpose: 'escrow backup: destroy the one-time key' },
        (s) => {
          destroyAll(s, oneTimeKeys(s, label));
          return oneTimeKeys(s, label).length;
        },
      );
      if (left === 0) return true;
    } catch {
      // Try the other login; the caller reports a key left behind.
    }
  }
  return false;
}

/** Destroys the objects; true when every destroy call succeeded (never throws). */
function destroyAll(s: Session, objects: readonly Handle[]): boolean {
  let ok = true;
  for (const h of objects) {
    try {
      s.destroyObject(h);
    } catch {
      ok = false;
    }
  }
  return ok;
}

/** Destroys every object with the key's CKA_ID on the escrow (a failed copy); true when none is left. */
function destroyKeyObjects(e: Session, key: KeyInfo): boolean {
  const byId = () => e.find([{ type: CK.CKA_ID, value: Buffer.from(key.id, 'hex') }]);
  try {
    destroyAll(e, byId());
    return byId().length === 0;
  } catch {
    return false;
  }
}

function withCopyDestroyed(err: unknown, e: Session, key: KeyInfo): unknown {
  const destroyed = destroyKeyObjects(e, key);
  if (err instanceof CodedError)
    return new CodedError(err.code, `${err.message}; the escrow copy was destroyed: ${String(destroyed)}`, {
      ...err.data,
      destroyed,
    });
  return err;
}

function escrowEvidence(
  e: Session,
  copy: Handle,
  src: SourceKey,
  t: { escrowToken: TokenSnapshot; oaepHash: OaepHash; oneTimeKeysGone: boolean },
): EscrowBackupEvidence {
  const attributes = e.privateKeyAttributes(copy);
  const violations = escrowCopyPolicyViolations(attributes);
  const escrowKey = e.key(src.key.id);
  const escrowSpki = escrowKey.spki ? sha256(escrowKey.spki) : null;
  const sourceSpki = sha256(src.spki);
  const challenge = Buffer.concat([Buffer.from('ceremony-station escrow backup check\n'), randomBytes(32)]);
  const row = src.algorithm;
  const signature = e.signWith(copy, row.token, challenge, digest);
  const sourceKey = createPublicKey({ key: src.spki, format: 'der', type: 'spki' });
  const verified = verify(
    row.hash,
    challenge,
    { key: sourceKey, ...dsaEncodingOption(row, 'token') },
    signature,
  );
  return escrowBackupEvidenceSchema.parse({
    source: src.token,
    escrow: t.escrowToken,
    key: {
      label: src.key.label,
      id: src.key.id,
      keyType: src.key.keyType,
      size: src.key.size,
      spkiSha256: sourceSpki,
    },
    transport: {
      keyTransport: 'CKM_RSA_PKCS_OAEP',
      oaepHash: t.oaepHash,
      transportModulusBits: ESCROW_TRANSPORT_MODULUS_BITS,
      keyWrap: 'CKM_AES_KEY_WRAP_PAD',
    },
    escrowCopy: { attributes, residency: residencyOf(attributes).verdict, spkiSha256: escrowSpki },
    signature: { algorithm: row.token, challengeSha256: sha256(challenge), verified },
    checks: [
      {
        id: 'HSM-ESCROW-SOURCE-WRAP-TRUSTED',
        passed: true,
        detail: 'the source key is WRAP-TRUSTED-ONLY (HSM-RES-WRAP-TRUSTED-ONLY)',
      },
      {
        id: 'HSM-ESCROW-POLICY',
        passed: violations.length === 0,
        detail: violations.length === 0 ? 'the escrow copy meets the copy policy' : violations.join(', '),
      },
      {
        id: 'HSM-ESCROW-SPKI',
        passed: escrowSpki === sourceSpki,
        detail: `escrow SPKI SHA-256 ${escrowSpki ?? '(unreadable)'}, source ${sourceSpki}`,
      },
      {
        id: 'HSM-ESCROW-SIGNATURE',
        passed: verified,
        detail: verified
          ? `a ${row.token} signature by the escrow copy verifies with the source public key`
          : `a ${row.token} signature by the escrow copy does not verify with the source public key`,
      },
      {
        id: 'HSM-ESCROW-ONE-TIME-KEYS',
        passed: t.oneTimeKeysGone,
        detail: t.oneTimeKeysGone
          ? 'the one-time AES key (source and escrow) and the transport pair were destroyed'
          : 'a one-time key on the escrow could not be destroyed (a session object: it ends with the session)',
      },
    ],
  });
}

function snapshotOf(a: TokenAccess, now: () => Date): TokenSnapshot {
  const t = a.module.tokens().find((x) => x.serial === a.serial);
  if (!t) throw stationError('TOKEN_NOT_FOUND', `no token with serial ${a.serial}`, { serial: a.serial });
  return {
    serial: t.serial,
    label: t.label,
    manufacturer: t.manufacturer,
    model: t.model,
    firmware: t.firmware,
    hardware: t.hardware,
    at: now().toISOString(),
  };
}

const CLASS_NAMES: Readonly<Record<number, ObjectClass>> = {
  [CK.CKO_PRIVATE_KEY]: 'private-key',
  [CK.CKO_PUBLIC_KEY]: 'public-key',
  [CK.CKO_SECRET_KEY]: 'secret-key',
  [CK.CKO_CERTIFICATE]: 'certificate',
  [CK.CKO_DATA]: 'data',
};

function objectOf(s: Session, h: Handle, spkiSha256: string | null): TokenObject & { handle: Handle } {
  const cls = s.attribute(h, CK.CKA_CLASS);
  const clsValue = cls ? (cls.length >= 8 ? Number(cls.readBigUInt64LE(0)) : cls.readUInt32LE(0)) : -1;
  const objectClass = CLASS_NAMES[clsValue] ?? 'other';
  return {
    handle: h,
    class: objectClass,
    label: s.attribute(h, CK.CKA_LABEL)?.toString('utf8') ?? '',
    id: s.attribute(h, CK.CKA_ID)?.toString('hex') ?? '',
    spkiSha256: objectClass === 'private-key' || objectClass === 'public-key' ? spkiSha256 : null,
  };
}

/**
 * Destroys the key pair with this CKA_ID (private half first) and proves it: the objects found before,
 * each C_DestroyObject result, a logged-in search after for the CKA_ID and the label, the token's
 * description. Refused with nothing destroyed (KEY_NOT_FOUND, KEY_DESTROY_AMBIGUOUS) unless exactly one
 * key pair — at most one private and one public key, one label, nothing else with that CKA_ID or label —
 * matches. A destruction that ran returns its evidence with its verdict, NOT PROVEN included: what was
 * done must be recorded either way.
 */
export function destroyKey(req: DestroyRequest): KeyDestruction {
  const now = req.now ?? (() => new Date());
  const { token, id } = req;
  return token.module.withSession(
    token.serial,
    { write: true, login: user(token), purpose: 'key destruction' },
    (s) => {
      const idBytes = Buffer.from(id, 'hex');
      const byId = s.find([{ type: CK.CKA_ID, value: idBytes }]);
      const spki = () => {
        try {
          const k = s.key(id);
          return k.spki ? sha256(k.spki) : null;
        } catch {
          return null;
        }
      };
      const fingerprint = byId.length > 0 ? spki() : null;
      const found = byId.map((h) => objectOf(s, h, fingerprint));
      const keys = found.filter((o) => o.class === 'private-key' || o.class === 'public-key');
      if (keys.length === 0)
        throw stationError(
          'KEY_NOT_FOUND',
          `no key with CKA_ID ${id} on token ${s.serial}: nothing was destroyed`,
          {
            field: 'id',
            id,
            serial: s.serial,
          },
        );
      const labels = [...new Set(found.map((o) => o.label))];
      const label = labels[0] ?? '';
      const byLabel = labels.length === 1 ? s.find([{ type: CK.CKA_LABEL, value: label }]) : [];
      const others = byLabel.filter((h) => !byId.some((x) => x.equals(h))).map((h) => objectOf(s, h, null));
      const count = (c: ObjectClass) => found.filter((o) => o.class === c).length;
      const ambiguity =
        labels.length > 1
          ? `its objects carry ${labels.length} labels`
          : found.length !== keys.length
            ? `${found.length - keys.length} other objects share its CKA_ID`
            : count('private-key') > 1 || count('public-key') > 1
              ? `${count('private-key')} private and ${count('public-key')} public keys share its CKA_ID`
              : others.length > 0
                ? `${others.length} objects with another CKA_ID share its label`
                : null;
      if (ambiguity)
        throw stationError(
          'KEY_DESTROY_AMBIGUOUS',
          `more than one key matches CKA_ID ${id} on token ${s.serial} (${ambiguity}): nothing was destroyed`,
          {
            id,
            serial: s.serial,
            objects: [...found, ...others].map((o) => `${o.class} "${o.label}" ${o.id}`),
          },
        );
      const tokenAtAct = snapshotOf(token, now);
      const ordered = [...found].sort((a, b) =>
        a.class === 'private-key' ? -1 : b.class === 'private-key' ? 1 : 0,
      );
      const destroyed = ordered.map((o) => {
        try {
          s.destroyObject(o.handle);
          return { class: o.class, result: 'CKR_OK' };
        } catch (e) {
          const ckr = e instanceof CodedError ? e.data.ckr : null;
          return { class: o.class, result: typeof ckr === 'string' ? ckr : 'NOT-A-PKCS11-RESULT' };
        }
      });
      const after = {
        byId: s.find([{ type: CK.CKA_ID, value: idBytes }]).length,
        byLabel: s.find([{ type: CK.CKA_LABEL, value: label }]).length,
      };
      const before = ordered.map(({ handle: _handle, ...o }) => o);
      const evidence = keyDestructionEvidenceSchema.parse({
        token: tokenAtAct,
        id,
        label,
        before,
        destroyed,
        after,
        checks: destructionChecks({ before, destroyed, after }),
      });
      return { ...destructionVerdict(evidence), evidence };
    },
  );
}
