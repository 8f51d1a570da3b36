import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/**
 * Every wall in eslint.config.js, probed: a forbidden import in the place it is forbidden is an error
 * (by the rule named), and the allowed way is not. Probes are linted as if they were files at the given
 * path, so the import-x rules resolve them against the real tree.
 */
const root = join(import.meta.dirname, '..', '..');
const eslint = new ESLint({ cwd: root });
const WALL_RULES = new Set([
  'no-restricted-imports',
  'no-restricted-syntax',
  'no-restricted-properties',
  'import-x/no-restricted-paths',
  'import-x/no-cycle',
]);

/** A query prepared on a connection: allowed only under src/main/adapters/store. */
const PREPARE =
  "type Db = { prepare(sql: string): { get(): unknown } };\nexport const q = (db: Db) => db.prepare('SELECT 1').get();";

/** A read of the environment: allowed only in src/main/config.ts (and in tests' own knobs). */
const ENV_READ = 'export const x = process.env.STATION_MEDIA_DIRS;';

async function walls(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, file) });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId !== null && WALL_RULES.has(m.ruleId))
    .map((m) => `${m.ruleId}: ${m.message}`);
}

describe('architecture walls are lint errors (STYLE.md, docs/architecture.md)', () => {
  it.each([
    // The pure core: no outside world (Node's own modules from Node's list), nothing of ours, no import().
    ['src/core/x.ts', "import { readFileSync } from 'node:fs';", 'no-restricted-imports'],
    ['src/core/x.ts', "import { Worker } from 'worker_threads';", 'no-restricted-imports'],
    ['src/core/x.ts', "import dgram from 'node:dgram';", 'no-restricted-imports'],
    ['src/core/x.ts', "import Database from 'better-sqlite3';", 'no-restricted-imports'],
    ['src/core/x.ts', "import { app } from 'electron';", 'no-restricted-imports'],
    ['src/core/x.ts', "import * as p from 'pkcs11js';", 'no-restricted-imports'],
    ['src/core/x.ts', "import { chromium } from 'playwright-core';", 'no-restricted-imports'],
    ['src/core/x.ts', "export const load = () => import('./canonical');", 'no-restricted-syntax'],
    ['src/core/x.ts', "import { ERROR_CATALOGUE } from '../shared/errors';", 'import-x/no-restricted-paths'],
    [
      'src/core/journal/x.ts',
      "import { sha256 } from './../../main/crypto';",
      'import-x/no-restricted-paths',
    ],
    // The contract: zod and core only.
    ['src/shared/x.ts', "import { sha256 } from '../main/crypto';", 'import-x/no-restricted-paths'],
    ['src/shared/x.ts', "import { readFileSync } from 'fs';", 'no-restricted-imports'],
    // Renderer and preload: src/shared only.
    ['src/renderer/x.ts', "import { toHex } from '../core/bytes';", 'import-x/no-restricted-paths'],
    [
      'src/renderer/features/a/x.tsx',
      "import { Station } from '../../../main/station/station';",
      'import-x/no-restricted-paths',
    ],
    ['src/renderer/x.ts', "import { readFileSync } from 'node:fs';", 'no-restricted-imports'],
    ['src/renderer/x.ts', "import { ipcRenderer } from 'electron';", 'no-restricted-imports'],
    ['src/preload/x.ts', "import { readFileSync } from 'node:fs';", 'no-restricted-imports'],
    ['src/preload/x.ts', "import { toHex } from '../core/bytes';", 'import-x/no-restricted-paths'],
    // Adapters: no services, no container, no other adapter — however the path is spelled.
    [
      'src/main/adapters/store/x.ts',
      "import { Station } from '../../station/station';",
      'import-x/no-restricted-paths',
    ],
    [
      'src/main/adapters/store/x.ts',
      "import { journalPage } from '../../services/journal';",
      'import-x/no-restricted-paths',
    ],
    ['src/main/adapters/store/x.ts', "import { x } from './../hsm/module';", 'import-x/no-restricted-paths'],
    [
      'src/main/adapters/media/x.ts',
      "import { readEvidence } from '../evidence/read';",
      'import-x/no-restricted-paths',
    ],
    ['src/main/adapters/fs/x.ts', "import { app } from 'electron';", 'no-restricted-imports'],
    // Why the durable write is in platform/, not adapters/fs: media and print could not import it there.
    [
      'src/main/adapters/media/x.ts',
      "import { stageCopy } from '../fs/staging';",
      'import-x/no-restricted-paths',
    ],
    // The platform layer the adapters share imports no adapter, service or shell.
    [
      'src/main/platform/x.ts',
      "import { holdPartial } from '../adapters/media/partials';",
      'import-x/no-restricted-paths',
    ],
    [
      'src/main/platform/x.ts',
      "import { exportJournal } from '../services/journal/queries';",
      'import-x/no-restricted-paths',
    ],
    // The container knows no domain.
    [
      'src/main/station/x.ts',
      "import { stationIdentity } from '../services/identity';",
      'import-x/no-restricted-paths',
    ],
    // Services: no shells, no builders, no electron; other domains only through their doors.
    ['src/main/services/journal/x.ts', "import { ipcMain } from 'electron';", 'no-restricted-imports'],
    ['src/main/services/identity/x.ts', "import 'reflect-metadata';", 'no-restricted-imports'],
    [
      'src/main/services/journal/x.ts',
      "import { createHandlers } from '../../ipc/handlers';",
      'import-x/no-restricted-paths',
    ],
    [
      'src/main/services/journal/x.ts',
      "import { startHost } from '../../host/server';",
      'import-x/no-restricted-paths',
    ],
    [
      'src/main/services/journal/x.ts',
      "import { createDemoStation } from '../../demo/demo';",
      'import-x/no-restricted-paths',
    ],
    [
      'src/main/services/packets/x.ts',
      "import { rosterEntries } from '../custodians/roster';",
      'import-x/no-restricted-paths',
    ],
    [
      'src/main/services/journal/queries.ts',
      "import { signCheckpoint } from '../identity';",
      'import-x/no-restricted-paths',
    ],
    // All SQL in the store adapter's repositories: no `.prepare(` in services, builders, the CLI, core.
    ['src/main/services/packets/x.ts', PREPARE, 'no-restricted-syntax'],
    [
      'src/main/services/journal/x.ts',
      "type Db = { prepare(sql: string): unknown };\nexport const q = (db: Db) => db['prepare']('SELECT 1');",
      'no-restricted-syntax',
    ],
    ['src/main/station/x.ts', PREPARE, 'no-restricted-syntax'],
    ['src/main/demo/x.ts', PREPARE, 'no-restricted-syntax'],
    ['src/main/setup/x.ts', PREPARE, 'no-restricted-syntax'],
    ['src/cli/x.ts', PREPARE, 'no-restricted-syntax'],
    ['src/core/x.ts', PREPARE, 'no-restricted-syntax'],
    // One reader of the environment (src/main/config.ts): every spelling of process.env elsewhere in src.
    ['src/main/services/bundles/x.ts', ENV_READ, 'no-restricted-properties'],
    ['src/main/services/journal/x.ts', "export const n = process['env'].X;", 'no-restricted-properties'],
    ['src/main/runtime.ts', 'const { env } = process;\nexport const x = env.X;', 'no-restricted-properties'],
    ['src/cli/x.ts', 'export const x = globalThis.process.env.X;', 'no-restricted-properties'],
    ['src/main/app/x.ts', ENV_READ, 'no-restricted-properties'],
    ['src/main/adapters/store/x.ts', ENV_READ, 'no-restricted-properties'],
    ['src/core/x.ts', ENV_READ, 'no-restricted-properties'],
    [
      'src/main/services/journal/x.ts',
      "import { env } from 'node:process';\nexport const x = env.X;",
      'no-restricted-syntax',
    ],
    [
      'src/main/adapters/store/x.ts',
      "import proc from 'process';\nexport const x = proc.env.X;",
      'no-restricted-syntax',
    ],
    // The PKCS#11 adapter may write a module's variables, never read configuration.
    ['src/main/adapters/hsm/module.ts', ENV_READ, 'no-restricted-syntax'],
    // Shells and the CLI reach a domain through its door too.
    [
      'src/main/ipc/x.ts',
      "import { signCheckpoint } from '../services/identity/commands';",
      'import-x/no-restricted-paths',
    ],
    [
      'src/cli/x.ts',
      "import { addCustodian } from '../main/services/custodians/roster';",
      'import-x/no-restricted-paths',
    ],
  ])('%s: %s is refused (%s)', async (file, code, rule) => {
    const found = await walls(file, code);
    expect(
      found.some((m) => m.startsWith(`${rule}:`)),
      found.join('\n') || 'nothing reported',
    ).toBe(true);
  });

  it('an import cycle is an error (two real files on disk that import each other)', async () => {
    const dir = mkdtempSync(join(root, 'src', 'core', 'cycle-probe-'));
    try {
      writeFileSync(join(dir, 'a.ts'), "import { b } from './b';\nexport const a = (): number => b() + 1;\n");
      writeFileSync(join(dir, 'b.ts'), "import { a } from './a';\nexport const b = (): number => a() - 1;\n");
      const [result] = await eslint.lintFiles([join(dir, 'a.ts')]);
      expect(result?.messages.map((m) => m.ruleId)).toContain('import-x/no-cycle');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    ['src/core/x.ts', "import { z } from 'zod';"],
    ['src/core/journal/x.ts', "import { canonicalBytes } from '../canonical';"],
    ['src/core/journal/x.ts', "import { prepareEntry } from './events';"],
    ['src/shared/x.ts', "import { packetIdSchema } from '../core/bundle/statement';"],
    ['src/renderer/x.ts', "import { createStationApi } from '../shared/contract';"],
    ['src/main/services/journal/x.ts', "import { JournalStore } from '../../adapters/store/journal-store';"],
    ['src/main/services/packets/x.ts', "import { requireQuorum } from '../custodians';"],
    ['src/main/services/packets/x.ts', "import { rosterEntries } from '../custodians/queries';"],
    ['src/main/services/journal/x.ts', "import { Station } from '../../station/station';"],
    ['src/main/ipc/x.ts', "import { signCheckpoint } from '../services/identity';"],
    ['src/main/ipc/electron-ipc.ts', "import type { IpcMain } from 'electron';"],
    ['src/preload/x.ts', "import { contextBridge } from 'electron';"],
    ['src/core/x.test.ts', "import { createHash } from 'node:crypto';"],
    ['src/main/adapters/store/repos/x.ts', PREPARE],
    ['src/main/adapters/media/x.ts', "import { beginExclusive } from '../../platform/durable';"],
    ['src/main/services/custodians/x.ts', "import { writeExclusive } from '../../platform/durable';"],
    ['src/main/services/packets/x.ts', "import { packetRow } from '../../adapters/store/repos/packets';"],
    ['src/main/config.ts', ENV_READ],
    [
      'src/main/adapters/hsm/module.ts',
      'export const set = (k: string, v: string) => {\n  process.env[k] = v;\n};',
    ],
    ['src/core/journal/x.test.ts', ENV_READ],
    [
      'src/main/services/journal/x.ts',
      'export const pid = process.pid;\nexport const e = (o: { env: string }) => o.env;',
    ],
  ])('%s: %s is allowed', async (file, code) => {
    expect(await walls(file, code)).toEqual([]);
  });
});
