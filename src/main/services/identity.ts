import { createHash, createPublicKey, verify } from 'node:crypto';
import { escapeDnValue } from '../../core/hsm/csr-request';
import type { CheckpointSignatureCheck, CheckpointSigner } from '../../core/journal/checkpoint';
import { digestWords } from '../../core/words';
import type { CheckpointInfo } from '../../shared/contract';
import { CodedError } from '../../core/errors';
import { assertActor } from '../../core/journal/events';
import { stationError } from '../errors';
import { selfSignedCertificate } from './certificates';
import type { Session } from '../adapters/hsm/module';
import { anchorJournal } from './journal';
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
 * adapter), and a self-signed certificate made with it. Records `station.identity-created`.
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
  const made = await module.withSessionAsync(
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
      return { keyId: key.id, spki, certificatePem };
    },
  );
  const identity: StationIdentity = {
    moduleId: opts.moduleId,
    tokenSerial: opts.tokenSerial,
    tokenLabel: token?.label ?? '',
    keyLabel: IDENTITY_KEY_LABEL,
    keyId: made.keyId,
    spki: made.spki,
    fingerprint: createHash('sha256').update(made.spki).digest('hex'),
    certificatePem: made.certificatePem,
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
  return identity;
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
  return module.withSessionAsync(id.tokenSerial, { write: false, login: { user: 'user', pin } }, (session) =>
    anchorWithSession(station, id, session),
  );
}

/** The identity key's signing function inside an open, logged-in session on the station token. */
export function identitySigner(id: StationIdentity, session: Session): (data: Uint8Array) => Buffer {
  const key = session.privateKey(id.keyId);
  return (data) => session.signWith(key, 'ecdsa-sha256', Buffer.from(data), sha);
}

/**
 * Signs a checkpoint over the head in an already open session (verify-after-sign: a bad signature
 * stored would leave the append-only journal TAMPERED forever).
 */
export async function anchorWithSession(
  station: Station,
  id: StationIdentity,
  session: Session,
): Promise<CheckpointInfo> {
  const verifies = checkpointVerifier(id);
  const sign = identitySigner(id, session);
  const signer: CheckpointSigner = {
    keyId: id.fingerprint,
    alg: CHECKPOINT_ALG,
    sign: async (statement) => sign(statement),
  };
  return anchorJournal(station, signer, journalStationId(station), (cp, statement) => {
    if (!verifies(cp, statement)) {
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
