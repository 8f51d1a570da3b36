import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
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
    // Allow-lists, not deny-lists (review #11 item 2): subpaths and packages nobody thought to name.
    ['src/main/services/journal/x.ts', "import { app } from 'electron/main';", 'no-restricted-imports'],
    ['src/main/adapters/media/x.ts', "import { app } from 'electron/main';", 'no-restricted-imports'],
    ['src/core/x.ts', "import Database from 'better-sqlite3/lib/database';", 'no-restricted-imports'],
    ['src/core/x.ts', "import WebSocket from 'ws/lib/websocket';", 'no-restricted-imports'],
    ['src/core/x.ts', "import yauzl from 'yauzl';", 'no-restricted-imports'],
    ['src/core/x.ts', "import { Command } from 'commander';", 'no-restricted-imports'],
    ['src/shared/x.ts', "import yauzl from 'yauzl';", 'no-restricted-imports'],
    ['src/renderer/x.ts', "import yauzl from 'yauzl';", 'no-restricted-imports'],
    ['src/preload/x.ts', "import yauzl from 'yauzl';", 'no-restricted-imports'],
    // Core's zone is everything but core (and resources/ data): tests/, scripts/ and bench/ too.
    [
      'src/core/x.ts',
      "import { softhsm } from '../../tests/helpers/softhsm';",
      'import-x/no-restricted-paths',
    ],
    ['src/core/x.ts', "import { run } from '../../scripts/bench.mjs';", 'import-x/no-restricted-paths'],
    [
      'src/shared/x.ts',
      "import { softhsm } from '../../tests/helpers/softhsm';",
      'import-x/no-restricted-paths',
    ],
    // The SQLite driver lives in adapters/store (and the verify worker): no connection anywhere else.
    ['src/main/services/journal/x.ts', "import Database from 'better-sqlite3';", 'no-restricted-imports'],
    ['src/main/adapters/media/x.ts', "import Database from 'better-sqlite3';", 'no-restricted-imports'],
    ['src/main/station/x.ts', "import type { Database } from 'better-sqlite3';", 'no-restricted-imports'],
    ['src/cli/x.ts', "import Database from 'better-sqlite3';", 'no-restricted-imports'],
    ['src/main/app/electron-main.ts', "import Database from 'better-sqlite3';", 'no-restricted-imports'],
    [
      'src/main/services/journal/x.ts',
      "import Database from 'better-sqlite3';\nexport const w = (f: string) => new Database(f).pragma('journal_mode');",
      'no-restricted-syntax',
    ],
    // Raw SQL through the connection a service can still reach (station.store.db), not only `.prepare(`.
    [
      'src/main/services/journal/x.ts',
      "type Db = { exec(sql: string): void };\nexport const q = (db: Db) => db.exec('DELETE FROM journal');",
      'no-restricted-syntax',
    ],
    [
      'src/main/services/packets/x.ts',
      'type S = { store: { db: { exec(sql: string): void } } };\nexport const q = (s: S, sql: string) => s.store.db.exec(sql);',
      'no-restricted-syntax',
    ],
    [
      'src/main/services/packets/x.ts',
      "type Db = { pragma(sql: string): unknown };\nexport const q = (db: Db) => db['pragma']('user_version = 0');",
      'no-restricted-syntax',
    ],
    [
      'src/cli/x.ts',
      'type Db = { transaction(f: () => void): () => void };\nexport const q = (db: Db) => db.transaction(() => undefined);',
      'no-restricted-syntax',
    ],
    // The environment through the other spellings of the process object.
    ['src/main/services/journal/x.ts', 'export const x = global.process.env.X;', 'no-restricted-properties'],
    [
      'src/main/services/journal/x.ts',
      "export const x = (Reflect.get(process, 'env') as Record<string, string>).X;",
      'no-restricted-syntax',
    ],
    [
      'src/main/services/journal/x.ts',
      'const p = process;\nexport const x = p.env.X;',
      'no-restricted-syntax',
    ],
    [
      'src/main/services/journal/x.ts',
      "export const x = async () => (await import('node:process')).env.X;",
      'no-restricted-syntax',
    ],
    ['src/main/adapters/hsm/module.ts', "export const x = process['env']['X'];", 'no-restricted-syntax'],
    [
      'src/main/adapters/hsm/module.ts',
      "export const x = (Reflect.get(process, 'env') as Record<string, string>).X;",
      'no-restricted-syntax',
    ],
    // src/main's own root files and the workers are zoned: an adapter reaches no other adapter through them.
    [
      'src/main/adapters/media/x.ts',
      "import { readConfig } from '../../config';",
      'import-x/no-restricted-paths',
    ],
    [
      'src/main/adapters/media/x.ts',
      "import { openStationRuntime } from '../../runtime';",
      'import-x/no-restricted-paths',
    ],
    [
      'src/main/adapters/media/x.ts',
      "import { verifySegment } from '../../workers/segment';",
      'import-x/no-restricted-paths',
    ],
    ['src/main/platform/x.ts', "import { readConfig } from '../config';", 'import-x/no-restricted-paths'],
    [
      'src/main/services/journal/x.ts',
      "import { readConfig } from '../../config';",
      'import-x/no-restricted-paths',
    ],
    [
      'src/main/workers/x.ts',
      "import { journalPage } from '../services/journal';",
      'import-x/no-restricted-paths',
    ],
    [
      'src/main/workers/x.ts',
      "import { Station } from '../station/station';",
      'import-x/no-restricted-paths',
    ],
    ['src/main/errors.ts', "import { x } from './adapters/hsm/module';", 'import-x/no-restricted-paths'],
    ['src/main/config.ts', "import { x } from './adapters/hsm/module';", 'import-x/no-restricted-paths'],
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

  it('a new root file of src/main is no way round the walls (review #11: a launder file re-exporting an adapter)', async () => {
    const name = `launder-probe-${randomBytes(4).toString('hex')}`;
    const file = join(root, 'src', 'main', `${name}.ts`);
    writeFileSync(file, "export * from './adapters/hsm/module';\n");
    try {
      for (const at of ['adapters/media', 'platform', 'workers', 'station', 'services/journal']) {
        const found = await walls(
          `src/main/${at}/x.ts`,
          `export * from '${relative(join('src/main', at), 'src/main')}/${name}';`,
        );
        expect(
          found.some((m) => m.startsWith('import-x/no-restricted-paths:')),
          `${at}: ${found.join('\n')}`,
        ).toBe(true);
      }
    } finally {
      rmSync(file, { force: true });
    }
  });

  it('every folder and root file of src/main is the target of a zone (a root file by name: MAIN_ROOT)', async () => {
    type Zone = { target: string | string[] };
    const zonesFor = async (file: string): Promise<string[]> => {
      const config = (await eslint.calculateConfigForFile(join(root, file))) as {
        rules: Record<string, [unknown, { zones: Zone[] }]>;
      };
      return config.rules['import-x/no-restricted-paths']![1].zones.flatMap((z) => [z.target].flat()).map(
        (t) => resolve(root, t),
      );
    };
    const unzoned: string[] = [];
    for (const entry of readdirSync(join(root, 'src', 'main'), { withFileTypes: true })) {
      if (entry.isDirectory()) {
        const dir = join(root, 'src', 'main', entry.name);
        const targets = await zonesFor(`src/main/${entry.name}/x.ts`);
        if (!targets.some((t) => dir === t || dir.startsWith(`${t}/`))) unzoned.push(`${entry.name}/`);
      } else if (!/\.test\.ts$/.test(entry.name)) {
        // A root file must be named by a zone itself, not just sit inside a zoned folder.
        const targets = await zonesFor(`src/main/${entry.name}`);
        if (!targets.includes(join(root, 'src', 'main', entry.name))) unzoned.push(entry.name);
      }
    }
    expect(unzoned).toEqual([]);
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
