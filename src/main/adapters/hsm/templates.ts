import type { Attribute, Template } from 'pkcs11js';
import { keySpecAlgorithm, SIGNATURE_ALGORITHMS, type KeyAlgorithm } from '../../../core/crypto/algorithms';
import type { KeySpec } from '../../../core/hsm/key-spec';
import { CK } from './ck';

/**
 * The one place that decides what a generated key looks like (after node-webcrypto-p11's
 * TemplateBuilder). A reviewer reads this file to know every attribute the station asks for and the
 * policy it re-checks on the attributes read back after generation. Which key type, mechanism, curve
 * or modulus an algorithm means comes from the algorithm table (src/core/crypto/algorithms.ts).
 *
 * Private key: on the token, login required, sensitive, never extractable, sign only.
 * Public key:  on the token, readable, verify only (CKA_VERIFY_RECOVER false as well).
 * Backup-capable private key (key spec `backup: 'wrap-with-trusted'`): the same, except extractable
 * under a wrapping key the security officer marked trusted (CKA_WRAP_WITH_TRUSTED), never otherwise.
 * Backup to escrow: the one-time transport keys and the escrow copy's restrictive template (end of file).
 */

export interface KeyPairRecipe {
  readonly mechanism: number;
  /** The mechanism's PKCS#11 name, as the algorithm table spells it. */
  readonly mechanismName: string;
  readonly publicTemplate: Template;
  readonly privateTemplate: Template;
}

/** RSA public exponent F4 (65537), the one every current token and CA expects. */
const RSA_PUBLIC_EXPONENT = Buffer.from([0x01, 0x00, 0x01]);

function typeParams(algorithm: KeyAlgorithm): {
  mechanism: number;
  mechanismName: string;
  keyType: number;
  pub: Attribute[];
} {
  const { algorithm: row, modulusBits } = keySpecAlgorithm(algorithm);
  if (!row.curve && modulusBits === null) throw new Error(`key algorithm ${algorithm} names no modulus size`);
  return {
    mechanism: CK[row.pkcs11.keyGen],
    mechanismName: row.pkcs11.keyGen,
    keyType: CK[row.pkcs11.keyType],
    // EC and EdDSA keys are named by their curve's OID; RSA keys by their size.
    pub: row.curve
      ? [{ type: CK.CKA_EC_PARAMS, value: Buffer.from(row.curve.ecParams, 'hex') }]
      : [
          { type: CK.CKA_MODULUS_BITS, value: modulusBits as number },
          { type: CK.CKA_PUBLIC_EXPONENT, value: RSA_PUBLIC_EXPONENT },
        ],
  };
}

export function keyPairRecipe(spec: KeySpec, id: Buffer, quirks: ModuleQuirks): KeyPairRecipe {
  const { mechanism, mechanismName, keyType, pub } = typeParams(spec.algorithm);
  const common: Attribute[] = [
    { type: CK.CKA_KEY_TYPE, value: keyType },
    { type: CK.CKA_TOKEN, value: true },
    { type: CK.CKA_LABEL, value: spec.label },
    { type: CK.CKA_ID, value: id },
    // Nobody changes or copies a ceremony key after the fact (relabel, enable decrypt, clone).
    { type: CK.CKA_MODIFIABLE, value: false },
  ];
  return {
    mechanism,
    mechanismName,
    publicTemplate: [
      { type: CK.CKA_CLASS, value: CK.CKO_PUBLIC_KEY },
      ...common,
      { type: CK.CKA_PRIVATE, value: false },
      { type: CK.CKA_VERIFY, value: true },
      // Verify only: SoftHSM2 (and PKCS#11's default for many tokens) would make it TRUE otherwise.
      { type: CK.CKA_VERIFY_RECOVER, value: false },
      { type: CK.CKA_ENCRYPT, value: false },
      { type: CK.CKA_WRAP, value: false },
      // Some modules refuse CKA_EXTRACTABLE on a public key (SoftHSM2: CKR_ATTRIBUTE_TYPE_INVALID).
      ...(quirks.rejectsExtractableInPublicTemplate ? [] : [{ type: CK.CKA_EXTRACTABLE, value: false }]),
      ...pub,
    ],
    privateTemplate: [
      { type: CK.CKA_CLASS, value: CK.CKO_PRIVATE_KEY },
      ...common,
      { type: CK.CKA_PRIVATE, value: true },
      { type: CK.CKA_SENSITIVE, value: true },
      ...(spec.backup === 'wrap-with-trusted'
        ? [
            { type: CK.CKA_EXTRACTABLE, value: true },
            { type: CK.CKA_WRAP_WITH_TRUSTED, value: true },
          ]
        : [{ type: CK.CKA_EXTRACTABLE, value: false }]),
      { type: CK.CKA_COPYABLE, value: false },
      { type: CK.CKA_SIGN, value: true },
      { type: CK.CKA_SIGN_RECOVER, value: false },
      { type: CK.CKA_DECRYPT, value: false },
      { type: CK.CKA_UNWRAP, value: false },
      { type: CK.CKA_DERIVE, value: false },
    ],
  };
}

/** The module quirks the template builder honours (from the module profile). */
export interface ModuleQuirks {
  readonly rejectsExtractableInPublicTemplate: boolean;
  readonly supportsEd25519: boolean;
}

/** Private-key attributes the station reads back, with the value its policy requires after generation. */
export const PRIVATE_KEY_POLICY = {
  token: true,
  private: true,
  sensitive: true,
  extractable: false,
  alwaysSensitive: true,
  neverExtractable: true,
  local: true,
  sign: true,
  decrypt: false,
  unwrap: false,
  derive: false,
  modifiable: false,
  copyable: false,
  signRecover: false,
} as const;

export type PolicyAttribute = keyof typeof PRIVATE_KEY_POLICY;

/**
 * The public half's policy, read back too: on the token, readable, verify only (no verify-with-recovery),
 * not modifiable.
 */
export const PUBLIC_KEY_POLICY = {
  token: true,
  private: false,
  verify: true,
  verifyRecover: false,
  encrypt: false,
  wrap: false,
  modifiable: false,
} as const;

export type PublicPolicyAttribute = keyof typeof PUBLIC_KEY_POLICY;

export const PUBLIC_POLICY_ATTRIBUTE_TYPES: Readonly<Record<PublicPolicyAttribute, number>> = {
  token: CK.CKA_TOKEN,
  private: CK.CKA_PRIVATE,
  verify: CK.CKA_VERIFY,
  verifyRecover: CK.CKA_VERIFY_RECOVER,
  encrypt: CK.CKA_ENCRYPT,
  wrap: CK.CKA_WRAP,
  modifiable: CK.CKA_MODIFIABLE,
};

export const POLICY_ATTRIBUTE_TYPES: Readonly<Record<PolicyAttribute, number>> = {
  token: CK.CKA_TOKEN,
  private: CK.CKA_PRIVATE,
  sensitive: CK.CKA_SENSITIVE,
  extractable: CK.CKA_EXTRACTABLE,
  alwaysSensitive: CK.CKA_ALWAYS_SENSITIVE,
  neverExtractable: CK.CKA_NEVER_EXTRACTABLE,
  local: CK.CKA_LOCAL,
  sign: CK.CKA_SIGN,
  decrypt: CK.CKA_DECRYPT,
  unwrap: CK.CKA_UNWRAP,
  derive: CK.CKA_DERIVE,
  modifiable: CK.CKA_MODIFIABLE,
  copyable: CK.CKA_COPYABLE,
  signRecover: CK.CKA_SIGN_RECOVER,
};

/**
 * Names every attribute of `policy` whose read-back value differs from it (null = the token would not
 * say), as `<prefix><name>=<read> (<policy label>: <wanted>)`. The one comparison every policy below uses.
 */
function violationsOf<K extends string>(
  policy: Readonly<Record<K, boolean>>,
  readBack: Readonly<Record<NoInfer<K>, boolean | null>>,
  words: { prefix?: string; label?: string } = {},
): string[] {
  return (Object.keys(policy) as K[])
    .filter((k) => readBack[k] !== policy[k])
    .map(
      (k) =>
        `${words.prefix ?? ''}${k}=${String(readBack[k])} (${words.label ?? 'policy'}: ${String(policy[k])})`,
    );
}

/** Names every attribute whose read-back value differs from the policy (null = the token would not say). */
export function policyViolations(readBack: Readonly<Record<PolicyAttribute, boolean | null>>): string[] {
  return violationsOf(PRIVATE_KEY_POLICY, readBack);
}

/**
 * A backup-capable private key's policy: the default policy, except that it is extractable (so it was
 * never "never extractable") and only a trusted key may wrap it.
 */
export const BACKUP_KEY_POLICY = {
  ...PRIVATE_KEY_POLICY,
  extractable: true,
  neverExtractable: false,
  wrapWithTrusted: true,
} as const;

export type BackupPolicyAttribute = keyof typeof BACKUP_KEY_POLICY;

export const BACKUP_POLICY_ATTRIBUTE_TYPES: Readonly<Record<BackupPolicyAttribute, number>> = {
  ...POLICY_ATTRIBUTE_TYPES,
  wrapWithTrusted: CK.CKA_WRAP_WITH_TRUSTED,
};

export function backupPolicyViolations(
  readBack: Readonly<Record<BackupPolicyAttribute, boolean | null>>,
): string[] {
  return violationsOf(BACKUP_KEY_POLICY, readBack, { label: 'backup policy' });
}

export function publicPolicyViolations(
  readBack: Readonly<Record<PublicPolicyAttribute, boolean | null>>,
): string[] {
  return violationsOf(PUBLIC_KEY_POLICY, readBack, { prefix: 'public ' });
}

const CKA_NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(CK)
    .filter(([k, v]) => k.startsWith('CKA_') && typeof v === 'number')
    .map(([k, v]) => [v as number, k]),
);
const CKO_NAMES: Readonly<Record<number, string>> = {
  [CK.CKO_PUBLIC_KEY]: 'CKO_PUBLIC_KEY',
  [CK.CKO_PRIVATE_KEY]: 'CKO_PRIVATE_KEY',
};
const CKK_NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.values(SIGNATURE_ALGORITHMS).map((r) => [CK[r.pkcs11.keyType], r.pkcs11.keyType]),
);

export interface RecipeDescription {
  readonly mechanism: string;
  readonly publicKey: { attribute: string; value: string }[];
  readonly privateKey: { attribute: string; value: string }[];
}

/** The exact attributes a generation will ask for, in words: what the operator confirms before acting. */
export function describeRecipe(spec: KeySpec, quirks: ModuleQuirks): RecipeDescription {
  const recipe = keyPairRecipe(spec, spec.id ? Buffer.from(spec.id, 'hex') : Buffer.alloc(0), quirks);
  const show = (t: Template) =>
    t.map((a) => {
      const name = CKA_NAMES[a.type] ?? `0x${a.type.toString(16)}`;
      let value: string;
      if (a.type === CK.CKA_CLASS) value = CKO_NAMES[a.value as number] ?? String(a.value);
      else if (a.type === CK.CKA_KEY_TYPE) value = CKK_NAMES[a.value as number] ?? String(a.value);
      else if (a.type === CK.CKA_ID) value = spec.id ?? '(16 random bytes from the token RNG)';
      else if (Buffer.isBuffer(a.value)) value = a.value.toString('hex');
      else value = String(a.value);
      return { attribute: name, value };
    });
  return {
    mechanism: recipe.mechanismName,
    publicKey: show(recipe.publicTemplate),
    privateKey: show(recipe.privateTemplate),
  };
}

/*
 * Backup to escrow (src/main/adapters/hsm/escrow.ts). The source token wraps a backup-capable key under a
 * one-time AES-256 key its security officer made trusted; that AES key travels to the escrow token wrapped
 * under the escrow's one-time RSA-3072 transport key; the escrow unwraps the key under a restrictive
 * template. Every one-time key is destroyed after use; the transport pair are session objects besides.
 */

/** RSA modulus of the escrow's one-time transport key pair. */
export const ESCROW_TRANSPORT_MODULUS_BITS = 3072;

/** The escrow's one-time RSA transport pair: session objects; the public half wraps, the private unwraps only. */
export function escrowTransportRecipe(): KeyPairRecipe {
  const rsa = { type: CK.CKA_KEY_TYPE, value: CK.CKK_RSA };
  return {
    mechanism: CK.CKM_RSA_PKCS_KEY_PAIR_GEN,
    mechanismName: 'CKM_RSA_PKCS_KEY_PAIR_GEN',
    publicTemplate: [
      { type: CK.CKA_CLASS, value: CK.CKO_PUBLIC_KEY },
      rsa,
      { type: CK.CKA_TOKEN, value: false },
      { type: CK.CKA_WRAP, value: true },
      { type: CK.CKA_ENCRYPT, value: false },
      { type: CK.CKA_VERIFY, value: false },
      { type: CK.CKA_MODULUS_BITS, value: ESCROW_TRANSPORT_MODULUS_BITS },
      { type: CK.CKA_PUBLIC_EXPONENT, value: RSA_PUBLIC_EXPONENT },
    ],
    privateTemplate: [
      { type: CK.CKA_CLASS, value: CK.CKO_PRIVATE_KEY },
      rsa,
      { type: CK.CKA_TOKEN, value: false },
      { type: CK.CKA_PRIVATE, value: true },
      { type: CK.CKA_SENSITIVE, value: true },
      { type: CK.CKA_EXTRACTABLE, value: false },
      { type: CK.CKA_UNWRAP, value: true },
      { type: CK.CKA_DECRYPT, value: false },
      { type: CK.CKA_SIGN, value: false },
      { type: CK.CKA_DERIVE, value: false },
    ],
  };
}

/** The escrow's transport public key as the source token's SO imports it: a session object that only wraps. */
export function transportPublicTemplate(modulus: Buffer, exponent: Buffer): Template {
  return [
    { type: CK.CKA_CLASS, value: CK.CKO_PUBLIC_KEY },
    { type: CK.CKA_KEY_TYPE, value: CK.CKK_RSA },
    { type: CK.CKA_TOKEN, value: false },
    { type: CK.CKA_WRAP, value: true },
    { type: CK.CKA_ENCRYPT, value: false },
    { type: CK.CKA_VERIFY, value: false },
    { type: CK.CKA_MODULUS, value: modulus },
    { type: CK.CKA_PUBLIC_EXPONENT, value: exponent },
  ];
}

/**
 * The one-time AES-256 key on the source token, made in the security officer's session: only the SO may
 * set CKA_TRUSTED (SoftHSM2 answers a user CKR_ATTRIBUTE_READ_ONLY), and only a trusted key may wrap a
 * backup-capable key. A token object, because the user's session that wraps the key comes after the
 * SO's; public, because an SO session may create public objects only. It wraps, once, and is
 * extractable once, to the escrow transport key; it is destroyed right after.
 */
export function oneTimeTrustedAesTemplate(label: string): Template {
  return [
    { type: CK.CKA_CLASS, value: CK.CKO_SECRET_KEY },
    { type: CK.CKA_KEY_TYPE, value: CK.CKK_AES },
    { type: CK.CKA_VALUE_LEN, value: 32 },
    { type: CK.CKA_TOKEN, value: true },
    { type: CK.CKA_PRIVATE, value: false },
    { type: CK.CKA_LABEL, value: label },
    { type: CK.CKA_SENSITIVE, value: true },
    { type: CK.CKA_EXTRACTABLE, value: true },
    { type: CK.CKA_TRUSTED, value: true },
    { type: CK.CKA_WRAP, value: true },
    { type: CK.CKA_UNWRAP, value: false },
    { type: CK.CKA_ENCRYPT, value: false },
    { type: CK.CKA_DECRYPT, value: false },
    { type: CK.CKA_SIGN, value: false },
    { type: CK.CKA_VERIFY, value: false },
    { type: CK.CKA_DERIVE, value: false },
  ];
}

/** The one-time AES key as the escrow unwraps it: a session object that unwraps only and never leaves. */
export function escrowAesTemplate(): Template {
  return [
    { type: CK.CKA_CLASS, value: CK.CKO_SECRET_KEY },
    { type: CK.CKA_KEY_TYPE, value: CK.CKK_AES },
    { type: CK.CKA_TOKEN, value: false },
    { type: CK.CKA_PRIVATE, value: true },
    { type: CK.CKA_SENSITIVE, value: true },
    { type: CK.CKA_EXTRACTABLE, value: false },
    { type: CK.CKA_UNWRAP, value: true },
    { type: CK.CKA_WRAP, value: false },
    { type: CK.CKA_ENCRYPT, value: false },
    { type: CK.CKA_DECRYPT, value: false },
  ];
}

/**
 * The escrow copy of a backed-up key: on the token, login required, sensitive, never extractable again,
 * sign only, with the source's label and CKA_ID. CKA_MODIFIABLE comes last: SoftHSM2 applies an unwrap
 * template in order, and a non-modifiable object refuses the attributes after it (CKR_ATTRIBUTE_READ_ONLY).
 */
export function escrowCopyTemplate(keyType: number, label: string, id: Buffer): Template {
  return [
    { type: CK.CKA_CLASS, value: CK.CKO_PRIVATE_KEY },
    { type: CK.CKA_KEY_TYPE, value: keyType },
    { type: CK.CKA_TOKEN, value: true },
    { type: CK.CKA_LABEL, value: label },
    { type: CK.CKA_ID, value: id },
    { type: CK.CKA_PRIVATE, value: true },
    { type: CK.CKA_SENSITIVE, value: true },
    { type: CK.CKA_EXTRACTABLE, value: false },
    { type: CK.CKA_COPYABLE, value: false },
    { type: CK.CKA_SIGN, value: true },
    { type: CK.CKA_SIGN_RECOVER, value: false },
    { type: CK.CKA_DECRYPT, value: false },
    { type: CK.CKA_UNWRAP, value: false },
    { type: CK.CKA_DERIVE, value: false },
    { type: CK.CKA_MODIFIABLE, value: false },
  ];
}

/** The escrow copy's public half: the source public key's own attributes (`key`), verify only. */
export function escrowPublicTemplate(keyType: number, label: string, id: Buffer, key: Template): Template {
  return [
    { type: CK.CKA_CLASS, value: CK.CKO_PUBLIC_KEY },
    { type: CK.CKA_KEY_TYPE, value: keyType },
    { type: CK.CKA_TOKEN, value: true },
    { type: CK.CKA_LABEL, value: label },
    { type: CK.CKA_ID, value: id },
    { type: CK.CKA_PRIVATE, value: false },
    { type: CK.CKA_VERIFY, value: true },
    { type: CK.CKA_VERIFY_RECOVER, value: false },
    { type: CK.CKA_ENCRYPT, value: false },
    { type: CK.CKA_WRAP, value: false },
    ...key,
    { type: CK.CKA_MODIFIABLE, value: false },
  ];
}

/**
 * The escrow copy's policy, read back after the unwrap. CKA_LOCAL, CKA_ALWAYS_SENSITIVE and
 * CKA_NEVER_EXTRACTABLE are not asked for: an unwrapped key honestly reports them false (residency IMPORTED).
 */
export const ESCROW_COPY_POLICY = {
  token: true,
  private: true,
  sensitive: true,
  extractable: false,
  sign: true,
  decrypt: false,
  unwrap: false,
  derive: false,
  modifiable: false,
  copyable: false,
  signRecover: false,
} as const satisfies Partial<Record<PolicyAttribute, boolean>>;

export function escrowCopyPolicyViolations(
  readBack: Readonly<Record<PolicyAttribute, boolean | null>>,
): string[] {
  return violationsOf(ESCROW_COPY_POLICY, readBack, { prefix: 'escrow copy ' });
}
