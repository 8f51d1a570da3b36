#!/usr/bin/env node
// Builds the PKCS#11 fault-injection shim (tests only, never shipped) with the system C compiler, when
// its inputs changed: the C source, the PKCS#11 headers pkcs11js ships (the ABI the binding itself
// uses), the compiler's version and flags. Called by scripts/setup.mjs and by the test helper
// (tests/helpers/softhsm.ts), so a test run on a fresh checkout finds it. Plain Node.
// The output goes to node_modules/.cache/: git-ignored, and outside dist/, which packaging ships.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FAULT_SHIM_PATH = join(
  root,
  'node_modules',
  '.cache',
  'ceremony-station',
  'libpkcs11-fault-shim.so',
);
const SOURCE = join(root, 'native', 'fault-shim', 'fault-shim.c');
const HEADERS = join(root, 'node_modules', 'pkcs11js', 'includes');
const FLAGS = ['-std=c11', '-O2', '-Wall', '-Wextra', '-Werror', '-fPIC', '-shared'];

function inputsHash(compiler) {
  const h = createHash('sha256');
  const headerDir = join(HEADERS, 'pkcs11');
  const files = [SOURCE, ...readdirSync(headerDir).map((f) => join(headerDir, f))].sort();
  for (const f of files) h.update(relative(root, f)).update('\0').update(readFileSync(f)).update('\0');
  return h.update(compiler).update(FLAGS.join(' ')).digest('hex');
}

/** Builds the shim if needed; returns its path. Throws with the compiler's output when it fails. */
export function buildFaultShim({ say = () => {} } = {}) {
  const version = spawnSync('cc', ['--version'], { encoding: 'utf8' });
  if (version.error || version.status !== 0) {
    throw new Error('no C compiler (cc) found: install gcc (apt package build-essential) to build the shim');
  }
  if (!existsSync(join(HEADERS, 'pkcs11', 'pkcs11.h'))) {
    throw new Error('the PKCS#11 headers of pkcs11js are missing: run npm ci first');
  }
  const hash = inputsHash(version.stdout.split('\n')[0] ?? '');
  const stampPath = `${FAULT_SHIM_PATH}.stamp.json`;
  let stamp = {};
  try {
    stamp = JSON.parse(readFileSync(stampPath, 'utf8'));
  } catch {
    // No stamp yet: build.
  }
  if (stamp.hash === hash && existsSync(FAULT_SHIM_PATH)) return FAULT_SHIM_PATH;
  say('building the PKCS#11 fault-injection shim (tests only)');
  mkdirSync(dirname(FAULT_SHIM_PATH), { recursive: true });
  // A private output name, renamed into place: a concurrent build or a test loading the library never
  // sees a half-written file.
  const tmp = `${FAULT_SHIM_PATH}.${process.pid}.tmp`;
  const r = spawnSync('cc', [...FLAGS, '-I', HEADERS, '-o', tmp, SOURCE, '-ldl', '-lpthread'], {
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    rmSync(tmp, { force: true });
    throw new Error(`cc failed building the fault shim:\n${r.stderr}`);
  }
  renameSync(tmp, FAULT_SHIM_PATH);
  writeFileSync(stampPath, JSON.stringify({ hash, at: new Date().toISOString() }, null, 2));
  return FAULT_SHIM_PATH;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    process.stdout.write(`${buildFaultShim({ say: (m) => process.stderr.write(`[fault-shim] ${m}\n`) })}\n`);
  } catch (e) {
    process.stderr.write(`[fault-shim] ERROR: ${e.message}\n`);
    process.exit(1);
  }
}
