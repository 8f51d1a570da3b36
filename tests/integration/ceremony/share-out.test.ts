import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CeremonyStep } from '../../../src/core/ceremony';
import { CodedError } from '../../../src/core/errors';
import { systemDeps } from '../../../src/main/runtime';
import { newSharesDir, type OpenedRun } from '../../../src/main/services/ceremonies';
import { assertOffStation } from '../../../src/main/services/custodians';
import { Station } from '../../../src/main/station/station';
import { suiteTempDir } from '../../helpers/temp';

/**
 * Where a share re-issue act writes the new shares (docs/ceremonies.md, "Share re-issue"): in production
 * only a named folder off the station — never its data directory, where all N shares together would be
 * the whole secret; in a rehearsal the run's own folder by default. A real station directory.
 */
let suite: ReturnType<typeof suiteTempDir>;
let station: Station;
const step = { id: 'reissue-shares' } as CeremonyStep;
const run = (mode: 'rehearsal' | 'production', outDir: string) =>
  ({ state: { started: { mode, outDir } } }) as unknown as OpenedRun;

beforeAll(() => {
  suite = suiteTempDir();
  station = Station.init(
    join(suite.dir, 'st'),
    { name: 'Vault', mode: 'offline', demo: false, actor: 'operator:so' },
    systemDeps,
  );
});
afterAll(() => {
  station?.close();
  suite?.remove();
});

function refusal(f: () => unknown): CodedError {
  try {
    f();
  } catch (e) {
    if (e instanceof CodedError) return e;
    throw e;
  }
  throw new Error('not refused');
}

describe('new shares leave the station', () => {
  it('production: refuses no folder, a missing folder, a file, and any folder in the data directory (also through a link)', () => {
    const outDir = join(station.dataDir, 'ceremony-outputs', 'run-1');
    mkdirSync(outDir, { recursive: true });
    const prod = run('production', outDir);
    expect(refusal(() => newSharesDir(station, prod, step, undefined))).toMatchObject({
      code: 'CEREMONY_CONFIRMATION_REQUIRED',
      data: { field: 'shareOut' },
    });
    expect(refusal(() => newSharesDir(station, prod, step, join(suite.dir, 'gone'))).data.field).toBe(
      'shareOut',
    );
    const file = join(suite.dir, 'a-file');
    writeFileSync(file, 'x');
    expect(refusal(() => newSharesDir(station, prod, step, file)).code).toBe('INVALID_INPUT');
    for (const inside of [station.dataDir, outDir]) {
      const e = refusal(() => newSharesDir(station, prod, step, inside));
      expect(e.code).toBe('INVALID_INPUT');
      expect(e.message).toMatch(/inside the station's data directory/);
    }
    const link = join(suite.dir, 'usb-link');
    symlinkSync(outDir, link);
    expect(refusal(() => newSharesDir(station, prod, step, link)).message).toMatch(
      /inside the station's data/,
    );

    const usb = join(suite.dir, 'usb');
    mkdirSync(usb);
    expect(newSharesDir(station, prod, step, usb)).toBe(usb);
  });

  it("rehearsal: the run's own folder by default (the shares open only the scratch token)", () => {
    const outDir = join(station.dataDir, 'ceremony-outputs', 'run-2');
    mkdirSync(outDir, { recursive: true });
    expect(newSharesDir(station, run('rehearsal', outDir), step, undefined)).toBe(outDir);
  });

  it('the same rule guards `station shares split|reissue --out` (real shares only)', () => {
    const inside = join(station.dataDir, 'exports');
    mkdirSync(inside, { recursive: true });
    expect(refusal(() => assertOffStation(station, inside, 'outDir'))).toMatchObject({
      code: 'INVALID_INPUT',
      data: { field: 'outDir' },
    });
    const usb = join(suite.dir, 'usb2');
    mkdirSync(usb);
    expect(() => assertOffStation(station, usb, 'outDir')).not.toThrow();
  });
});
