import { z } from 'zod';
import { utf8Bytes } from '../bytes';
import { paddedBase64 } from '../schema';

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

/** Standard base64 with padding (RFC 4648 §4), which is what the station writes. */
const base64 = paddedBase64;

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
