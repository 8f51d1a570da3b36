import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Pkcs11Module } from '../adapters/hsm/module';
import { findProfile } from '../adapters/hsm/profiles';
import { CodedError } from '../../core/errors';
import { stationError } from '../errors';

/** A PKCS#11 module as registered: which library (and its digest), under which profile and environment. */
export interface RegisteredModule {
  readonly moduleId: string;
  readonly profile: string;
  readonly path: string;
  readonly librarySha256: string;
  readonly environment: Readonly<Record<string, string>>;
}

/**
 * Opens registered modules on demand, one per library for the life of the process. The environment a
 * module needs (e.g. SOFTHSM2_CONF) is set before its C_Initialize; the library file is re-hashed first
 * and refused if it changed since it was registered.
 */
/**
 * What an online (portal) station may touch: nothing but its own identity token. `null` while the station
 * is offline (every registered module may be used).
 */
export interface OnlineTokenPolicy {
  /** The identity token, or null before the station has an identity (then only identity creation runs). */
  readonly stationToken: { readonly moduleId: string; readonly serial: string } | null;
}

/**
 * A token an online station may touch for one purpose beside its identity token, for the length of one
 * call (withOnlineAllowance): creating the identity itself, and a person's own roster key on their token
 * (operator sign-in, quorum check-in) — never a ceremony key.
 */
const allowance = new AsyncLocalStorage<{ moduleId: string; serial: string; purpose: string }>();

export function withOnlineAllowance<T>(
  token: { moduleId: string; serial: string },
  purpose: 'identity creation' | 'operator sign-in' | 'quorum check-in',
  fn: () => T,
): T {
  return allowance.run({ moduleId: token.moduleId, serial: token.serial, purpose }, fn);
}

/** Token-addressing methods of a module: an online station may call them for its identity token only. */
const SERIAL_METHODS = new Set<PropertyKey>(['withSession', 'withSessionAsync', 'mechanisms', 'busy']);

/**
 * An online station names no token in what it reports (issue #16: no token identifier in a log, the CLI
 * output or an answer that may end up in a bundle): a coded error thrown by a call on its module — the
 * adapter's own messages say "on token <serial>" — leaves with each allowed token's serial replaced by
 * "[serial withheld]", in its message and its data, whether thrown or rejected.
 */
function withoutSerials<A extends unknown[]>(serials: ReadonlySet<string>, fn: (...args: A) => unknown) {
  const scrub = (e: unknown): unknown => {
    if (!(e instanceof CodedError)) return e;
    const clean = (text: string) => [...serials].reduce((t, s) => t.split(s).join(TOKEN_PLACEHOLDER), text);
    const data = Object.fromEntries(
      Object.entries(e.data).map(([k, v]) => [
        k,
        typeof v === 'string' ? clean(v) : Array.isArray(v) ? v.map((x: string) => clean(x)) : v,
      ]),
    );
    const scrubbed = new CodedError(e.code, clean(e.message), data);
    if (e.stack) scrubbed.stack = clean(e.stack);
    return scrubbed;
  };
  return (...args: A): unknown => {
    let result: unknown;
    try {
      result = fn(...args);
    } catch (e) {
      throw scrub(e);
    }
    return result instanceof Promise ? result.catch((e: unknown) => Promise.reject(scrub(e))) : result;
  };
}

/** What an online station's reports say instead of a token's serial. */
export const TOKEN_PLACEHOLDER = '[serial withheld]';

export class HsmRegistry {
  private readonly open = new Map<string, Pkcs11Module>();

  /**
   * `registration` says what to load for a module id (the devices domain reads it from the journal);
   * `online` says, per call, whether the station is an online (portal) station and which token is its own.
   */
  constructor(
    private readonly registration: (moduleId: string) => RegisteredModule | null,
    private readonly online: () => OnlineTokenPolicy | null = () => null,
  ) {}

  module(moduleId: string): Pkcs11Module {
    const policy = this.online();
    if (policy) return this.guarded(moduleId, policy);
    return this.load(moduleId);
  }

  /**
   * An online station never touches a ceremony HSM: a module other than the identity token's is refused
   * before it is loaded, and on the identity token's module every call naming another token (or creating
   * one) is refused before it reaches the library.
   */
  private guarded(moduleId: string, policy: OnlineTokenPolicy): Pkcs11Module {
    // Its identity token, and the one token a call in progress was allowed (withOnlineAllowance).
    const allowed = [policy.stationToken, allowance.getStore() ?? null].filter(
      (t): t is { moduleId: string; serial: string } => t !== null && t.moduleId === moduleId,
    );
    if (allowed.length === 0) throw onlineRefusal(moduleId);
    const serials = new Set(allowed.map((t) => t.serial));
    const module = this.load(moduleId);
    return new Proxy(module, {
      get(target, prop, receiver) {
        const value: unknown = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function') return value;
        // Listing shows the allowed tokens alone; creating or finding tokens by label is refused.
        if (prop === 'tokens') return () => target.tokens().filter((t) => serials.has(t.serial));
        if (prop === 'initToken' || prop === 'serialByLabel')
          return () => {
            throw onlineRefusal(moduleId);
          };
        if (!SERIAL_METHODS.has(prop))
          return withoutSerials(serials, (...args: unknown[]) => Reflect.apply(value, target, args));
        return withoutSerials(serials, (serial: unknown, ...rest: unknown[]) => {
          if (typeof serial !== 'string' || !serials.has(serial)) {
            const refusal = onlineRefusal(moduleId, String(serial));
            // The awaiting form answers as it always does: a rejected promise, not a synchronous throw.
            if (prop === 'withSessionAsync') return Promise.reject(refusal);
            throw refusal;
          }
          return Reflect.apply(value, target, [serial, ...rest]);
        });
      },
    });
  }

  private load(moduleId: string): Pkcs11Module {
    const cached = this.open.get(moduleId);
    if (cached) return cached;
    // What to load comes from the hash-chained registration event, not the projection table: a row
    // edited in the table cannot point the station at another library or environment; for the station
    // token's module, the registration from before the identity existed (moduleRegistration).
    const reg = this.registration(moduleId);
    if (!reg)
      throw stationError('MODULE_NOT_REGISTERED', `no PKCS#11 module "${moduleId}" is registered`, {
        field: 'module',
      });
    const profile = findProfile(reg.profile);
    if (!profile)
      throw stationError(
        'HSM_MODULE_LOAD_FAILED',
        `module profile "${reg.profile}" is not known to this station`,
        {},
      );
    let digest: string;
    try {
      digest = createHash('sha256').update(readFileSync(reg.path)).digest('hex');
    } catch {
      throw stationError('HSM_MODULE_LOAD_FAILED', `cannot read the PKCS#11 library ${reg.path}`, {
        path: reg.path,
      });
    }
    if (digest !== reg.librarySha256) {
      throw stationError(
        'HSM_MODULE_LOAD_FAILED',
        `the PKCS#11 library ${reg.path} changed since it was registered`,
        {
          path: reg.path,
          expected: reg.librarySha256,
          found: digest,
        },
      );
    }
    const unexpected = Object.keys(reg.environment).filter((k) => !profile.environment.includes(k));
    if (unexpected.length > 0) {
      throw stationError(
        'HSM_MODULE_LOAD_FAILED',
        `registration of ${moduleId} sets environment the profile does not allow: ${unexpected.join(', ')}`,
        {
          moduleId,
        },
      );
    }
    const module = Pkcs11Module.open(profile, reg.path, { environment: reg.environment });
    this.open.set(moduleId, module);
    return module;
  }

  closeAll(): void {
    for (const m of this.open.values()) m.close();
    this.open.clear();
  }
}

function onlineRefusal(moduleId: string, serial?: string) {
  return stationError(
    'HSM_ONLINE_MODE',
    serial
      ? `this is an online (portal) station: token ${serial} is not its identity token and is not touched`
      : `this is an online (portal) station: PKCS#11 module ${moduleId} is not its identity token's and is not loaded`,
    { field: 'module', moduleId, ...(serial ? { serial } : {}) },
  );
}
