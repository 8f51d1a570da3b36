import { z } from 'zod';

/**
 * The schema primitives every record, journal body and channel shares, declared once. zod 4's built-in
 * formats are used where they exist (ISO date-times with calendar checks, UUIDs, SHA-256 hex); the
 * station's own grammars (actors, roles, ids) live here and nowhere else, so a value is refused by the
 * same rule, with the same message, at the IPC boundary, in an imported record and in the journal.
 */

/**
 * An instant as the station writes it: ISO 8601 UTC with milliseconds and Z (`Date#toISOString`), and a
 * real calendar instant (no 30 February, no hour 24).
 */
export const isoTime = z.iso.datetime({
  precision: 3,
  error: 'an ISO 8601 UTC time such as 2026-12-07T09:30:00.000Z',
});

/** A calendar day, YYYY-MM-DD, that exists. */
export const isoDate = z.iso.date({ error: 'a date YYYY-MM-DD that exists' });

/** SHA-256 as 64 lowercase hex digits (zod's hash format; lowercase because digests are compared as text). */
export const sha256Hex = z
  .hash('sha256', { error: 'SHA-256 as 64 lowercase hex digits' })
  .check(z.regex(/^[0-9a-f]*$/, 'SHA-256 as 64 lowercase hex digits'));

/** Exactly `bytes` bytes as lowercase hex. */
export const hexBytes = (bytes: number) =>
  z.string().regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`), `${bytes} bytes of lowercase hex`);

/**
 * A lowercase UUID (station, session and record ids the station mints with crypto.randomUUID). zod's
 * guid format (any 8-4-4-4-12 hex), not its RFC-variant uuid: ids in records made elsewhere stay readable.
 */
export const uuid = z.guid({ error: 'a UUID' }).check(z.regex(/^[0-9a-f-]*$/, 'a lowercase UUID'));

/** Standard base64 (padding optional), e.g. a DER public key as the roster stores it. */
export const base64 = z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/, 'base64');

/** Whether the last base64 digit of `text` (padding aside) has zeros in the bits no byte takes. */
function noStrayBits(text: string): boolean {
  const digits = text.replace(/=+$/, '');
  const last = digits.at(-1);
  if (last === undefined || digits.length % 4 === 0) return true;
  const value = BASE64_DIGITS.indexOf(last) % 64; // '-' and '_' sit after '+' and '/': same values 62, 63
  return (value & (digits.length % 4 === 2 ? 0x0f : 0x03)) === 0;
}
const BASE64_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_';

/**
 * Base64 as a DSSE envelope carries its payload and signatures: the standard (RFC 4648 §4) or the
 * URL-safe (§5) alphabet, as DSSE requires verifiers to accept, and strictly so — one alphabet per
 * value, then either exactly the padding that rounds it to a multiple of 4 or none at all (unpadded
 * text cannot say which alphabet it is in, so both alphabets take both forms), never a length of 4n+1,
 * and no bits in the last character beyond the last byte (so one byte string has one text per form, and
 * nothing is dropped by a lenient decoder). The station itself writes standard base64 with padding.
 */
export const envelopeBase64 = z
  .string()
  .regex(
    /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$|^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2}(?:==)?|[A-Za-z0-9_-]{3}=?)?$/,
    'base64 in the standard or the URL-safe alphabet, padded or not',
  )
  .refine(noStrayBits, 'base64 whose last character carries no bits beyond the last byte');

/** `min` to `max` bytes as lowercase hex (a CKA_ID, a signature). */
const hexRange = (min: number, max: number, message: string) =>
  z.string().regex(new RegExp(`^(?:[0-9a-f]{2}){${min},${max}}$`), message);

/**
 * A PKCS#11 CKA_ID in lowercase hex. What names a key on a token: 1–64 bytes (ckaId). What the station
 * writes on a key it generates: 1–32 bytes (generatedCkaId). An object's attribute as read, which a
 * token may leave empty: 0–64 bytes (objectCkaId).
 */
export const ckaId = hexRange(1, 64, 'the CKA_ID in lowercase hex');
export const generatedCkaId = hexRange(1, 32, 'must be 1–32 bytes of lowercase hex');
export const objectCkaId = hexRange(0, 64, 'the CKA_ID in lowercase hex (may be empty)');

/** A signature as lowercase hex (an ECDSA or RSA signature up to 8192 bits). */
export const signatureHex = hexRange(1, 1024, 'the signature as lowercase hex');

/** A journal sequence number or version number: a positive integer. */
export const seq = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

/** A role a person holds or a seat requires, e.g. board-reviewer. */
export const roleSchema = z.string().regex(/^[a-z][a-z-]{1,40}$/, 'a role such as board-reviewer');

/** A role as a source record names it (an IAM export's role, e.g. key-custodian; digits allowed). */
export const recordRole = z.string().regex(/^[a-z][a-z0-9-]{1,60}$/, 'a role such as key-custodian');

/** A policy's name, e.g. deferral. */
export const policyName = z.string().regex(/^[a-z][a-z0-9-]{1,60}$/, 'a policy name such as deferral');

/** A key of a packet's subject (subject.keyLabel, subject.tokenSerial…). */
export const subjectKey = z.string().regex(/^[a-zA-Z][a-zA-Z0-9]{0,39}$/, 'a subject key such as keyLabel');

/** An environment variable's name, as a module profile declares it (e.g. SOFTHSM2_CONF). */
export const envVarName = z
  .string()
  .regex(/^[A-Z0-9_]+$/, 'an environment variable name such as SOFTHSM2_CONF');

/**
 * An error code as the journal keeps it (text: the catalogue in src/shared/errors.ts may grow, a
 * journal is read forever). `prefix` narrows it to one family, e.g. QUORUM_.
 */
export const errorCodeText = (prefix = '') =>
  z
    .string()
    .regex(/^[A-Z][A-Z0-9_]{1,60}$/, 'an error code such as MEDIA_NOT_FOUND')
    .startsWith(prefix);

/**
 * A check ID, e.g. DEF-CUSTODY-FRESH: a family of 2–5 capitals, then dash-separated words. `prefix`
 * narrows it to one family or group, e.g. ATT- or HSM-RES-.
 */
export const checkId = (prefix = '') =>
  z
    .string()
    .regex(/^[A-Z]{2,5}(-[A-Z0-9]+)+$/, 'a check ID such as DEF-CUSTODY-FRESH')
    .startsWith(prefix);

/** How many characters the journal holds after an operation's `kind:` (the encoder refuses longer). */
export const OPERATION_FIELDS_MAX = 200;

/** What a quorum authorises: an operation text (src/core/custody/operation.ts), e.g. `roster-change:<sha256>`. */
export const operationText = z
  .string()
  .regex(
    new RegExp(`^[a-z][a-z0-9-]*:[\\x21-\\x7e]{1,${OPERATION_FIELDS_MAX}}$`),
    'an operation binding such as roster-change:<digest>',
  );

/** A custody item's id (an escrow envelope, a backup medium). */
export const custodyItemId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'lowercase letters, digits and dashes');

/** A tamper-evident bag's serial, e.g. TB-104233. */
export const bagSerial = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9-]{3,40}$/, 'a tamper-bag serial such as TB-104233');

/** A shift's name on the availability calendar, e.g. day or night. */
export const shiftName = z.string().regex(/^[a-z][a-z0-9-]{0,15}$/, 'a shift name such as day or night');

/** A custodian's id on the roster. */
export const custodianIdSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,39}$/, 'lowercase letters, digits and dashes');

/** A token's serial number (CK_TOKEN_INFO.serialNumber, trimmed). */
export const tokenSerial = z.string().min(1).max(32);

/** A registered PKCS#11 module's id. */
export const moduleId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and dashes');

/** A portal profile's name: its file in resources/portals without .yaml (docs/portal-profiles.md). */
export const portalProfileName = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a portal profile name such as test-portal');

/** A masked screenshot's name in a portal run's evidence store (docs/portal-submission.md). */
export const screenshotName = z.string().regex(/^[a-z0-9][a-z0-9.-]{0,79}$/, 'a lower-case screenshot name');

/** One subject alternative name as a portal's SAN list takes it: `dns:pkg-sign.example.com`. */
export const sanEntry = z
  .string()
  .trim()
  .max(300)
  .regex(/^(dns|uri|email|ip):\S+$/, 'a SAN written <type>:<value> with type dns, uri, email or ip');

/** A two-letter ISO 3166 country code, as X.509 names carry it. */
export const countryCode = z.string().regex(/^[A-Z]{2}$/, 'a two-letter ISO 3166 code such as DE');

/** A packet's id. */
export const packetIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9.-]{0,79}$/, 'lowercase letters, digits, dots and dashes');

/** The journal's actor grammar: `<kind>` or `<kind>:<name>`, e.g. operator:alice, station. */
export const ACTOR_PATTERN = /^[a-z][a-z0-9-]{0,31}(:[A-Za-z0-9._@+-]{1,64})?$/;
export const actorSchema = z
  .string()
  .regex(ACTOR_PATTERN, 'an actor such as "operator:<name>" (letters, digits, . _ @ + -; no spaces)');

/** A token PIN: never echoed, logged or stored; PKCS#11 tokens accept 4 to 255 characters. */
export const pinSchema = z.string().min(4).max(255);

/** A subfolder inside a scenario folder, such as later or later/01 (no `..`, no absolute path). */
export const scenarioSubfolder = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_-]{0,39}(\/[a-z0-9][a-z0-9_-]{0,39}){0,3}$/,
    'a subfolder of the scenario such as later or later/01',
  );

/** A PEM public key or certificate (the custodian's own token key: public, never a credential). */
export const pemPublicKeySchema = z
  .string({ error: 'must be a PEM public key or certificate (a YAML block scalar: publicKey: |)' })
  .trim()
  .max(16_384, 'must be at most 16384 characters')
  .regex(
    /^-----BEGIN (PUBLIC KEY|CERTIFICATE)-----\r?\n[A-Za-z0-9+/=\r\n]+-----END \1-----$/,
    'must be one PEM block: -----BEGIN PUBLIC KEY----- or -----BEGIN CERTIFICATE-----',
  );
