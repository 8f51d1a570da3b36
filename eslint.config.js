// ESLint flat config. The architecture's walls are lint errors, not a wiki page (../shared/STYLE.md,
// docs/architecture.md). Walls between our own folders are checked on *resolved* import paths by
// eslint-plugin-import-x (no-restricted-paths, no-cycle), so no spelling of a path slips past:
//  - the walls are allow-lists: each layer names the packages it may import and everything else (any
//    subpath of them too, e.g. `electron/main`, `better-sqlite3/lib/database`) is refused;
//  - src/core imports nothing outside core (resources/ data excepted), only zod, canonicalize and
//    @scure/*, and no dynamic import();
//  - src/shared imports only zod and src/core (schemas are declared once, in core);
//  - src/renderer and src/preload import only src/shared (and their own UI / electron packages);
//  - every folder and root file of src/main is zoned (MAIN_ROOT names each root file and its place);
//  - better-sqlite3 and raw SQL (`.prepare(`, `.exec(`, `.pragma(`, `.transaction(`, `new Database(`)
//    live only in src/main/adapters/store and src/main/workers;
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
import { join } from 'node:path';
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { importX } from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const ROOT = import.meta.dirname;
const escapeRegex = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/**
 * An allow-list: every import is refused but relative ones (where they lead is import-x's zones' job)
 * and the packages named, each with any subpath (`react-dom` allows `react-dom/client`). Node's own
 * modules are refused in both spellings unless named (`node:crypto`). A deny-list of the outside world
 * missed every package nobody thought to name (review #11: `yauzl`, `commander`, `ws/lib/websocket`).
 */
function onlyImports(message, packages) {
  const names = packages.map(escapeRegex).join('|');
  return { patterns: [{ regex: `^(?!\\.{1,2}(?:/|$)|(?:${names})(?:/|$))`, message }] };
}

/** The SQLite driver: only the store adapter (and the verify worker, on its own read-only connection). */
const SQLITE_MESSAGE =
  'better-sqlite3 lives in src/main/adapters/store (and src/main/workers): call a repository function.';
const SQLITE_IMPORTS = {
  paths: [{ name: 'better-sqlite3', message: SQLITE_MESSAGE }],
  patterns: [{ group: ['better-sqlite3/*'], message: SQLITE_MESSAGE }],
};
/** Below the shells nothing touches electron (any subpath) or loads reflect-metadata. */
const ELECTRON_MESSAGE = 'Services, adapters, workers and the container never import electron.';
const NO_ELECTRON = {
  paths: [
    { name: 'electron', message: ELECTRON_MESSAGE },
    {
      name: 'reflect-metadata',
      message: 'Loaded once, first, by each entry point (src/cli/index.ts, src/main/app/electron-main.ts).',
    },
  ],
  patterns: [{ group: ['electron/*'], message: ELECTRON_MESSAGE }],
};
/** no-restricted-imports options made of several parts (a later config block replaces, never merges). */
const restrict = (...parts) => ({
  paths: parts.flatMap((p) => p.paths ?? []),
  patterns: parts.flatMap((p) => p.patterns ?? []),
});

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

/**
 * The files at the root of src/main, each with why it sits there and which lower layers may import it.
 * A zone walls only the paths it names, so an unzoned root file was a way round every wall (review #11:
 * a `src/main/launder.ts` re-exporting adapters/hsm let adapters/media import it). Adapters, platform,
 * workers, the container and services import only the root files that name them here (a glob zone, so
 * a new root file is refused to them until listed); tests/integration/lint-boundaries.test.ts checks
 * that every entry of src/main is a zoned folder or listed here.
 */
const BELOW = ['adapters', 'platform', 'workers', 'station', 'services'];
export const MAIN_ROOT = {
  'errors.ts': { importedBy: BELOW, why: 'coded errors; imports only core and shared' },
  'crypto.ts': { importedBy: BELOW, why: "Node's hash for core's Sha256; imports only core" },
  'paths.ts': { importedBy: BELOW, why: "file names inside a station's data directory; imports nothing" },
  'config.ts': {
    importedBy: ['station'],
    why: 'the one reader of the environment: entry points call it and hand the result to the container',
  },
  'runtime.ts': { importedBy: [], why: 'the composition root the Electron app and the browser host share' },
};
const rootFilesFor = (layer) => Object.keys(MAIN_ROOT).filter((f) => MAIN_ROOT[f].importedBy.includes(layer));

const ZONES = [
  // Allow-lists: the whole repository is `from`, less what the layer may import (packages are
  // no-restricted-imports' business, so node_modules is excepted here).
  {
    target: './src/core',
    from: '.',
    except: ['./src/core', './resources', './node_modules'],
    message: 'src/core imports nothing of ours outside core (resources/ data excepted).',
  },
  {
    target: './src/shared',
    from: '.',
    except: ['./src/shared', './src/core', './node_modules'],
    message: 'src/shared imports only zod and src/core.',
  },
  {
    target: './src/renderer',
    from: '.',
    except: ['./src/renderer', './src/shared', './node_modules'],
    message: 'The renderer imports only src/shared.',
  },
  {
    target: './src/preload',
    from: '.',
    except: ['./src/preload', './src/shared', './node_modules'],
    message: 'The preload exposes the contract: it imports only src/shared.',
  },
  // src/main's root files: the lower ones import no other part of src/main; config.ts only the module
  // profiles it validates against.
  {
    target: rootFilesFor('adapters').map((f) => `./src/main/${f}`),
    from: './src/main',
    message: 'A root file below the adapters (MAIN_ROOT) imports only src/core and src/shared.',
  },
  {
    target: './src/main/config.ts',
    from: './src/main',
    except: ['./adapters/hsm/profiles.ts', './errors.ts'],
    message: 'config.ts reads the environment: of src/main it imports only the module profiles and errors.',
  },
  ...BELOW.map((layer) => ({
    target: `./src/main/${layer}`,
    from: [`${ROOT}/src/main/*.ts`],
    except: [`${ROOT}/src/main/{${rootFilesFor(layer).join(',')},}`],
    message: `Of src/main's root files, src/main/${layer} imports only ${rootFilesFor(layer).join(', ')} (MAIN_ROOT in eslint.config.js).`,
  })),
  // Worker threads: run an adapter's work off the main thread; they know no service, container or shell.
  {
    target: './src/main/workers',
    from: ['./src/main/services', './src/main/station', './src/main/platform', ...SHELLS_AND_BUILDERS],
    message: 'A worker imports core and the adapter it runs, no service, container or shell.',
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
  // Workers import adapters; an adapter reaching a worker could reach another adapter through it. An
  // adapter may only locate a worker's file (workers/location.ts imports nothing of ours).
  {
    target: './src/main/adapters',
    from: './src/main/workers',
    except: ['./location.ts'],
    message: 'An adapter only locates a worker (workers/location.ts); it imports no worker module.',
  },
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
 * with zod-parsed rows) and the verify worker: anywhere else a call of a connection's SQL method
 * (`.prepare(`, `.exec(`, `.pragma(`, `.transaction(`, …, in either spelling) or `new Database(` is SQL
 * outside its repository. Services still hold `station.store.db` to hand to a repository, so this is
 * what keeps them from running SQL on it. `.exec(` is allowed on a regex literal only (a named regex
 * is matched with `text.match(RE)`), since `db.exec(sql)` and `re.exec(text)` look alike to lint.
 */
const SQL_METHODS = 'prepare|exec|pragma|transaction|backup|serialize|loadExtension|unsafeMode|aggregate';
const SQL_MESSAGE =
  'SQL lives in src/main/adapters/store/repos/<domain>.ts (typed rows parsed by zod); call a repository function.';
const SQL_ONLY_IN_STORE = [
  {
    selector: `CallExpression:matches([callee.property.name=/^(${SQL_METHODS})$/], [callee.property.value=/^(${SQL_METHODS})$/]):not([callee.object.regex])`,
    message: SQL_MESSAGE,
  },
  { selector: 'NewExpression[callee.name="Database"]', message: SQL_MESSAGE },
];

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
  { object: 'global', property: 'process', message: ENV_MESSAGE },
];
/**
 * What the property rule cannot see: the `process` module itself (`import { env } from 'node:process'`,
 * `await import('node:process')`), and the process object handed on as a value (`Reflect.get(process,
 * 'env')`, `const p = process; p.env`). `process.x` members other than env stay allowed.
 */
const PROCESS_MODULE = [
  {
    selector: 'ImportDeclaration[source.value=/^(node:)?process$/]',
    message: `${ENV_MESSAGE} (the global process is there for everything else)`,
  },
  {
    selector: 'ImportExpression[source.value=/^(node:)?process$/]',
    message: `${ENV_MESSAGE} (the global process is there for everything else)`,
  },
  {
    selector:
      'Identifier[name="process"]:not(MemberExpression > Identifier, Property > Identifier.key, TSQualifiedName > Identifier, TSTypeQuery > Identifier, TSPropertySignature > Identifier.key, MethodDefinition > Identifier.key, PropertyDefinition > Identifier.key, ImportSpecifier > Identifier, ExportSpecifier > Identifier)',
    message: `${ENV_MESSAGE} (use a member of process, such as process.pid; never pass the process object on)`,
  },
];
/**
 * The PKCS#11 adapter's one writer (a module reads its variables with getenv(), see adapters/hsm/module.ts):
 * there `process.env` may only be assigned to, never read.
 */
const ENV_WRITE_ONLY = {
  selector:
    'MemberExpression[object.name="process"]:matches([property.name="env"], [property.value="env"]):not(AssignmentExpression > MemberExpression.left > MemberExpression.object)',
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
    ignores: ['src/main/adapters/store/**', 'src/main/workers/**'],
    rules: { 'no-restricted-syntax': ['error', ...SQL_ONLY_IN_STORE, ...PROCESS_MODULE] },
  },
  {
    files: ['src/main/adapters/store/**/*.ts', 'src/main/workers/**/*.ts'],
    rules: { 'no-restricted-syntax': ['error', ...PROCESS_MODULE] },
  },
  // better-sqlite3 (any subpath) only in the store adapter and the workers.
  {
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    ignores: ['src/main/adapters/store/**', 'src/main/workers/**'],
    rules: { 'no-restricted-imports': ['error', restrict({ paths: [ipcOnlyInWrappers] }, SQLITE_IMPORTS)] },
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
    rules: {
      'no-restricted-syntax': ['error', ...SQL_ONLY_IN_STORE, ...PROCESS_MODULE, ENV_WRITE_ONLY],
    },
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
        ...SQL_ONLY_IN_STORE,
        ...PROCESS_MODULE,
      ],
      'no-restricted-imports': [
        'error',
        onlyImports(
          'src/core is pure: it imports zod, canonicalize and @scure/* only; pass the outside world in.',
          ['zod', 'canonicalize', '@scure/base', '@scure/bip39'],
        ),
      ],
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        onlyImports('src/shared is the contract: zod and src/core only.', ['zod']),
      ],
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
      'no-restricted-imports': [
        'error',
        onlyImports('The renderer talks only to window.station: it imports its UI packages and src/shared.', [
          'react',
          'react-dom',
          'zustand',
          '@tanstack/react-virtual',
        ]),
      ],
    },
  },
  // Below the shells nothing touches electron (any subpath): adapters, workers, the container and the
  // services run the same in the browser-mode host and the CLI. better-sqlite3 only in store and workers.
  {
    files: ['src/main/adapters/**/*.ts', 'src/main/station/**/*.ts', 'src/main/services/**/*.ts'],
    ignores: ['src/main/adapters/store/**'],
    rules: { 'no-restricted-imports': ['error', restrict(NO_ELECTRON, SQLITE_IMPORTS)] },
  },
  {
    files: ['src/main/adapters/store/**/*.ts', 'src/main/workers/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', NO_ELECTRON] },
  },
  // The typed wrappers themselves, and the Electron composition root that hands ipcMain to its wrapper:
  // electron's IPC objects are allowed there and nowhere else. The preload gets no other exemption.
  {
    files: ['src/main/ipc/electron-ipc.ts', 'src/main/app/electron-main.ts'],
    rules: { 'no-restricted-imports': ['error', SQLITE_IMPORTS] },
  },
  {
    files: ['src/preload/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        onlyImports('The preload imports electron and src/shared only.', ['electron']),
      ],
    },
  },
  // Tests of pure code may use node:crypto (to hash and sign fixtures), the test runner, and the
  // libraries they check core against; still no electron, sqlite, pkcs11js or file system.
  {
    files: ['src/core/**/*.test.ts', 'src/shared/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        onlyImports(
          'Tests of pure code stay pure (node:crypto, the runner and reference libraries excepted).',
          [
            'zod',
            'canonicalize',
            '@scure/base',
            '@scure/bip39',
            'node:crypto',
            'vitest',
            'fast-check',
            '@sigstore/core',
            '@peculiar/asn1-ecc',
            '@peculiar/asn1-schema',
            'shamir-secret-sharing',
          ],
        ),
      ],
    },
  },
  {
    files: ['src/renderer/**/*.test.ts', 'src/renderer/**/*.test.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        onlyImports('Renderer tests import what the renderer may, and the test runner.', [
          'react',
          'react-dom',
          'zustand',
          '@tanstack/react-virtual',
          'vitest',
        ]),
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
