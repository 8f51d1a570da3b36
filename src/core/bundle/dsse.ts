import { z } from 'zod';
import { utf8Bytes } from '../bytes';
import { envelopeBase64 } from '../schema';

/**
 * DSSE (Dead Simple Signing Envelope, secure-systems-lab/dsse v1.0). The signature is over the
 * pre-authentication encoding of the payload type and the payload bytes, never over the JSON envelope:
 *
 *   PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body
 *
 * where LEN is the ASCII decimal byte length and SP is one space (0x20).
 */
export const INTOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

export function pae(payloadType: string, payload: Uint8Array): Uint8Array {
  const type = utf8Bytes(payloadType);
  const head = utf8Bytes(`DSSEv1 ${type.length} `);
  const mid = utf8Bytes(` ${payload.length} `);
  const out = new Uint8Array(head.length + type.length + mid.length + payload.length);
  out.set(head, 0);
  out.set(type, head.length);
  out.set(mid, head.length + type.length);
  out.set(payload, head.length + type.length + mid.length);
  return out;
}

/**
 * Payload and signatures in either base64 alphabet (DSSE envelope.md: "Either standard or URL-safe
 * encoding is allowed"), strictly: src/core/schema.ts `envelopeBase64` states the rules. The station
 * writes standard base64 with padding.
 */
const base64 = envelopeBase64;

/** Each base64 digit's value by character code, both alphabets ('-' and '_' are 62 and 63 as '+' and '/'). */
const DIGIT_VALUES = new Uint8Array(128);
[...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].forEach((c, i) => {
  DIGIT_VALUES[c.charCodeAt(0)] = i;
});
DIGIT_VALUES['-'.charCodeAt(0)] = 62;
DIGIT_VALUES['_'.charCodeAt(0)] = 63;

/**
 * The one decoder of an envelope's payload and signatures. It decodes only what `envelopeBase64`
 * accepts (either alphabet, canonical padding or none) and throws on anything else, never dropping a
 * character; the bytes it returns are exactly floor(6 × digits / 8) long, checked.
 */
export function decodeEnvelopeBase64(text: string): Uint8Array {
  if (!envelopeBase64.safeParse(text).success)
    throw new Error('not base64 in the standard or the URL-safe alphabet');
  const end = text.endsWith('==') ? text.length - 2 : text.endsWith('=') ? text.length - 1 : text.length;
  const out = new Uint8Array(Math.floor((end * 6) / 8));
  let acc = 0;
  let bits = 0;
  let n = 0;
  for (let i = 0; i < end; i++) {
    acc = ((acc << 6) | (DIGIT_VALUES[text.charCodeAt(i)] as number)) & 0xffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (acc >> bits) & 0xff;
    }
  }
  if (n !== out.length) throw new Error('base64 decoded to an unexpected length');
  return out;
}

/** The envelope as JSON. Strict: an unknown member is a malformed envelope, not something to ignore. */
export const envelopeSchema = z.strictObject({
  payload: base64.max(16 * 1024 * 1024),
  payloadType: z.string().min(1).max(200),
  signatures: z
    .array(
      z.strictObject({
        keyid: z.string().max(200).optional(),
        sig: base64.min(4).max(4096),
      }),
    )
    .min(1)
    .max(8),
});

export type Envelope = z.infer<typeof envelopeSchema>;
