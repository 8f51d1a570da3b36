import { createHash, createPublicKey, verify } from 'node:crypto';
import { escapeDnValue } from '../../core/hsm/csr-request';
import {
  checkpointStatement,
  MARK_APPLICATION,
  markBytes,
  parseMark,
  type Checkpoint,
  type CheckpointSignatureCheck,
  type CheckpointSigner,
  type StoredCheckpoint,
} from '../../core/journal/checkpoint';
import type { MarkReading } from '../../core/journal/verify';
import { digestWords } from '../../core/words';
import type { CheckpointInfo } from '../../shared/contract';
import { CodedError } from '../../core/errors';
import { assertActor } from '../../core/journal/events';
import { stationError } from '../errors';
import { selfSignedCertificate } from './certificates';
import type { DataObject, Session } from '../adapters/hsm/module';
import { anchorJournal, checkpointInfo } from './journal';
import type { Station } from './station';

export const IDENTITY_KEY_LABEL = 'station-identity';
export const CHECKPOINT_ALG = 'ecdsa-p256-sha256';
const IDENTITY_VALIDITY_DAYS = 5 * 365;

export interface StationIdentity {
  readonly moduleId: string;
  readonly tokenSerial: string;
  readonly tokenLabel: string;
  readonly keyLabel: string;
  readonly keyId: string;
  readonly spki: Buffer;
  readonly fingerprint: string;
  readonly certificatePem: string;
}

export function stationIdentity(station: Station): StationIdentity | null {
  const r = station.store.db
    .prepare(
      `SELECT module_id, token_serial, token_label, key_label, key_id, spki, fingerprint, certificate_pem
       FROM station_identity WHERE singleton = 1`,
    )
    .get() as
    | {
        module_id: string;
        token_serial: string;
        token_label: string;
        key_label: string;
        key_id: string;
        spki: Buffer;
        fingerprint: string;
        certificate_pem: string;
      }
    | undefined;
  return r
    ? {
        moduleId: r.module_id,
        tokenSerial: r.token_serial,
        tokenLabel: r.token_label,
        keyLabel: r.key_label,
        keyId: r.key_id,
        spki: r.spki,
        fingerprint: r.fingerprint,
        certificatePem: r.certificate_pem,
      }
    : null;
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
  const rows = station.store.db
    .prepare("SELECT seq, body FROM journal WHERE kind = 'station.identity-created' ORDER BY seq")
    .raw(true)
    .all() as [number, Buffer][];
  const first = rows[0];
  return { identity: first ? identityFromBody(first[1]) : null, seqs: rows.map((r) => r[0]) };
}

/** The identity recorded in a `station.identity-created` body (bytes as stored). */
export function identityFromBody(body: Uint8Array): StationIdentity {
  const b = JSON.parse(Buffer.from(body).toString('utf8')) as Omit<StationIdentity, 'spki'> & {
    spki: string;
  };
  return {
    moduleId: b.moduleId,
    tokenSerial: b.tokenSerial,
    tokenLabel: b.tokenLabel,
    keyLabel: b.keyLabel,
    keyId: b.keyId,
    spki: Buffer.from(b.spki, 'base64'),
    fingerprint: b.fingerprint,
    certificatePem: b.certificatePem,
  };
}

/** The station id as seq 1 records it (the projection is only a copy). */
export function journalStationId(station: Station): string {
  const row = station.journal.get(1);
  if (row?.kind === 'station.initialised') {
    return (JSON.parse(Buffer.from(row.body).toString('utf8')) as { stationId: string }).stationId;
  }
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

/** Verifies checkpoint signatures with the identity public key (ECDSA P-256, raw r||s). */
export function checkpointVerifier(id: StationIdentity): CheckpointSignatureCheck {
  const key = createPublicKey({ key: id.spki, format: 'der', type: 'spki' });
  return (cp, statement) =>
    cp.keyId === id.fingerprint &&
    cp.alg === CHECKPOINT_ALG &&
    verify('sha256', statement, { key, dsaEncoding: 'ieee-p1363' }, cp.signature);
}

const sha = (alg: 'sha256' | 'sha384', d: Buffer) => createHash(alg).update(d).digest();

/**
 * Creates the station identity: an EC P-256 key generated on the station token (policy-checked by the
 * adapter), and a self-signed certificate made with it. Records `station.identity-created`, then, in
 * the same login, signs the first checkpoint over it and writes the token's journal mark.
 */
export async function createStationIdentity(
  station: Station,
  opts: { moduleId: string; tokenSerial: string; pin: string; actor: string },
): Promise<StationIdentity> {
  station.assertWritable();
  assertActor(opts.actor);
  if (stationIdentity(station))
    throw stationError('IDENTITY_EXISTS', 'this station already has an identity key', {});
  const module = station.hsm.module(opts.moduleId);
  const record = station.stationRecord();
  const token = module.tokens().find((t) => t.serial === opts.tokenSerial);
  const now = station.deps.clock();
  return module.withSessionAsync(
    opts.tokenSerial,
    { write: true, login: { user: 'user', pin: opts.pin } },
    async (session) => {
      const key = await session.generateKeyPair({ label: IDENTITY_KEY_LABEL, algorithm: 'ec-p256' });
      if (!key.spki)
        throw stationError('DEVICE_ERROR', 'the token did not return the identity public key', {});
      const spki = key.spki;
      const certificatePem = await selfSignedCertificate({
        spki,
        subject: `CN=${escapeDnValue(record.name)}, O=Ceremony Station, 2.5.4.5=${record.stationId}`,
        notBefore: now,
        notAfter: new Date(now.getTime() + IDENTITY_VALIDITY_DAYS * 86_400_000),
        sign: async (tbs) => session.sign(key.id, 'ecdsa-sha256', Buffer.from(tbs), sha),
      });
      const identity: StationIdentity = {
        moduleId: opts.moduleId,
        tokenSerial: opts.tokenSerial,
        tokenLabel: token?.label ?? '',
        keyLabel: IDENTITY_KEY_LABEL,
        keyId: key.id,
        spki,
        fingerprint: createHash('sha256').update(spki).digest('hex'),
        certificatePem,
      };
      station.record([
        {
          kind: 'station.identity-created',
          actor: opts.actor,
          body: {
            moduleId: identity.moduleId,
            tokenSerial: identity.tokenSerial,
            tokenLabel: identity.tokenLabel,
            keyLabel: identity.keyLabel,
            keyId: identity.keyId,
            algorithm: 'ec-p256',
            spki: identity.spki.toString('base64'),
            fingerprint: identity.fingerprint,
            certificatePem: identity.certificatePem,
          },
        },
      ]);
      // Same login: the identity's first checkpoint, and the token's first journal mark.
      await anchorWithSession(station, identity, session);
      return identity;
    },
  );
}

/**
 * Signs a checkpoint over the journal head with the identity key: one login with the operator's PIN,
 * one signature, logout. The PIN is used for this call only and never stored or logged.
 */
export async function signCheckpoint(
  station: Station,
  pin: string,
  expectedSize?: number,
): Promise<CheckpointInfo> {
  if (expectedSize !== undefined && station.journal.head().seq !== expectedSize) {
    throw stationError(
      'JOURNAL_CONFLICT',
      `the journal has moved on since seq ${expectedSize} was shown: review the new entries and sign again`,
      {
        field: 'expectedSize',
      },
    );
  }
  const id = journalIdentity(station).identity;
  if (!id)
    throw stationError('IDENTITY_MISSING', 'this station has no identity key to sign checkpoints with', {});
  const confirmed = confirmIdentityOnToken(station, id);
  if (confirmed.status === 'MISMATCH')
    throw stationError('IDENTITY_MISMATCH', confirmed.reason, { serial: id.tokenSerial });
  const module = station.hsm.module(id.moduleId);
  // Read/write: the same session writes the token's journal high-water mark after the checkpoint.
  return module.withSessionAsync(id.tokenSerial, { write: true, login: { user: 'user', pin } }, (session) =>
    anchorWithSession(station, id, session),
  );
}

/** The identity key's signing function inside an open, logged-in session on the station token. */
export function identitySigner(id: StationIdentity, session: Session): (data: Uint8Array) => Buffer {
  const key = session.privateKey(id.keyId);
  return (data) => session.signWith(key, 'ecdsa-sha256', Buffer.from(data), sha);
}

/**
 * Anchors the journal in an already open, logged-in read/write session on the station token: signs a
 * checkpoint over the head and appends it as its chained event (verify-after-sign: a bad signature
 * stored would leave the append-only journal TAMPERED forever), then advances the token's high-water
 * mark to it. A head that already is the latest checkpoint's own event is not signed again; only the
 * mark is brought up to date (what a crash between the two steps left behind).
 *
 * Refused before anything is signed when the journal is behind the token's mark (JOURNAL_ROLLED_BACK):
 * signing on top of a rolled-back journal would bless the rollback.
 */
export async function anchorWithSession(
  station: Station,
  id: StationIdentity,
  session: Session,
): Promise<CheckpointInfo> {
  const stationId = journalStationId(station);
  const verifies = checkpointVerifier(id);
  const held = validMarks(session, stationId, verifies, id.tokenSerial);
  assertNotBehindMark(station, held);
  const latest = station.journal.latestCheckpoint();
  let cp: StoredCheckpoint;
  if (latest && latest.eventSeq !== null && latest.eventSeq === station.journal.head().seq) {
    cp = latest;
  } else {
    const sign = identitySigner(id, session);
    const signer: CheckpointSigner = {
      keyId: id.fingerprint,
      alg: CHECKPOINT_ALG,
      sign: async (statement) => sign(statement),
    };
    cp = await anchorJournal(station, signer, stationId, (candidate, statement) => {
      if (!verifies(candidate, statement)) {
        throw stationError(
          'IDENTITY_MISMATCH',
          'the token signed a checkpoint that does not verify with the recorded identity key',
          {
            serial: id.tokenSerial,
          },
        );
      }
    });
  }
  advanceTokenMark(session, stationId, cp, held);
  return checkpointInfo(cp);
}

/**
 * After an act that already holds a logged-in read/write session on a token: when that token is the
 * station token, anchor the journal in the same login (no extra PIN prompt), so the act's record does
 * not wait in the unsigned tail. Any other token: nothing. Returns the checkpoint, or null.
 */
export async function anchorOnStationToken(
  station: Station,
  moduleId: string,
  tokenSerial: string,
  session: Session,
): Promise<CheckpointInfo | null> {
  const id = journalIdentity(station).identity;
  if (!id || id.moduleId !== moduleId || id.tokenSerial !== tokenSerial) return null;
  return anchorWithSession(station, id, session);
}

/**
 * The journal high-water mark on the station token, read without a login (a public data object
 * labelled with the station id). Judged by the verifier (src/core/journal/verify.ts, JNL-MARK and
 * JNL-ROLLBACK) with the identity key the journal records.
 */
export function readTokenMark(station: Station, id: StationIdentity, stationId: string): MarkReading {
  let values: Buffer[];
  try {
    values = station.hsm
      .module(id.moduleId)
      .withSession(id.tokenSerial, { write: false }, (s) =>
        s.dataObjects(MARK_APPLICATION, stationId).map((o) => o.value),
      );
  } catch (e) {
    const code = e instanceof CodedError ? e.code : 'DEVICE_ERROR';
    return { status: 'UNAVAILABLE', reason: `station token ${id.tokenSerial} could not be read (${code})` };
  }
  return markReading(values, id.tokenSerial);
}

function markReading(values: readonly Uint8Array[], serial: string): MarkReading {
  if (values.length === 0) {
    return {
      status: 'ABSENT',
      reason: `station token ${serial} holds no journal mark for this station (none written yet, or removed)`,
    };
  }
  const marks = [];
  for (const v of values) {
    const m = parseMark(v);
    if (!m)
      return {
        status: 'MALFORMED',
        reason: `station token ${serial} holds a journal mark object that is not a mark`,
      };
    marks.push(m);
  }
  return { status: 'FOUND', marks };
}

interface HeldMark {
  readonly object: DataObject;
  readonly checkpoint: Checkpoint;
}

/** The marks on the token in this session, each checked; anything else there is JOURNAL_MARK_INVALID. */
function validMarks(
  session: Session,
  stationId: string,
  verifies: CheckpointSignatureCheck,
  serial: string,
): HeldMark[] {
  return session.dataObjects(MARK_APPLICATION, stationId).map((o) => {
    const m = parseMark(o.value);
    if (
      !m ||
      m.stationId !== stationId ||
      !verifies(m.checkpoint, checkpointStatement(stationId, m.checkpoint))
    ) {
      throw stationError(
        'JOURNAL_MARK_INVALID',
        `station token ${serial} holds a journal mark this station did not sign: nothing was signed`,
        { serial },
      );
    }
    return { object: o, checkpoint: m.checkpoint };
  });
}

/** JNL-ROLLBACK, before signing: the journal holds the checkpoint the token remembers. */
function assertNotBehindMark(station: Station, held: readonly HeldMark[]): void {
  const top = held.reduce<Checkpoint | null>((m, h) => (!m || h.checkpoint.n > m.n ? h.checkpoint : m), null);
  if (!top) return;
  const mine = station.journal.checkpoints()[top.n - 1];
  const same =
    mine !== undefined &&
    mine.eventSeq === top.size + 1 &&
    mine.n === top.n &&
    mine.size === top.size &&
    mine.at === top.at &&
    Buffer.from(mine.headHash).equals(top.headHash);
  if (!same) {
    throw stationError(
      'JOURNAL_ROLLED_BACK',
      `the station token remembers checkpoint ${top.n} but this journal does not hold it: the database was rolled back or replaced (JNL-ROLLBACK); nothing was signed`,
      { checkpoint: top.n },
    );
  }
}

/**
 * Moves the token's mark up to `cp`, whose event is already committed (the token is never ahead of a
 * durable journal). The new mark object is created before the superseded ones are destroyed, so a
 * crash in between leaves two marks (the verifier takes the highest), never none; a mark that is not
 * lower is left alone, so the mark never moves backwards.
 */
function advanceTokenMark(
  session: Session,
  stationId: string,
  cp: Checkpoint,
  held: readonly HeldMark[],
): void {
  if (held.some((h) => h.checkpoint.n >= cp.n)) return;
  session.createDataObject(MARK_APPLICATION, stationId, Buffer.from(markBytes(stationId, cp)));
  for (const h of held) session.destroyDataObject(h.object);
}
