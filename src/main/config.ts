import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { MODULE_PROFILES } from './adapters/hsm/profiles';
import { stationError } from './errors';
import { firstIssue } from '../core/validate';
import type { CodedError } from '../core/errors';

/**
 * What the environment tells the station, read in this one place (lint refuses `process.env` anywhere
 * else in src): each entry point — the CLI's `main`, the Electron main process, `station serve` through
 * the CLI — calls `readConfig()` once and hands the result down; the station container carries it as
 * `station.config`, so services never look at the environment themselves and tests pass a config
 * instead of setting variables.
 */
export interface StationConfig {
  /**
   * Where the station lives when no --data-dir is given: STATION_DATA_DIR, else
   * $XDG_DATA_HOME/ceremony-station, else ~/.local/share/ceremony-station.
   */
  readonly dataDir: string;
  /**
   * Folders listed as removable volumes beside the real devices (STATION_MEDIA_DIRS, `:`-separated):
   * rehearsal media, shown as configured folders and never as devices.
   */
  readonly mediaDirs: readonly string[];
  /** The built renderer the browser host serves (STATION_RENDERER_DIR); null: the one beside the CLI. */
  readonly rendererDir: string | null;
  /** The Chromium executable to use first (STATION_CHROMIUM); null: the system's. */
  readonly chromium: string | null;
  /**
   * Journals at least this long are verified on worker threads, one seq range per core
   * (STATION_VERIFY_PARALLEL_FROM).
   */
  readonly verifyParallelFrom: number;
  /** DevTools asked for (STATION_DEVTOOLS=1); honoured only in an unpackaged build (app/security.ts). */
  readonly devTools: boolean;
  /** A display to open a window on (DISPLAY or WAYLAND_DISPLAY set). */
  readonly display: boolean;
  /**
   * The values of the variables PKCS#11 module profiles name (e.g. SOFTHSM2_CONF), for a module loaded
   * on the operator's behalf (a reviewer's own token); each module sees only those its profile names.
   */
  readonly moduleEnvironment: Readonly<Record<string, string>>;
}

/** Every variable read here, with the fix an operator is told when its value is refused. */
const FIX = {
  STATION_DATA_DIR: 'set it to the station data directory, or unset it',
  XDG_DATA_HOME: 'set it to a directory, or unset it',
  STATION_MEDIA_DIRS:
    'list absolute folder paths separated by ":", e.g. /media/usb1:/srv/rehearsal, or unset it',
  STATION_RENDERER_DIR: 'set it to the built renderer folder (dist/renderer), or unset it',
  STATION_CHROMIUM: 'set it to the absolute path of the Chromium executable, or unset it',
  STATION_VERIFY_PARALLEL_FROM:
    'set it to a whole number of journal entries (0: always; default 100000), or unset it',
  STATION_DEVTOOLS: 'set it to 1 (DevTools in a development build) or 0, or unset it',
  DISPLAY: 'unset it if there is no display',
  WAYLAND_DISPLAY: 'unset it if there is no display',
} as const;
type Variable = keyof typeof FIX;

const DEFAULT_PARALLEL_FROM = 100_000;

const text = z.string();
const absolute = z.string().refine(isAbsolute, 'is not an absolute path');
const schema = z.strictObject({
  STATION_DATA_DIR: text.optional(),
  XDG_DATA_HOME: text.optional(),
  STATION_MEDIA_DIRS: z
    .string()
    .transform((v) => v.split(':').filter((p) => p !== ''))
    .pipe(
      z.array(
        z.string().refine(isAbsolute, {
          error: (issue) => `names ${JSON.stringify(issue.input)}, which is not an absolute path`,
        }),
      ),
    )
    .optional(),
  STATION_RENDERER_DIR: text.optional(),
  STATION_CHROMIUM: absolute.optional(),
  STATION_VERIFY_PARALLEL_FROM: z
    .string()
    .regex(/^\d+$/, 'is not a whole number')
    .transform(Number)
    .pipe(z.number().max(Number.MAX_SAFE_INTEGER, 'is too large'))
    .optional(),
  STATION_DEVTOOLS: z.enum(['0', '1'], 'is neither 0 nor 1').optional(),
  DISPLAY: text.optional(),
  WAYLAND_DISPLAY: text.optional(),
} satisfies Record<Variable, z.ZodType>);

/** Variable names the module profiles declare (validated there: [A-Z0-9_]+). */
const MODULE_VARIABLES = [...new Set(MODULE_PROFILES.flatMap((p) => p.environment))].sort();

/** Which variables each field is read from: a field is refused when one of its variables is. */
const SOURCES: { readonly [K in keyof StationConfig]: readonly Variable[] } = {
  dataDir: ['STATION_DATA_DIR', 'XDG_DATA_HOME'],
  mediaDirs: ['STATION_MEDIA_DIRS'],
  rendererDir: ['STATION_RENDERER_DIR'],
  chromium: ['STATION_CHROMIUM'],
  verifyParallelFrom: ['STATION_VERIFY_PARALLEL_FROM'],
  devTools: ['STATION_DEVTOOLS'],
  display: ['DISPLAY', 'WAYLAND_DISPLAY'],
  moduleEnvironment: [],
};

/**
 * Reads and validates the station's configuration from an environment (the process's by default). An
 * empty value counts as unset. Reading never fails: a value that does not parse makes the fields read
 * from it refuse when used — CONFIG_INVALID naming the variable, what is wrong with it and how to fix
 * it — so only the commands that use a variable are refused by it (never --help, never `journal verify`
 * for a bad STATION_DEVTOOLS), and nothing is defaulted over a value that was given. `configProblems`
 * lists the refusals up front, for an entry point to warn with.
 */
export function readConfig(env: Readonly<Record<string, string | undefined>> = process.env): StationConfig {
  const given = Object.fromEntries(
    Object.keys(FIX)
      .map((name) => [name, env[name]] as const)
      .filter((e): e is readonly [string, string] => e[1] !== undefined && e[1] !== ''),
  );
  const refusals = new Map<Variable, CodedError>();
  const v: { [K in Variable]?: z.output<(typeof schema.shape)[K]> } = {};
  for (const variable of Object.keys(FIX) as Variable[]) {
    const parsed = schema.shape[variable].safeParse(given[variable]);
    if (parsed.success) Object.assign(v, { [variable]: parsed.data });
    else {
      const issue = firstIssue(parsed.error);
      refusals.set(
        variable,
        stationError(
          'CONFIG_INVALID',
          `${variable}=${JSON.stringify(given[variable] ?? '')} ${issue.message}: ${FIX[variable]}`,
          { variable },
        ),
      );
    }
  }
  const moduleEnvironment: Record<string, string> = {};
  for (const name of MODULE_VARIABLES) {
    const value = env[name];
    if (value !== undefined && value !== '') moduleEnvironment[name] = value;
  }
  const values: StationConfig = {
    dataDir: resolve(
      v.STATION_DATA_DIR ?? join(v.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'ceremony-station'),
    ),
    mediaDirs: Object.freeze(v.STATION_MEDIA_DIRS ?? []),
    rendererDir: v.STATION_RENDERER_DIR === undefined ? null : resolve(v.STATION_RENDERER_DIR),
    chromium: v.STATION_CHROMIUM ?? null,
    verifyParallelFrom: v.STATION_VERIFY_PARALLEL_FROM ?? DEFAULT_PARALLEL_FROM,
    devTools: v.STATION_DEVTOOLS === '1',
    display: v.DISPLAY !== undefined || v.WAYLAND_DISPLAY !== undefined,
    moduleEnvironment: Object.freeze(moduleEnvironment),
  };
  const config = {} as StationConfig;
  for (const field of Object.keys(SOURCES) as (keyof StationConfig)[]) {
    const refusal = SOURCES[field].map((name) => refusals.get(name)).find((r) => r !== undefined);
    Object.defineProperty(
      config,
      field,
      refusal
        ? {
            enumerable: true,
            get: () => {
              throw refusal;
            },
          }
        : { enumerable: true, value: values[field] },
    );
  }
  PROBLEMS.set(config, [...refusals.values()]);
  return Object.freeze(config);
}

const PROBLEMS = new WeakMap<StationConfig, readonly CodedError[]>();

/**
 * The same configuration with some fields replaced (a demo station's rehearsal folder as its media):
 * the other fields keep refusing as they did — a spread would read, and so refuse, every one of them.
 */
export function withConfig(config: StationConfig, patch: Partial<StationConfig>): StationConfig {
  const fields = Object.getOwnPropertyDescriptors(config);
  for (const [field, value] of Object.entries(patch))
    Object.assign(fields, { [field]: { enumerable: true, value } });
  const copy = Object.freeze(Object.defineProperties({}, fields) as StationConfig);
  PROBLEMS.set(copy, configProblems(config));
  return copy;
}

/** The variables readConfig could not take (each as the CONFIG_INVALID its fields refuse with). */
export function configProblems(config: StationConfig): readonly CodedError[] {
  return PROBLEMS.get(config) ?? [];
}
