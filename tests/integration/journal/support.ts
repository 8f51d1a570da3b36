import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'vitest';
import { MARK_APPLICATION } from '../../../src/core/journal/checkpoint';
import { systemDeps } from '../../../src/main/runtime';
import { registerModule } from '../../../src/main/services/devices/modules';
import { createStationIdentity } from '../../../src/main/services/identity/commands';
import { journalStationId, stationIdentity } from '../../../src/main/services/identity/queries';
import { Station, type StationDeps } from '../../../src/main/station/station';
import { softhsmWorld } from '../../helpers/softhsm';
import { tempDir } from '../../helpers/temp';

export const PIN = '246810';
export const MODULE_ID = 'station-hsm';

/**
 * A real station in a temp dir: its own SoftHSM2 token (own SOFTHSM2_CONF), the identity key on it —
 * which, since checkpoints are chained, also signs checkpoint 1 and writes the token's first mark.
 * `deps`: e.g. with a media folder in its config (withMedia).
 */
export async function stationWithIdentity(
  deps: StationDeps = systemDeps,
): Promise<{ dir: string; station: Station; serial: string }> {
  const { conf } = softhsmWorld();
  const init = spawnSync('softhsm2-util', [
    '--init-token',
    '--free',
    '--label',
    'Station HSM',
    '--so-pin',
    '11223344',
    '--pin',
    PIN,
  ]);
  expect(init.status).toBe(0);
  const dir = join(tempDir(), 'st');
  const station = Station.init(
    dir,
    { name: 'Journal test', mode: 'offline', demo: false, actor: 'operator:alice' },
    deps,
  );
  registerModule(station, {
    moduleId: MODULE_ID,
    profile: 'softhsm2',
    environment: { SOFTHSM2_CONF: conf },
    actor: 'operator:alice',
  });
  const serial = station.hsm.module(MODULE_ID).tokens()[0]!.serial;
  await createStationIdentity(station, {
    moduleId: MODULE_ID,
    tokenSerial: serial,
    pin: PIN,
    actor: 'operator:alice',
  });
  return { dir, station, serial };
}

/** The system's dependencies with `media` as the station's removable volume (StationConfig.mediaDirs). */
export function withMedia(media: string): StationDeps {
  return { ...systemDeps, config: { ...systemDeps.config, mediaDirs: [media] } };
}

export function notes(station: Station, count: number, actor = 'operator:alice'): void {
  for (let i = 0; i < count; i++)
    station.record([{ kind: 'operator.note', actor, body: { text: `note ${i}` } }]);
}

/** The journal mark's public copies on the station token, read as anyone can: no login. */
export function markObjects(station: Station): Buffer[] {
  const id = stationIdentity(station)!;
  return station.hsm
    .module(id.moduleId)
    .withSession(id.tokenSerial, { write: false }, (s) =>
      s.dataObjects(MARK_APPLICATION, journalStationId(station)).map((o) => o.value),
    );
}

/** The PIN-protected marks (CKA_PRIVATE): only a login sees them. */
export function privateMarkObjects(station: Station, pin = PIN): Buffer[] {
  const id = stationIdentity(station)!;
  return station.hsm
    .module(id.moduleId)
    .withSession(id.tokenSerial, { write: false, login: { user: 'user', pin } }, (s) =>
      s.dataObjects(MARK_APPLICATION, journalStationId(station), 'private').map((o) => o.value),
    );
}

/** Removes the public copies (public objects: a read/write session without any PIN can do it). */
export function removeMarks(station: Station): void {
  const id = stationIdentity(station)!;
  station.hsm.module(id.moduleId).withSession(id.tokenSerial, { write: true }, (s) => {
    for (const o of s.dataObjects(MARK_APPLICATION, journalStationId(station))) s.destroyDataObject(o);
  });
}

/** Removes the PIN-protected marks: only someone holding the PIN can (a station from before them). */
export function removePrivateMarks(station: Station, pin = PIN): void {
  const id = stationIdentity(station)!;
  station.hsm
    .module(id.moduleId)
    .withSession(id.tokenSerial, { write: true, login: { user: 'user', pin } }, (s) => {
      for (const o of s.dataObjects(MARK_APPLICATION, journalStationId(station), 'private'))
        s.destroyDataObject(o);
    });
}

/**
 * Puts an object with these bytes where the mark lives: a public one needs no PIN; a private one
 * needs the login (what only a PIN holder can do).
 */
export function plantMark(
  station: Station,
  value: Uint8Array,
  visibility: 'public' | 'private' = 'public',
): void {
  const id = stationIdentity(station)!;
  station.hsm
    .module(id.moduleId)
    .withSession(
      id.tokenSerial,
      visibility === 'public' ? { write: true } : { write: true, login: { user: 'user', pin: PIN } },
      (s) => s.createDataObject(MARK_APPLICATION, journalStationId(station), Buffer.from(value), visibility),
    );
}
