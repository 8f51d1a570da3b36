// ESLint flat config. The architecture's walls are lint errors, not a wiki page (../shared/STYLE.md,
// docs/architecture.md). Walls between our own folders are checked on *resolved* import paths by
// eslint-plugin-import-x (no-restricted-paths, no-cycle), so no spelling of a path slips past:
//  - src/core imports nothing of ours outside core, no outside world, no dynamic import();
//  - src/shared imports only zod and src/core (schemas are declared once, in core);
//  - src/renderer and src/preload import only src/shared;
//  - an adapter never imports a service, the shell or another adapter;
//  - src/main/platform (what adapters and shells share: Chromium, the durable exclusive write) imports
//    no adapter, service, container or shell, so sharing it joins no adapter to another;
//  - the station container (src/main/station) knows no domain;
//  - services never import the shells (ipc, host, app), the CLI, the builders, or electron;
//  - a domain is reached from outside only through its door: services/<domain>/index.ts, or
//    services/<domain>/queries.ts for read models; a read model imports only other read models;
//  - no import cycles anywhere in src;
//  - the environment is read only in src/main/config.ts and written only by the PKCS#11 adapter.
import { readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { importX } from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const ROOT = import.meta.dirname;
/**
 * The outside world for the pure and contract layers: exact module names (Node's own from Node itself,
 * both spellings, never a hand list) plus any `node:` subpath. Exact names, not gitignore-style
 * patterns: a pattern `events` would also refuse our own `./events`.
 */
const OUTSIDE_WORLD = [
  'electron',
  'better-sqlite3',
  'pkcs11js',
  'playwright',
  'playwright-core',
  'ws',
  ...builtinModules.flatMap((m) => [m, `node:${m}`]),
];
function outsideWorld(message, allowed = []) {
  return {
    paths: OUTSIDE_WORLD.filter((m) => !allowed.includes(m)).map((name) => ({ name, message })),
    patterns: [{ group: ['node:*', ...allowed.map((m) => `!${m}`)], message }],
  };
}

const subfolders = (dir) =>
  readdirSync(join(ROOT, dir), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name);
/** Read from the tree, so a new adapter or domain is walled in the moment it exists. */
const ADAPTERS = subfolders('src/main/adapters');
const DOMAINS = subfolders('src/main/services');
const SHELLS_AND_BUILDERS = [
  './src/main/ipc',
  './src/main/app',
  './src/main/host',
  './src/main/demo',
  './src/main/setup',
  './src/main/runtime.ts',
  './src/cli',
];
const DOORS = ['./index.ts', './queries.ts'];

const ZONES = [
  {
    target: './src/core',
    from: ['./src/main', './src/shared', './src/renderer', './src/preload', './src/cli'],
    message: 'src/core imports nothing of ours outside core.',
  },
  {
    target: './src/shared',
    from: ['./src/main', './src/renderer', './src/preload', './src/cli'],
    message: 'src/shared imports only zod and src/core.',
  },
  {
    target: './src/renderer',
    from: ['./src/main', './src/core', './src/preload', './src/cli'],
    message: 'The renderer imports only src/shared.',
  },
  {
    target: './src/preload',
    from: ['./src/main', './src/core', './src/renderer', './src/cli'],
    message: 'The preload exposes the contract: it imports only src/shared.',
  },
  ...ADAPTERS.map((name) => ({
    target: `./src/main/adapters/${name}`,
    from: [
      './src/main/services',
      './src/main/station',
      ...SHELLS_AND_BUILDERS,
      ...ADAPTERS.filter((n) => n !== name).map((n) => `./src/main/adapters/${n}`),
    ],
    message: 'An adapter never imports a service, the container, the shell or another adapter.',
  })),
  {
    target: './src/main/platform',
    from: ['./src/main/adapters', './src/main/services', './src/main/station', ...SHELLS_AND_BUILDERS],
    message:
      'src/main/platform sits below the adapters that share it: it imports none of them, no service or shell.',
  },
  {
    target: './src/main/station',
    from: ['./src/main/services', ...SHELLS_AND_BUILDERS],
    message: 'The station container knows no domain.',
  },
  {
    target: './src/main/services',
    from: SHELLS_AND_BUILDERS,
    message: 'Services never import the shells (ipc, host, app), the CLI or the builders (demo, setup).',
  },
  ...DOMAINS.flatMap((d) =>
    DOMAINS.filter((e) => e !== d).map((e) => ({
      target: `./src/main/services/${d}`,
      from: `./src/main/services/${e}`,
      except: DOORS,
      message: `The ${e} domain is reached through its door: services/${e}/index.ts (or queries.ts).`,
    })),
  ),
  ...DOMAINS.flatMap((d) =>
    DOMAINS.filter((e) => e !== d).map((e) => ({
      target: `./src/main/services/${d}/queries.ts`,
      from: `./src/main/services/${e}`,
      except: ['./queries.ts'],
      message: 'A read model (queries.ts) imports only other read models.',
    })),
  ),
  ...DOMAINS.map((e) => ({
    target: SHELLS_AND_BUILDERS,
    from: `./src/main/services/${e}`,
    except: DOORS,
    message: `The ${e} domain is reached through its door: services/${e}/index.ts (or queries.ts).`,
  })),
];

/**
 * All SQL lives in the store adapter (adapters/store: the journal store, projections, repos/<domain>.ts
 * with zod-parsed rows): a `.prepare(` anywhere else is a query outside its repository.
 */
const SQL_ONLY_IN_STORE = {
  selector: 'CallExpression:matches([callee.property.name="prepare"], [callee.property.value="prepare"])',
  message:
    'SQL lives in src/main/adapters/store/repos/<domain>.ts (typed rows parsed by zod); call a repository function.',
};

/**
 * One reader of the environment: src/main/config.ts (readConfig, called once by each entry point and
 * handed down as station.config). `process.env` in any spelling — member, `['env']`, destructured, via
 * globalThis — is refused elsewhere in src; tests in src may read their own knobs (e.g. a corpus seed).
 */
const ENV_MESSAGE =
  'Read the environment in src/main/config.ts only: take the value from the StationConfig the entry point passed down (station.config).';
const ENV_ONLY_IN_CONFIG = [
  { object: 'process', property: 'env', message: ENV_MESSAGE },
  { object: 'globalThis', property: 'process', message: ENV_MESSAGE },
];
/** The `process` module itself (`import { env } from 'node:process'`), which the property rule cannot see. */
const PROCESS_MODULE = {
  selector: 'ImportDeclaration[source.value=/^(node:)?process$/]',
  message: `${ENV_MESSAGE} (the global process is there for everything else)`,
};
/**
 * The PKCS#11 adapter's one writer (a module reads its variables with getenv(), see adapters/hsm/module.ts):
 * there `process.env` may only be assigned to, never read.
 */
const ENV_WRITE_ONLY = {
  selector:
    'MemberExpression[object.name="process"][property.name="env"]:not(AssignmentExpression > MemberExpression.left > MemberExpression.object)',
  message:
    'adapters/hsm/module.ts only writes a module profile’s variables; read configuration from src/main/config.ts.',
};

const ipcOnlyInWrappers = {
  name: 'electron',
  importNames: ['ipcMain', 'ipcRenderer'],
  message: 'Use the typed contract wrappers (src/main/ipc/electron-ipc.ts, src/preload/index.ts).',
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'release/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    plugins: { 'import-x': importX },
    settings: {
      // import-x parses the files it follows (for no-cycle) with the TypeScript parser.
      'import-x/extensions': ['.ts', '.tsx', '.js', '.mjs', '.cjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      'import-x/resolver-next': [
        createTypeScriptImportResolver({
          project: ['tsconfig.node.json', 'tsconfig.web.json'],
          noWarnOnMultipleProjects: true,
        }),
      ],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': ['error', { basePath: ROOT, zones: ZONES }],
    },
  },
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
      '@typescript-eslint/ban-ts-comment': ['error', { 'ts-expect-error': 'allow-with-description' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-imports': ['error', { paths: [ipcOnlyInWrappers] }],
    },
  },
  {
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    ignores: ['src/main/adapters/store/**'],
    rules: { 'no-restricted-syntax': ['error', SQL_ONLY_IN_STORE, PROCESS_MODULE] },
  },
  {
    files: ['src/main/adapters/store/**/*.ts'],
    rules: { 'no-restricted-syntax': ['error', PROCESS_MODULE] },
  },
  {
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    ignores: [
      'src/main/config.ts',
      'src/main/adapters/hsm/module.ts',
      'src/**/*.test.ts',
      'src/**/*.test.tsx',
    ],
    rules: { 'no-restricted-properties': ['error', ...ENV_ONLY_IN_CONFIG] },
  },
  {
    files: ['src/main/adapters/hsm/module.ts'],
    rules: { 'no-restricted-syntax': ['error', SQL_ONLY_IN_STORE, PROCESS_MODULE, ENV_WRITE_ONLY] },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      // Repeats SQL_ONLY_IN_STORE and PROCESS_MODULE: a later block's options replace an earlier one's for
      // the same rule.
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ImportExpression',
          message: 'src/core loads nothing at run time: no dynamic import().',
        },
        SQL_ONLY_IN_STORE,
        PROCESS_MODULE,
      ],
      'no-restricted-imports': [
        'error',
        outsideWorld('src/core is pure: pass the outside world in as data or functions.'),
      ],
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', outsideWorld('src/shared is the contract: zod and src/core only.')],
    },
  },
  {
    files: ['src/renderer/**/*.ts', 'src/renderer/**/*.tsx'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      // This rule is advice for the React Compiler, which this project does not run.
      'react-hooks/incompatible-library': 'off',
      'no-restricted-imports': ['error', outsideWorld('The renderer talks only to window.station.')],
    },
  },
  // Below the shells nothing touches electron: adapters, the container and the services run the same in
  // the browser-mode host and the CLI.
  {
    files: ['src/main/adapters/**/*.ts', 'src/main/station/**/*.ts', 'src/main/services/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: 'Services, adapters and the container never import electron.' },
            {
              name: 'reflect-metadata',
              message:
                'Loaded once, first, by each entry point (src/cli/index.ts, src/main/app/electron-main.ts).',
            },
          ],
        },
      ],
    },
  },
  // The typed wrappers themselves, and the Electron composition root that hands ipcMain to its wrapper:
  // electron's IPC objects are allowed there and nowhere else. The preload gets no other exemption.
  {
    files: ['src/main/ipc/electron-ipc.ts', 'src/main/app/electron-main.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['src/preload/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        outsideWorld('The preload imports electron and src/shared only.', ['electron']),
      ],
    },
  },
  // Tests of pure code may use node:crypto (to hash and sign fixtures) and core's runtime helpers;
  // they still may not touch electron, sqlite, pkcs11js or the file system (their folders' zones apply).
  {
    files: ['src/core/**/*.test.ts', 'src/shared/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        outsideWorld('Tests of pure code stay pure (node:crypto excepted).', ['node:crypto', 'crypto']),
      ],
    },
  },
  {
    files: ['**/*.test.ts', '**/*.test.tsx', 'tests/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    // CommonJS by necessity: electron-builder requires its hook files.
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
