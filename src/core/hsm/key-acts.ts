import { z } from 'zod';
import { keyTypeSchema, tokenAlgorithmSchema } from '../crypto/algorithms';
import { isoTime, objectCkaId, sha256Hex, tokenSerial } from '../schema';

/**
 * Evidence of the two token-level acts a key ceremony performs on a key that already exists: its backup
 * to an escrow token, and its destruction. Plain data, strictly decoded, so a journal event can carry it
 * as it is. The adapter (src/main/adapters/hsm/escrow.ts) builds it from what the tokens read back and
 * parses it through these schemas before returning it; the verdicts below are the only place that
 * decides whether an act is proven.
 *
 * Check IDs:
 *   HSM-ESCROW-SOURCE-WRAP-TRUSTED  the source key leaves its token only under a trusted key
 *                                   (HSM-RES-WRAP-TRUSTED-ONLY passed, class WRAP-TRUSTED-ONLY)
 *   HSM-ESCROW-POLICY               the escrow copy's read-back attributes meet the restrictive policy
 *   HSM-ESCROW-SPKI                 the escrow's public key is the source's (SPKI SHA-256 equal)
 *   HSM-ESCROW-SIGNATURE            a signature the escrow copy made verifies with the source public key
 *   HSM-ESCROW-ONE-TIME-KEYS        every one-time transport key was destroyed
 *   HSM-DESTROY-CALLS               every C_DestroyObject returned CKR_OK
 *   HSM-DESTROY-NONE-LEFT           a logged-in search after the act finds no object with the key's CKA_ID
 *                                   or label
 */

/** The token as it described itself when the act was done. */
export const tokenSnapshotSchema = z.strictObject({
  serial: tokenSerial,
  label: z.string().max(32),
  manufacturer: z.string().max(32),
  model: z.string().max(16),
  firmware: z.string().max(16),
  hardware: z.string().max(16),
  /** When the station read it (ISO instant). */
  at: isoTime,
});
export type TokenSnapshot = z.infer<typeof tokenSnapshotSchema>;

export const OBJECT_CLASSES = [
  'private-key',
  'public-key',
  'secret-key',
  'certificate',
  'data',
  'other',
] as const;
export type ObjectClass = (typeof OBJECT_CLASSES)[number];

/** One token object as found before an act. */
export const tokenObjectSchema = z.strictObject({
  class: z.enum(OBJECT_CLASSES),
  label: z.string().max(256),
  id: objectCkaId,
  /** SHA-256 of the SubjectPublicKeyInfo of the key pair the object belongs to, when readable. */
  spkiSha256: sha256Hex.nullable(),
});
export type TokenObject = z.infer<typeof tokenObjectSchema>;

const attr = z.boolean().nullable();
/** Private-key attributes as read back (null: the token would not say). */
export const readBackAttributesSchema = z.strictObject({
  token: attr,
  private: attr,
  sensitive: attr,
  extractable: attr,
  alwaysSensitive: attr,
  neverExtractable: attr,
  local: attr,
  sign: attr,
  decrypt: attr,
  unwrap: attr,
  derive: attr,
  modifiable: attr,
  copyable: attr,
  signRecover: attr,
});

export const ESCROW_CHECK_IDS = [
  'HSM-ESCROW-SOURCE-WRAP-TRUSTED',
  'HSM-ESCROW-POLICY',
  'HSM-ESCROW-SPKI',
  'HSM-ESCROW-SIGNATURE',
  'HSM-ESCROW-ONE-TIME-KEYS',
] as const;
export type EscrowCheckId = (typeof ESCROW_CHECK_IDS)[number];

export const DESTROY_CHECK_IDS = ['HSM-DESTROY-CALLS', 'HSM-DESTROY-NONE-LEFT'] as const;
export type DestroyCheckId = (typeof DESTROY_CHECK_IDS)[number];

const check = <I extends readonly [string, ...string[]]>(ids: I) =>
  z.strictObject({ id: z.enum(ids), passed: z.boolean(), detail: z.string().max(1000) });

export const escrowBackupEvidenceSchema = z.strictObject({
  source: tokenSnapshotSchema,
  escrow: tokenSnapshotSchema,
  key: z.strictObject({
    label: z.string().max(256),
    id: objectCkaId,
    keyType: keyTypeSchema,
    size: z.string().max(64),
    /** The source public key's SPKI SHA-256. */
    spkiSha256: sha256Hex,
  }),
  transport: z.strictObject({
    /** How the one-time AES-256 key reached the escrow: RSA-OAEP under the escrow's one-time RSA key. */
    keyTransport: z.literal('CKM_RSA_PKCS_OAEP'),
    /** OAEP hash and MGF1 hash the source token accepted (SoftHSM 2.6 wraps with SHA-1 only). */
    oaepHash: z.enum(['sha256', 'sha1']),
    transportModulusBits: z.number().int().min(2048),
    /** How the key itself travelled: under the one-time trusted AES key. */
    keyWrap: z.literal('CKM_AES_KEY_WRAP_PAD'),
  }),
  escrowCopy: z.strictObject({
    attributes: readBackAttributesSchema,
    /** residencyOf's verdict for the copy: IMPORTED is what an honest unwrap reports. */
    residency: z.enum(['RESIDENT', 'EXPOSABLE', 'UNPROTECTED', 'IMPORTED', 'SESSION-ONLY', 'UNKNOWN']),
    spkiSha256: sha256Hex.nullable(),
  }),
  signature: z.strictObject({
    algorithm: tokenAlgorithmSchema,
    /** SHA-256 of the fresh challenge the escrow copy signed. */
    challengeSha256: sha256Hex,
    verified: z.boolean(),
  }),
  checks: z.array(check(ESCROW_CHECK_IDS)),
});
export type EscrowBackupEvidence = z.infer<typeof escrowBackupEvidenceSchema>;

export const keyDestructionEvidenceSchema = z.strictObject({
  token: tokenSnapshotSchema,
  /** What was asked for: the key's CKA_ID (lowercase hex) and the label its objects carried. */
  id: objectCkaId,
  label: z.string().max(256),
  before: z.array(tokenObjectSchema),
  /** One per object destroyed, in order: the C_DestroyObject result by its CKR name. */
  destroyed: z.array(z.strictObject({ class: z.enum(OBJECT_CLASSES), result: z.string().max(64) })),
  /** A logged-in search after the act: objects still found with the key's CKA_ID, and with its label. */
  after: z.strictObject({ byId: z.number().int().min(0), byLabel: z.number().int().min(0) }),
  checks: z.array(check(DESTROY_CHECK_IDS)),
});
export type KeyDestructionEvidence = z.infer<typeof keyDestructionEvidenceSchema>;

export type ActVerdict = 'PROVEN' | 'NOT PROVEN';

/** PROVEN only when every check of its act is present and passed; a missing check is never a pass. */
function verdictOf<I extends string>(ids: readonly I[], checks: readonly { id: I; passed: boolean }[]) {
  const failed = ids.filter((id) => !checks.some((c) => c.id === id && c.passed));
  return { verdict: (failed.length === 0 ? 'PROVEN' : 'NOT PROVEN') as ActVerdict, failed };
}

export function escrowBackupVerdict(e: Pick<EscrowBackupEvidence, 'checks'>): {
  verdict: ActVerdict;
  failed: EscrowCheckId[];
} {
  return verdictOf(ESCROW_CHECK_IDS, e.checks);
}

/** HSM-DESTROY-CALLS and HSM-DESTROY-NONE-LEFT, from the destroy results and the after-search. */
export function destructionChecks(e: {
  readonly before: readonly unknown[];
  readonly destroyed: readonly { readonly class: ObjectClass; readonly result: string }[];
  readonly after: { readonly byId: number; readonly byLabel: number };
}): KeyDestructionEvidence['checks'] {
  const bad = e.destroyed.filter((d) => d.result !== 'CKR_OK');
  const all = e.destroyed.length === e.before.length && e.before.length > 0;
  return [
    {
      id: 'HSM-DESTROY-CALLS',
      passed: all && bad.length === 0,
      detail: all
        ? bad.length === 0
          ? `${e.destroyed.length} objects destroyed, each CKR_OK`
          : `failed: ${bad.map((d) => `${d.class} ${d.result}`).join(', ')}`
        : `${e.destroyed.length} of ${e.before.length} objects had a destroy call`,
    },
    {
      id: 'HSM-DESTROY-NONE-LEFT',
      passed: e.after.byId === 0 && e.after.byLabel === 0,
      detail: `after the act a logged-in search found ${e.after.byId} objects with the CKA_ID and ${e.after.byLabel} with the label`,
    },
  ];
}

export function destructionVerdict(e: Pick<KeyDestructionEvidence, 'checks'>): {
  verdict: ActVerdict;
  failed: DestroyCheckId[];
} {
  return verdictOf(DESTROY_CHECK_IDS, e.checks);
}
