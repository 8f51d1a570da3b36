import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { EventBody } from '../../../../core/journal/events';
import { CodedError } from '../../../../core/errors';
import { parseEventBody } from './events';
import { parseRow, statement } from './rows';

/** The station identity key: where it lives, its public half and certificate. */
export interface IdentityRecord {
  readonly moduleId: string;
  readonly tokenSerial: string;
  readonly tokenLabel: string;
  readonly keyLabel: string;
  readonly keyId: string;
  readonly spki: Buffer;
  readonly fingerprint: string;
  readonly certificatePem: string;
}

const identityRow = z
  .object({
    module_id: z.string(),
    token_serial: z.string(),
    token_label: z.string(),
    key_label: z.string(),
    key_id: z.string(),
    spki: z.instanceof(Buffer),
    fingerprint: z.string(),
    certificate_pem: z.string(),
  })
  .transform((r): IdentityRecord => ({
    moduleId: r.module_id,
    tokenSerial: r.token_serial,
    tokenLabel: r.token_label,
    keyLabel: r.key_label,
    keyId: r.key_id,
    spki: r.spki,
    fingerprint: r.fingerprint,
    certificatePem: r.certificate_pem,
  }));

const selectIdentity = statement(
  `SELECT module_id, token_serial, token_label, key_label, key_id, spki, fingerprint, certificate_pem
   FROM station_identity WHERE singleton = 1`,
);

/** The `station_identity` projection (a copy: what judges anything is the journal's own record). */
export function identityProjection(db: Database.Database): IdentityRecord | null {
  const row = selectIdentity(db).get();
  return row === undefined ? null : parseRow('station_identity', identityRow, row, () => 'singleton=1');
}

const selectIdentityToken = statement(
  'SELECT token_serial, token_label, salt, fingerprint FROM station_identity_token WHERE singleton = 1',
);
const identityTokenRow = z.object({
  token_serial: z.string(),
  token_label: z.string(),
  salt: z.string(),
  fingerprint: z.string(),
});

/** The commitment a `station.identity-created` body makes to its token (docs/journal-format.md). */
export function identityTokenCommitment(token: IdentityToken, salt: string): string {
  return createHash('sha256')
    .update(`ceremony-station identity-token v1\n${salt}\n${token.tokenSerial}\n${token.tokenLabel}`, 'utf8')
    .digest('hex');
}

/** The token holding the identity key: its serial and label. */
export interface IdentityToken {
  readonly tokenSerial: string;
  readonly tokenLabel: string;
}

/**
 * The identity token's serial and label as the station's own file keeps them (migration 0014): never
 * journaled, so no bundle carrying the journal names the token. Null for a station created before it
 * (its `station.identity-created` body records them) or one without an identity.
 */
export function identityTokenLocator(
  db: Database.Database,
): (IdentityToken & { salt: string; fingerprint: string }) | null {
  const row = selectIdentityToken(db).get();
  if (row === undefined) return null;
  const r = parseRow('station_identity_token', identityTokenRow, row, () => 'singleton=1');
  return { tokenSerial: r.token_serial, tokenLabel: r.token_label, salt: r.salt, fingerprint: r.fingerprint };
}

/**
 * Writes the identity token's serial and label once, with the salt of the commitment the identity's
 * body carries (identityTokenCommitment), in the transaction that records the identity.
 */
export function recordIdentityToken(
  db: Database.Database,
  token: IdentityToken,
  salt: string,
  fingerprint: string,
): void {
  db.prepare(
    'INSERT INTO station_identity_token (singleton, token_serial, token_label, salt, fingerprint) VALUES (1, ?, ?, ?, ?)',
  ).run(token.tokenSerial, token.tokenLabel, salt, fingerprint);
}

/**
 * The token holding the identity a `station.identity-created` body records: the body's own serial and
 * label (stations created before migration 0014), otherwise the station file's record — only when it
 * still matches the commitment the hash-chained body made to it (IDENTITY_MISMATCH otherwise — the file
 * was changed to point the station at another token — and when the record is gone). A body that names
 * no token and commits to none: IDENTITY_TOKEN_UNKNOWN.
 */
export function identityToken(
  db: Database.Database,
  b: EventBody<'station.identity-created'>,
): IdentityToken {
  if (b.tokenSerial !== undefined) return { tokenSerial: b.tokenSerial, tokenLabel: b.tokenLabel ?? '' };
  const locator = identityTokenLocator(db);
  // The record is written in the identity's own append and can be neither changed nor deleted by the
  // station: a commitment without its record means the file was changed (the record removed, e.g. to
  // keep the station from reading the real token's journal mark) — tampering, never "not checked".
  if (!locator && b.tokenCommitment !== undefined)
    throw new CodedError(
      'IDENTITY_MISMATCH',
      `the journal commits the identity key ${b.fingerprint.slice(0, 16)}… to a token record (station_identity_token) the station file no longer holds: it was removed outside the station`,
    );
  if (!locator || b.tokenCommitment === undefined)
    throw new CodedError(
      'IDENTITY_TOKEN_UNKNOWN',
      `the journal's identity key ${b.fingerprint.slice(0, 16)}… names no token and commits to none`,
    );
  const token = { tokenSerial: locator.tokenSerial, tokenLabel: locator.tokenLabel };
  if (identityTokenCommitment(token, locator.salt) !== b.tokenCommitment)
    throw new CodedError(
      'IDENTITY_MISMATCH',
      `the station file's record of the identity token (station_identity_token) is not the one the journal committed to: it was changed outside the station`,
    );
  return token;
}

/** The identity as a `station.identity-created` body records it (SPKI decoded from base64). */
export function identityFromEventBody(
  b: EventBody<'station.identity-created'>,
  token: IdentityToken,
): IdentityRecord {
  return {
    moduleId: b.moduleId,
    tokenSerial: token.tokenSerial,
    tokenLabel: token.tokenLabel,
    keyLabel: b.keyLabel,
    keyId: b.keyId,
    spki: Buffer.from(b.spki, 'base64'),
    fingerprint: b.fingerprint,
    certificatePem: b.certificatePem,
  };
}

/** The identity recorded in one `station.identity-created` body, exactly as stored. */
export function identityFromStoredBody(db: Database.Database, body: Uint8Array, seq: number): IdentityRecord {
  const b = parseEventBody('station.identity-created', body, seq);
  return identityFromEventBody(b, identityToken(db, b));
}

/** The station id a `station.initialised` body records (seq 1 of every journal). */
export function stationIdFromStoredBody(body: Uint8Array, seq: number): string {
  return parseEventBody('station.initialised', body, seq).stationId;
}
