import { toHex } from '../bytes';
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
  /** Signature algorithm name, e.g. "ecdsa-p256-sha256". */
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
