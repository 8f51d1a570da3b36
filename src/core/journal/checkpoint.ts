import { z } from 'zod';
import { hexBytes, isoTime, signatureHex } from '../schema';
import { bytesEqual, fromHex, toHex } from '../bytes';
import { canonicalBytes } from '../canonical';

/**
 * A checkpoint anchors the journal: "this station's journal had `size` entries and its head hash was
 * `headHash`", signed by the station identity key (held on the station HSM). A verifier that holds a
 * checkpoint can detect truncation and rewriting of everything up to `size`; entries after the latest
 * checkpoint are UNANCHORED until the next one is signed.
 */
export interface Checkpoint {
  /** 1, 2, 3, … in signing order. */
  readonly n: number;
  /** Number of journal entries covered (= seq of the head entry). */
  readonly size: number;
  readonly headHash: Uint8Array;
  readonly at: string;
  /** Which key signed (e.g. the SHA-256 fingerprint of the identity key's SubjectPublicKeyInfo). */
  readonly keyId: string;
  /**
   * Signature algorithm by the station's name (src/core/crypto/algorithms.ts), e.g. "ecdsa-p256-sha256".
   * A plain string here: an unexpected name fails JNL-CKPT-SIG (the verifier's signature check), not the
   * body's shape.
   */
  readonly alg: string;
  readonly signature: Uint8Array;
}

export type UnsignedCheckpoint = Omit<Checkpoint, 'signature'>;

export const CHECKPOINT_STATEMENT_TYPE = 'ceremony-station/journal-checkpoint/v1';

/**
 * The exact bytes a checkpoint signature covers: canonical JSON (RFC 8785) naming the station, so a
 * checkpoint cannot be moved from one station's journal to another's.
 */
export function checkpointStatement(stationId: string, cp: UnsignedCheckpoint): Uint8Array {
  return canonicalBytes({
    _type: CHECKPOINT_STATEMENT_TYPE,
    station: stationId,
    n: cp.n,
    size: cp.size,
    head: toHex(cp.headHash),
    at: cp.at,
    keyId: cp.keyId,
    alg: cp.alg,
  });
}

/** Signs checkpoint statements; injected (the station HSM identity key in production). */
export interface CheckpointSigner {
  readonly keyId: string;
  readonly alg: string;
  sign(statement: Uint8Array): Promise<Uint8Array>;
}

/** Verifies a checkpoint signature over its statement; injected (the identity public key). */
export type CheckpointSignatureCheck = (cp: Checkpoint, statement: Uint8Array) => boolean;

/**
 * A checkpoint as the station records it since format v1.1: the chained `journal.checkpoint` event at
 * seq `size + 1`, right after the head it signs, plus a row in the checkpoint table naming that event.
 * `eventSeq` is null for a legacy row written before checkpoints were chained.
 */
export interface StoredCheckpoint extends Checkpoint {
  readonly eventSeq?: number | null;
}

/** The journal event kind of a chained checkpoint, and the only actor that records it. */
export const CHECKPOINT_EVENT_KIND = 'journal.checkpoint';
export const CHECKPOINT_ACTOR = 'station';

const hexString = hexBytes;

/** The body of a `journal.checkpoint` event (also the catalogue's schema for that kind). */
export const checkpointEventBodySchema = z.strictObject({
  n: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  head: hexString(32),
  at: isoTime,
  keyId: z.string().min(1).max(128),
  alg: z.string().min(1).max(64),
  signature: signatureHex,
});
export type CheckpointEventBody = z.output<typeof checkpointEventBodySchema>;

export function checkpointEventBody(cp: Checkpoint): CheckpointEventBody {
  return {
    n: cp.n,
    size: cp.size,
    head: toHex(cp.headHash),
    at: cp.at,
    keyId: cp.keyId,
    alg: cp.alg,
    signature: toHex(cp.signature),
  };
}

const decoder = new TextDecoder('utf-8', { fatal: true });

function parseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(decoder.decode(bytes)) as unknown;
  } catch {
    return undefined;
  }
}

function fromBody(b: CheckpointEventBody): Checkpoint {
  return {
    n: b.n,
    size: b.size,
    headHash: fromHex(b.head),
    at: b.at,
    keyId: b.keyId,
    alg: b.alg,
    signature: fromHex(b.signature),
  };
}

/** The checkpoint a stored event body carries, or null when the bytes are not such a body. */
export function checkpointFromEventBody(body: Uint8Array): Checkpoint | null {
  const r = checkpointEventBodySchema.safeParse(parseJson(body));
  return r.success ? fromBody(r.data) : null;
}

/** Whether two records name the same signed checkpoint (every field, the signature too). */
export function sameCheckpoint(a: Checkpoint, b: Checkpoint): boolean {
  return (
    a.n === b.n &&
    a.size === b.size &&
    a.at === b.at &&
    a.keyId === b.keyId &&
    a.alg === b.alg &&
    bytesEqual(a.headHash, b.headHash) &&
    bytesEqual(a.signature, b.signature)
  );
}

/**
 * The journal high-water mark kept on the station token: a copy of the latest chained checkpoint, as
 * canonical JSON. It needs no signature of its own — the checkpoint signature already binds station,
 * n, size and head, and the event that records it (seq size + 1) follows from those — so nobody
 * without the identity key can write a mark that verifies; anybody can read it without a PIN.
 */
export const MARK_TYPE = 'ceremony-station/journal-mark/v1';
/** CKA_APPLICATION of the mark's data object; CKA_LABEL is the station id. */
export const MARK_APPLICATION = 'ceremony-station journal-mark';

const markSchema = checkpointEventBodySchema.extend({ _type: z.literal(MARK_TYPE), station: z.string() });

export function markBytes(stationId: string, cp: Checkpoint): Uint8Array {
  return canonicalBytes({ _type: MARK_TYPE, station: stationId, ...checkpointEventBody(cp) });
}

/** The station and checkpoint a mark's bytes name, or null when they are not a mark. */
export function parseMark(bytes: Uint8Array): { stationId: string; checkpoint: Checkpoint } | null {
  const r = markSchema.safeParse(parseJson(bytes));
  if (!r.success) return null;
  const { station, n, size, head, at, keyId, alg, signature } = r.data;
  return { stationId: station, checkpoint: fromBody({ n, size, head, at, keyId, alg, signature }) };
}
