import type {
  BrowserWindowConstructorOptions,
  OnBeforeRequestListenerDetails,
  CallbackResponse,
  Session,
  WebContents,
} from 'electron';

/**
 * The Electron security checklist in one file: window options, CSP, navigation and window-open denial,
 * permission denial and the offline network block. Everything here takes its Electron objects as
 * parameters so it can be unit-tested with fakes (the Electron runtime is not available in CI).
 */

export const APP_SCHEME = 'app';
export const APP_HOST = 'station';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

export type StationMode = 'offline' | 'online';

function csp(connectSrc: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${connectSrc}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-src 'none'",
    "frame-ancestors 'none'",
    "worker-src 'none'",
  ].join('; ');
}

/** CSP for the Electron window: the renderer talks only through the preload bridge, never the network. */
export function appContentSecurityPolicy(): string {
  return csp("'none'");
}

/** CSP for the browser-mode host: the only connection allowed is the host's own WebSocket. */
export function hostContentSecurityPolicy(wsUrl: string): string {
  if (!/^ws:\/\/127\.0\.0\.1:\d+\/[a-z]+$/.test(wsUrl))
    throw new Error(`not a loopback websocket URL: ${wsUrl}`);
  return csp(wsUrl);
}

/**
 * DevTools are for development only: never in a packaged build, whatever the environment says (a
 * DevTools console in the station window could call every contract method). `requested`: STATION_DEVTOOLS=1
 * (StationConfig.devTools), read by the entry point.
 */
export function devToolsAllowed(packaged: boolean, requested: boolean): boolean {
  return !packaged && requested;
}

/** The one secure window factory's options. */
export function secureWindowOptions(
  preloadPath: string,
  opts: { packaged: boolean; devToolsRequested?: boolean } = { packaged: true },
): BrowserWindowConstructorOptions {
  return {
    width: 1360,
    height: 860,
    minWidth: 1024,
    minHeight: 640,
    show: false,
    backgroundColor: '#0f1720',
    title: 'Ceremony Station',
    webPreferences: {
      preload: preloadPath,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      safeDialogs: true,
      devTools: devToolsAllowed(opts.packaged, opts.devToolsRequested === true),
    },
  };
}

/** True for URLs of the station's own renderer (app://station/...). */
export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}

/**
 * Offline mode cancels every request that is not the app's own protocol (and devtools in a debug
 * build). Online mode additionally allows https to the hosts the portal profile names.
 */
export function shouldCancelRequest(
  url: string,
  mode: StationMode,
  allowedHttpsHosts: readonly string[] = [],
  packaged = true,
  devToolsRequested = false,
): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return true;
  }
  if (u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST) return false;
  if (u.protocol === 'devtools:' && devToolsAllowed(packaged, devToolsRequested)) return false;
  if (mode === 'online' && u.protocol === 'https:' && allowedHttpsHosts.includes(u.hostname)) return false;
  return true;
}

type NavigationEvent = { preventDefault(): void };
export type HardenableContents = Pick<WebContents, 'setWindowOpenHandler' | 'closeDevTools'> & {
  on(
    event: 'will-navigate' | 'will-redirect' | 'will-attach-webview',
    listener: (e: NavigationEvent, url: string) => void,
  ): unknown;
  on(event: 'devtools-opened', listener: () => void): unknown;
};

/**
 * Every web contents: no new windows, no navigation away from the app, no webviews, and DevTools closed
 * at once if anything opens them where they are not allowed.
 */
export function hardenWebContents(
  contents: HardenableContents,
  log: (msg: string) => void = () => {},
  packaged = true,
  devToolsRequested = false,
): void {
  contents.setWindowOpenHandler(({ url }) => {
    log(`window.open denied: ${url}`);
    return { action: 'deny' };
  });
  const denyForeign = (e: NavigationEvent, url: string) => {
    if (!isAppUrl(url)) {
      e.preventDefault();
      log(`navigation denied: ${url}`);
    }
  };
  contents.on('will-navigate', denyForeign);
  contents.on('will-redirect', denyForeign);
  contents.on('will-attach-webview', (e) => {
    e.preventDefault();
    log('webview denied');
  });
  contents.on('devtools-opened', () => {
    if (devToolsAllowed(packaged, devToolsRequested)) return;
    log('devtools closed: not allowed in this build');
    contents.closeDevTools();
  });
}

export type HardenableSession = Pick<
  Session,
  'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler'
> & {
  webRequest: {
    onBeforeRequest(
      listener: (details: OnBeforeRequestListenerDetails, callback: (r: CallbackResponse) => void) => void,
    ): void;
  };
};

/** Denies every permission (camera, notifications, HID, serial …) and filters the network by mode. */
export function hardenSession(
  session: HardenableSession,
  mode: () => StationMode,
  log: (msg: string) => void = () => {},
  packaged = true,
  devToolsRequested = false,
): void {
  session.setPermissionRequestHandler((_wc, permission, callback) => {
    log(`permission denied: ${permission}`);
    callback(false);
  });
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
  session.webRequest.onBeforeRequest((details, callback) => {
    const cancel = shouldCancelRequest(details.url, mode(), [], packaged, devToolsRequested);
    if (cancel) log(`request blocked (${mode()} mode): ${details.url}`);
    callback({ cancel });
  });
}
