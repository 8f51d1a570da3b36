#!/usr/bin/env node
// `npm test`: every check, in order — lint (ESLint + Prettier), type-check (node and web projects),
// unit, integration, e2e. Runs them all, prints a summary, exits non-zero if any failed.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);

const steps = [
  ['lint', bin('eslint'), ['--max-warnings', '0', '.']],
  ['format', bin('prettier'), ['--check', '--log-level', 'warn', '.']],
  ['typecheck (node)', bin('tsc'), ['-p', 'tsconfig.node.json', '--noEmit']],
  ['typecheck (web)', bin('tsc'), ['-p', 'tsconfig.web.json', '--noEmit']],
  ['unit', bin('vitest'), ['run', '--project', 'unit']],
  // Two files at a time: each suite has its own temp dirs, SoftHSM2 config and ports, and on a 2-core
  // machine Vitest would otherwise run them one by one (cores − 1 workers).
  ['integration', bin('vitest'), ['run', '--project', 'integration', '--maxWorkers=2']],
  ['e2e', bin('vitest'), ['run', '--project', 'e2e']],
];

const only = process.argv.slice(2);
const results = [];
for (const [name, cmd, args] of steps) {
  if (only.length && !only.some((o) => name.startsWith(o))) continue;
  process.stdout.write(`\n=== ${name} ===\n`);
  const t = Date.now();
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root });
  results.push({ name, ok: r.status === 0, seconds: (Date.now() - t) / 1000 });
}

process.stdout.write('\n=== summary ===\n');
for (const r of results)
  process.stdout.write(`${r.ok ? 'PASS' : 'FAIL'}  ${r.name.padEnd(18)} ${r.seconds.toFixed(1)} s\n`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
