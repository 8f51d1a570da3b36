import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { systemDeps } from '../../../src/main/runtime';
import { registerModule } from '../../../src/main/services/devices/modules';
import { createStationIdentity } from '../../../src/main/services/identity/commands';
import { Station } from '../../../src/main/station/station';
import { SOFTHSM_PATH, softhsmWorld, tokenSerialByLabel } from '../../helpers/softhsm';
import { tempDir } from '../../helpers/temp';

const PIN = '135790';

function initToken(conf: string, label: string): void {
  const r = spawnSync(
    'softhsm2-util',
    ['--init-token', '--free', '--label', label, '--so-pin', '11223344', '--pin', PIN],
    { env: { ...process.env, SOFTHSM2_CONF: conf } },
  );
  expect(r.status, String(r.stderr)).toBe(0);
}

/**
 * A station with its identity on one token and a ceremony token beside it in the same SoftHSM2 module,
 * plus a second module (another SoftHSM2 world) standing for the ceremony HSM.
 */
async function stationWithCeremonyTokens(mode: 'offline' | 'online') {
  const world = softhsmWorld();
  initToken(world.conf, 'Station identity');
  initToken(world.conf, 'Ceremony HSM');
  const station = Station.init(
    join(tempDir(), 'st'),
    { name: 'Portal workstation', mode, demo: false, actor: 'operator:elena' },
    systemDeps,
  );
  registerModule(station, {
    moduleId: 'station-hsm',
    profile: 'softhsm2',
    path: SOFTHSM_PATH,
    environment: { SOFTHSM2_CONF: world.conf },
    actor: 'operator:elena',
  });
  // Before it has an identity an online station touches no token at all: the serials come from SoftHSM's
  // own tool, as an operator would read them.
  if (mode === 'online') {
    expect(() => station.hsm.module('station-hsm')).toThrow(
      expect.objectContaining({ code: 'HSM_ONLINE_MODE' }),
    );
  }
  const own = tokenSerialByLabel(world.conf, 'Station identity');
  const ceremony = tokenSerialByLabel(world.conf, 'Ceremony HSM');
  await createStationIdentity(station, {
    moduleId: 'station-hsm',
    tokenSerial: own,
    pin: PIN,
    actor: 'operator:elena',
  });
  return { station, own, ceremony };
}

describe('online mode never touches a ceremony HSM', () => {
  it('an online station reaches its identity token only: other tokens and creating tokens are refused', async () => {
    const { station, own, ceremony } = await stationWithCeremonyTokens('online');
    try {
      const m = station.hsm.module('station-hsm');
      expect(m.tokens().map((t) => t.serial)).toEqual([own]);
      expect(m.withSession(own, { write: false }, (s) => s.listKeys().length)).toBeGreaterThan(0);
      expect(() => m.withSession(ceremony, { write: false }, (s) => s.listKeys())).toThrow(
        expect.objectContaining({ code: 'HSM_ONLINE_MODE' }),
      );
      await expect(m.withSessionAsync(ceremony, { write: false }, async () => 1)).rejects.toMatchObject({
        code: 'HSM_ONLINE_MODE',
      });
      expect(() => m.mechanisms(ceremony)).toThrow(expect.objectContaining({ code: 'HSM_ONLINE_MODE' }));
      expect(() => m.initToken('New ceremony key', '11223344', PIN)).toThrow(
        expect.objectContaining({ code: 'HSM_ONLINE_MODE' }),
      );
      expect(() => m.serialByLabel('Ceremony HSM')).toThrow(
        expect.objectContaining({ code: 'HSM_ONLINE_MODE' }),
      );
    } finally {
      station.close();
    }
  });

  it('an online station refuses to load any module other than its identity token’s', async () => {
    const { station } = await stationWithCeremonyTokens('online');
    try {
      const other = softhsmWorld();
      initToken(other.conf, 'Production signing HSM');
      // Registration is a journal fact; loading the module is what is refused.
      registerModule(station, {
        moduleId: 'ceremony-hsm',
        profile: 'softhsm2',
        path: SOFTHSM_PATH,
        environment: { SOFTHSM2_CONF: other.conf },
        actor: 'operator:elena',
      });
      expect(() => station.hsm.module('ceremony-hsm')).toThrow(
        expect.objectContaining({
          code: 'HSM_ONLINE_MODE',
          data: expect.objectContaining({ moduleId: 'ceremony-hsm' }),
        }),
      );
    } finally {
      station.close();
    }
  });

  it('the same tokens on an offline station are all reachable (the guard is the mode, nothing else)', async () => {
    const { station, own, ceremony } = await stationWithCeremonyTokens('offline');
    try {
      const m = station.hsm.module('station-hsm');
      expect(
        m
          .tokens()
          .map((t) => t.serial)
          .sort(),
      ).toEqual([own, ceremony].sort());
      expect(m.withSession(ceremony, { write: false }, (s) => s.listKeys())).toEqual([]);
    } finally {
      station.close();
    }
  });
});
