import { createDispatcher, type Dispatch } from './ipc/dispatcher';
import { createHandlers } from './ipc/handlers';
import { sha256 } from './crypto';
import { Station, type StationDeps } from './services/station';

export const systemDeps: StationDeps = { clock: () => new Date(), sha256 };

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
  const handlers = createHandlers({ station, host });
  return {
    station,
    dispatchFor: (trustedOrigins) => createDispatcher(handlers, trustedOrigins, log),
    close: () => station.close(),
  };
}
