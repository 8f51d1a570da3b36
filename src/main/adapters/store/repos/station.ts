import type Database from 'better-sqlite3';
import { z } from 'zod';
import { EVENT_BODIES } from '../../../../core/journal/events';
import { flag, parseRow, statement } from './rows';

/** Who this station is: the `station` projection of `station.initialised`. */
export interface StationRecord {
  readonly stationId: string;
  readonly name: string;
  readonly mode: 'offline' | 'online';
  readonly demo: boolean;
  readonly createdAt: string;
}

const initialised = EVENT_BODIES['station.initialised'].shape;

const stationRow = z
  .object({
    station_id: z.string(),
    name: z.string(),
    mode: initialised.mode,
    demo: flag,
    created_at: z.string(),
  })
  .transform((r): StationRecord => ({
    stationId: r.station_id,
    name: r.name,
    mode: r.mode,
    demo: r.demo,
    createdAt: r.created_at,
  }));

const selectStation = statement(
  'SELECT station_id, name, mode, demo, created_at FROM station WHERE singleton = 1',
);

/** The station row, or null before `station.initialised` (a database that holds no station yet). */
export function findStation(db: Database.Database): StationRecord | null {
  const row = selectStation(db).get();
  return row === undefined ? null : parseRow('station', stationRow, row, () => 'singleton=1');
}
