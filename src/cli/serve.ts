import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromiumApp, stopChromiumApp } from '../main/platform/chromium';
import { startHost } from '../main/host/server';
import { openStationRuntime } from '../main/runtime';

const here = dirname(fileURLToPath(import.meta.url));

/** Where the built renderer sits relative to the built CLI (dist/node/cli.js → dist/renderer). */
export function rendererDir(): string {
  return process.env.STATION_RENDERER_DIR ?? join(here, '..', 'renderer');
}

/**
 * `station serve`: opens the station, serves the UI on loopback and (unless --no-open) opens it in
 * Chromium app mode. Runs until interrupted or until the app window closes.
 */
export async function serve(opts: {
  dataDir: string;
  port?: number;
  open: boolean;
  out: (s: string) => void;
}) {
  const log = (msg: string, err?: unknown) =>
    process.stderr.write(`[station] ${msg}${err ? `: ${String(err)}` : ''}\n`);
  const runtime = openStationRuntime(opts.dataDir, 'browser', log);
  const host = await startHost({
    rendererDir: rendererDir(),
    createDispatch: (origin) => runtime.dispatchFor([origin]),
    port: opts.port,
    log,
  });
  opts.out(`station serving ${runtime.station.stationRecord().name} at ${host.origin}\n`);
  opts.out(`open: ${host.launchUrl}\n`);

  let shuttingDown = false;
  let window: ReturnType<typeof launchChromiumApp> = null;
  const shutdown = async (code: number) => {
    if (shuttingDown) return;
    shuttingDown = true;
    if (window) stopChromiumApp(window);
    await host.close();
    runtime.close();
    process.exit(code);
  };
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));

  if (opts.open) {
    const offline = runtime.station.stationRecord().mode === 'offline';
    const launched = launchChromiumApp(host.launchUrl, { offline });
    window = launched;
    if (!launched) {
      opts.out(
        'Chromium (or a display) is not available: open the URL above in a browser on this machine.\n',
      );
    } else {
      if (launched.display === 'xvfb') {
        opts.out(
          'No display found: the app window runs in a virtual display (Xvfb). Open the URL above to operate.\n',
        );
      }
      launched.child.once('exit', () => {
        opts.out('app window closed; stopping the station\n');
        void shutdown(0);
      });
    }
  }
}
