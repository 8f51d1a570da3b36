import { createStationApi, type Method, type StationApi } from '../../shared/contract';
import type { Result } from '../../shared/errors';
import {
  HOST_MAX_MESSAGE_BYTES,
  HOST_SESSION_PREFIX,
  HOST_TICKET_PREFIX,
  HOST_WS_PATH,
  HOST_WS_PROTOCOL,
  type HostHello,
} from '../../shared/host-protocol';

declare global {
  interface Window {
    /** Provided by the Electron preload; absent in browser mode, where connectBrowserHost provides it. */
    readonly station?: StationApi;
  }
}

const SESSION_KEY = 'station.host-session';

/**
 * The credential for the host: the one-time launch ticket from the URL fragment (never sent over
 * HTTP; removed from the address bar at once), or, after a reload, the session secret the host gave
 * this tab (kept in this tab's sessionStorage only).
 */
function takeCredential(): string | null {
  const m = /(?:^#|&)ticket=([0-9a-f]{64})(?:&|$)/.exec(window.location.hash);
  if (m?.[1]) {
    history.replaceState(null, '', window.location.pathname);
    return `${HOST_TICKET_PREFIX}${m[1]}`;
  }
  const session = sessionStorage.getItem(SESSION_KEY);
  return session ? `${HOST_SESSION_PREFIX}${session}` : null;
}

export type ConnectionListener = (state: 'open' | 'closed') => void;

/**
 * Browser mode: the same contract over the host's WebSocket. Calls made after the connection drops
 * resolve to a HOST_DISCONNECTED error rather than hanging.
 */
export function connectBrowserHost(onState: ConnectionListener): Promise<StationApi> {
  const credential = takeCredential();
  if (!credential) {
    return Promise.reject(
      new Error('This page was opened without its launch token. Start the station with `npm start`.'),
    );
  }
  const ws = new WebSocket(`ws://${window.location.host}${HOST_WS_PATH}`, [HOST_WS_PROTOCOL, credential]);
  const pending = new Map<number, (r: Result<unknown>) => void>();
  let nextId = 1;
  const disconnected: Result<never> = {
    ok: false,
    error: { code: 'HOST_DISCONNECTED', message: 'The connection to the station was lost.', data: {} },
  };

  ws.addEventListener('message', (ev) => {
    const msg = JSON.parse(String(ev.data)) as { id: number; result: Result<unknown> } | HostHello;
    if ('type' in msg) {
      if (msg.type === 'session') sessionStorage.setItem(SESSION_KEY, msg.secret);
      return;
    }
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
      const message = JSON.stringify({ id, method, input });
      // UTF-8 is at most 3 bytes per UTF-16 unit: only a long message needs encoding to be measured.
      const bytes =
        message.length * 3 > HOST_MAX_MESSAGE_BYTES ? new TextEncoder().encode(message).length : 0;
      if (bytes > HOST_MAX_MESSAGE_BYTES) {
        return resolve({
          ok: false,
          error: {
            code: 'MESSAGE_TOO_LARGE',
            message: `This request is ${bytes} bytes; the station accepts at most ${HOST_MAX_MESSAGE_BYTES}.`,
            data: { field: 'message', bytes, limit: HOST_MAX_MESSAGE_BYTES },
          },
        });
      }
      pending.set(id, resolve);
      ws.send(message);
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
