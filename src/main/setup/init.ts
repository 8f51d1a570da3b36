import { registerModule } from '../services/devices';
import { createStationIdentity, signCheckpoint } from '../services/identity';
import { Station, type StationDeps } from '../station/station';

export interface InitOptions {
  readonly name: string;
  readonly mode: 'offline' | 'online';
  readonly actor: string;
  readonly profile: string;
  readonly modulePath?: string;
  readonly environment: Record<string, string>;
  readonly tokenSerial: string;
  readonly pin: string;
}

/**
 * `station init`: the journal, the station token's module, the identity key with its certificate, and
 * the first signed checkpoint. If any step fails, the partly created station is left for inspection
 * (its journal says how far it got) and the error names the step.
 */
export async function initStation(dataDir: string, o: InitOptions, deps: StationDeps): Promise<Station> {
  const station = Station.init(dataDir, { name: o.name, mode: o.mode, demo: false, actor: o.actor }, deps);
  try {
    const moduleId = `station-${o.profile}`;
    registerModule(station, {
      moduleId,
      profile: o.profile,
      path: o.modulePath,
      environment: o.environment,
      actor: o.actor,
    });
    await createStationIdentity(station, {
      moduleId,
      tokenSerial: o.tokenSerial,
      pin: o.pin,
      actor: o.actor,
    });
    await signCheckpoint(station, { pin: o.pin });
    return station;
  } catch (e) {
    station.close();
    throw e;
  }
}
