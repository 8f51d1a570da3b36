// ESLint flat config. The architecture's walls are lint errors, not a wiki page (../shared/STYLE.md):
//  - src/core imports nothing of the outside world (electron, node I/O, sqlite, pkcs11js, playwright);
//  - src/shared imports only zod and core *types*;
//  - src/renderer imports only src/shared (and browser libraries);
//  - adapters never import services or another adapter;
//  - ipcMain / ipcRenderer only in their typed wrappers.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const OUTSIDE_WORLD = [
  'electron',
  'better-sqlite3',
  'pkcs11js',
  'playwright',
  'playwright-core',
  'ws',
  'node:*',
  'fs',
  'fs/*',
  'net',
  'http',
  'https',
  'child_process',
  'os',
  'path',
  'crypto',
];

const ADAPTERS = ['store', 'hsm', 'media', 'portal', 'print'];

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
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [],
          patterns: [
            {
              group: OUTSIDE_WORLD,
              message: 'src/core is pure: pass the outside world in as data or functions.',
            },
            {
              group: ['**/main/**', '**/shared/**', '**/renderer/**', '**/preload/**', '**/cli/**'],
              message: 'src/core imports nothing of ours outside core.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [],
          patterns: [
            { group: OUTSIDE_WORLD, message: 'src/shared is the contract: zod and core types only.' },
            {
              group: ['**/main/**', '**/renderer/**', '**/preload/**', '**/cli/**'],
              message: 'src/shared imports only zod and src/core types.',
            },
            {
              group: ['**/core/**'],
              allowTypeImports: true,
              message: 'src/shared may import only *types* from src/core.',
            },
          ],
        },
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
        {
          paths: [],
          patterns: [
            { group: OUTSIDE_WORLD, message: 'The renderer talks only to window.station.' },
            {
              group: ['**/main/**', '**/core/**', '**/preload/**', '**/cli/**'],
              message: 'The renderer imports only src/shared.',
            },
          ],
        },
      ],
    },
  },
  // Adapters never import services or the shell; an adapter never imports another adapter.
  ...[null, ...ADAPTERS].map((name) => ({
    files: [name ? `src/main/adapters/${name}/**/*.ts` : 'src/main/adapters/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [ipcOnlyInWrappers],
          patterns: [
            {
              group: ['**/services/**', '**/ipc/**', '**/app/**', '**/host/**'],
              message: 'Adapters never import services or the shell.',
            },
            ...(name
              ? [
                  {
                    group: ADAPTERS.filter((n) => n !== name).flatMap((n) => [
                      `**/adapters/${n}/**`,
                      `../${n}/**`,
                    ]),
                    message: 'An adapter never imports another adapter.',
                  },
                ]
              : []),
          ],
        },
      ],
    },
  })),
  // The typed wrappers themselves, and the Electron composition root that hands ipcMain to its wrapper.
  {
    files: ['src/main/ipc/electron-ipc.ts', 'src/preload/**/*.ts', 'src/main/app/electron-main.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  // Tests of pure code may use node:crypto (to hash and sign fixtures) and core's runtime helpers;
  // they still may not touch electron, sqlite, pkcs11js or the file system.
  {
    files: ['src/core/**/*.test.ts', 'src/shared/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [],
          patterns: [
            {
              group: [...OUTSIDE_WORLD, '!node:crypto'],
              message: 'Tests of pure code stay pure (node:crypto excepted).',
            },
            {
              group: ['**/main/**', '**/renderer/**', '**/preload/**', '**/cli/**'],
              message: 'Pure code tests import pure code.',
            },
          ],
        },
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
