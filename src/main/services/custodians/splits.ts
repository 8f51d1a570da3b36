import { type SplitRecord } from '../../../core/custody/shares';
import { stationError } from '../../errors';
import type { Station } from '../../station/station';

export interface StoredSplit extends SplitRecord {
  readonly moduleId: string;
  readonly tokenSerial: string;
}

export function splits(station: Station): StoredSplit[] {
  const rows = station.store.db.prepare('SELECT * FROM share_split ORDER BY created_seq').all() as {
    split_id: string;
    module_id: string;
    token_serial: string;
    threshold: number;
    total: number;
    holders: string;
    share_commitments: string;
    secret_commitment: string;
  }[];
  return rows.map((r) => ({
    splitId: r.split_id,
    moduleId: r.module_id,
    tokenSerial: r.token_serial,
    threshold: r.threshold,
    total: r.total,
    holders: JSON.parse(r.holders) as SplitRecord['holders'],
    shareCommitments: JSON.parse(r.share_commitments) as string[],
    secretCommitment: r.secret_commitment,
  }));
}

export function findSplit(station: Station, splitId: string): StoredSplit {
  const s = splits(station).find((x) => x.splitId === splitId);
  if (!s) throw stationError('SPLIT_NOT_FOUND', `no split ${splitId}`, { field: 'splitId' });
  return s;
}

/** True when this token's PIN is held M-of-N by custodians: only the ceremony path may log in to it. */
export function isShareActivated(station: Station, serial: string): boolean {
  return splits(station).some((s) => s.tokenSerial === serial);
}

export function assertNotShareActivated(station: Station, serial: string): void {
  if (isShareActivated(station, serial)) {
    throw stationError('QUORUM_REQUIRED', `token ${serial} is activated by custodian shares under quorum`, {
      serial,
    });
  }
}
