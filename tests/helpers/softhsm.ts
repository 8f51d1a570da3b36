import { spawnSync } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyAlgorithm } from '../../src/core/crypto/algorithms';
import type { Pkcs11Module } from '../../src/main/adapters/hsm/module';
import { findProfile, resolveModulePath, type ModuleProfile } from '../../src/main/adapters/hsm/profiles';
import { tempDir } from './temp';

export const SOFTHSM: ModuleProfile = findProfile('softhsm2')!;
export const SOFTHSM_PATH: string = resolveModulePath(SOFTHSM)!;

/**
 * A private SoftHSM2 world for one test: its own token directory and SOFTHSM2_CONF (nothing global).
 * SoftHSM2 reads the variable at C_Initialize, so set it before opening the module.
 */
export function softhsmWorld(parent?: string): { dir: string; conf: string } {
  const dir = parent ? join(parent, 'softhsm') : tempDir('softhsm-');
  mkdirSync(dir, { recursive: true });
  const tokens = join(dir, 'tokens');
  mkdirSync(tokens);
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(
    conf,
    `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`,
  );
  process.env.SOFTHSM2_CONF = conf;
  return { dir, conf };
}

/** The variable naming the fault plan the PKCS#11 fault shim reads on every call. */
export const FAULT_PLAN_ENV = 'STATION_PKCS11_FAULT_PLAN';
export const FAULT_SHIM = findProfile('pkcs11-fault-shim')!;

let shimPath: string | null = null;

/** The fault shim's library (native/fault-shim), built here if the setup script has not built it yet. */
export function faultShimPath(): string {
  if (!shimPath) {
    const build = join(import.meta.dirname, '..', '..', 'native', 'fault-shim', 'build.mjs');
    const r = spawnSync(process.execPath, [build], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`the PKCS#11 fault shim did not build: ${r.stderr}`);
    shimPath = r.stdout.trim();
  }
  return shimPath;
}

/** A plan rule: at the `call`th call of `fn` since the plan was written (or from it on), do `action`. */
export interface FaultRule {
  readonly fn: string;
  readonly call: number;
  readonly from?: boolean;
  /** A CKR name (returned without reaching the token), `remove` (token pulled out) or `pin-lock`. */
  readonly action: string;
}

/** What the shim counted (cumulative since the library was loaded, except where said). */
export interface ShimStats {
  readonly generation: number;
  readonly planError: string | null;
  readonly removed: boolean;
  readonly pinLocked: boolean;
  readonly calls: Readonly<Record<string, number>>;
  readonly injected: Readonly<Record<string, number>>;
  readonly sessions: {
    /** Open right now: opened and not closed by C_CloseSession / C_CloseAllSessions. */
    readonly open: number;
    readonly opened: number;
    readonly closed: number;
    readonly closedAll: number;
    /** Left open until C_Finalize: sessions the application never closed. */
    readonly closedByFinalize: number;
    readonly untracked: number;
  };
  /** C_Login calls that reached the shim (failed ones too). */
  readonly logins: number;
  /** C_Login calls on a token this application already had logged in (the USER_ALREADY_LOGGED_IN bug). */
  readonly loginsWhileLoggedIn: number;
  /** Tokens logged in right now. */
  readonly loggedIn: number;
}

export interface FaultShim {
  /** The library to register (profile pkcs11-fault-shim). */
  readonly path: string;
  /** The module environment to register: SoftHSM2's configuration and the plan file. */
  readonly environment: Readonly<Record<string, string>>;
  /** Replaces the plan; call numbers count from the next call on. */
  plan(rules: readonly FaultRule[], state?: readonly ('removed' | 'pin-locked')[]): void;
  /** No faults: the token present and unlocked again. */
  clear(): void;
  stats(): ShimStats;
}

/**
 * The fault shim over the SoftHSM2 world `world` (see softhsmWorld): its plan and stats files live in
 * that world's directory. Plans are written to a new name and renamed, so the shim never reads half a
 * plan; each carries a serial number, so writing the same rules again still starts a new plan.
 */
export function faultShim(world: { dir: string; conf: string }): FaultShim {
  const planPath = join(world.dir, 'fault-plan.txt');
  const statsPath = join(world.dir, 'fault-stats.json');
  let serial = 0;
  const write = (lines: readonly string[]) => {
    const text = [
      `# fault plan ${++serial}`,
      `module ${SOFTHSM_PATH}`,
      `stats ${statsPath}`,
      ...lines,
      '',
    ].join('\n');
    writeFileSync(`${planPath}.tmp`, text);
    renameSync(`${planPath}.tmp`, planPath);
  };
  write([]);
  return {
    path: faultShimPath(),
    environment: { SOFTHSM2_CONF: world.conf, [FAULT_PLAN_ENV]: planPath },
    plan: (rules, state = []) =>
      write([
        ...state.map((s) => `state ${s}`),
        ...rules.map((r) => `${r.from ? 'from' : 'at'} ${r.fn} ${r.call} ${r.action}`),
      ]),
    clear: () => write([]),
    stats: () => JSON.parse(readFileSync(statsPath, 'utf8')) as ShimStats,
  };
}

/** Initialises one SoftHSM2 token per label in the current SOFTHSM2_CONF world, each with its user PIN. */
export function initTokens(
  labels: readonly string[],
  pinOf: (label: string) => string,
  soPin = '11223344',
): void {
  for (const label of labels) {
    const r = spawnSync('softhsm2-util', [
      '--init-token',
      '--free',
      '--label',
      label,
      '--so-pin',
      soPin,
      '--pin',
      pinOf(label),
    ]);
    if (r.status !== 0)
      throw new Error(`softhsm2-util could not initialise token ${label}: ${String(r.stderr)}`);
  }
}

/**
 * Each custodian generates `<who>-custodian` on their own token (labelled as they are named); returns the
 * public keys as PEM, as the roster takes them.
 */
export async function custodianKeyPems(
  module: Pkcs11Module,
  serials: Readonly<Record<string, string>>,
  who: readonly string[],
  pin: string,
  algorithmOf: (who: string) => KeyAlgorithm = () => 'ec-p256',
): Promise<Record<string, string>> {
  const pem: Record<string, string> = {};
  for (const w of who) {
    const key = await module.withSessionAsync(
      serials[w]!,
      { write: true, login: { user: 'user', pin } },
      (s) => s.generateKeyPair({ label: `${w}-custodian`, algorithm: algorithmOf(w) }),
    );
    pem[w] = createPublicKey({ key: key.spki!, format: 'der', type: 'spki' })
      .export({ type: 'spki', format: 'pem' })
      .toString();
  }
  return pem;
}

/**
 * A token's serial by its label, read with SoftHSM's own tool (as an operator would), without the station:
 * an online station touches no token before it has an identity.
 */
export function tokenSerialByLabel(conf: string, label: string): string {
  const r = spawnSync('softhsm2-util', ['--show-slots'], {
    env: { ...process.env, SOFTHSM2_CONF: conf },
    encoding: 'utf8',
  });
  // Each initialised slot prints its token's label, then its serial number.
  const blocks = r.stdout.split(/\n(?=Slot )/);
  const block = blocks.find((b) => new RegExp(`Label:\\s+${label}\\s*$`, 'm').test(b));
  const serial = block && /Serial number:\s+(\S+)/.exec(block)?.[1];
  if (!serial) throw new Error(`no token labelled ${label} in ${conf}: ${r.stdout}`);
  return serial;
}
