import { createDispatcher, type Dispatch } from './ipc/dispatcher';
import { createHandlers } from './ipc/handlers';
import { sha256 } from './crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Station, type StationDeps } from './station/station';
import { journalRegistration } from './services/devices/queries';

export const systemDeps: StationDeps = { clock: () => new Date(), sha256, modules: journalRegistration };

export interface StationRuntime {
  readonly station: Station;
  /** The contract dispatcher for a shell whose trusted origins are known (app://station, or the host's). */
  dispatchFor(trustedOrigins: readonly string[]): Dispatch;
  close(): void;
}

/** Opens a station and wires its contract handlers; shared by the Electron shell and the browser host. */
export function openStationRuntime(
  dataDir: string,
  host: 'electron' | 'browser',
  log: (msg: string, err?: unknown) => void,
  deps: StationDeps = systemDeps,
): StationRuntime {
  const station = Station.open(dataDir, deps);
  useRehearsalMedia(station);
  const handlers = createHandlers({ station, host, log });
  return {
    station,
    dispatchFor: (trustedOrigins) => createDispatcher(handlers, trustedOrigins, log),
    close: () => station.close(),
  };
}

/**
 * A demo station has no USB stick: it gets a rehearsal folder as its removable volume (listed as a
 * configured folder, never as a device), unless STATION_MEDIA_DIRS already names one.
 */
export function useRehearsalMedia(station: Station, env: NodeJS.ProcessEnv = process.env): void {
  if (!station.stationRecord().demo || env.STATION_MEDIA_DIRS) return;
  const dir = join(station.dataDir, 'rehearsal-media');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  env.STATION_MEDIA_DIRS = dir;
}
