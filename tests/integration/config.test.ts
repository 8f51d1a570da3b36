import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Pkcs11Module } from '../../src/main/adapters/hsm/module';
import { openStationRuntime, systemDeps } from '../../src/main/runtime';
import { scanMedia } from '../../src/main/services/bundles/bundles';
import { Station, type StationDeps } from '../../src/main/station/station';
import { stationCli } from '../e2e/harness';
import { SOFTHSM, SOFTHSM_PATH, softhsmWorld } from '../helpers/softhsm';
import { tempDir } from '../helpers/temp';

/**
 * The environment is read once by an entry point (src/main/config.ts) and handed down: the station
 * carries it as `station.config`, services read it there, and nothing in the station writes the
 * environment but the PKCS#11 adapter, for the variables a module profile declares.
 */
afterEach(() => {
  vi.unstubAllEnvs();
});

const withMedia = (...mediaDirs: string[]): StationDeps => ({
  ...systemDeps,
  config: { ...systemDeps.config, mediaDirs },
});

/** A station on disk (no token needed for what is checked here), closed again. */
function stationDir(demo: boolean): string {
  const dir = join(tempDir(), 'st');
  Station.init(dir, { name: 'Room A', mode: 'offline', demo, actor: 'operator:a' }, systemDeps).close();
  return dir;
}

describe('the station carries its configuration', () => {
  it('services list the media folders of station.config, whatever the process environment says', () => {
    const media = join(tempDir(), 'usb');
    const elsewhere = join(tempDir(), 'elsewhere');
    mkdirSync(media);
    mkdirSync(elsewhere);
    vi.stubEnv('STATION_MEDIA_DIRS', elsewhere);
    const station = Station.open(stationDir(false), withMedia(media));
    try {
      expect(station.config.mediaDirs).toEqual([media]);
      const configured = scanMedia(station, {}).volumes.filter((v) => v.source === 'configured');
      expect(configured.map((v) => v.path)).toEqual([media]);
      expect(configured[0]?.state).toBe('ready');
    } finally {
      station.close();
    }
  });

  it('a demo station opened by a shell gets its rehearsal folder in its config; the environment is not written', () => {
    vi.stubEnv('STATION_MEDIA_DIRS', undefined);
    const dir = stationDir(true);
    const runtime = openStationRuntime(dir, 'browser', () => {});
    try {
      const rehearsal = join(dir, 'rehearsal-media');
      expect(runtime.station.config.mediaDirs).toEqual([rehearsal]);
      expect(statSync(rehearsal).mode & 0o777).toBe(0o700);
      expect(scanMedia(runtime.station, {}).volumes.map((v) => v.path)).toContain(rehearsal);
      // useRehearsalMedia wrote STATION_MEDIA_DIRS into process.env, for every later station of the process.
      expect(process.env.STATION_MEDIA_DIRS).toBeUndefined();
    } finally {
      runtime.close();
    }
  });

  it('the rehearsal folder only for a demo station, only when a shell opens it, never over configured media', () => {
    const demo = stationDir(true);
    const plain = stationDir(false);
    const usb = join(tempDir(), 'usb');
    const opened = [
      Station.open(demo, systemDeps),
      Station.open(plain, systemDeps, { rehearsalMedia: true }),
      Station.open(demo, withMedia(usb), { rehearsalMedia: true }),
    ];
    try {
      expect(opened.map((s) => s.config.mediaDirs)).toEqual([[], [], [usb]]);
    } finally {
      for (const s of opened) s.close();
    }
  });
});

describe('the PKCS#11 adapter is the one writer, for declared variables only', () => {
  it('a variable the profile does not declare is refused before anything is written or loaded', () => {
    const { conf } = softhsmWorld();
    vi.stubEnv('STATION_NOT_A_MODULE_VARIABLE', undefined);
    expect(() =>
      Pkcs11Module.open(SOFTHSM, SOFTHSM_PATH, {
        environment: { SOFTHSM2_CONF: conf, STATION_NOT_A_MODULE_VARIABLE: 'x' },
      }),
    ).toThrowError(
      expect.objectContaining({
        code: 'HSM_MODULE_LOAD_FAILED',
        data: expect.objectContaining({ variables: ['STATION_NOT_A_MODULE_VARIABLE'] }),
      }),
    );
    expect(process.env.STATION_NOT_A_MODULE_VARIABLE).toBeUndefined();
  });
});

describe('the built CLI reads the environment once, in main', () => {
  it('a bad value refuses the command that uses it: CONFIG_INVALID (exit 2) naming the variable and the fix', () => {
    const dir = stationDir(false);
    const r = stationCli(['journal', 'verify', '--data-dir', dir], undefined, {
      STATION_VERIFY_PARALLEL_FROM: 'many',
    });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(
      'error CONFIG_INVALID: STATION_VERIFY_PARALLEL_FROM="many" is not a whole number',
    );
    expect(r.stderr).toContain('→ Correct or unset the environment variable named');
    const media = stationCli(['media', '--data-dir', dir], undefined, { STATION_MEDIA_DIRS: 'media:/tmp' });
    expect(media.status).toBe(2);
    expect(media.stderr).toContain('error CONFIG_INVALID: STATION_MEDIA_DIRS="media:/tmp" names "media"');
  });

  // Review of issue #11, item 4: each of these used to fail every command, --help and journal verify too.
  it.each([
    ['STATION_DEVTOOLS', 'true'],
    ['STATION_MEDIA_DIRS', 'media:/tmp'],
    ['STATION_CHROMIUM', 'chromium'],
  ])(
    '%s=%s refuses nothing that does not use it: --help and journal verify run, with a warning',
    (name, value) => {
      const dir = stationDir(false);
      const help = stationCli(['--help'], undefined, { [name]: value });
      expect(help.status, help.stderr).toBe(0);
      expect(help.stdout).toContain('Usage:');
      const verify = stationCli(['journal', 'verify', '--data-dir', dir], undefined, { [name]: value });
      // A fresh station's journal is intact but unanchored (exit 7), as it is with no variable set.
      expect(verify.status, verify.stderr).toBe(7);
      expect(verify.stdout).toContain('UNANCHORED [JNL-ANCHOR] 1 entries intact');
      expect(verify.stderr).toContain(`warning CONFIG_INVALID: ${name}=${JSON.stringify(value)}`);
      expect(verify.stderr).not.toContain('error CONFIG_INVALID');
      const info = stationCli(['info', '--data-dir', dir], undefined, { [name]: value });
      expect(info.status, info.stderr).toBe(0);
    },
  );

  it('STATION_VERIFY_PARALLEL_FROM=0 means always parallel again, not a refusal', () => {
    const dir = stationDir(false);
    const r = stationCli(['journal', 'verify', '--data-dir', dir], undefined, {
      STATION_VERIFY_PARALLEL_FROM: '0',
    });
    expect(r.status, r.stderr).toBe(7);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('UNANCHORED [JNL-ANCHOR] 1 entries intact');
  });

  it('STATION_DATA_DIR is the data directory when no --data-dir is given', () => {
    const dir = stationDir(false);
    const r = stationCli(['info'], undefined, { STATION_DATA_DIR: dir });
    expect(r.status, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { name: string; store: { path: string } }).store.path).toBe(
      join(dir, 'station.sqlite'),
    );
  });
});
