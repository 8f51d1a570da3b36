import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import {
  HOST_HARD_MESSAGE_BYTES,
  HOST_MAX_MESSAGE_BYTES,
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
 *  - the WebSocket must offer the one-time launch ticket or the current session secret, compared in
 *    constant time. A credential is spent only once the upgrade has completed (a malformed handshake
 *    spends nothing, so it cannot lock the real window out); every accepted socket is issued a fresh
 *    session secret, and the newest socket is the only one the session serves (the one before it is
 *    closed with 4000).
 * Each message then goes through the dispatcher (sender check, zod input, coded errors).
 *
 * One bad peer never takes the host down: every raw socket and WebSocket has an error handler; a bad
 * frame (unmasked, RSV bits, unknown opcode, invalid UTF-8, fragmented control frame, bad close code,
 * oversize) closes that connection with the close code the protocol assigns, and the host keeps serving.
 */
export interface HostOptions {
  readonly rendererDir: string;
  /** Builds the dispatcher once the host knows its own origin (the only trusted sender). */
  readonly createDispatch: (origin: string) => Dispatch;
  readonly port?: number;
  readonly log?: (msg: string) => void;
  /** Called once, when the launch ticket has opened the app window's socket (e.g. to remove the launch file). */
  readonly onTicketSpent?: () => void;
}

export interface RunningHost {
  readonly origin: string;
  readonly port: number;
  /** The page's address, without any credential: safe to print. */
  readonly url: string;
  /**
   * The page's address with the one-time ticket in its fragment. A secret: hand it over only through a
   * channel the station's own user alone can read (see launch-file.ts), never argv or the terminal.
   */
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

const newSecret = () => randomBytes(32).toString('hex');

/** The bytes of a message as ws delivers it (a Buffer, an array of fragments, or an ArrayBuffer). */
function rawText(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

export async function startHost(opts: HostOptions): Promise<RunningHost> {
  let ticket: string | null = newSecret();
  const launchTicket = ticket;
  let sessionSecret: string | null = null;
  /** The one socket the session serves. */
  let current: WebSocket | null = null;
  const log = opts.log ?? (() => {});
  let origin = '';
  let hostHeader = '';

  const server = createServer((req, res) => serveStatic(req, res));
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: HOST_HARD_MESSAGE_BYTES,
    perMessageDeflate: false,
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
    const stream = createReadStream(found.file);
    stream.on('error', (e) => {
      log(`static file ${path} could not be read: ${e.message}`);
      res.destroy();
    });
    stream.pipe(res);
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

  type Credential = ReturnType<typeof credentialFromProtocols>;
  const credentialValid = (c: Credential): boolean =>
    c?.kind === 'ticket'
      ? secretMatches(c.value, ticket)
      : c?.kind === 'session'
        ? secretMatches(c.value, sessionSecret)
        : false;

  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    // Node detaches its own handlers from an upgraded socket: without this, a reset kills the process.
    socket.on('error', (e: NodeJS.ErrnoException) => log(`upgrade socket error: ${e.code ?? e.message}`));
    const reject = (status: number, why: string) => {
      log(`websocket refused: ${why}`);
      if (!socket.writable) return void socket.destroy();
      socket.once('finish', () => socket.destroy());
      socket.end(`HTTP/1.1 ${status} ${why}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (req.headers.host !== hostHeader) return reject(421, 'Misdirected Request');
    if (pathOf(req.url, origin) !== HOST_WS_PATH) return reject(404, 'Not Found');
    if (req.headers.origin !== origin) return reject(403, 'Forbidden');
    const credential = credentialFromProtocols(req.headers['sec-websocket-protocol']);
    if (!credentialValid(credential)) return reject(401, 'Unauthorized');
    // ws validates the rest of the handshake and calls back only for a completed upgrade: the
    // credential is spent there, never for a handshake that failed.
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', (e: Error & { code?: string }) =>
        log(`websocket closed on a protocol error: ${e.code ?? e.message}`),
      );
      if (!credentialValid(credential)) return ws.close(1008, 'credential already spent');
      if (credential?.kind === 'ticket') {
        ticket = null;
        try {
          opts.onTicketSpent?.();
        } catch (e) {
          log(`after the ticket was spent: ${(e as Error).message}`);
        }
      }
      sessionSecret = newSecret();
      const previous = current;
      current = ws;
      if (previous && previous.readyState === previous.OPEN)
        previous.close(4000, 'superseded by a newer connection');
      ws.send(JSON.stringify({ type: 'session', secret: sessionSecret } satisfies HostHello));
      serveSocket(ws);
    });
  });

  let dispatch: Dispatch | null = null;

  function reply(ws: WebSocket, id: number, result: unknown): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id, result }));
  }

  function serveSocket(ws: WebSocket): void {
    const sender = { url: origin, isMainFrame: true };
    ws.on('message', (data, isBinary) => {
      if (ws !== current) return ws.close(4000, 'superseded by a newer connection');
      if (isBinary) return ws.close(1003, 'text frames only');
      const text = rawText(data);
      const msg = parseWsMessage(text.toString('utf8'));
      if (!msg.ok) {
        if (msg.id === null) return ws.close(1008, `malformed message: ${msg.field}`);
        const error = {
          code: 'INVALID_INPUT',
          message: `${msg.field} is missing or not a string`,
          data: { field: msg.field },
        };
        return reply(ws, msg.id, { ok: false, error });
      }
      if (text.length > HOST_MAX_MESSAGE_BYTES) {
        const error = {
          code: 'MESSAGE_TOO_LARGE',
          message: `the request is ${text.length} bytes; the station accepts at most ${HOST_MAX_MESSAGE_BYTES}`,
          data: { field: 'message', bytes: text.length, limit: HOST_MAX_MESSAGE_BYTES },
        };
        return reply(ws, msg.id, { ok: false, error });
      }
      (dispatch as Dispatch)(msg.method, msg.input, sender)
        .then((result) => reply(ws, msg.id, result))
        .catch((e: unknown) => {
          // The dispatcher wraps every handler fault; reaching here is a bug, never a crash.
          log(`dispatch failed: ${e instanceof Error ? e.message : String(e)}`);
          const error = { code: 'INTERNAL', message: 'an unexpected fault', data: {} };
          reply(ws, msg.id, { ok: false, error });
        });
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  server.on('error', (e) => log(`host server error: ${e.message}`));
  const { port } = server.address() as AddressInfo;
  hostHeader = `127.0.0.1:${port}`;
  origin = `http://${hostHeader}`;
  dispatch = opts.createDispatch(origin);

  return {
    origin,
    port,
    url: `${origin}/`,
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
