import { type RosterEntry, type SignatureAlgorithm } from '../../../core/custody/roster';
import type { Station } from '../../station/station';

export function rosterEntries(station: Station): RosterEntry[] {
  const rows = station.store.db
    .prepare(
      'SELECT custodian_id, name, roles, spki, fingerprint, algorithm, valid_from, valid_until, revoked_at FROM custodian ORDER BY custodian_id',
    )
    .all() as {
    custodian_id: string;
    name: string;
    roles: string;
    spki: string;
    fingerprint: string;
    algorithm: SignatureAlgorithm;
    valid_from: string;
    valid_until: string;
    revoked_at: string | null;
  }[];
  return rows.map((r) => ({
    custodianId: r.custodian_id,
    name: r.name,
    roles: JSON.parse(r.roles) as string[],
    spki: r.spki,
    fingerprint: r.fingerprint,
    algorithm: r.algorithm,
    validFrom: r.valid_from,
    validUntil: r.valid_until,
    revokedAt: r.revoked_at,
  }));
}

export function rosterPolicy(station: Station): { quorum: number } | null {
  const q = station.store.db.prepare('SELECT quorum FROM roster_policy WHERE singleton = 1').pluck().get() as
    number | undefined;
  return q === undefined ? null : { quorum: q };
}
export * from './splits';
