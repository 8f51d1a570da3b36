import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, protocol, session } from 'electron';
import { readConfig, type StationConfig } from '../config';
import { bindIpcMain } from '../ipc/electron-ipc';
import { openStationRuntime, stationDeps } from '../runtime';
import { resolveRendererFile } from './renderer-files';
import {
  APP_HOST,
  APP_ORIGIN,
  APP_SCHEME,
  appContentSecurityPolicy,
  hardenSession,
  hardenWebContents,
  secureWindowOptions,
} from './security';
import { runShell } from './shell';
import { shellConfig } from './startup';

/**
 * The Electron shell: thin. It registers the app:// protocol for the built renderer, hardens every web
 * contents and the session, binds the contract to ipcMain and opens one secure window — once this
 * process holds the single-instance lock (src/main/app/shell.ts). All behaviour lives in services
 * shared with the browser-mode host.
 */
const here = dirname(fileURLToPath(import.meta.url));
const rendererDir = join(here, '..', 'renderer');
const preloadPath = join(here, '..', 'preload', 'preload.cjs');
const log = (msg: string, err?: unknown) => console.error(`[station] ${msg}`, err ?? '');
/** The environment, read once here and handed down (src/main/config.ts); a bad value it uses: exit 2. */
const config = shellConfig(readConfig, {
  showErrorBox: (title, content) => dialog.showErrorBox(title, content),
  exit: (code) => app.exit(code),
});
if (config) start(config);

function start(config: StationConfig): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
  app.on('web-contents-created', (_e, contents) =>
    hardenWebContents(contents, log, app.isPackaged, config.devTools),
  );
  app.on('window-all-closed', () => app.quit());

  runShell(
    app,
    {
      openStation: ({ packaged }) => {
        const runtime = openStationRuntime(config.dataDir, 'electron', log, stationDeps(config));
        const mode = runtime.station.stationRecord().mode;
        hardenSession(session.defaultSession, () => mode, log, packaged, config.devTools);

        protocol.handle(APP_SCHEME, (request) => {
          const url = new URL(request.url);
          const found = url.host === APP_HOST ? resolveRendererFile(rendererDir, url.pathname) : null;
          if (!found) return new Response('not found', { status: 404 });
          return new Response(readFileSync(found.file), {
            headers: {
              'Content-Type': found.contentType,
              'Content-Security-Policy': appContentSecurityPolicy(),
              'X-Content-Type-Options': 'nosniff',
            },
          });
        });

        bindIpcMain(ipcMain, runtime.dispatchFor([APP_ORIGIN]));

        const win = new BrowserWindow(
          secureWindowOptions(preloadPath, { packaged, devToolsRequested: config.devTools }),
        );
        win.once('ready-to-show', () => win.show());
        void win.loadURL(`${APP_ORIGIN}/index.html`);
        app.on('before-quit', () => runtime.close());
        return win;
      },
    },
    log,
  );
}
