import { createDispatcher, type Dispatch } from './ipc/dispatcher';
import { createHandlers } from './ipc/handlers';
import { sha256 } from './crypto';
import { readConfig, type StationConfig } from './config';
import { Station, type StationDeps } from './station/station';
import { journalRegistration } from './services/devices/queries';
import { stationIdentity } from './services/identity';
import { ConsoleOperator } from './services/custodians';
import { confirmFor } from './services/acts';

/** The station's own identity token, which is all an online (portal) station may touch. */
function identityToken(station: Station): { moduleId: string; serial: string } | null {
  const id = stationIdentity(station);
  return id ? { moduleId: id.moduleId, serial: id.tokenSerial } : null;
}

/** The station's dependencies on this system, with the configuration its entry point read. */
export function stationDeps(config: StationConfig): StationDeps {
  return { clock: () => new Date(), sha256, modules: journalRegistration, config, identityToken };
}

/**
 * The system's dependencies with the configuration of an empty environment (the defaults): for tests and
 * benches, which pass what they need (`{ ...systemDeps, config: { ...systemDeps.config, mediaDirs } }`)
 * instead of setting variables. Entry points read the real environment once: stationDeps(readConfig()).
 */
export const systemDeps: StationDeps = stationDeps(readConfig({}));

export interface StationRuntime {
  readonly station: Station;
  /** The contract dispatcher for a shell whose trusted origins are known (app://station, or the host's). */
  dispatchFor(trustedOrigins: readonly string[]): Dispatch;
  close(): void;
}

/**
 * Opens a station and wires its contract handlers; shared by the Electron shell and the browser host. A
 * demo station gets its rehearsal folder as its removable volume (Station.open, rehearsalMedia).
 */
export function openStationRuntime(
  dataDir: string,
  host: 'electron' | 'browser',
  log: (msg: string, err?: unknown) => void,
  deps: StationDeps = systemDeps,
): StationRuntime {
  const station = Station.open(dataDir, deps, { rehearsalMedia: true });
  // One console per runtime: its signed-in operator is held here, never in the renderer.
  const operator = new ConsoleOperator(station);
  const handlers = createHandlers({ station, host, log, operator });
  return {
    station,
    dispatchFor: (trustedOrigins) =>
      createDispatcher(handlers, trustedOrigins, log, operator, confirmFor(station)),
    close: () => {
      // Quitting ends the console's session in the journal, under its person (OPS-ACTIVE): a closed
      // station leaves nobody signed in. A store that refuses the write does not keep it from closing.
      try {
        operator.signOut();
      } catch (e) {
        log('signing the console operator out on close failed', e);
      }
      station.close();
    },
  };
}
