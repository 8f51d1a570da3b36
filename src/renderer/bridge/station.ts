import { createStationApi, type Method, type StationApi } from '../../shared/contract';
import type { Result } from '../../shared/errors';
import { HOST_TOKEN_PROTOCOL_PREFIX, HOST_WS_PATH, HOST_WS_PROTOCOL } from '../../shared/host-protocol';

declare global {
  interface Window {
    /** Provided by the Electron preload; absent in browser mode, where connectBrowserHost provides it. */
    readonly station?: StationApi;
  }
}

const TOKEN_KEY = 'station.host-token';

/**
 * Reads the per-launch token from the URL fragment (never sent over HTTP), keeps it for reloads of this
 * tab only, and removes it from the address bar.
 */
function takeToken(): string | null {
  const m = /(?:^#|&)token=([0-9a-f]{64})(?:&|$)/.exec(window.location.hash);
  if (m?.[1]) {
    sessionStorage.setItem(TOKEN_KEY, m[1]);
    history.replaceState(null, '', window.location.pathname);
    return m[1];
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

export type ConnectionListener = (state: 'open' | 'closed') => void;

/**
 * Browser mode: the same contract over the host's WebSocket. Calls made after the connection drops
 * resolve to a HOST_DISCONNECTED error rather than hanging.
 */
export function connectBrowserHost(onState: ConnectionListener): Promise<StationApi> {
  const token = takeToken();
  if (!token) {
    return Promise.reject(
      new Error('This page was opened without its launch token. Start the station with `npm start`.'),
    );
  }
  const ws = new WebSocket(`ws://${window.location.host}${HOST_WS_PATH}`, [
    HOST_WS_PROTOCOL,
    `${HOST_TOKEN_PROTOCOL_PREFIX}${token}`,
  ]);
  const pending = new Map<number, (r: Result<unknown>) => void>();
  let nextId = 1;
  const disconnected: Result<never> = {
    ok: false,
    error: { code: 'HOST_DISCONNECTED', message: 'The connection to the station was lost.', data: {} },
  };

  ws.addEventListener('message', (ev) => {
    const msg = JSON.parse(String(ev.data)) as { id: number; result: Result<unknown> };
    pending.get(msg.id)?.(msg.result);
    pending.delete(msg.id);
  });
  let opened = false;
  ws.addEventListener('close', () => {
    for (const resolve of pending.values()) resolve(disconnected);
    pending.clear();
    // A socket refused at the handshake never opened: that is reported by the rejected promise.
    if (opened) onState('closed');
  });

  const invoke = (method: Method, input: unknown): Promise<Result<unknown>> =>
    new Promise((resolve) => {
      if (ws.readyState !== WebSocket.OPEN) return resolve(disconnected);
      const id = nextId++;
      pending.set(id, resolve);
      ws.send(JSON.stringify({ id, method, input }));
    });

  return new Promise((resolve, reject) => {
    ws.addEventListener('open', () => {
      opened = true;
      onState('open');
      resolve(createStationApi(invoke));
    });
    ws.addEventListener('error', () => reject(new Error('The station host refused the connection.')));
  });
}

export async function connectStation(onState: ConnectionListener): Promise<StationApi> {
  if (window.station) {
    onState('open');
    return window.station;
  }
  return connectBrowserHost(onState);
}
