import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { findProfile, resolveModulePath } from '../../adapters/hsm/profiles';
import { stationError } from '../../errors';
import type { RegisteredModule } from '../../station/hsm-registry';
import type { Station } from '../../station/station';
import { identityModule } from './queries';
export type { RegisteredModule } from '../../station/hsm-registry';

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
