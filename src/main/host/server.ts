import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { HOST_TOKEN_PROTOCOL_PREFIX, HOST_WS_PATH, HOST_WS_PROTOCOL } from '../../shared/host-protocol';
import type { Dispatch } from '../ipc/dispatcher';
import { resolveRendererFile } from '../app/renderer-files';
import { hostContentSecurityPolicy } from '../app/security';

/**
 * Browser-mode host: serves the built renderer on 127.0.0.1 and carries the same contract handlers over
 * a WebSocket, for machines without the Electron runtime and for e2e tests.
 *
 * Guards, in order, before any handler runs:
 *  - Host header must be this server's own 127.0.0.1:port (defeats DNS rebinding);
 *  - the WebSocket Origin must be this server's own origin (defeats other local pages);
 *  - the WebSocket must offer the per-launch secret token (subprotocol `token.<hex>`), compared in
 *    constant time; the token reaches the page only through the URL fragment, which is never sent
 *    over HTTP.
 * Each message then goes through the dispatcher (sender check, zod input, coded errors).
 */
const MAX_MESSAGE_BYTES = 1 << 20;

export interface HostOptions {
  readonly rendererDir: string;
  /** Builds the dispatcher once the host knows its own origin (the only trusted sender). */
  readonly createDispatch: (origin: string) => Dispatch;
  readonly port?: number;
  readonly log?: (msg: string) => void;
}

export interface RunningHost {
  readonly origin: string;
  readonly port: number;
  /** The URL to open: origin plus the token in the fragment. */
  readonly launchUrl: string;
  readonly token: string;
  close(): Promise<void>;
}

export function parseWsMessage(
  data: string,
):
  { ok: true; id: number; method: string; input: unknown } | { ok: false; id: number | null; field: string } {
  let msg: unknown;
  try {
    msg = JSON.parse(data);
  } catch {
    return { ok: false, id: null, field: 'message' };
  }
  if (typeof msg !== 'object' || msg === null) return { ok: false, id: null, field: 'message' };
  const { id, method, input } = msg as Record<string, unknown>;
  if (typeof id !== 'number' || !Number.isSafeInteger(id)) return { ok: false, id: null, field: 'id' };
  if (typeof method !== 'string') return { ok: false, id, field: 'method' };
  return { ok: true, id, method, input };
}

export function tokenFromProtocols(header: string | undefined): string | null {
  if (!header) return null;
  const offered = header.split(',').map((s) => s.trim());
  if (!offered.includes(HOST_WS_PROTOCOL)) return null;
  const t = offered.find((p) => p.startsWith(HOST_TOKEN_PROTOCOL_PREFIX));
  return t ? t.slice(HOST_TOKEN_PROTOCOL_PREFIX.length) : null;
}

function tokenMatches(offered: string | null, expected: string): boolean {
  if (offered === null) return false;
  const a = Buffer.from(offered);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function startHost(opts: HostOptions): Promise<RunningHost> {
  const token = randomBytes(32).toString('hex');
  const log = opts.log ?? (() => {});
  let origin = '';
  let hostHeader = '';

  const server = createServer((req, res) => serveStatic(req, res));
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    handleProtocols: (protocols) => (protocols.has(HOST_WS_PROTOCOL) ? HOST_WS_PROTOCOL : false),
  });

  function serveStatic(req: IncomingMessage, res: ServerResponse): void {
    if (req.headers.host !== hostHeader) return refuse(res, 421, 'wrong Host');
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'method not allowed');
    const found = resolveRendererFile(opts.rendererDir, new URL(req.url ?? '/', origin).pathname);
    if (!found) return refuse(res, 404, 'not found');
    res.writeHead(200, {
      ...securityHeaders(),
      'Content-Type': found.contentType,
      'Content-Length': found.size,
    });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(found.file).pipe(res);
  }

  function securityHeaders(): Record<string, string> {
    return {
      'Content-Security-Policy': hostContentSecurityPolicy(`ws://${hostHeader}${HOST_WS_PATH}`),
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Cache-Control': 'no-store',
    };
  }

  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const reject = (status: number, why: string) => {
      log(`websocket refused: ${why}`);
      socket.end(`HTTP/1.1 ${status} ${why}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    const path = new URL(req.url ?? '/', origin).pathname;
    if (path !== HOST_WS_PATH) return reject(404, 'Not Found');
    if (req.headers.host !== hostHeader) return reject(421, 'Misdirected Request');
    if (req.headers.origin !== origin) return reject(403, 'Forbidden');
    if (!tokenMatches(tokenFromProtocols(req.headers['sec-websocket-protocol']), token)) {
      return reject(401, 'Unauthorized');
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveSocket(ws));
  });

  let dispatch: Dispatch | null = null;

  function serveSocket(ws: WebSocket): void {
    const sender = { url: origin, isMainFrame: true };
    ws.on('message', (data, isBinary) => {
      if (isBinary) return ws.close(1003, 'text frames only');
      const msg = parseWsMessage(data.toString());
      if (!msg.ok) {
        if (msg.id === null) return ws.close(1008, `malformed message: ${msg.field}`);
        const error = {
          code: 'INVALID_INPUT',
          message: `${msg.field} is missing or not a string`,
          data: { field: msg.field },
        };
        return ws.send(JSON.stringify({ id: msg.id, result: { ok: false, error } }));
      }
      void (dispatch as Dispatch)(msg.method, msg.input, sender).then((result) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id: msg.id, result }));
      });
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  hostHeader = `127.0.0.1:${port}`;
  origin = `http://${hostHeader}`;
  dispatch = opts.createDispatch(origin);

  return {
    origin,
    port,
    token,
    launchUrl: `${origin}/#token=${token}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function refuse(res: ServerResponse, status: number, why: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(`${why}\n`);
}
