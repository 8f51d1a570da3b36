/**
 * One Vite config, three builds (selected with `--mode`):
 *   renderer — the React UI, served by Electron's app:// protocol or the browser-mode host
 *   main     — Node-side entries: the Electron main process and the `station` CLI (which holds the host)
 *   workers  — worker threads (journal verification, PDF reading, signing), self-contained in dist/workers
 *   preload  — the sandboxed preload script (CommonJS, everything but electron bundled in)
 * plus the Vitest projects (unit, integration, e2e) used by `npm test`.
 */
import { builtinModules } from 'node:module';
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import type { UserConfig } from 'vite';
import { defineConfig } from 'vitest/config';

const root = import.meta.dirname;
const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

function rendererConfig(): UserConfig {
  return {
    root: resolve(root, 'src/renderer'),
    base: './',
    plugins: [react()],
    build: {
      outDir: resolve(root, 'dist/renderer'),
      emptyOutDir: true,
      target: 'chrome120',
      sourcemap: true,
    },
  };
}

function mainConfig(): UserConfig {
  return {
    build: {
      ssr: true,
      outDir: resolve(root, 'dist/node'),
      emptyOutDir: true,
      target: 'node20',
      sourcemap: true,
      rollupOptions: {
        input: {
          electron: resolve(root, 'src/main/app/electron-entry.ts'),
          cli: resolve(root, 'src/cli/index.ts'),
        },
        // Native modules and electron stay outside the bundle: they are resolved at run time.
        external: ['electron', 'better-sqlite3', 'pkcs11js', /^pdfjs-dist(\/|$)/, ...nodeBuiltins],
        output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
      },
    },
  };
}

/**
 * Worker threads, built apart from the main code into dist/workers so they share no chunk with it: a
 * packaged app keeps all main code inside app.asar and unpacks only this folder (worker threads start
 * from real files). src/main/workers/location.ts finds them.
 */
function workersConfig(): UserConfig {
  return {
    build: {
      ssr: true,
      outDir: resolve(root, 'dist/workers'),
      emptyOutDir: true,
      target: 'node20',
      sourcemap: true,
      rollupOptions: {
        input: {
          'verify-worker': resolve(root, 'src/main/workers/verify-worker.ts'),
          'pdf-worker': resolve(root, 'src/main/workers/pdf-worker.ts'),
          'signing-worker': resolve(root, 'src/main/workers/signing-worker.ts'),
        },
        external: ['better-sqlite3', /^pdfjs-dist(\/|$)/, ...nodeBuiltins],
        output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
      },
    },
  };
}

function preloadConfig(): UserConfig {
  return {
    build: {
      ssr: true,
      outDir: resolve(root, 'dist/preload'),
      emptyOutDir: true,
      target: 'node20',
      rollupOptions: {
        input: { preload: resolve(root, 'src/preload/index.ts') },
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
    // A sandboxed preload cannot require node_modules: bundle everything except electron.
    ssr: { noExternal: true },
  };
}

/** Benchmarks are built like production code, so they measure what ships. */
function benchConfig(name: string): UserConfig {
  return {
    build: {
      ssr: true,
      outDir: resolve(root, 'dist/bench'),
      emptyOutDir: false,
      target: 'node20',
      rollupOptions: {
        // Benches use the workers of the main build (dist/workers), the parallel path the CLI uses.
        input: { [name]: resolve(root, `bench/${name}.ts`) },
        external: ['electron', 'better-sqlite3', 'pkcs11js', /^pdfjs-dist(\/|$)/, ...nodeBuiltins],
        output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
      },
    },
  };
}

export default defineConfig(({ mode }) => {
  if (mode.startsWith('bench:')) return benchConfig(mode.slice('bench:'.length));
  if (mode === 'main') return mainConfig();
  if (mode === 'workers') return workersConfig();
  if (mode === 'preload') return preloadConfig();
  if (mode === 'renderer') return rendererConfig();
  return {
    plugins: [react()],
    test: {
      projects: [
        {
          extends: true,
          test: {
            name: 'unit',
            include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'scripts/**/*.test.ts'],
            environment: 'node',
            setupFiles: ['./tests/setup/reflect-metadata.ts'],
          },
        },
        {
          extends: true,
          test: {
            name: 'integration',
            include: ['tests/integration/**/*.test.ts'],
            environment: 'node',
            setupFiles: ['./tests/setup/reflect-metadata.ts'],
            testTimeout: 60_000,
            hookTimeout: 60_000,
          },
        },
        {
          extends: true,
          test: {
            name: 'e2e',
            include: ['tests/e2e/**/*.test.ts'],
            environment: 'node',
            setupFiles: ['./tests/setup/reflect-metadata.ts'],
            testTimeout: 90_000,
            hookTimeout: 90_000,
            fileParallelism: false,
          },
        },
      ],
    },
  };
});
