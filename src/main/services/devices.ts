import { Pkcs11Module, type TokenInfo } from '../adapters/hsm/module';
import { findProfile, resolveModulePath } from '../adapters/hsm/profiles';
import { stationError } from '../errors';
import { registeredModules } from './hsm';
import type { Station } from './station';

export interface ModuleListing {
  readonly moduleId: string;
  readonly path: string;
  readonly library: string;
  readonly tokens: readonly TokenInfo[];
}

/** Tokens of every module the station registered. */
export function listStationModules(station: Station): ModuleListing[] {
  return registeredModules(station).map((reg) => {
    const m = station.hsm.module(reg.moduleId);
    const info = m.info();
    return {
      moduleId: reg.moduleId,
      path: reg.path,
      library: `${info.manufacturer} ${info.library} ${info.libraryVersion}`,
      tokens: m.tokens(),
    };
  });
}

/** Tokens of a module profile opened directly (e.g. to find the station token's serial before `init`). */
export function listProfile(
  profileId: string,
  path: string | undefined,
  environment: Record<string, string>,
): ModuleListing {
  const profile = findProfile(profileId);
  if (!profile) throw stationError('INVALID_INPUT', `no module profile "${profileId}"`, { field: 'profile' });
  const modulePath = path ?? resolveModulePath(profile);
  if (!modulePath)
    throw stationError('HSM_MODULE_LOAD_FAILED', `none of ${profile.modulePaths.join(', ')} exists`, {
      field: 'module-path',
    });
  const m = Pkcs11Module.open(profile, modulePath, { environment });
  try {
    const info = m.info();
    return {
      moduleId: profile.id,
      path: modulePath,
      library: `${info.manufacturer} ${info.library} ${info.libraryVersion}`,
      tokens: m.tokens(),
    };
  } finally {
    m.close();
  }
}
