import { resolve } from 'node:path';
import { expect } from 'vitest';
import { stepQuorumPurpose } from '../../../src/core/ceremony/run';
import { CodedError } from '../../../src/core/errors';
import { openRun } from '../../../src/main/services/ceremonies';
import { checkInWithToken, initRoster, openQuorumSession } from '../../../src/main/services/custodians';
import { registerModule } from '../../../src/main/services/devices/modules';
import { createStationIdentity } from '../../../src/main/services/identity/commands';
import { systemDeps } from '../../../src/main/runtime';
import { Station, type StationDeps } from '../../../src/main/station/station';
import { custodianKeyPems, initTokens, SOFTHSM_PATH, softhsmWorld } from '../../helpers/softhsm';

/**
 * The ceremony room the in-process ceremony tests share: every participant of the example files
 * (resources/ceremonies) a roster custodian with their own SoftHSM2 token and key, on a real station.
 */
export const PIN = '246810';
export const SCRATCH_PIN = '135790';
export const MODULE = 'softhsm2';
export const MC = 'operator:ana-ruiz';
export const OPERATOR = 'operator:ben-ortiz';
/** Everybody any example file names. */
export const PEOPLE = [
  'ana-ruiz',
  'ben-ortiz',
  'chloe-meyer',
  'dev-patel',
  'erin-walsh',
  'femi-adeyemi',
  'greta-lind',
  'hugo-brandt',
  'ines-kowalski',
] as const;
const IDENTITY_TOKEN = 'station-identity';

export const example = (name: string): string =>
  resolve(import.meta.dirname, '../../../resources/ceremonies', `${name}.yaml`);

/**
 * A station in `dir` (tokens under `world`, the suite's own SOFTHSM2_CONF) with the module registered and
 * the roster of PEOPLE (quorum 2, valid `validity`); `identity`: with a station identity key too (for
 * signed bundles). Returns the station open, and each token's serial by label.
 */
export async function ceremonyRoom(
  world: string,
  dir: string,
  opts: {
    clock?: StationDeps['clock'];
    identity?: boolean;
    validity?: { from: string; until: string };
    /** Who is on the initial roster (default PEOPLE); everybody in PEOPLE has a token and key anyway. */
    rostered?: readonly (typeof PEOPLE)[number][];
  } = {},
): Promise<{ station: Station; serial: Record<string, string>; pem: Record<string, string> }> {
  const { conf } = softhsmWorld(world);
  initTokens(opts.identity ? [...PEOPLE, IDENTITY_TOKEN] : PEOPLE, () => PIN);
  const station = Station.init(
    dir,
    { name: 'Ceremony room', mode: 'offline', demo: false, actor: 'operator:so' },
    opts.clock ? { ...systemDeps, clock: opts.clock } : systemDeps,
  );
  registerModule(station, {
    moduleId: MODULE,
    profile: 'softhsm2',
    path: SOFTHSM_PATH,
    environment: { SOFTHSM2_CONF: conf },
    actor: 'operator:so',
  });
  const module = station.hsm.module(MODULE);
  const serial: Record<string, string> = {};
  for (const t of module.tokens()) serial[t.label] = t.serial;
  if (opts.identity)
    await createStationIdentity(station, {
      moduleId: MODULE,
      tokenSerial: serial[IDENTITY_TOKEN]!,
      pin: PIN,
      actor: 'operator:so',
    });
  const pem = await custodianKeyPems(module, serial, PEOPLE, PIN);
  const validity = opts.validity ?? { from: '2026-01-01T00:00:00.000Z', until: '2030-01-01T00:00:00.000Z' };
  initRoster(station, {
    quorum: 2,
    custodians: (opts.rostered ?? PEOPLE).map((id) => ({
      custodianId: id,
      name: id,
      roles: ['custodian'],
      publicKey: pem[id]!,
      validFrom: validity.from,
      validUntil: validity.until,
    })),
    witnesses: ['W. Itness'],
    actor: 'operator:so',
  });
  return { station, serial, pem };
}

/** Two custodians check in with their own tokens on a session opened for exactly this run's step. */
export function stepQuorum(
  station: Station,
  serial: Readonly<Record<string, string>>,
  runId: string,
  stepId: string,
  custodians: readonly [string, string],
): string {
  const session = openQuorumSession(station, {
    operation: { kind: 'ceremony-presence', purpose: stepQuorumPurpose(runId, stepId) },
    ceremonyId: openRun(station, runId).ceremony.file.id,
    step: stepId,
    actor: MC,
  });
  for (const who of custodians)
    expect(
      checkInWithToken(station, {
        sessionId: session.sessionId,
        moduleId: MODULE,
        serial: serial[who]!,
        pin: PIN,
      }).ok,
    ).toBe(true);
  return session.sessionId;
}

/** The coded error an act refuses with (it must refuse). */
export async function asyncRefusal(fn: () => Promise<unknown>): Promise<CodedError> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof CodedError) return e;
    throw e;
  }
  throw new Error('not refused');
}
