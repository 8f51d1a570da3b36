import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import scenario from '../../../resources/demo/scenario.json';
import type { EventKind, NewEvent } from '../../core/journal/events';
import { registerModule } from './hsm';
import { createStationIdentity, signCheckpoint } from './identity';
import { Station, type StationDeps } from './station';

/**
 * The demo station's token PINs. Demo only: they are printed in DEMO-PINS.txt beside the demo station
 * so an operator trying it can type them. A real station never stores a PIN.
 */
export const DEMO_PINS = { user: '123456', so: '12345678' } as const;
export const DEMO_MODULE_ID = 'demo-softhsm';
export const DEMO_TOKEN_LABEL = 'Station HSM (demo)';

/** A SoftHSM2 token directory and configuration of the demo station's own, inside its data directory. */
function demoSofthsm(dataDir: string): string {
  const dir = join(dataDir, 'softhsm');
  mkdirSync(join(dir, 'tokens'), { recursive: true, mode: 0o700 });
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(
    conf,
    `# SoftHSM2 configuration of the demo station (rehearsal tokens, not an HSM)\n` +
      `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`,
    { mode: 0o600 },
  );
  return conf;
}

/**
 * Creates the demo station: a real station (real SQLite journal, real SoftHSM2 token over PKCS#11)
 * marked demo. It registers the SoftHSM2 module, initialises the station token, creates the identity
 * key and certificate on it, records the sample scenario (resources/demo/scenario.json, validated like
 * any other events) and signs the first checkpoint, so the journal opens VERIFIED.
 */
export async function createDemoStation(dataDir: string, deps: StationDeps): Promise<Station> {
  const mode = scenario.station.mode === 'online' ? 'online' : 'offline';
  const station = Station.init(
    dataDir,
    { name: scenario.station.name, mode, demo: true, actor: 'demo' },
    deps,
  );
  try {
    const conf = demoSofthsm(dataDir);
    registerModule(station, {
      moduleId: DEMO_MODULE_ID,
      profile: 'softhsm2',
      environment: { SOFTHSM2_CONF: conf },
      actor: 'demo',
    });
    const serial = station.hsm
      .module(DEMO_MODULE_ID)
      .initToken(DEMO_TOKEN_LABEL, DEMO_PINS.so, DEMO_PINS.user);
    station.record([
      {
        kind: 'hsm.token-initialised',
        actor: 'demo',
        body: {
          moduleId: DEMO_MODULE_ID,
          tokenSerial: serial,
          tokenLabel: DEMO_TOKEN_LABEL,
          purpose: 'station identity (demo)',
        },
      },
    ]);
    await createStationIdentity(station, {
      moduleId: DEMO_MODULE_ID,
      tokenSerial: serial,
      pin: DEMO_PINS.user,
      actor: 'demo',
    });
    station.record([
      {
        kind: 'demo.scenario-loaded',
        actor: 'demo',
        body: { scenario: scenario.name, version: scenario.version },
      },
      ...(scenario.events as NewEvent<EventKind>[]),
    ]);
    await signCheckpoint(station, DEMO_PINS.user);
    writeFileSync(
      join(dataDir, 'DEMO-PINS.txt'),
      `Demo station only — never do this with a real station.\n` +
        `Token "${DEMO_TOKEN_LABEL}" (serial ${serial}): user PIN ${DEMO_PINS.user}, SO PIN ${DEMO_PINS.so}\n`,
      { mode: 0o600 },
    );
    return station;
  } catch (e) {
    station.close();
    throw e;
  }
}
