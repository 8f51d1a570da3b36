import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Pkcs11Module } from '../adapters/hsm/module';
import { findProfile } from '../adapters/hsm/profiles';
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
export class HsmRegistry {
  private readonly open = new Map<string, Pkcs11Module>();

  /** `registration` says what to load for a module id (the devices domain reads it from the journal). */
  constructor(private readonly registration: (moduleId: string) => RegisteredModule | null) {}

  module(moduleId: string): Pkcs11Module {
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
