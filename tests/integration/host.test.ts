import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect as connectTcp } from 'node:net';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { readLaunchFile, writeLaunchFile } from '../../src/main/host/launch-file';
import { startHost, type RunningHost } from '../../src/main/host/server';
import { openStationRuntime } from '../../src/main/runtime';
import { createDemoStation } from '../../src/main/demo/demo';
import { systemDeps } from '../../src/main/runtime';
import { rawConnect, upgradeRequest } from '../helpers/raw-ws';
import { tempDir } from '../helpers/temp';

let host: RunningHost | null = null;
let closeRuntime: (() => void) | null = null;
afterEach(async () => {
  await host?.close();
  closeRuntime?.();
  host = null;
});

async function startDemoHost() {
  const dir = tempDir();
  (await createDemoStation(join(dir, 'station'), systemDeps)).close();
  const rendererDir = join(dir, 'renderer');
  mkdirSync(rendererDir);
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(join(dir, 'secret.txt'), 'outside the renderer');
  const runtime = openStationRuntime(join(dir, 'station'), 'browser', () => {});
  closeRuntime = runtime.close;
  host = await startHost({ rendererDir, createDispatch: (origin) => runtime.dispatchFor([origin]) });
  return host;
}

const ticketOf = (h: RunningHost) => h.launchUrl.split('#ticket=')[1]!;

function connect(h: RunningHost, opts: { protocols?: string[]; origin?: string; hostHeader?: string }) {
  return new WebSocket(
    `ws://127.0.0.1:${h.port}/ipc`,
    opts.protocols ?? ['station.v1', `ticket.${ticketOf(h)}`],
    {
      origin: opts.origin ?? h.origin,
      headers: opts.hostHeader ? { host: opts.hostHeader } : {},
    },
  );
}

function refusedStatus(ws: WebSocket): Promise<number> {
  return new Promise((resolve, reject) => {
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('open', () => reject(new Error('connection was accepted')));
    ws.on('error', () => {});
  });
}

/** Opens a socket with the launch ticket and returns it with the session secret the host issued. */
async function openWithTicket(h: RunningHost): Promise<{ ws: WebSocket; secret: string }> {
  const ws = connect(h, {});
  const hello = await new Promise<{ type: string; secret: string }>((resolve, reject) => {
    ws.once('message', (d) => resolve(JSON.parse(String(d)) as { type: string; secret: string }));
    ws.once('error', reject);
  });
  expect(hello.type).toBe('session');
  return { ws, secret: hello.secret };
}

function call(
  ws: WebSocket,
  payload: unknown,
): Promise<{
  id: number;
  result: { ok: boolean; value?: unknown; error?: { code: string; data: Record<string, unknown> } };
}> {
  return new Promise((resolve) => {
    ws.once('message', (data) => resolve(JSON.parse(String(data))));
    ws.send(typeof payload === 'string' ? payload : JSON.stringify(payload));
  });
}

function get(h: RunningHost, path: string, hostHeader = `127.0.0.1:${h.port}`) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: h.port, path, headers: { host: hostHeader } }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end();
    },
  );
}

describe('browser-mode host', () => {
  it('listens on loopback only; the printable URL carries no credential, the launch URL a one-time ticket', async () => {
    const h = await startDemoHost();
    expect(h.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(h.url).toBe(`${h.origin}/`);
    expect(h.launchUrl).toMatch(new RegExp(`^${h.origin}/#ticket=[0-9a-f]{64}$`));
  });

  it('the ticket opens one socket only; each reconnect spends the session secret and is given a new one', async () => {
    const h = await startDemoHost();
    const { ws, secret } = await openWithTicket(h);
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    // Someone who read the ticket anywhere afterwards gets nothing.
    expect(await refusedStatus(connect(h, {}))).toBe(401);
    ws.close();
    const again = connect(h, { protocols: ['station.v1', `session.${secret}`] });
    const next = await new Promise<string>((resolve) =>
      again.once('message', (d) => resolve((JSON.parse(String(d)) as { secret: string }).secret)),
    );
    expect(next).toMatch(/^[0-9a-f]{64}$/);
    expect(next).not.toBe(secret);
    expect(await call(again, { id: 1, method: 'stationInfo', input: {} })).toMatchObject({
      result: { ok: true },
    });
    again.close();
    // The secret that was spent, or a made-up one, opens nothing.
    expect(await refusedStatus(connect(h, { protocols: ['station.v1', `session.${secret}`] }))).toBe(401);
    expect(await refusedStatus(connect(h, { protocols: ['station.v1', `session.${'0'.repeat(64)}`] }))).toBe(
      401,
    );
  });

  it('a malformed handshake carrying the real ticket spends nothing: the app window still gets in', async () => {
    const h = await startDemoHost();
    const ticket = ticketOf(h);
    for (const broken of [
      upgradeRequest(h.port, { protocols: `station.v1, ticket.${ticket}`, key: 'not-a-key' }),
      upgradeRequest(h.port, { protocols: `station.v1, ticket.${ticket}`, key: null }),
      upgradeRequest(h.port, { protocols: `station.v1, ticket.${ticket}`, version: '7' }),
      upgradeRequest(h.port, { protocols: `station.v1,, ticket.${ticket}` }),
    ]) {
      const peer = await rawConnect(h.port, broken);
      expect(peer.response).toMatch(/^$|^HTTP\/1\.1 400/);
      peer.socket.destroy();
    }
    const { ws } = await openWithTicket(h);
    ws.close();
  });

  it('the session serves one connection: a newer authenticated socket closes the older one (4000)', async () => {
    const h = await startDemoHost();
    const first = await openWithTicket(h);
    const closed = new Promise<number>((r) => first.ws.once('close', (code) => r(code)));
    const second = connect(h, { protocols: ['station.v1', `session.${first.secret}`] });
    await new Promise((r) => second.once('message', r));
    expect(await closed).toBe(4000);
    expect(await call(second, { id: 5, method: 'stationInfo', input: {} })).toMatchObject({
      result: { ok: true },
    });
    second.close();
  });

  it('the launch file is private (0700 folder, 0600 file), leads to the launch URL and goes away', () => {
    const url = `http://127.0.0.1:1234/#ticket=${'ab'.repeat(32)}`;
    const launch = writeLaunchFile(url, tempDir());
    expect(statSync(dirname(launch.path)).mode & 0o777).toBe(0o700);
    expect(statSync(launch.path).mode & 0o777).toBe(0o600);
    expect(readLaunchFile(launch.path)).toBe(url);
    expect(launch.url).toBe(`file://${launch.path}`);
    launch.remove();
    expect(existsSync(dirname(launch.path))).toBe(false);
  });

  it('refuses a connection without a credential, with a wrong one, a foreign Origin or Host — before any handler', async () => {
    const h = await startDemoHost();
    expect(await refusedStatus(connect(h, { protocols: ['station.v1'] }))).toBe(401);
    expect(await refusedStatus(connect(h, { protocols: ['station.v1', `ticket.${'0'.repeat(64)}`] }))).toBe(
      401,
    );
    expect(await refusedStatus(connect(h, { origin: 'http://evil.example' }))).toBe(403);
    expect(await refusedStatus(connect(h, { origin: `http://localhost:${h.port}` }))).toBe(403);
    expect(await refusedStatus(connect(h, { hostHeader: `rebind.example:${h.port}` }))).toBe(421);
    // None of those spent the ticket.
    const { ws } = await openWithTicket(h);
    ws.close();
  });

  it('serves the same contract: valid calls answer, wrong shapes get INVALID_INPUT naming the field', async () => {
    const h = await startDemoHost();
    const { ws } = await openWithTicket(h);

    const info = await call(ws, { id: 1, method: 'stationInfo', input: {} });
    expect(info).toMatchObject({
      id: 1,
      result: { ok: true, value: { demo: true, mode: 'offline', host: 'browser' } },
    });

    const bad = await call(ws, { id: 2, method: 'journalPage', input: { fromSeq: -1, limit: 5 } });
    expect(bad).toMatchObject({
      id: 2,
      result: { ok: false, error: { code: 'INVALID_INPUT', data: { field: 'input.fromSeq' } } },
    });

    const noMethod = await call(ws, { id: 3, input: {} });
    expect(noMethod).toMatchObject({
      id: 3,
      result: { ok: false, error: { code: 'INVALID_INPUT', data: { field: 'method' } } },
    });

    const unknown = await call(ws, { id: 4, method: 'constructor', input: {} });
    expect(unknown.result.error?.code).toBe('UNKNOWN_CHANNEL');
    ws.close();
  });

  it('closes the socket on a message it cannot attribute (no id, not JSON)', async () => {
    const h = await startDemoHost();
    const { ws } = await openWithTicket(h);
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    ws.send('not json');
    expect(await closed).toBe(1008);
  });

  it('serves the renderer with a strict CSP, only from its own folder, only for its own Host', async () => {
    const h = await startDemoHost();
    const index = await get(h, '/');
    expect(index.status).toBe(200);
    expect(String(index.headers['content-security-policy'])).toContain(
      `connect-src ws://127.0.0.1:${h.port}/ipc`,
    );
    expect(index.headers['x-frame-options']).toBe('DENY');
    // Encoded separators survive URL parsing and reach the file guard itself.
    for (const path of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
      '/%2e%2e%2fsecret.txt',
      '/%00',
      '/%E0%A4%A',
    ]) {
      expect((await get(h, path)).status, path).toBe(404);
    }
    expect((await get(h, '/', `evil.example:${h.port}`)).status).toBe(421);
  });

  it('a malformed request target is answered 400 and the host keeps serving', async () => {
    const h = await startDemoHost();
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connectTcp(h.port, '127.0.0.1', () =>
        socket.write(`GET http://[ HTTP/1.1\r\nHost: 127.0.0.1:${h.port}\r\n\r\n`),
      );
      let data = '';
      socket.on('data', (d) => (data += String(d)));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400/);
    expect((await get(h, '/')).status).toBe(200);
  });
});
