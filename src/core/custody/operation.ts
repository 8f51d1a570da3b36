import { z } from 'zod';
import { coreError } from '../errors';
import { keySpecSchema } from '../hsm/key-spec';
import {
  OPERATION_FIELDS_MAX,
  ckaId,
  hexBytes,
  packetIdSchema,
  seq,
  sha256Hex,
  tokenSerial,
} from '../schema';
import { parseOrThrow } from '../validate';

/**
 * What a quorum authorises: one typed union, one canonical text encoding. A quorum session is bound to
 * exactly one operation (the text is part of the challenge every custodian signs), and the act that
 * uses the quorum encodes its own operation the same way and compares the texts; so a quorum for one
 * act can never authorise another, and nothing else in the station writes or reads an operation text.
 *
 * Text form: `<kind>:<field>:<field>…`, the fields in the fixed order below, each percent-encoded
 * (encodeURIComponent), so a label with a space or a colon stays one printable field. Parsing refuses
 * anything the encoder would not have written (unknown kind, wrong field count, non-canonical escapes).
 *
 * Upgrade note: sessions opened before this encoding keep their texts in the journal (the journal still
 * reads them), but a text the encoder now writes differently — a label with `/ + @ , =` or a space, or an
 * old kind such as `token-login:` — no longer parses, so such a session cannot be used for an act: open
 * a new one for the same operation.
 */
export const quorumOperationSchema = z.discriminatedUnion('kind', [
  /** Generate a key on a share-activated (ceremony) token. */
  z.strictObject({
    kind: z.literal('ceremony-keygen'),
    tokenSerial,
    label: keySpecSchema.shape.label,
    algorithm: keySpecSchema.shape.algorithm,
  }),
  /** Sign exactly these bytes (by digest) with a key on a ceremony token. */
  z.strictObject({ kind: z.literal('ceremony-sign'), tokenSerial, keyId: ckaId, dataSha256: sha256Hex }),
  /** Change the custodian roster: the digest of the change's canonical JSON (add or revoke). */
  z.strictObject({ kind: z.literal('roster-change'), changeSha256: sha256Hex }),
  /** Clear a packet's stop notice as a false positive. */
  z.strictObject({ kind: z.literal('packet-stop-clear'), packetId: packetIdSchema, stopSeq: seq }),
  /**
   * Custodians prove presence for a ceremony step that is not a station act (a rehearsal, a witnessed
   * physical step). No act encodes this kind, so such a session authorises nothing on any token.
   */
  z.strictObject({ kind: z.literal('ceremony-presence'), purpose: z.string().trim().min(1).max(120) }),
  /**
   * Sign exactly one frozen manifest (docs/gated-signing.md): the activation-gate packet version whose
   * approval opened the gate, the signing key, and the SHA-256 of the manifest's canonical artifact list.
   */
  z.strictObject({
    kind: z.literal('gated-sign'),
    packetId: packetIdSchema,
    version: seq,
    tokenSerial,
    keyId: ckaId,
    manifestSha256: sha256Hex,
  }),
  /**
   * Re-issue the activation shares of a share-activated token: rebuild its secret from the current
   * split's shares, set a new secret as the token's PIN, split that anew and void the split named here.
   */
  z.strictObject({ kind: z.literal('shares-reissue'), tokenSerial, splitId: hexBytes(16) }),
]);
export type QuorumOperation = z.output<typeof quorumOperationSchema>;
export type QuorumOperationKind = QuorumOperation['kind'];

/*
 * The journal holds at most OPERATION_FIELDS_MAX characters after `<kind>:` (core/schema.ts builds the
 * journal's operation grammar from it). A valid value can encode longer — a 64-character label of '/' is
 * 192, a purpose in Cyrillic up to 9 characters a letter — so encodeOperation refuses it here, naming the
 * field to shorten, before any text is shown or a session opened.
 */
export { OPERATION_FIELDS_MAX };

/** Each kind's fields, in text order. */
const FIELDS: { readonly [K in QuorumOperationKind]: readonly string[] } = {
  'ceremony-keygen': ['tokenSerial', 'label', 'algorithm'],
  'ceremony-sign': ['tokenSerial', 'keyId', 'dataSha256'],
  'roster-change': ['changeSha256'],
  'packet-stop-clear': ['packetId', 'stopSeq'],
  'ceremony-presence': ['purpose'],
  'gated-sign': ['packetId', 'version', 'tokenSerial', 'keyId', 'manifestSha256'],
  'shares-reissue': ['tokenSerial', 'splitId'],
};
const NUMERIC_FIELDS = new Set(['stopSeq', 'version']);

function isKind(kind: string): kind is QuorumOperationKind {
  return Object.hasOwn(FIELDS, kind);
}

/** The operation's canonical text (what a session is opened for and what its act must match). */
export function encodeOperation(op: QuorumOperation): string {
  const checked = parseOrThrow(quorumOperationSchema, op, 'operation');
  const values = checked as unknown as Readonly<Record<string, string | number>>;
  const names = FIELDS[checked.kind];
  const fields = names.map((f) => encodeURIComponent(String(values[f])));
  const length = fields.join(':').length;
  if (length > OPERATION_FIELDS_MAX) {
    const sizes = fields.map((f) => f.length);
    const longest = names[sizes.indexOf(Math.max(...sizes))] ?? 'operation';
    throw coreError(
      'INVALID_INPUT',
      `the ${checked.kind} operation encodes to ${length} characters after "${checked.kind}:" (the journal holds ${OPERATION_FIELDS_MAX}; escapes count 3 each): shorten the ${longest}`,
      { field: longest },
    );
  }
  return [checked.kind, ...fields].join(':');
}

/** Parses an operation text (typed by an operator, or stored in a session); refuses non-canonical text. */
export function parseOperation(text: string): QuorumOperation {
  const invalid = (why: string) =>
    coreError('INVALID_INPUT', `operation "${text.slice(0, 200)}" ${why}`, { field: 'operation' });
  const [kind = '', ...parts] = text.split(':');
  if (!isKind(kind))
    throw invalid(`has no known kind (one of ${Object.keys(FIELDS).join(', ')} followed by ":")`);
  const fields = FIELDS[kind];
  if (parts.length !== fields.length)
    throw invalid(`needs ${fields.length} field(s) after "${kind}:" (${fields.join(', ')})`);
  const raw: Record<string, string | number> = { kind };
  for (const [i, field] of fields.entries()) {
    let value: string;
    try {
      value = decodeURIComponent(parts[i] ?? '');
    } catch {
      throw invalid(`has a broken percent-escape in ${field}`);
    }
    raw[field] = NUMERIC_FIELDS.has(field) && /^[0-9]+$/.test(value) ? Number(value) : value;
  }
  const op = parseOrThrow(quorumOperationSchema, raw, 'operation');
  if (encodeOperation(op) !== text)
    throw invalid(`is not in canonical form; the station writes it as "${encodeOperation(op)}"`);
  return op;
}

/** A zod schema for an operation text at a boundary (IPC): refused with the parser's own message. */
export const operationTextSchema = z
  .string()
  .max(400)
  .superRefine((text, ctx) => {
    try {
      parseOperation(text);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: e instanceof Error ? e.message : 'is not an operation' });
    }
  });

/** The operation in words, for the person asked to authorise it. */
export function describeOperation(op: QuorumOperation): string {
  switch (op.kind) {
    case 'ceremony-keygen':
      return `generate ${op.algorithm} key "${op.label}" on ceremony token ${op.tokenSerial}`;
    case 'ceremony-sign':
      return `sign data with SHA-256 ${op.dataSha256} using key ${op.keyId} on ceremony token ${op.tokenSerial}`;
    case 'roster-change':
      return `change the custodian roster (change digest ${op.changeSha256})`;
    case 'packet-stop-clear':
      return `clear stop notice ${op.stopSeq} of packet ${op.packetId} as a false positive`;
    case 'ceremony-presence':
      return `custodians present for: ${op.purpose} (authorises no station act)`;
    case 'gated-sign':
      return `sign the frozen manifest ${op.manifestSha256} of activation-gate packet ${op.packetId} v${op.version} with key ${op.keyId} on token ${op.tokenSerial}`;
    case 'shares-reissue':
      return `re-issue the activation shares of ceremony token ${op.tokenSerial}: a new PIN split anew, split ${op.splitId} void`;
  }
}

/**
 * An operation at a boundary (IPC) as the typed union (the UI sends a ceremony-presence purpose as
 * typed, spaces and all, never percent-escaped), refused unless it encodes within the journal's limit.
 */
export const operationInputSchema = quorumOperationSchema.superRefine((op, ctx) => {
  try {
    encodeOperation(op);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: e instanceof Error ? e.message : 'is not an operation' });
  }
});

/** describeOperation for a stored text, or the text itself if it is not one the station can read. */
export function describeOperationText(text: string): string {
  try {
    return describeOperation(parseOperation(text));
  } catch {
    return text;
  }
}
