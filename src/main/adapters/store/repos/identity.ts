import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { EventBody } from '../../../../core/journal/events';
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

/** The identity as a `station.identity-created` body records it (SPKI decoded from base64). */
export function identityFromEventBody(b: EventBody<'station.identity-created'>): IdentityRecord {
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

/** The identity recorded in one `station.identity-created` body, exactly as stored. */
export function identityFromStoredBody(body: Uint8Array, seq: number): IdentityRecord {
  return identityFromEventBody(parseEventBody('station.identity-created', body, seq));
}

/** The station id a `station.initialised` body records (seq 1 of every journal). */
export function stationIdFromStoredBody(body: Uint8Array, seq: number): string {
  return parseEventBody('station.initialised', body, seq).stationId;
}
