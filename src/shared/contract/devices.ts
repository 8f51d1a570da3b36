import { z } from 'zod';
import { csrRequestSchema } from '../../core/hsm/csr-request';
import { keyTypeSchema } from '../../core/crypto/algorithms';
import { keySpecSchema } from '../../core/hsm/key-spec';
import {
  actor,
  anchoringSchema,
  empty,
  errorPayload,
  keyId,
  pin,
  seq,
  sha256Hex,
  tokenRef,
  words,
  type Channels,
} from './common';

/**
 * Modules, tokens and keys (services/devices). Key specifications and CSR requests are core's own
 * schemas, so the IPC input is refused field by field (`input.key.algorithm`, `input.request.san.dns.0`)
 * before anything reaches a token.
 */

/** What an operator may ask a token to generate (the algorithm table's key specifications). */
export { KEY_ALGORITHMS } from '../../core/hsm/key-spec';

export const tokenViewSchema = z.strictObject({
  serial: z.string(),
  label: z.string(),
  manufacturer: z.string(),
  model: z.string(),
  firmware: z.string(),
  hardware: z.string(),
  /** Names of the token flags that are set (loginRequired, userPinFinalTry, …). */
  flags: z.array(z.string()),
  /** What the flags mean for the operator before a login attempt. */
  warnings: z.array(z.string()),
  /** The operation holding the token right now (token busy), or null when it is free. */
  busy: z
    .strictObject({
      purpose: z.string(),
      loggedIn: z.boolean(),
      since: z.string(),
      waiting: z.number().int().min(0),
    })
    .nullable(),
});

export const moduleViewSchema = z.strictObject({
  moduleId: z.string(),
  profile: z.string(),
  path: z.string(),
  librarySha256: sha256Hex,
  library: z.string().nullable(),
  cryptoki: z.string().nullable(),
  tokens: z.array(tokenViewSchema),
  /** Why the module could not be opened, when it could not. */
  error: errorPayload.nullable(),
});

const bool = z.boolean().nullable();
export const keyViewSchema = z.strictObject({
  label: z.string(),
  id: z.string(),
  keyType: keyTypeSchema,
  size: z.string(),
  hasPrivate: z.boolean(),
  hasPublic: z.boolean(),
  spkiSha256: sha256Hex.nullable(),
  spkiWords: words.nullable(),
  attributes: z
    .strictObject({
      token: bool,
      private: bool,
      sensitive: bool,
      extractable: bool,
      alwaysSensitive: bool,
      neverExtractable: bool,
      local: bool,
      sign: bool,
      decrypt: bool,
      unwrap: bool,
      derive: bool,
      modifiable: bool,
      copyable: bool,
      signRecover: bool,
    })
    .nullable(),
  residency: z
    .strictObject({
      verdict: z.enum(['RESIDENT', 'EXPOSABLE', 'UNPROTECTED', 'IMPORTED', 'SESSION-ONLY', 'UNKNOWN']),
      failed: z.array(z.string()),
      unknown: z.array(z.string()),
    })
    .nullable(),
});

const attributeList = z.array(z.strictObject({ attribute: z.string(), value: z.string() }));
export const recipeSchema = z.strictObject({
  mechanism: z.string(),
  publicKey: attributeList,
  privateKey: attributeList,
});

export const devicesChannels = {
  devicesModules: { input: empty, output: z.array(moduleViewSchema) },
  devicesKeys: { input: z.strictObject({ ...tokenRef, pin }), output: z.array(keyViewSchema) },
  devicesRecordInventory: {
    input: z.strictObject({ ...tokenRef, pin, actor }),
    output: z.strictObject({
      seq,
      digest: sha256Hex,
      keys: z.number().int(),
      anchoring: anchoringSchema.nullable(),
    }),
  },
  devicesPreviewKey: {
    input: z.strictObject({ moduleId: tokenRef.moduleId, key: keySpecSchema }),
    output: recipeSchema.extend({ digest: sha256Hex }),
  },
  /** Generation runs only with the digest of the template the operator was shown (devicesPreviewKey). */
  devicesGenerateKey: {
    input: z.strictObject({ ...tokenRef, pin, key: keySpecSchema, confirmedRecipe: sha256Hex, actor }),
    output: keyViewSchema.extend({ anchoring: anchoringSchema.nullable() }),
  },
  devicesCsr: {
    input: z.strictObject({ ...tokenRef, pin, keyId, request: csrRequestSchema, actor }),
    output: z.strictObject({
      pem: z.string(),
      sha256: sha256Hex,
      words,
      seq,
      anchoring: anchoringSchema.nullable(),
    }),
  },
} as const satisfies Channels;

export type TokenView = z.output<typeof tokenViewSchema>;
export type ModuleView = z.output<typeof moduleViewSchema>;
export type KeyView = z.output<typeof keyViewSchema>;
export type KeyRecipe = z.output<typeof recipeSchema>;
