#!/usr/bin/env node
// `npm run bench NAME`: builds bench/NAME.ts with the production Vite config and runs it.
// Without NAME, lists the benchmarks.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const names = readdirSync(join(root, 'bench'))
  .filter((f) => f.endsWith('.ts') && f !== 'support.ts')
  .map((f) => f.slice(0, -3));
const name = process.argv[2];
if (!name || !names.includes(name)) {
  process.stderr.write(`usage: npm run bench <name>\nbenchmarks: ${names.join(', ')}\n`);
  process.exit(name ? 2 : 0);
}
if (!existsSync(join(root, 'node_modules'))) {
  process.stderr.write('run `npm run setup` first\n');
  process.exit(6);
}
const build = spawnSync(
  join(root, 'node_modules', '.bin', 'vite'),
  ['build', '--mode', `bench:${name}`, '--logLevel', 'warn'],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
if (build.status !== 0) process.exit(build.status ?? 1);
const run = spawnSync(process.execPath, [join(root, 'dist', 'bench', `${name}.js`)], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(run.status ?? 1);
