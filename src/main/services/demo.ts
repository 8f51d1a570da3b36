import scenario from '../../../resources/demo/scenario.json';
import type { EventKind, NewEvent } from '../../core/journal/events';
import { Station, type StationDeps } from './station';

/**
 * Creates the demo station: a real station (real SQLite journal) marked demo, with the sample record
 * in resources/demo/scenario.json. Every scenario event goes through the same catalogue validation as
 * any other, so a broken scenario file fails loudly instead of seeding bad data.
 */
export function createDemoStation(dataDir: string, deps: StationDeps): Station {
  const mode = scenario.station.mode === 'online' ? 'online' : 'offline';
  const station = Station.init(
    dataDir,
    { name: scenario.station.name, mode, demo: true, actor: 'demo' },
    deps,
  );
  station.record([
    {
      kind: 'demo.scenario-loaded',
      actor: 'demo',
      body: { scenario: scenario.name, version: scenario.version },
    },
    ...(scenario.events as NewEvent<EventKind>[]),
  ]);
  return station;
}
