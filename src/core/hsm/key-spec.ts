import { z } from 'zod';
import { parseOrThrow } from '../validate';

/**
 * What an operator may ask the station to generate. Strictly decoded: unknown keys are errors, and the
 * message names the exact field (boulder-style ceremony input).
 */
export const KEY_ALGORITHMS = ['ec-p256', 'ec-p384', 'rsa-3072', 'rsa-4096', 'ed25519'] as const;
export type KeyAlgorithm = (typeof KEY_ALGORITHMS)[number];

export const keySpecSchema = z.strictObject({
  /** CKA_LABEL: printable ASCII, no leading/trailing space. */
  label: z
    .string()
    .min(1)
    .max(64)
    .regex(
      /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/,
      'must be printable ASCII without leading or trailing spaces',
    ),
  /** CKA_ID as lowercase hex (1–32 bytes); generated from the token's RNG when omitted. */
  id: z
    .string()
    .regex(/^(?:[0-9a-f]{2}){1,32}$/, 'must be 1–32 bytes of lowercase hex')
    .optional(),
  algorithm: z.enum(KEY_ALGORITHMS),
});

export type KeySpec = z.infer<typeof keySpecSchema>;
export type KeySpecInput = z.input<typeof keySpecSchema>;

export function parseKeySpec(input: unknown): KeySpec {
  return parseOrThrow(keySpecSchema, input, 'key');
}

export function describeAlgorithm(a: KeyAlgorithm): { type: 'EC' | 'RSA' | 'EdDSA'; size: string } {
  switch (a) {
    case 'ec-p256':
      return { type: 'EC', size: 'P-256' };
    case 'ec-p384':
      return { type: 'EC', size: 'P-384' };
    case 'rsa-3072':
      return { type: 'RSA', size: '3072' };
    case 'rsa-4096':
      return { type: 'RSA', size: '4096' };
    case 'ed25519':
      return { type: 'EdDSA', size: 'Ed25519' };
    default: {
      const never: never = a;
      throw new Error(`unknown algorithm ${String(never)}`);
    }
  }
}
