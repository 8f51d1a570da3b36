import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { findProfile, resolveModulePath } from '../../adapters/hsm/profiles';
import { stationError } from '../../errors';
import type { RegisteredModule } from '../../station/hsm-registry';
import type { Station } from '../../station/station';

export type { RegisteredModule } from '../../station/hsm-registry';

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
  const pinned = identityModule(station);
  if (pinned?.moduleId === opts.moduleId)
    throw stationError(
      'MODULE_PINNED',
      `module ${opts.moduleId} holds the station identity: it stays as registered at seq ${pinned.registeredBefore} and cannot be registered again`,
      { field: 'module', moduleId: opts.moduleId },
    );
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

/** Which registration of a module the station follows, and the ones it does not. */
export interface ModuleRegistration {
  readonly registration: RegisteredModule | null;
  /** Seq of the `hsm.module-registered` event followed. */
  readonly seq: number | null;
  /** Later registrations of the station token's module, never followed (see moduleRegistration). */
  readonly ignored: readonly number[];
}

/** The station token's module id and the seq of `station.identity-created`, as the journal stores them. */
function identityModule(station: Station): { moduleId: string; registeredBefore: number } | null {
  const first = station.journal.bodiesOfKind('station.identity-created')[0];
  if (!first) return null;
  const { moduleId } = JSON.parse(first[1].toString('utf8')) as { moduleId: string };
  return { moduleId, registeredBefore: first[0] };
}

/**
 * The registration a module is loaded from, as the journal stores it. The station token's module is
 * pinned (review 2, item 8): its latest registration recorded before `station.identity-created`. A later
 * registration of that id — refused by registerModule, so written only by an older station or by
 * someone with write access to the file, in the unsigned tail — is never followed: it could point the
 * station token's PIN, verification and every anchoring at another library. Any other module: its
 * latest registration.
 */
export function moduleRegistration(station: Station, moduleId: string): ModuleRegistration {
  const pinned = identityModule(station);
  const before = pinned?.moduleId === moduleId ? pinned.registeredBefore : Number.POSITIVE_INFINITY;
  let registration: RegisteredModule | null = null;
  let seq: number | null = null;
  const ignored: number[] = [];
  for (const [at, body] of station.journal.bodiesOfKind('hsm.module-registered')) {
    const r = JSON.parse(body.toString('utf8')) as RegisteredModule;
    if (r.moduleId !== moduleId) continue;
    if (at < before) {
      registration = r;
      seq = at;
    } else ignored.push(at);
  }
  return { registration, seq, ignored };
}

/** The registration this module is loaded from (moduleRegistration). */
export function journalRegistration(station: Station, moduleId: string): RegisteredModule | null {
  return moduleRegistration(station, moduleId).registration;
}
