import { z } from 'zod';
import {
  KEY_ALGORITHMS,
  keyAlgorithmSchema,
  keySpecAlgorithm,
  type KeyAlgorithm,
  type KeyFamily,
} from '../crypto/algorithms';
import { generatedCkaId } from '../schema';
import { parseOrThrow } from '../validate';

/**
 * What an operator may ask the station to generate. Strictly decoded: unknown keys are errors, and the
 * message names the exact field (boulder-style ceremony input).
 */
export { KEY_ALGORITHMS, type KeyAlgorithm };

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
  id: generatedCkaId.optional(),
  algorithm: keyAlgorithmSchema,
  /**
   * Omitted (the default): the private key is never extractable. `wrap-with-trusted`: a key meant to be
   * backed up to an escrow token — extractable, but only under a wrapping key the token's security officer
   * marked trusted (CKA_WRAP_WITH_TRUSTED), still sensitive and sign only (src/main/adapters/hsm/escrow.ts).
   */
  backup: z.enum(['wrap-with-trusted']).optional(),
});

export type KeySpec = z.infer<typeof keySpecSchema>;
export type KeySpecInput = z.input<typeof keySpecSchema>;

export function parseKeySpec(input: unknown): KeySpec {
  return parseOrThrow(keySpecSchema, input, 'key');
}

/** How the station shows a key specification: its key family and size (curve or modulus bits). */
export function describeAlgorithm(a: KeyAlgorithm): { type: KeyFamily; size: string } {
  const made = keySpecAlgorithm(a);
  return { type: made.algorithm.family, size: made.size };
}
