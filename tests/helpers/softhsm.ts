import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
