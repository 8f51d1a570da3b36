import { shareSplits, type SplitRow } from '../../adapters/store/repos/custodians';
import { stationError } from '../../errors';
import type { Station } from '../../station/station';

export type StoredSplit = SplitRow;

export function splits(station: Station): StoredSplit[] {
  return shareSplits(station.store.db);
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
