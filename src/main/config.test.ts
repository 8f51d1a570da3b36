import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CodedError } from '../core/errors';
import { ERROR_CATALOGUE } from '../shared/errors';
import { configProblems, readConfig, withConfig, type StationConfig } from './config';
import { shellConfig } from './app/startup';

afterEach(() => {
  vi.unstubAllEnvs();
});

/** Which field each variable refuses when its value is bad. */
const FIELD: Record<string, keyof StationConfig> = {
  STATION_MEDIA_DIRS: 'mediaDirs',
  STATION_CHROMIUM: 'chromium',
  STATION_VERIFY_PARALLEL_FROM: 'verifyParallelFrom',
  STATION_DEVTOOLS: 'devTools',
};

/**
 * The CONFIG_INVALID a value must be refused with, naming its variable: reading the environment does
 * not fail, only reading the field that comes from the variable; every other field reads as usual.
 */
function refused(env: Record<string, string>, variable: string): CodedError {
  const config = readConfig(env);
  const field = FIELD[variable]!;
  let thrown: unknown;
  try {
    void config[field];
  } catch (e) {
    thrown = e;
  }
  expect(thrown, `${JSON.stringify(env)} was accepted`).toBeInstanceOf(CodedError);
  const e = thrown as CodedError;
  expect(e.code).toBe('CONFIG_INVALID');
  expect(e.data).toEqual({ variable });
  expect(e.message.startsWith(`${variable}=`)).toBe(true);
  expect(configProblems(config)).toEqual([e]);
  for (const other of Object.keys(config) as (keyof StationConfig)[])
    if (other !== field) expect(() => config[other]).not.toThrow();
  return e;
}

describe('readConfig: the one reader of the environment', () => {
  it('an empty environment gives the defaults', () => {
    expect(readConfig({})).toEqual({
      dataDir: join(homedir(), '.local', 'share', 'ceremony-station'),
      mediaDirs: [],
      rendererDir: null,
      chromium: null,
      verifyParallelFrom: 100_000,
      devTools: false,
      display: false,
      moduleEnvironment: {},
    });
  });

  it('reads the process environment when given none', () => {
    vi.stubEnv('STATION_VERIFY_PARALLEL_FROM', '7');
    vi.stubEnv('STATION_MEDIA_DIRS', '/srv/usb');
    const config = readConfig();
    expect(config.verifyParallelFrom).toBe(7);
    expect(config.mediaDirs).toEqual(['/srv/usb']);
  });

  it('is frozen: nobody downstream changes what the entry point read', () => {
    const config = readConfig({ STATION_MEDIA_DIRS: '/a' });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.mediaDirs)).toBe(true);
    expect(Object.isFrozen(config.moduleEnvironment)).toBe(true);
  });

  it('STATION_DATA_DIR, else XDG_DATA_HOME/ceremony-station; relative paths resolved; empty is unset', () => {
    expect(readConfig({ STATION_DATA_DIR: '/srv/st', XDG_DATA_HOME: '/x' }).dataDir).toBe('/srv/st');
    expect(readConfig({ XDG_DATA_HOME: '/x' }).dataDir).toBe('/x/ceremony-station');
    expect(readConfig({ STATION_DATA_DIR: 'rel/st' }).dataDir).toBe(resolve('rel/st'));
    expect(readConfig({ STATION_DATA_DIR: '', XDG_DATA_HOME: '/x' }).dataDir).toBe('/x/ceremony-station');
  });

  it('STATION_MEDIA_DIRS: absolute folders separated by ":" (empty parts skipped); a relative one is refused', () => {
    expect(readConfig({ STATION_MEDIA_DIRS: '/media/usb1:/srv/rehearsal' }).mediaDirs).toEqual([
      '/media/usb1',
      '/srv/rehearsal',
    ]);
    expect(readConfig({ STATION_MEDIA_DIRS: ':/a::/b:' }).mediaDirs).toEqual(['/a', '/b']);
    expect(readConfig({ STATION_MEDIA_DIRS: '' }).mediaDirs).toEqual([]);
    // Dropped silently before: an operator who typed `usb` saw no volume and no reason.
    const e = refused({ STATION_MEDIA_DIRS: '/a:usb' }, 'STATION_MEDIA_DIRS');
    expect(e.message).toContain('names "usb", which is not an absolute path');
    expect(e.message).toContain('separated by ":"');
  });

  it('STATION_RENDERER_DIR is resolved; unset means the renderer beside the CLI (null)', () => {
    expect(readConfig({ STATION_RENDERER_DIR: '/opt/r' }).rendererDir).toBe('/opt/r');
    expect(readConfig({ STATION_RENDERER_DIR: 'dist/renderer' }).rendererDir).toBe(resolve('dist/renderer'));
  });

  it('STATION_CHROMIUM must be an absolute path', () => {
    expect(readConfig({ STATION_CHROMIUM: '/usr/bin/chromium' }).chromium).toBe('/usr/bin/chromium');
    expect(refused({ STATION_CHROMIUM: 'chromium' }, 'STATION_CHROMIUM').message).toContain(
      'absolute path of the Chromium executable',
    );
  });

  it('STATION_VERIFY_PARALLEL_FROM is a whole number (0: always parallel, as before); anything else is refused, never NaN', () => {
    expect(readConfig({ STATION_VERIFY_PARALLEL_FROM: '0' }).verifyParallelFrom).toBe(0);
    expect(readConfig({ STATION_VERIFY_PARALLEL_FROM: '1' }).verifyParallelFrom).toBe(1);
    expect(readConfig({ STATION_VERIFY_PARALLEL_FROM: '250000' }).verifyParallelFrom).toBe(250_000);
    for (const bad of ['abc', '-5', '2.5', '1e3', ' 7', '0x10', '99999999999999999999']) {
      const e = refused({ STATION_VERIFY_PARALLEL_FROM: bad }, 'STATION_VERIFY_PARALLEL_FROM');
      expect(e.message).toContain(JSON.stringify(bad));
      expect(e.message).toContain('whole number of journal entries');
    }
  });

  it('STATION_DEVTOOLS is 1 or 0; another spelling is refused rather than read as "off"', () => {
    expect(readConfig({ STATION_DEVTOOLS: '1' }).devTools).toBe(true);
    expect(readConfig({ STATION_DEVTOOLS: '0' }).devTools).toBe(false);
    for (const bad of ['true', 'yes', 'on'])
      expect(refused({ STATION_DEVTOOLS: bad }, 'STATION_DEVTOOLS').message).toContain('set it to 1');
  });

  it('a display is there when DISPLAY or WAYLAND_DISPLAY is set', () => {
    expect(readConfig({ DISPLAY: ':99' }).display).toBe(true);
    expect(readConfig({ WAYLAND_DISPLAY: 'wayland-0' }).display).toBe(true);
    expect(readConfig({ DISPLAY: '' }).display).toBe(false);
  });

  it('moduleEnvironment holds only the variables module profiles declare', () => {
    const config = readConfig({
      SOFTHSM2_CONF: '/t/softhsm2.conf',
      STATION_PKCS11_FAULT_PLAN: '/t/plan',
      HOME: '/home/x',
      LD_PRELOAD: '/evil.so',
    });
    expect(config.moduleEnvironment).toEqual({
      SOFTHSM2_CONF: '/t/softhsm2.conf',
      STATION_PKCS11_FAULT_PLAN: '/t/plan',
    });
  });

  it('CONFIG_INVALID is a usage error whose next step is to fix the variable', () => {
    expect(ERROR_CATALOGUE.CONFIG_INVALID.class).toBe('usage');
    expect(ERROR_CATALOGUE.CONFIG_INVALID.action).toMatch(/environment variable/);
  });

  it('a bad variable refuses only its own field; withConfig keeps the refusal for the fields it leaves', () => {
    const config = readConfig({ STATION_DEVTOOLS: 'true', STATION_MEDIA_DIRS: '/a' });
    expect(config.mediaDirs).toEqual(['/a']);
    expect(() => config.devTools).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    const demo = withConfig(config, { mediaDirs: ['/rehearsal'] });
    expect(demo.mediaDirs).toEqual(['/rehearsal']);
    expect(() => demo.devTools).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(configProblems(demo).map((p) => p.data)).toEqual([{ variable: 'STATION_DEVTOOLS' }]);
    expect(Object.isFrozen(demo)).toBe(true);
  });
});

describe('the Electron shell refuses a bad variable it uses with a dialog and exit 2', () => {
  const run = (env: Record<string, string>) => {
    const shown: string[] = [];
    const exits: number[] = [];
    const config = shellConfig(() => readConfig(env), {
      showErrorBox: (title, content) => shown.push(`${title}\n${content}`),
      exit: (code) => exits.push(code),
    });
    return { config, shown, exits };
  };

  it.each([
    ['STATION_DEVTOOLS', 'true'],
    ['STATION_MEDIA_DIRS', 'media:/tmp'],
  ])('%s=%s: a coded dialog (message and next step), exit 2, no configuration', (variable, value) => {
    const r = run({ [variable]: value });
    expect(r.config).toBeNull();
    expect(r.exits).toEqual([2]);
    expect(r.shown).toHaveLength(1);
    expect(r.shown[0]).toContain(`CONFIG_INVALID: ${variable}=${JSON.stringify(value)}`);
    expect(r.shown[0]).toContain(ERROR_CATALOGUE.CONFIG_INVALID.action);
  });

  it('a variable the shell does not use at start (STATION_CHROMIUM=chromium) lets it start', () => {
    const r = run({ STATION_CHROMIUM: 'chromium', STATION_DEVTOOLS: '1' });
    expect(r.exits).toEqual([]);
    expect(r.config?.devTools).toBe(true);
  });

  it('anything but a coded error is not swallowed', () => {
    expect(() =>
      shellConfig(
        () => {
          throw new TypeError('bug');
        },
        { showErrorBox: () => {}, exit: () => {} },
      ),
    ).toThrow(TypeError);
  });
});
