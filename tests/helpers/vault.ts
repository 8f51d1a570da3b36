import { join } from 'node:path';
import { systemDeps } from '../../src/main/runtime';
import { initRoster } from '../../src/main/services/custodians/roster';
import { registerModule } from '../../src/main/services/devices/modules';
import { Station } from '../../src/main/station/station';
import { custodianKeyPems, initTokens, SOFTHSM_PATH, softhsmWorld } from './softhsm';

/**
 * A custodian vault for integration tests: the suite's own SoftHSM2 world under `dir` (its own
 * SOFTHSM2_CONF), one token per name in `hsms` (user PIN `hsmPin`) and per custodian (user PIN `pin`,
 * with a key pair generated on it), a real station on SQLite with the module registered as `moduleId`,
 * and a roster of the custodians (quorum `quorum`, valid 2026–2030). Returns each token's serial by label.
 */
export async function custodianVault(
  dir: string,
  opts: {
    hsms: readonly string[];
    custodians: readonly string[];
    pin: string;
    hsmPin: string;
    moduleId: string;
    quorum?: number;
  },
): Promise<{ station: Station; serial: Record<string, string> }> {
  const { conf } = softhsmWorld(dir);
  const hsms = new Set(opts.hsms);
  initTokens([...opts.hsms, ...opts.custodians], (label) => (hsms.has(label) ? opts.hsmPin : opts.pin));
  const station = Station.init(
    join(dir, 'st'),
    { name: 'Vault', mode: 'offline', demo: false, actor: 'operator:so' },
    systemDeps,
  );
  registerModule(station, {
    moduleId: opts.moduleId,
    profile: 'softhsm2',
    path: SOFTHSM_PATH,
    environment: { SOFTHSM2_CONF: conf },
    actor: 'operator:so',
  });
  const module = station.hsm.module(opts.moduleId);
  const serial: Record<string, string> = {};
  for (const t of module.tokens()) serial[t.label] = t.serial;
  const pem = await custodianKeyPems(module, serial, [...opts.custodians], opts.pin);
  initRoster(station, {
    quorum: opts.quorum ?? 2,
    custodians: opts.custodians.map((who) => ({
      custodianId: who,
      name: who,
      roles: ['custodian'],
      publicKey: pem[who]!,
      validFrom: '2026-01-01T00:00:00.000Z',
      validUntil: '2030-01-01T00:00:00.000Z',
    })),
    witnesses: ['W. Itness'],
    actor: 'operator:so',
  });
  return { station, serial };
}
