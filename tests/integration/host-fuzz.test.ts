import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLaunchFile } from '../../src/main/host/launch-file';
import { journalLength, STATION_BIN, stationCli } from '../e2e/harness';
import { frame, rawConnect, upgradeRequest, type RawPeer } from '../helpers/raw-ws';

/**
 * Host fuzz (issue #10, finding 1): the real `station serve` process, hit with malformed handshakes,
 * connection resets and malformed frames before and after login. After every case the same process
 * must still serve the page and answer an authenticated call; nothing reaches a handler before
 * authentication (the journal does not move).
 */
let child: ChildProcess;
let port = 0;
let dataDir = '';
let root = '';
let secret = '';
let stderr = '';
let journalBefore = 0;
const TEXT = 0x1;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'station-fuzz-'));
  dataDir = join(root, 'station');
  expect(stationCli(['demo', '--data-dir', dataDir]).status).toBe(0);
  journalBefore = journalLength(dataDir);
  child = spawn(process.execPath, [STATION_BIN, 'serve', '--no-open', '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr?.on('data', (d) => (stderr += String(d)));
  const launch = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${out} ${stderr}`)), 20_000);
    child.stdout?.on('data', (d) => {
      out += String(d);
      const m = /launch file \(readable by you only\): (\S+)\n/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(readLaunchFile(m[1]));
      }
    });
  });
  const url = new URL(launch);
  port = Number(url.port);
  const ticket = url.hash.replace('#ticket=', '');
  const peer = await rawConnect(port, upgradeRequest(port, { protocols: `station.v1, ticket.${ticket}` }));
  expect(peer.response).toMatch(/^HTTP\/1\.1 101/);
  secret = await helloSecret(peer);
  peer.socket.destroy();
});

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  if (root) rmSync(root, { recursive: true, force: true });
});

async function helloSecret(peer: RawPeer): Promise<string> {
  const hello = await peer.nextFrame();
  const msg = JSON.parse(String(hello?.payload)) as { type: string; secret: string };
  expect(msg.type).toBe('session');
  return msg.secret;
}

/** An authenticated raw connection (spends the current session secret; keeps the new one). */
async function login(): Promise<RawPeer> {
  const peer = await rawConnect(port, upgradeRequest(port, { protocols: `station.v1, session.${secret}` }));
  expect(peer.response, stderr).toMatch(/^HTTP\/1\.1 101/);
  secret = await helloSecret(peer);
  return peer;
}

function getPage(): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/', headers: { host: `127.0.0.1:${port}` } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** The process is alive, serves the page, and answers an authenticated call. */
async function stillServing(label: string): Promise<void> {
  expect(child.exitCode, `${label}: host exited\n${stderr}`).toBeNull();
  expect(await getPage(), label).toBe(200);
  const peer = await login();
  peer.socket.write(
    frame({ opcode: TEXT, payload: Buffer.from('{"id":7,"method":"stationInfo","input":{}}') }),
  );
  const answer = await peer.nextFrame();
  expect(JSON.parse(String(answer?.payload)), label).toMatchObject({ id: 7, result: { ok: true } });
  peer.socket.destroy();
}

describe('browser-mode host under hostile peers (the real station serve process)', () => {
  it('refused upgrades whose connection is reset never take the host down', async () => {
    const refused = [
      upgradeRequest(port, { origin: 'http://evil.example', protocols: 'station.v1' }),
      upgradeRequest(port, { protocols: `station.v1, ticket.${'0'.repeat(64)}` }),
      upgradeRequest(port, { protocols: `station.v1, session.${'1'.repeat(64)}` }),
      upgradeRequest(port, { host: 'rebind.example' }),
      upgradeRequest(port, {}),
    ];
    for (let i = 0; i < 30; i++) {
      const socket = (await import('node:net')).connect(port, '127.0.0.1');
      socket.on('error', () => {});
      await new Promise<void>((r) => socket.once('connect', () => r()));
      socket.write(refused[i % refused.length] as string);
      // Reset at once: the host's refusal then writes to a socket the peer has torn down.
      if (i % 2 === 0) socket.resetAndDestroy();
      else setTimeout(() => socket.resetAndDestroy(), i % 5);
    }
    await new Promise((r) => setTimeout(r, 200));
    await stillServing('after 30 reset refusals');
  });

  it('malformed handshakes are refused (400/401/405) and spend nothing', async () => {
    const cases: [string, string | Buffer, RegExp][] = [
      [
        'no key',
        upgradeRequest(port, { protocols: `station.v1, session.${secret}`, key: null }),
        /^$|^HTTP\/1\.1 400/,
      ],
      [
        'bad key',
        upgradeRequest(port, { protocols: `station.v1, session.${secret}`, key: 'short' }),
        /^$|^HTTP\/1\.1 400/,
      ],
      [
        'bad version',
        upgradeRequest(port, { protocols: `station.v1, session.${secret}`, version: '12' }),
        /^$|^HTTP\/1\.1 400/,
      ],
      [
        'bad protocol list',
        upgradeRequest(port, { protocols: `station.v1,, session.${secret}` }),
        /^$|^HTTP\/1\.1 400/,
      ],
      [
        'POST upgrade',
        upgradeRequest(port, { protocols: `station.v1, session.${secret}`, method: 'POST' }),
        /^$|^HTTP\/1\.1 (400|405)/,
      ],
      ['no credential', upgradeRequest(port, { protocols: 'station.v1' }), /^HTTP\/1\.1 401/],
      ['garbage', Buffer.from(randomBytes(512)), /^$|^HTTP\/1\.1 400/],
      [
        'huge header',
        `GET /ipc HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX: ${'a'.repeat(20_000)}\r\n\r\n`,
        /^$|^HTTP\/1\.1 431/,
      ],
    ];
    for (const [name, req, expected] of cases) {
      const peer = await rawConnect(port, req);
      expect(peer.response, name).toMatch(expected);
      peer.socket.destroy();
    }
    // The session secret offered in the malformed handshakes is still good: login() uses it.
    await stillServing('after malformed handshakes');
  });

  const frames: [string, () => Buffer, number][] = [
    ['an unmasked frame', () => frame({ opcode: TEXT, payload: Buffer.from('{}'), mask: false }), 1002],
    ['RSV1 set', () => frame({ opcode: TEXT, payload: Buffer.from('{}'), rsv: 4 }), 1002],
    ['RSV2 and RSV3 set', () => frame({ opcode: TEXT, payload: Buffer.from('{}'), rsv: 3 }), 1002],
    ['an unknown opcode', () => frame({ opcode: 0x3, payload: Buffer.from('x') }), 1002],
    ['an unknown control opcode', () => frame({ opcode: 0xb }), 1002],
    ['invalid UTF-8', () => frame({ opcode: TEXT, payload: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) }), 1007],
    ['a fragmented ping', () => frame({ opcode: 0x9, payload: Buffer.from('p'), fin: false }), 1002],
    ['a control frame over 125 bytes', () => frame({ opcode: 0x9, payload: Buffer.alloc(126) }), 1002],
    [
      'a continuation with nothing to continue',
      () => frame({ opcode: 0x0, payload: Buffer.from('x') }),
      1002,
    ],
    ['a bad close code (999)', () => frame({ opcode: 0x8, payload: Buffer.from([0x03, 0xe7]) }), 1002],
    ['a reserved close code (1005)', () => frame({ opcode: 0x8, payload: Buffer.from([0x03, 0xed]) }), 1002],
    ['a one-byte close payload', () => frame({ opcode: 0x8, payload: Buffer.from([0x03]) }), 1002],
    [
      'a frame declaring more than the hard limit',
      () => frame({ opcode: TEXT, payload: Buffer.alloc(8), length: 5n << 20n }),
      1009,
    ],
    [
      'a 64-bit length with the top bit set',
      () => frame({ opcode: TEXT, payload: Buffer.alloc(8), length: 1n << 63n }),
      1009,
    ],
    ['a binary frame', () => frame({ opcode: 0x2, payload: Buffer.from('{}') }), 1003],
    ['text that is not JSON', () => frame({ opcode: TEXT, payload: Buffer.from('not json') }), 1008],
  ];

  it.each(frames)(
    'after login, %s closes that connection with its close code and the host keeps serving',
    async (name, make, code) => {
      const peer = await login();
      peer.socket.write(make());
      let f = await peer.nextFrame();
      while (f && f.opcode !== 0x8) f = await peer.nextFrame();
      expect(f?.closeCode, name).toBe(code);
      peer.socket.destroy();
      await stillServing(name);
    },
  );

  it('an oversize request gets the coded error MESSAGE_TOO_LARGE and the connection stays usable', async () => {
    const peer = await login();
    const big = JSON.stringify({
      id: 41,
      method: 'journalNote',
      input: { text: 'x'.repeat((1 << 20) + 10) },
    });
    peer.socket.write(frame({ opcode: TEXT, payload: Buffer.from(big) }));
    const answer = JSON.parse(String((await peer.nextFrame())?.payload)) as {
      id: number;
      result: { ok: boolean; error?: { code: string } };
    };
    expect(answer).toMatchObject({ id: 41, result: { ok: false, error: { code: 'MESSAGE_TOO_LARGE' } } });
    peer.socket.write(
      frame({ opcode: TEXT, payload: Buffer.from('{"id":42,"method":"stationInfo","input":{}}') }),
    );
    expect(JSON.parse(String((await peer.nextFrame())?.payload))).toMatchObject({
      id: 42,
      result: { ok: true },
    });
    peer.socket.destroy();
  });

  it('random frames after login (seeded) never take the host down', async () => {
    const seed = Number(process.env.HOST_FUZZ_SEED ?? Date.now() % 100_000);
    let s = seed;
    const rand = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let i = 0; i < 40; i++) {
      const peer = await login();
      const len = Math.floor(rand() * 200);
      const payload = Buffer.from(Array.from({ length: len }, () => Math.floor(rand() * 256)));
      const raw =
        rand() < 0.5
          ? frame({
              opcode: Math.floor(rand() * 16),
              payload,
              fin: rand() < 0.8,
              rsv: rand() < 0.2 ? Math.floor(rand() * 8) : 0,
              mask: rand() < 0.9,
            })
          : Buffer.concat([Buffer.from([Math.floor(rand() * 256), Math.floor(rand() * 256)]), payload]);
      peer.socket.write(raw);
      if (rand() < 0.3) peer.socket.resetAndDestroy();
      else {
        await peer.nextFrame(300);
        peer.socket.destroy();
      }
      expect(child.exitCode, `seed ${seed}, case ${i}\n${stderr}`).toBeNull();
    }
    await stillServing(`random frames, seed ${seed}`);
  });

  it('nothing reached a handler that writes: the journal did not move', () => {
    expect(journalLength(dataDir)).toBe(journalBefore);
  });
});
