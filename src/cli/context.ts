import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DATABASE_FILE } from '../main/paths';
import { InvalidArgumentError, type Command } from 'commander';
import { CodedError } from '../core/errors';
import { envVarName } from '../core/schema';
import { registeredModules } from '../main/services/devices/queries';
import { actingOperator, cliSessionSecret, operatorActed, rosterPolicy } from '../main/services/custodians';
import type { StationConfig } from '../main/config';
import { Station, type StationDeps } from '../main/station/station';
import { writeExclusive } from '../main/platform/durable';
import { stationDeps } from '../main/runtime';

/** Helpers shared by the CLI's command groups. */
export type Out = (s: string) => void;

export interface TokenFlags {
  token: string;
  module?: string;
  pinStdin?: boolean;
}

/** The module named, or the station's only registered module. */
export function moduleOf(station: Station, requested: string | undefined): string {
  if (requested) return requested;
  const all = registeredModules(station);
  const [only, ...others] = all;
  if (only && others.length === 0) return only.moduleId;
  throw new CodedError(
    'INVALID_INPUT',
    `name the module with --module (registered: ${all.map((m) => m.moduleId).join(', ') || 'none'})`,
    {
      field: 'module',
    },
  );
}

export interface InitFlags {
  name: string;
  token: string;
  profile: string;
  modulePath?: string;
  moduleEnv: string[];
  mode: string;
  actor: string;
  pinStdin?: boolean;
}

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function parseEnv(pairs: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const p of pairs) {
    const at = p.indexOf('=');
    const [key, value] = [p.slice(0, at), p.slice(at + 1)];
    // The name's grammar is the journal's (core/schema.ts); the value is one line, as before.
    if (at < 0 || !envVarName.safeParse(key).success || /[\n\r\u2028\u2029]/.test(value))
      throw new CodedError('INVALID_INPUT', `--module-env ${p} must look like KEY=VALUE`, {
        field: 'module-env',
      });
    env[key] = value;
  }
  return env;
}

export function positiveInt(field: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
      throw new InvalidArgumentError(`${field} must be a whole number ≥ 1`);
    }
    return n;
  };
}

/** The configuration `main` read once, bound to its program so every command finds it from `this`. */
const configs = new WeakMap<Command, StationConfig>();

export function bindConfig(program: Command, config: StationConfig): Command {
  configs.set(program, config);
  return program;
}

export function configOf(cmd: Command): StationConfig {
  for (let c: Command | null = cmd; c; c = c.parent) {
    const config = configs.get(c);
    if (config) return config;
  }
  throw new Error(`command ${cmd.name()} belongs to no program with a configuration (bindConfig)`);
}

/** The station's dependencies for a command: this system's, with the program's configuration. */
export function depsOf(cmd: Command): StationDeps {
  return stationDeps(configOf(cmd));
}

export function dataDirOf(cmd: Command): string {
  const opts = cmd.optsWithGlobals<{ dataDir?: string }>();
  return resolve(opts.dataDir ?? configOf(cmd).dataDir);
}

/**
 * A PKCS#11 command that opens a module without the station (a module profile listed before `init`, a
 * reviewer's own token): refused on the data directory of an online station, which never touches a
 * token but its identity token (HSM_ONLINE_MODE). Where no station exists yet there is nothing to guard.
 */
export function refuseOnOnlineStation(cmd: Command): void {
  const dir = dataDirOf(cmd);
  if (!existsSync(join(dir, DATABASE_FILE))) return;
  const station = Station.open(dir, depsOf(cmd));
  try {
    if (station.findStationRecord()?.mode === 'online')
      throw new CodedError(
        'HSM_ONLINE_MODE',
        `${dir} holds an online (portal) station: it opens no PKCS#11 module but its identity token's`,
        { field: 'module' },
      );
  } finally {
    station.close();
  }
}

export async function withStation<T>(cmd: Command, fn: (s: Station) => T | Promise<T>): Promise<T> {
  const station = Station.open(dataDirOf(cmd), depsOf(cmd));
  try {
    const secret = actAsSignedIn(cmd, station);
    const result = await fn(station);
    if (secret !== null) operatorActed(station, secret);
    return result;
  } finally {
    station.close();
  }
}

/** Writes a new file durably; an existing one is never overwritten (OUTPUT_EXISTS). */
export function writeNewFile(path: string, data: string | Uint8Array): void {
  writeExclusive(path, data, { mode: 0o644, field: 'out' });
}

/** Commands whose --actor is only checked, never filled in: a check-in is recorded under the key that signs. */
const SELF_PROVING = new Set(['quorum checkin', 'quorum submit']);

/**
 * OPS-ACTIVE for the CLI (docs/operators.md). Once the station has an approved roster, every act needs
 * the CLI's session (`station session sign-in`): its `--actor` becomes the signed-in person, checked now
 * (none, or a locked, expired, ended or off-roster session, refuses the command before it runs), and an
 * `--actor` typed on the command line that names somebody else is refused. Before a roster exists nobody
 * can sign in, so the typed `--actor` of the bootstrap stands. Returns the session's secret, or null.
 */
function actAsSignedIn(cmd: Command, station: Station): string | null {
  if (!cmd.options.some((o) => o.attributeName() === 'actor')) return null;
  if (SELF_PROVING.has(`${cmd.parent?.name() ?? ''} ${cmd.name()}`)) return null;
  const secret = cliSessionSecret(station);
  if (secret === null && rosterPolicy(station) === null) {
    if (cmd.getOptionValue('actor') === undefined)
      throw new CodedError(
        'INVALID_INPUT',
        'name who does this with --actor (the station has no roster yet, so nobody can sign in)',
        { field: 'actor' },
      );
    return null;
  }
  const actor = actingOperator(station, secret);
  const typed = cmd.getOptionValue('actor') as unknown;
  if (cmd.getOptionValueSource('actor') === 'cli' && typed !== actor)
    throw new CodedError(
      'OPERATOR_ACTOR_MISMATCH',
      `--actor ${String(typed)}: the CLI's acts are recorded under the signed-in operator ${actor}; leave --actor out`,
      { field: 'actor' },
    );
  // The action's options object is this command's own: the signed-in person is what it records.
  cmd.setOptionValueWithSource('actor', actor, 'env');
  return secret;
}
