import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  HOST_SESSION_PREFIX,
  HOST_TICKET_PREFIX,
  HOST_WS_PATH,
  HOST_WS_PROTOCOL,
  type HostHello,
} from '../../shared/host-protocol';
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
 *  - the WebSocket must offer the one-time launch ticket (spent by the first socket, which receives a
 *    session secret) or that session secret, compared in constant time; the ticket reaches the page
 *    only through the URL fragment, which is never sent over HTTP.
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
  /** The URL to open: origin plus the one-time ticket in the fragment. */
  readonly launchUrl: string;
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

/** The credential a socket offers: the launch ticket or the session secret (null when neither). */
export function credentialFromProtocols(
  header: string | undefined,
): { kind: 'ticket' | 'session'; value: string } | null {
  if (!header) return null;
  const offered = header.split(',').map((s) => s.trim());
  if (!offered.includes(HOST_WS_PROTOCOL)) return null;
  for (const p of offered) {
    if (p.startsWith(HOST_TICKET_PREFIX))
      return { kind: 'ticket', value: p.slice(HOST_TICKET_PREFIX.length) };
    if (p.startsWith(HOST_SESSION_PREFIX))
      return { kind: 'session', value: p.slice(HOST_SESSION_PREFIX.length) };
  }
  return null;
}

function secretMatches(offered: string, expected: string | null): boolean {
  if (expected === null) return false;
  const a = Buffer.from(offered);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Parses a request target without throwing (a malformed one must not take the host down). */
function pathOf(url: string | undefined, origin: string): string | null {
  try {
    return new URL(url ?? '/', origin).pathname;
  } catch {
    return null;
  }
}

export async function startHost(opts: HostOptions): Promise<RunningHost> {
  // Spent by the first socket that offers it; that socket's page then holds the session secret.
  let ticket: string | null = randomBytes(32).toString('hex');
  const launchTicket = ticket;
  let sessionSecret: string | null = null;
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
    const path = pathOf(req.url, origin);
    if (path === null) return refuse(res, 400, 'bad request');
    const found = resolveRendererFile(opts.rendererDir, path);
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
    if (req.headers.host !== hostHeader) return reject(421, 'Misdirected Request');
    if (pathOf(req.url, origin) !== HOST_WS_PATH) return reject(404, 'Not Found');
    if (req.headers.origin !== origin) return reject(403, 'Forbidden');
    const credential = credentialFromProtocols(req.headers['sec-websocket-protocol']);
    let issue: string | null = null;
    if (credential?.kind === 'ticket' && secretMatches(credential.value, ticket)) {
      ticket = null;
      sessionSecret = randomBytes(32).toString('hex');
      issue = sessionSecret;
    } else if (!(credential?.kind === 'session' && secretMatches(credential.value, sessionSecret))) {
      return reject(401, 'Unauthorized');
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (issue) ws.send(JSON.stringify({ type: 'session', secret: issue } satisfies HostHello));
      serveSocket(ws);
    });
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
    launchUrl: `${origin}/#ticket=${launchTicket}`,
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
