import { z } from 'zod';
import { actorSchema, ckaId, moduleId, pinSchema, tokenSerial } from '../../core/schema';

/**
 * Wire pieces more than one domain's channels use. Shapes the journal already records are taken from the
 * journal's own catalogue (src/core/journal/events.ts), so a value is refused at the IPC boundary by the
 * same rule, with the same message, that would refuse it in the journal; only what core has no schema
 * for is declared here, once.
 */

/** Input and output of one channel. */
export interface Channel {
  readonly input: z.ZodType;
  readonly output: z.ZodType;
}
export type Channels = Readonly<Record<string, Channel>>;

/** Schema primitives are declared once, in core (src/core/schema.ts); channels use the same rules. */
export { isoTime, seq, sha256Hex } from '../../core/schema';
export const empty = z.strictObject({});
/** A token PIN: never echoed, logged or stored; PKCS#11 tokens accept 4 to 255 characters. */
export const pin = pinSchema;
/** Who records an act, e.g. operator:alice: the journal's own actor grammar. */
export const actor = actorSchema;
/** The BIP-39 words of a digest, read aloud to compare fingerprints. */
export const words = z.array(z.string());
/** A file the station listed on a removable volume (the renderer may name no other). */
export const mediaPath = z.string().startsWith('/').max(4096);
/** A PKCS#11 module the station registered, and a token on it by serial. */
export const tokenRef = {
  moduleId,
  serial: tokenSerial,
};
/** A key's CKA_ID in lowercase hex. */
export const keyId = ckaId;

export const errorPayload = z.strictObject({
  code: z.string(),
  message: z.string(),
  data: z.record(z.string(), z.unknown()),
});

/** A warning on an act that succeeded and is recorded: something after it did not complete. */
export const actWarning = z.strictObject({ code: z.string(), message: z.string() });

/**
 * How an act on the station token was anchored in its own login (docs/journal-format.md): the
 * checkpoint that covers its record, or null with a JOURNAL_NOT_ANCHORED warning when anchoring failed
 * after the act succeeded (the act is recorded: never repeat it). Null for any other token.
 */
export const anchoringSchema = z.strictObject({
  checkpoint: z.number().int().nullable(),
  warnings: z.array(actWarning),
});
export type Anchoring = z.output<typeof anchoringSchema>;
