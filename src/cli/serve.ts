import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromiumApp, stopChromiumApp } from '../main/platform/chromium';
import { writeLaunchFile } from '../main/host/launch-file';
import { startHost } from '../main/host/server';
import type { StationConfig } from '../main/config';
import { openStationRuntime, stationDeps } from '../main/runtime';
import { writeErr } from './terminal';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * The configured renderer (STATION_RENDERER_DIR), else where the built renderer sits beside the built CLI
 * (dist/node/cli.js → dist/renderer).
 */
export function rendererDir(config: StationConfig): string {
  return config.rendererDir ?? join(here, '..', 'renderer');
}

/**
 * `station serve`: opens the station, serves the UI on loopback and (unless --no-open) opens it in
 * Chromium app mode. Runs until interrupted or until the app window closes.
 *
 * The one-time launch ticket goes into a launch file only this user can read; the app window is started
 * with that file's path, so the ticket never appears in any process's command line or in the terminal
 * (unless --print-launch-url asks for it). The file is removed once the ticket is spent.
 */
export async function serve(opts: {
  dataDir: string;
  port?: number;
  open: boolean;
  printLaunchUrl: boolean;
  out: (s: string) => void;
  config: StationConfig;
}) {
  const log = (msg: string, err?: unknown) => writeErr(`[station] ${msg}${err ? `: ${String(err)}` : ''}\n`);
  const runtime = openStationRuntime(opts.dataDir, 'browser', log, stationDeps(opts.config));
  let launch: ReturnType<typeof writeLaunchFile> | null = null;
  const host = await startHost({
    rendererDir: rendererDir(opts.config),
    createDispatch: (origin) => runtime.dispatchFor([origin]),
    port: opts.port,
    log,
    onTicketSpent: () => {
      launch?.remove();
      log('the app window has connected; the launch file is removed');
    },
  });
  launch = writeLaunchFile(host.launchUrl);
  opts.out(`station serving ${runtime.station.stationRecord().name} at ${host.url}\n`);
  opts.out(`launch file (readable by you only): ${launch.path}\n`);
  if (opts.printLaunchUrl) opts.out(`open: ${host.launchUrl}\n`);

  let shuttingDown = false;
  let window: ReturnType<typeof launchChromiumApp> = null;
  const shutdown = async (code: number) => {
    if (shuttingDown) return;
    shuttingDown = true;
    launch?.remove();
    if (window) await stopChromiumApp(window);
    await host.close();
    runtime.close();
    process.exit(code);
  };
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));

  if (opts.open) {
    const offline = runtime.station.stationRecord().mode === 'offline';
    const launched = launchChromiumApp(launch.url, {
      offline,
      chromium: opts.config.chromium,
      display: opts.config.display,
    });
    window = launched;
    if (!launched) {
      opts.out(
        'No display or no Chromium here: open the launch file above in a browser on this machine (it works once).\n',
      );
    } else {
      launched.child.once('exit', () => {
        opts.out('app window closed; stopping the station\n');
        void shutdown(0);
      });
    }
  }
}
