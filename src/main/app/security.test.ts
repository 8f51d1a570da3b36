import { describe, expect, it, vi } from 'vitest';
import {
  appContentSecurityPolicy,
  devToolsAllowed,
  hardenSession,
  hardenWebContents,
  hostContentSecurityPolicy,
  isAppUrl,
  secureWindowOptions,
  shouldCancelRequest,
} from './security';

describe('secureWindowOptions (the one window factory)', () => {
  it('turns on every isolation and turns off every Node and navigation surface', () => {
    const o = secureWindowOptions('/x/preload.cjs');
    expect(o.webPreferences).toMatchObject({
      preload: '/x/preload.cjs',
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
    });
  });
});

describe('Content-Security-Policy', () => {
  it('allows no inline or eval script, no network in the Electron window', () => {
    const p = appContentSecurityPolicy();
    expect(p).toContain("default-src 'none'");
    expect(p).toContain("script-src 'self'");
    expect(p).toContain("connect-src 'none'");
    expect(p).toContain("frame-ancestors 'none'");
    expect(p).not.toMatch(/unsafe-(inline|eval)|\*/);
  });

  it('allows only the host’s own loopback websocket in browser mode', () => {
    expect(hostContentSecurityPolicy('ws://127.0.0.1:4567/ipc')).toContain(
      'connect-src ws://127.0.0.1:4567/ipc;',
    );
    expect(() => hostContentSecurityPolicy('ws://example.com:80/ipc')).toThrow();
    expect(() => hostContentSecurityPolicy("ws://127.0.0.1:1/ipc; script-src 'unsafe-inline'")).toThrow();
  });
});

describe('network filter by mode', () => {
  it.each([
    ['app://station/index.html', 'offline', false],
    ['app://station/assets/x.js', 'online', false],
    ['https://example.com/', 'offline', true],
    ['http://127.0.0.1:80/', 'offline', true],
    ['ws://127.0.0.1:1/', 'offline', true],
    ['file:///etc/passwd', 'offline', true],
    ['app://evil/x', 'offline', true],
    ['https://portal.example/', 'online', true],
    ['::::', 'offline', true],
  ] as const)('%s in %s mode → cancel=%s', (url, mode, cancel) => {
    expect(shouldCancelRequest(url, mode)).toBe(cancel);
  });

  it('online mode allows https only to hosts a portal profile names', () => {
    expect(shouldCancelRequest('https://portal.example/x', 'online', ['portal.example'])).toBe(false);
    expect(shouldCancelRequest('https://portal.example/x', 'offline', ['portal.example'])).toBe(true);
    expect(shouldCancelRequest('http://portal.example/x', 'online', ['portal.example'])).toBe(true);
  });

  it('isAppUrl accepts only app://station', () => {
    expect(isAppUrl('app://station/index.html')).toBe(true);
    expect(isAppUrl('app://stationx/index.html')).toBe(false);
    expect(isAppUrl('https://station/')).toBe(false);
  });
});

type Listener = (e: { preventDefault(): void }, url: string) => void;

function fakeContents() {
  const listeners = new Map<string, Listener>();
  let openHandler: ((d: { url: string }) => { action: string }) | null = null;
  return {
    devToolsClosed: 0,
    on: (event: string, l: Listener) => listeners.set(event, l),
    closeDevTools() {
      this.devToolsClosed++;
    },
    setWindowOpenHandler: (h: (d: { url: string }) => { action: string }) => (openHandler = h),
    fire(event: string, url: string) {
      const e = { preventDefault: vi.fn() };
      listeners.get(event)?.(e, url);
      return e.preventDefault.mock.calls.length > 0;
    },
    open: (url: string) => openHandler?.({ url }),
  };
}

describe('hardenWebContents', () => {
  it('denies new windows, foreign navigation and redirects, and every webview', () => {
    const c = fakeContents();
    hardenWebContents(c as never);
    expect(c.open('https://example.com/')).toEqual({ action: 'deny' });
    expect(c.open('app://station/index.html')).toEqual({ action: 'deny' });
    expect(c.fire('will-navigate', 'https://example.com/')).toBe(true);
    expect(c.fire('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(c.fire('will-navigate', 'app://station/index.html')).toBe(false);
    expect(c.fire('will-redirect', 'https://example.com/')).toBe(true);
    expect(c.fire('will-attach-webview', 'app://station/index.html')).toBe(true);
  });

  it('closes DevTools the moment they open in a packaged build, even with STATION_DEVTOOLS=1', () => {
    const packaged = fakeContents();
    hardenWebContents(packaged as never, () => {}, true, true);
    packaged.fire('devtools-opened', '');
    expect(packaged.devToolsClosed).toBe(1);
    const dev = fakeContents();
    hardenWebContents(dev as never, () => {}, false, true);
    dev.fire('devtools-opened', '');
    expect(dev.devToolsClosed).toBe(0);
    const unasked = fakeContents();
    hardenWebContents(unasked as never, () => {}, false);
    unasked.fire('devtools-opened', '');
    expect(unasked.devToolsClosed).toBe(1);
  });
});

describe('DevTools policy', () => {
  it('never in a packaged build; in development only when asked', () => {
    expect(devToolsAllowed(true, true)).toBe(false);
    expect(devToolsAllowed(false, true)).toBe(true);
    expect(devToolsAllowed(false, false)).toBe(false);
    expect(
      secureWindowOptions('/p', { packaged: true, devToolsRequested: true }).webPreferences?.devTools,
    ).toBe(false);
    expect(
      secureWindowOptions('/p', { packaged: false, devToolsRequested: true }).webPreferences?.devTools,
    ).toBe(true);
    expect(secureWindowOptions('/p', { packaged: false }).webPreferences?.devTools).toBe(false);
    expect(secureWindowOptions('/p').webPreferences?.devTools).toBe(false);
    expect(shouldCancelRequest('devtools://devtools/bundled/x', 'offline')).toBe(true);
    expect(shouldCancelRequest('devtools://devtools/bundled/x', 'offline', [], true, true)).toBe(true);
    expect(shouldCancelRequest('devtools://devtools/bundled/x', 'offline', [], false)).toBe(true);
    expect(shouldCancelRequest('devtools://devtools/bundled/x', 'offline', [], false, true)).toBe(false);
  });
});

describe('hardenSession', () => {
  it('denies every permission and cancels off-app requests in offline mode', () => {
    let requestHandler: ((wc: unknown, permission: string, cb: (ok: boolean) => void) => void) | null = null;
    let checkHandler: (() => boolean) | null = null;
    let deviceHandler: (() => boolean) | null = null;
    let filter: ((d: { url: string }, cb: (r: { cancel?: boolean }) => void) => void) | null = null;
    const session = {
      setPermissionRequestHandler: (h: typeof requestHandler) => (requestHandler = h),
      setPermissionCheckHandler: (h: typeof checkHandler) => (checkHandler = h),
      setDevicePermissionHandler: (h: typeof deviceHandler) => (deviceHandler = h),
      webRequest: { onBeforeRequest: (h: typeof filter) => (filter = h) },
    };
    hardenSession(session as never, () => 'offline');
    for (const permission of ['media', 'notifications', 'hid', 'serial', 'clipboard-read', 'geolocation']) {
      const cb = vi.fn();
      requestHandler!(null, permission, cb);
      expect(cb).toHaveBeenCalledWith(false);
    }
    expect(checkHandler!()).toBe(false);
    expect(deviceHandler!()).toBe(false);
    const decide = (url: string) => {
      const cb = vi.fn();
      filter!({ url }, cb);
      return cb.mock.calls[0]?.[0];
    };
    expect(decide('https://example.com/')).toEqual({ cancel: true });
    expect(decide('app://station/index.html')).toEqual({ cancel: false });
  });
});
