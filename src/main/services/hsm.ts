import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Pkcs11Module } from '../adapters/hsm/module';
import { findProfile, resolveModulePath } from '../adapters/hsm/profiles';
import { stationError } from '../errors';
import type { Station } from './station';

export interface RegisteredModule {
  readonly moduleId: string;
  readonly profile: string;
  readonly path: string;
  readonly librarySha256: string;
  readonly environment: Readonly<Record<string, string>>;
}

export function registeredModules(station: Station): RegisteredModule[] {
  const rows = station.store.db
    .prepare(
      'SELECT module_id, profile, path, library_sha256, environment FROM hsm_module ORDER BY module_id',
    )
    .all() as {
    module_id: string;
    profile: string;
    path: string;
    library_sha256: string;
    environment: string;
  }[];
  return rows.map((r) => ({
    moduleId: r.module_id,
    profile: r.profile,
    path: r.path,
    librarySha256: r.library_sha256,
    environment: JSON.parse(r.environment) as Record<string, string>,
  }));
}

/**
 * Records a PKCS#11 module the station may use, with the SHA-256 of the library file, so evidence can
 * say exactly which library produced it.
 */
export function registerModule(
  station: Station,
  opts: {
    moduleId: string;
    profile: string;
    path?: string;
    environment?: Record<string, string>;
    actor: string;
  },
): RegisteredModule {
  const profile = findProfile(opts.profile);
  if (!profile)
    throw stationError('INVALID_INPUT', `no module profile "${opts.profile}"`, { field: 'profile' });
  const environment = opts.environment ?? {};
  const unexpected = Object.keys(environment).filter((k) => !profile.environment.includes(k));
  if (unexpected.length > 0) {
    throw stationError(
      'INVALID_INPUT',
      `module profile ${profile.id} takes no environment ${unexpected.join(', ')} (allowed: ${profile.environment.join(', ') || 'none'})`,
      {
        field: 'environment',
      },
    );
  }
  const path = opts.path ?? resolveModulePath(profile);
  if (!path) {
    throw stationError(
      'HSM_MODULE_LOAD_FAILED',
      profile.modulePaths.length > 0
        ? `none of ${profile.modulePaths.join(', ')} exists on this machine`
        : `module profile ${profile.id} has no default library: name its path`,
      {
        field: 'path',
      },
    );
  }
  let librarySha256: string;
  try {
    librarySha256 = createHash('sha256').update(readFileSync(path)).digest('hex');
  } catch {
    throw stationError('HSM_MODULE_LOAD_FAILED', `cannot read the PKCS#11 library ${path}`, {
      field: 'path',
      path,
    });
  }
  const module: RegisteredModule = {
    moduleId: opts.moduleId,
    profile: profile.id,
    path,
    librarySha256,
    environment,
  };
  station.record([
    {
      kind: 'hsm.module-registered',
      actor: opts.actor,
      body: { ...module, environment: { ...module.environment } },
    },
  ]);
  return module;
}

/** The latest `hsm.module-registered` event for this module, as the journal stores it. */
export function journalRegistration(station: Station, moduleId: string): RegisteredModule | null {
  const rows = station.store.db
    .prepare("SELECT body FROM journal WHERE kind = 'hsm.module-registered' ORDER BY seq DESC")
    .pluck()
    .all() as Buffer[];
  for (const body of rows) {
    const r = JSON.parse(body.toString('utf8')) as RegisteredModule;
    if (r.moduleId === moduleId) return r;
  }
  return null;
}

/**
 * Opens registered modules on demand, one per library for the life of the process. The environment a
 * module needs (e.g. SOFTHSM2_CONF) is set before its C_Initialize; the library file is re-hashed first
 * and refused if it changed since it was registered.
 */
export class HsmRegistry {
  private readonly open = new Map<string, Pkcs11Module>();

  constructor(private readonly station: Station) {}

  module(moduleId: string): Pkcs11Module {
    const cached = this.open.get(moduleId);
    if (cached) return cached;
    // What to load comes from the hash-chained registration event, not the projection table: a row
    // edited in the table cannot point the station at another library or environment.
    const reg = journalRegistration(this.station, moduleId);
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
