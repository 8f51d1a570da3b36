#!/usr/bin/env node
// Setup for `npm start` / `npm test` on a fresh Debian machine. Plain Node, no dependencies.
// Installs only what is missing: apt packages, node_modules (npm ci), the Electron runtime where it
// can be downloaded, and the build. Each step is skipped when its inputs have not changed.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildFaultShim } from '../native/fault-shim/build.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const APT_PACKAGES = [
  'softhsm2',
  'opensc',
  'chromium',
  'xvfb',
  'openssl',
  'unzip',
  'util-linux',
  'poppler-utils',
];
const quiet = process.env.STATION_SETUP_QUIET === '1';
const say = (msg) => quiet || process.stderr.write(`[setup] ${msg}\n`);

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

function fail(msg) {
  process.stderr.write(`[setup] ERROR: ${msg}\n`);
  process.exit(1);
}

function checkNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (!((major === 20 && minor >= 19) || (major === 22 && minor >= 12) || major > 22)) {
    fail(`Node ${process.versions.node} is too old: use Node 20.19+ (or 22.12+).`);
  }
}

function missingAptPackages() {
  if (spawnSync('dpkg-query', ['--version'], { stdio: 'ignore' }).status !== 0) return null;
  return APT_PACKAGES.filter((p) => {
    const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', p], { encoding: 'utf8' });
    return !(r.status === 0 && r.stdout.includes('install ok installed'));
  });
}

function installAptPackages() {
  const missing = missingAptPackages();
  if (missing === null) {
    say(`not a Debian system: make sure these are installed yourself: ${APT_PACKAGES.join(' ')}`);
    return;
  }
  if (missing.length === 0) return;
  const isRoot = process.getuid?.() === 0;
  const sudo = isRoot ? [] : ['sudo', '-n'];
  if (!isRoot && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status !== 0) {
    fail(
      `missing apt packages: ${missing.join(' ')}. Install them: sudo apt-get install -y ${missing.join(' ')}`,
    );
  }
  say(`installing apt packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const [cmd, ...pre] = sudo.length ? sudo : ['apt-get'];
  const aptArgs = (args) => (sudo.length ? [...pre, 'apt-get', ...args] : args);
  if (run(cmd, aptArgs(['update', '-qq']), { env }) !== 0) fail('apt-get update failed');
  if (run(cmd, aptArgs(['install', '-y', '-qq', ...missing]), { env }) !== 0)
    fail(`apt-get install ${missing.join(' ')} failed`);
}

function sha256OfFiles(paths) {
  const h = createHash('sha256');
  for (const p of paths.sort()) {
    h.update(relative(root, p));
    h.update('\0');
    h.update(readFileSync(p));
    h.update('\0');
  }
  return h.digest('hex');
}

function walk(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

function readStamp(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return {};
  }
}

function installNodeModules() {
  const stampPath = join(root, 'node_modules', '.station-setup.json');
  const lockHash = sha256OfFiles([join(root, 'package-lock.json')]);
  const stamp = readStamp(stampPath);
  if (stamp.lockHash === lockHash && existsSync(join(root, 'node_modules', '.package-lock.json'))) return;
  say('installing node modules (npm ci; better-sqlite3 compiles SQLite, about 75 s)');
  // The Electron runtime is fetched separately below: its download is not possible everywhere.
  const env = { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' };
  if (run('npm', ['ci', '--no-audit', '--no-fund'], { env }) !== 0) fail('npm ci failed');
  const electron = tryElectronRuntime();
  mkdirSync(dirname(stampPath), { recursive: true });
  writeFileSync(stampPath, JSON.stringify({ lockHash, electron }, null, 2));
}

/** Fetches the Electron runtime where the network allows; otherwise npm start uses browser mode. */
function tryElectronRuntime() {
  if (process.env.STATION_SKIP_ELECTRON === '1') return 'skipped';
  const installer = join(root, 'node_modules', 'electron', 'install.js');
  if (!existsSync(installer)) return 'absent';
  const r = spawnSync(process.execPath, [installer], {
    cwd: join(root, 'node_modules', 'electron'),
    stdio: 'pipe',
    timeout: 90_000,
  });
  if (r.status === 0) {
    say('Electron runtime installed: npm start opens the Electron window');
    return 'installed';
  }
  say(
    'Electron runtime could not be downloaded here: npm start will use the browser-mode host with Chromium',
  );
  return 'unavailable';
}

function build() {
  const inputs = [
    ...walk(join(root, 'src')),
    join(root, 'vite.config.ts'),
    join(root, 'package-lock.json'),
    join(root, 'tsconfig.base.json'),
  ].filter((p) => !/\.test\.tsx?$/.test(p));
  const hash = sha256OfFiles(inputs);
  const stampPath = join(root, 'dist', '.build-stamp.json');
  const outputs = [
    'dist/node/cli.js',
    'dist/node/electron.js',
    'dist/workers/verify-worker.js',
    'dist/preload/preload.cjs',
    'dist/renderer/index.html',
  ];
  if (readStamp(stampPath).hash === hash && outputs.every((o) => existsSync(join(root, o)))) return;
  say('building (vite: renderer, main, workers, preload)');
  if (run('npm', ['run', '--silent', 'build']) !== 0) fail('build failed');
  writeFileSync(stampPath, JSON.stringify({ hash, at: new Date().toISOString() }, null, 2));
}

/** The PKCS#11 fault-injection shim the integration tests load (never shipped); skipped when unchanged. */
function buildShim() {
  try {
    buildFaultShim({ say });
  } catch (e) {
    fail(e.message);
  }
}

const started = Date.now();
checkNode();
installAptPackages();
installNodeModules();
build();
buildShim();
const took = ((Date.now() - started) / 1000).toFixed(1);
if (Number(took) > 2) say(`ready (${took} s)`);
