import { createHash, createPublicKey, verify } from 'node:crypto';
import {
  dsaEncodingOption,
  signatureAlgorithm,
  type DsseAlgorithmName,
  type KeyAlgorithmOf,
} from '../../../core/crypto/algorithms';
import { MARK_APPLICATION, parseMark, type CheckpointSignatureCheck } from '../../../core/journal/checkpoint';
import { type MarkReading } from '../../../core/journal/verify';
import { digestWords } from '../../../core/words';
import { CodedError } from '../../../core/errors';
import {
  identityFromEventBody,
  identityFromStoredBody,
  identityProjection,
  identityToken,
  stationIdFromStoredBody,
  type IdentityRecord,
} from '../../adapters/store/repos/identity';
import { parseEventBody } from '../../adapters/store/repos/events';
import type { Station } from '../../station/station';

export const IDENTITY_KEY_LABEL = 'station-identity';
/** What the identity key signs with: checkpoints and the station's DSSE signatures (src/core/crypto/algorithms.ts). */
export const IDENTITY_ALGORITHM = 'ecdsa-p256-sha256' satisfies DsseAlgorithmName;
/** The name checkpoints carry as `alg`. */
export const CHECKPOINT_ALG = IDENTITY_ALGORITHM;
/** The key specification the identity key is generated with: one the table lists for IDENTITY_ALGORITHM. */
export const IDENTITY_KEY_ALGORITHM = 'ec-p256' satisfies KeyAlgorithmOf<typeof IDENTITY_ALGORITHM>;

export type StationIdentity = IdentityRecord;

/**
 * The station's identity: the projection, whose token must be the one the journal names — or, since
 * issue #16, the station file's record the chained identity entry committed to. A record missing or
 * changed throws IDENTITY_TOKEN_UNKNOWN / IDENTITY_MISMATCH here, before anything uses the token.
 */
export function stationIdentity(station: Station): StationIdentity | null {
  const projected = identityProjection(station.store.db);
  if (!projected) return null;
  return journalIdentity(station).identity ?? projected;
}

/** The identity projection as stored, unchecked: for describing a station whose record is broken. */
export function projectedIdentity(station: Station): StationIdentity | null {
  return identityProjection(station.store.db);
}

export function identitySummary(id: StationIdentity): {
  fingerprint: string;
  words: string[];
  tokenSerial: string;
} {
  return {
    fingerprint: id.fingerprint,
    words: digestWords(Buffer.from(id.fingerprint, 'hex')),
    tokenSerial: id.tokenSerial,
  };
}

/**
 * The identity exactly as the journal records it: the body of the hash-chained
 * `station.identity-created` entries (their seqs too), never the projection table, which anyone with
 * write access to the file could change without touching the chain.
 */
export function journalIdentity(station: Station): { identity: StationIdentity | null; seqs: number[] } {
  const events = station.journal.eventsOfKind('station.identity-created');
  const first = events[0];
  return {
    identity: first ? identityFromEventBody(first.body, identityToken(station.store.db, first.body)) : null,
    seqs: events.map((e) => e.seq),
  };
}

/** The identity recorded in a `station.identity-created` body (bytes as stored), parsed by its schema. */
export function identityFromBody(station: Station, body: Uint8Array, seq: number): StationIdentity {
  return identityFromStoredBody(station.store.db, body, seq);
}

/**
 * The identity a body records when the station file no longer says which token holds it
 * (IDENTITY_TOKEN_UNKNOWN): its key and certificate, and an empty token serial, which
 * confirmIdentityOnToken reads as UNAVAILABLE.
 */
export function identityWithoutToken(body: Uint8Array, seq: number): StationIdentity {
  return identityFromEventBody(parseEventBody('station.identity-created', body, seq), {
    tokenSerial: '',
    tokenLabel: '',
  });
}

/** The station id a `station.initialised` body records (bytes as stored), parsed by its schema. */
export function stationIdFromBody(body: Uint8Array, seq: number): string {
  return stationIdFromStoredBody(body, seq);
}

/** The station id as seq 1 records it (the projection is only a copy). */
export function journalStationId(station: Station): string {
  const row = station.journal.get(1);
  if (row?.kind === 'station.initialised') return stationIdFromBody(row.body, row.seq);
  return station.stationRecord().stationId;
}

export type TokenConfirmation =
  | { readonly status: 'CONFIRMED'; readonly reason: string }
  | { readonly status: 'MISMATCH'; readonly reason: string }
  | { readonly status: 'UNAVAILABLE'; readonly reason: string };

/**
 * The trust anchor outside the database: the identity key's public half, read from the station token
 * itself (public objects need no login), must be the key the journal records.
 */
export function confirmIdentityOnToken(station: Station, id: StationIdentity): TokenConfirmation {
  if (id.tokenSerial === '')
    return {
      status: 'UNAVAILABLE',
      reason: 'the station file does not record which token holds the identity key',
    };
  let keys;
  try {
    keys = station.hsm.module(id.moduleId).withSession(id.tokenSerial, { write: false }, (s) => s.listKeys());
  } catch (e) {
    const code = e instanceof CodedError ? e.code : 'DEVICE_ERROR';
    return { status: 'UNAVAILABLE', reason: `station token ${id.tokenSerial} could not be read (${code})` };
  }
  const key = keys.find((k) => k.id === id.keyId);
  if (!key?.spki) {
    return {
      status: 'MISMATCH',
      reason: `station token ${id.tokenSerial} holds no identity key with CKA_ID ${id.keyId}`,
    };
  }
  return createHash('sha256').update(key.spki).digest('hex') === id.fingerprint
    ? {
        status: 'CONFIRMED',
        reason: `the identity key on token ${id.tokenSerial} is the one the journal records`,
      }
    : {
        status: 'MISMATCH',
        reason: `the identity key on token ${id.tokenSerial} is not the one the journal records`,
      };
}

/** Verifies checkpoint signatures with the identity public key (ECDSA P-256, raw r||s as the token made it). */
export function checkpointVerifier(id: StationIdentity): CheckpointSignatureCheck {
  const key = createPublicKey({ key: id.spki, format: 'der', type: 'spki' });
  const row = signatureAlgorithm(IDENTITY_ALGORITHM);
  return (cp, statement) =>
    cp.keyId === id.fingerprint &&
    cp.alg === CHECKPOINT_ALG &&
    verify(row.hash, statement, { key, ...dsaEncodingOption(row, 'token') }, cp.signature);
}

/**
 * The journal high-water mark on the station token, read without a login: its public copy (a public
 * data object labelled with the station id). Judged by the verifier (src/core/journal/verify.ts,
 * JNL-MARK and JNL-ROLLBACK) with the identity key the journal records.
 */
export function readTokenMark(station: Station, id: StationIdentity, stationId: string): MarkReading {
  let values: Buffer[];
  try {
    values = station.hsm
      .module(id.moduleId)
      .withSession(id.tokenSerial, { write: false }, (s) =>
        s.dataObjects(MARK_APPLICATION, stationId, 'public').map((o) => o.value),
      );
  } catch (e) {
    const code = e instanceof CodedError ? e.code : 'DEVICE_ERROR';
    return { status: 'UNAVAILABLE', reason: `station token ${id.tokenSerial} could not be read (${code})` };
  }
  return markReading(values, id.tokenSerial, 'public');
}

/**
 * Both marks, read in one logged-in read-only session with the station token's PIN (`journal verify
 * --pin-stdin`): the PIN-protected one, which decides, and the public copy. A wrong PIN is an error
 * (PIN_INCORRECT), never a verdict; a token that cannot be opened leaves both UNAVAILABLE.
 */
export function readTokenMarksWithPin(
  station: Station,
  id: StationIdentity,
  stationId: string,
  pin: string,
): { private: MarkReading; public: MarkReading } {
  let values: { private: Buffer[]; public: Buffer[] };
  try {
    values = station.hsm
      .module(id.moduleId)
      .withSession(
        id.tokenSerial,
        { write: false, login: { user: 'user', pin }, purpose: 'journal verify' },
        (s) => ({
          private: s.dataObjects(MARK_APPLICATION, stationId, 'private').map((o) => o.value),
          public: s.dataObjects(MARK_APPLICATION, stationId, 'public').map((o) => o.value),
        }),
      );
  } catch (e) {
    if (e instanceof CodedError && (e.code.startsWith('PIN_') || e.code === 'TOKEN_BUSY')) throw e;
    const code = e instanceof CodedError ? e.code : 'DEVICE_ERROR';
    const unavailable: MarkReading = {
      status: 'UNAVAILABLE',
      reason: `station token ${id.tokenSerial} could not be read (${code})`,
    };
    return { private: unavailable, public: unavailable };
  }
  return {
    private: markReading(values.private, id.tokenSerial, 'private'),
    public: markReading(values.public, id.tokenSerial, 'public'),
  };
}

function markReading(
  values: readonly Uint8Array[],
  serial: string,
  which: 'private' | 'public',
): MarkReading {
  const name = which === 'private' ? 'PIN-protected journal mark' : 'journal mark';
  if (values.length === 0) {
    return { status: 'ABSENT', reason: `station token ${serial} holds no ${name} for this station` };
  }
  const marks = [];
  for (const v of values) {
    const m = parseMark(v);
    if (!m)
      return {
        status: 'MALFORMED',
        reason: `station token ${serial} holds a ${name} object that is not a mark`,
      };
    marks.push(m);
  }
  return { status: 'FOUND', marks };
}
