import { z } from 'zod';
import { assertNever, coreError } from '../errors';

/**
 * The signature algorithms the station supports, one row each, with every name the algorithm goes by:
 * in the station's own records, in PKCS#11, in Node's crypto, in WebCrypto / @peculiar/x509, in X.509
 * (curve OIDs). Everything else derives from this table through the lookups and enums below, so adding
 * or changing an algorithm is one edit here that the type checker then carries everywhere.
 *
 * The names records carry are stored: journals (`custodians.*`, `trust.registered`, `hsm.signed`,
 * `hsm.key-generated`, checkpoints), bundles and key specifications already hold them, so a row's key,
 * its `token` name and its key-spec names never change (algorithms.test.ts freezes them).
 *
 * Row fields:
 *   key          the station's name: roster and trust entries, checkpoints (`alg`) and DSSE signers
 *   token        the name of a signature made on a token (the adapter's sign call, `hsm.signed` records)
 *   family       the key family as the station lists token keys and journal key evidence carries it
 *   keySpecs     what an operator may ask to generate for it (`station key generate --algorithm`), RSA
 *                with its modulus size
 *   pkcs11       key type, key-pair generation and signing mechanisms by name (the adapter maps names to
 *                pkcs11js values); `digestFirst`: the token signs a digest made in software (CKM_ECDSA)
 *   hash         Node's digest name (null: the algorithm hashes itself, Ed25519)
 *   webCrypto    import and sign parameters for WebCrypto and @peculiar/x509
 *   curve        name (JWK / WebCrypto), OID, its DER encoding (CKA_EC_PARAMS), coordinate size in bytes,
 *                and the short name `station reviewer keygen --curve` takes
 *   node         Node's asymmetricKeyType and namedCurve; RSA: the smallest modulus a roster key may have
 *   dsaEncoding  ECDSA only: a token returns raw r||s (IEEE P1363), and so do the records made from it
 *                (checkpoints, quorum check-ins, `hsm.signed`); DSSE envelopes carry DER (as sigstore
 *                and openssl expect). Null: the signature has one form (PKCS#1 v1.5, Ed25519 R||S).
 *   dsse         whether the key may sign DSSE statements (station and reviewer keys, trust entries)
 */
export const SIGNATURE_ALGORITHMS = {
  'ecdsa-p256-sha256': {
    token: 'ecdsa-sha256',
    family: 'EC',
    keySpecs: { 'ec-p256': {} },
    pkcs11: { keyType: 'CKK_EC', keyGen: 'CKM_EC_KEY_PAIR_GEN', sign: 'CKM_ECDSA', digestFirst: true },
    hash: 'sha256',
    webCrypto: {
      import: { name: 'ECDSA', namedCurve: 'P-256' },
      sign: { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' },
    },
    curve: {
      name: 'P-256',
      oid: '1.2.840.10045.3.1.7',
      ecParams: '06082a8648ce3d030107',
      bytes: 32,
      short: 'p256',
    },
    node: { type: 'ec', namedCurve: 'prime256v1' },
    dsaEncoding: { token: 'ieee-p1363', dsse: 'der' },
    dsse: true,
  },
  'ecdsa-p384-sha384': {
    token: 'ecdsa-sha384',
    family: 'EC',
    keySpecs: { 'ec-p384': {} },
    pkcs11: { keyType: 'CKK_EC', keyGen: 'CKM_EC_KEY_PAIR_GEN', sign: 'CKM_ECDSA', digestFirst: true },
    hash: 'sha384',
    webCrypto: {
      import: { name: 'ECDSA', namedCurve: 'P-384' },
      sign: { name: 'ECDSA', namedCurve: 'P-384', hash: 'SHA-384' },
    },
    curve: { name: 'P-384', oid: '1.3.132.0.34', ecParams: '06052b81040022', bytes: 48, short: 'p384' },
    node: { type: 'ec', namedCurve: 'secp384r1' },
    dsaEncoding: { token: 'ieee-p1363', dsse: 'der' },
    dsse: true,
  },
  'rsa-pkcs1-sha256': {
    token: 'rsa-pkcs1-sha256',
    family: 'RSA',
    keySpecs: { 'rsa-3072': { modulusBits: 3072 }, 'rsa-4096': { modulusBits: 4096 } },
    pkcs11: {
      keyType: 'CKK_RSA',
      keyGen: 'CKM_RSA_PKCS_KEY_PAIR_GEN',
      sign: 'CKM_SHA256_RSA_PKCS',
      digestFirst: false,
    },
    hash: 'sha256',
    webCrypto: {
      import: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
      sign: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
    },
    curve: null,
    node: { type: 'rsa', minModulusBits: 2048 },
    dsaEncoding: null,
    dsse: false,
  },
  ed25519: {
    token: 'ed25519',
    family: 'EdDSA',
    keySpecs: { ed25519: {} },
    pkcs11: {
      keyType: 'CKK_EC_EDWARDS',
      keyGen: 'CKM_EC_EDWARDS_KEY_PAIR_GEN',
      sign: 'CKM_EDDSA',
      digestFirst: false,
    },
    hash: null,
    webCrypto: { import: { name: 'Ed25519' }, sign: { name: 'Ed25519' } },
    curve: { name: 'Ed25519', oid: '1.3.101.112', ecParams: '06032b6570', bytes: 32, short: 'ed25519' },
    node: { type: 'ed25519' },
    dsaEncoding: null,
    dsse: true,
  },
} as const satisfies Readonly<Record<string, AlgorithmRow>>;

/** The shape every row has; the table keeps its literal types (`as const`), so lookups stay narrow. */
interface AlgorithmRow {
  readonly token: string;
  readonly family: string;
  readonly keySpecs: Readonly<Record<string, { readonly modulusBits?: number }>>;
  readonly pkcs11: {
    readonly keyType: `CKK_${string}`;
    readonly keyGen: `CKM_${string}`;
    readonly sign: `CKM_${string}`;
    readonly digestFirst: boolean;
  };
  readonly hash: string | null;
  readonly webCrypto: { readonly import: WebCryptoParams; readonly sign: WebCryptoParams };
  readonly curve: {
    readonly name: string;
    readonly oid: string;
    readonly ecParams: string;
    readonly bytes: number;
    readonly short: string;
  } | null;
  readonly node:
    | { readonly type: 'ec'; readonly namedCurve: string }
    | { readonly type: 'rsa'; readonly minModulusBits: number }
    | { readonly type: 'ed25519' };
  readonly dsaEncoding: { readonly token: 'ieee-p1363'; readonly dsse: 'der' } | null;
  readonly dsse: boolean;
}

interface WebCryptoParams {
  readonly name: string;
  readonly namedCurve?: string;
  readonly hash?: string;
}

type Table = typeof SIGNATURE_ALGORITHMS;
export type SignatureAlgorithmName = keyof Table;
/** One row with its name, narrowed by it (`row.name === 'ed25519'` ⇒ `row.hash === null`). */
export type SignatureAlgorithm = {
  [K in SignatureAlgorithmName]: { readonly name: K } & Table[K];
}[SignatureAlgorithmName];
export type TokenAlgorithm = SignatureAlgorithm['token'];
export type DsseAlgorithm = Extract<SignatureAlgorithm, { dsse: true }>;
export type DsseAlgorithmName = DsseAlgorithm['name'];
/** The key specifications that make keys for one algorithm. */
export type KeyAlgorithmOf<N extends SignatureAlgorithmName> = keyof Table[N]['keySpecs'];
export type KeyAlgorithm = { [K in SignatureAlgorithmName]: KeyAlgorithmOf<K> }[SignatureAlgorithmName];
export type KeyFamily = SignatureAlgorithm['family'];
export type HashName = NonNullable<SignatureAlgorithm['hash']>;
export type CurveShortName = NonNullable<DsseAlgorithm['curve']>['short'];

const ROWS: readonly SignatureAlgorithm[] = (
  Object.keys(SIGNATURE_ALGORITHMS) as SignatureAlgorithmName[]
).map((name) => ({ name, ...SIGNATURE_ALGORITHMS[name] }) as SignatureAlgorithm);

/** A non-empty list in the table's order, as z.enum wants it. */
function nonEmpty<T extends string>(values: readonly T[]): readonly [T, ...T[]] {
  return [...new Set(values)] as unknown as readonly [T, ...T[]];
}

export const SIGNATURE_ALGORITHM_NAMES = nonEmpty(ROWS.map((r) => r.name));
export const TOKEN_ALGORITHM_NAMES = nonEmpty(ROWS.map((r) => r.token));
export const DSSE_ALGORITHM_NAMES = nonEmpty(
  ROWS.filter((r): r is DsseAlgorithm => r.dsse).map((r) => r.name),
);
export const KEY_ALGORITHMS = nonEmpty(ROWS.flatMap((r) => Object.keys(r.keySpecs) as KeyAlgorithm[]));
/** Key types as the station lists token keys: the table's families, and `other` for anything else. */
export const KEY_TYPES = nonEmpty<KeyFamily | 'other'>([...ROWS.map((r) => r.family), 'other']);
export type KeyType = (typeof KEY_TYPES)[number];
/** The short curve names reviewer key files may be made with. */
export const DSSE_CURVES = nonEmpty(
  ROWS.filter((r): r is DsseAlgorithm => r.dsse).map((r) => r.curve.short as CurveShortName),
);

export const signatureAlgorithmSchema = z.enum(SIGNATURE_ALGORITHM_NAMES);
export const tokenAlgorithmSchema = z.enum(TOKEN_ALGORITHM_NAMES);
export const dsseAlgorithmSchema = z.enum(DSSE_ALGORITHM_NAMES);
export const keyAlgorithmSchema = z.enum(KEY_ALGORITHMS);
export const keyTypeSchema = z.enum(KEY_TYPES);

/**
 * Node's sign/verify option for a signature in one of its forms: ECDSA names its encoding (`token`: raw
 * r||s as tokens make it and records carry it; `dsse`: DER, as envelopes carry it); the others have one.
 */
export function dsaEncodingOption(
  row: SignatureAlgorithm,
  form: 'token' | 'dsse',
): { dsaEncoding?: 'ieee-p1363' | 'der' } {
  return row.dsaEncoding ? { dsaEncoding: row.dsaEncoding[form] } : {};
}

function unknown(what: string, name: string, known: readonly string[]): never {
  throw coreError('ALGORITHM_UNKNOWN', `unknown ${what} "${name}"; the station knows ${known.join(', ')}`, {
    field: 'algorithm',
    algorithm: name,
  });
}

/** The row named by the station's name (roster, trust, checkpoint records), or ALGORITHM_UNKNOWN. */
export function signatureAlgorithm<N extends SignatureAlgorithmName>(
  name: N,
): Extract<SignatureAlgorithm, { name: N }>;
export function signatureAlgorithm(name: string): SignatureAlgorithm;
export function signatureAlgorithm(name: string): SignatureAlgorithm {
  return ROWS.find((r) => r.name === name) ?? unknown('signature algorithm', name, SIGNATURE_ALGORITHM_NAMES);
}

/** The row whose token signature has this name (`hsm.signed`, the adapter's sign call), or ALGORITHM_UNKNOWN. */
export function tokenAlgorithm(token: string): SignatureAlgorithm {
  return (
    ROWS.find((r) => r.token === token) ?? unknown('token signature algorithm', token, TOKEN_ALGORITHM_NAMES)
  );
}

/** What a key specification makes: its row, the size the station shows, RSA's modulus; or ALGORITHM_UNKNOWN. */
export function keySpecAlgorithm(spec: string): {
  algorithm: SignatureAlgorithm;
  size: string;
  modulusBits: number | null;
} {
  for (const r of ROWS) {
    if (!Object.hasOwn(r.keySpecs, spec)) continue;
    const made = (r.keySpecs as Readonly<Record<string, { readonly modulusBits?: number }>>)[spec];
    const modulusBits = made?.modulusBits ?? null;
    return {
      algorithm: r,
      size: modulusBits === null ? (r.curve?.name ?? '') : String(modulusBits),
      modulusBits,
    };
  }
  return unknown('key algorithm', spec, KEY_ALGORITHMS);
}

/**
 * The algorithm a key on a token signs with, from the family and size the adapter lists it with (EC and
 * EdDSA: the curve name; RSA: any modulus). Null for a key outside the table.
 */
export function algorithmForTokenKey(keyType: string, size: string): SignatureAlgorithm | null {
  return ROWS.find((r) => r.family === keyType && (r.curve === null || r.curve.name === size)) ?? null;
}

/** The row of a key family whose CKA_EC_PARAMS are these (lowercase hex DER), or null. */
export function algorithmForEcParams(family: KeyFamily, ecParamsHex: string): SignatureAlgorithm | null {
  return ROWS.find((r) => r.family === family && r.curve?.ecParams === ecParamsHex) ?? null;
}

/**
 * The algorithm a public key implies, from what Node reports for it (KeyObject.asymmetricKeyType and
 * asymmetricKeyDetails): EC by curve, RSA from the table's smallest modulus, Ed25519. Null otherwise.
 */
export function algorithmForPublicKey(key: {
  readonly type: string | undefined;
  readonly namedCurve?: string | undefined;
  readonly modulusLength?: number | undefined;
}): SignatureAlgorithm | null {
  return (
    ROWS.find((r) => {
      switch (r.node.type) {
        case 'ec':
          return key.type === 'ec' && key.namedCurve === r.node.namedCurve;
        case 'rsa':
          return key.type === 'rsa' && (key.modulusLength ?? 0) >= r.node.minModulusBits;
        case 'ed25519':
          return key.type === 'ed25519';
        default:
          return assertNever(r.node, 'key kind');
      }
    }) ?? null
  );
}

/** The DSSE-capable row with this short curve name (a reviewer key file's --curve), or ALGORITHM_UNKNOWN. */
export function dsseAlgorithmForCurve(short: string): DsseAlgorithm {
  return (
    ROWS.find((r): r is DsseAlgorithm => r.dsse && r.curve.short === short) ??
    unknown('curve', short, DSSE_CURVES)
  );
}
