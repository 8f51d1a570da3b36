#!/usr/bin/env node
// `npm start`: open the station. Creates the demo station first when the data directory holds none.
// Uses Electron where its runtime is installed; otherwise the browser-mode host and Chromium app mode.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const station = join(root, 'bin', 'station.js');
const dataDir =
  process.env.STATION_DATA_DIR ||
  join(process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'ceremony-station');

if (!existsSync(join(dataDir, 'station.sqlite'))) {
  process.stderr.write(`[start] no station in ${dataDir}: creating the demo station\n`);
  const r = spawnSync(process.execPath, [station, 'demo', '--data-dir', dataDir], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

function electronBinary() {
  try {
    const path = createRequire(import.meta.url)('electron');
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

const electron = electronBinary();
const child = electron
  ? spawn(electron, [join(root, 'dist', 'node', 'electron.js')], {
      stdio: 'inherit',
      env: { ...process.env, STATION_DATA_DIR: dataDir },
    })
  : spawn(process.execPath, [station, 'serve', '--data-dir', dataDir, ...process.argv.slice(2)], {
      stdio: 'inherit',
    });
if (!electron) process.stderr.write('[start] Electron runtime not installed: using the browser-mode host\n');
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code) => process.exit(code ?? 0));
