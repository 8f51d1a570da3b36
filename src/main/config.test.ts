import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CodedError } from '../core/errors';
import { ERROR_CATALOGUE } from '../shared/errors';
import { readConfig } from './config';

afterEach(() => {
  vi.unstubAllEnvs();
});

/** The CONFIG_INVALID a value must be refused with, naming its variable. */
function refused(env: Record<string, string>, variable: string): CodedError {
  let thrown: unknown;
  try {
    readConfig(env);
  } catch (e) {
    thrown = e;
  }
  expect(thrown, `${JSON.stringify(env)} was accepted`).toBeInstanceOf(CodedError);
  const e = thrown as CodedError;
  expect(e.code).toBe('CONFIG_INVALID');
  expect(e.data).toEqual({ variable });
  expect(e.message.startsWith(`${variable}=`)).toBe(true);
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

  it('STATION_VERIFY_PARALLEL_FROM is a whole number ≥ 1; anything else is refused, never NaN', () => {
    expect(readConfig({ STATION_VERIFY_PARALLEL_FROM: '1' }).verifyParallelFrom).toBe(1);
    expect(readConfig({ STATION_VERIFY_PARALLEL_FROM: '250000' }).verifyParallelFrom).toBe(250_000);
    for (const bad of ['abc', '0', '-5', '2.5', '1e3', ' 7', '0x10', '99999999999999999999']) {
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
});
