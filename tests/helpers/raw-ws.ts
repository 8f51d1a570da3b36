import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/**
 * A deliberately low-level WebSocket peer for fuzzing the browser-mode host: it writes handshakes and
 * frames byte by byte, including the malformed ones a real client library would never produce, and
 * reads the server's (unmasked) frames back.
 */
export interface RawPeer {
  readonly socket: Socket;
  /** The HTTP response head the server sent to the upgrade request. */
  readonly response: string;
  /** The next server frame; null when the connection ended first. */
  nextFrame(timeoutMs?: number): Promise<ServerFrame | null>;
  /** Resolves when the server has ended the connection. */
  readonly ended: Promise<void>;
}

export interface ServerFrame {
  readonly opcode: number;
  readonly payload: Buffer;
  /** For a close frame: the status code, if any. */
  readonly closeCode: number | null;
}

export function upgradeRequest(
  port: number,
  opts: {
    origin?: string;
    protocols?: string;
    key?: string | null;
    version?: string;
    method?: string;
    host?: string;
  },
): string {
  const lines = [
    `${opts.method ?? 'GET'} /ipc HTTP/1.1`,
    `Host: ${opts.host ?? `127.0.0.1:${port}`}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Origin: ${opts.origin ?? `http://127.0.0.1:${port}`}`,
    `Sec-WebSocket-Version: ${opts.version ?? '13'}`,
  ];
  if (opts.key !== null) lines.push(`Sec-WebSocket-Key: ${opts.key ?? randomBytes(16).toString('base64')}`);
  if (opts.protocols !== undefined) lines.push(`Sec-WebSocket-Protocol: ${opts.protocols}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** Connects, writes `request`, and waits for the end of the response head. */
export function rawConnect(port: number, request: string | Buffer): Promise<RawPeer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    let buf = Buffer.alloc(0);
    let head: string | null = null;
    const waiters: (() => void)[] = [];
    let done = false;
    const ended = new Promise<void>((r) => socket.once('close', () => r()));
    void ended.then(() => {
      done = true;
      for (const w of waiters.splice(0)) w();
      if (head === null) resolve(peer(''));
    });
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (head === null) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        head = buf.subarray(0, end).toString('latin1');
        buf = buf.subarray(end + 4);
        resolve(peer(head));
      }
      for (const w of waiters.splice(0)) w();
    });
    socket.once('connect', () => socket.write(request));
    setTimeout(() => head === null && !done && reject(new Error('no response head')), 10_000);

    function take(): ServerFrame | null {
      if (buf.length < 2) return null;
      const b0 = buf[0] as number;
      const b1 = buf[1] as number;
      let len = b1 & 0x7f;
      let off = 2;
      if (len === 126) {
        if (buf.length < 4) return null;
        len = buf.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (buf.length < 10) return null;
        len = Number(buf.readBigUInt64BE(2));
        off = 10;
      }
      if (buf.length < off + len) return null;
      const payload = buf.subarray(off, off + len);
      buf = buf.subarray(off + len);
      const opcode = b0 & 0x0f;
      return { opcode, payload, closeCode: opcode === 8 && len >= 2 ? payload.readUInt16BE(0) : null };
    }

    function peer(response: string): RawPeer {
      return {
        socket,
        response,
        ended,
        nextFrame: (timeoutMs = 5_000) =>
          new Promise((res) => {
            const deadline = setTimeout(() => res(null), timeoutMs);
            const attempt = () => {
              const f = take();
              if (f) {
                clearTimeout(deadline);
                return res(f);
              }
              if (done) {
                clearTimeout(deadline);
                return res(null);
              }
              waiters.push(attempt);
            };
            attempt();
          }),
      };
    }
  });
}

/**
 * One client frame. `mask: false` sends it unmasked (a protocol error from a client); `length`
 * overrides the declared payload length (to declare more than is sent).
 */
export function frame(opts: {
  opcode: number;
  payload?: Buffer;
  fin?: boolean;
  rsv?: number;
  mask?: boolean;
  length?: bigint;
}): Buffer {
  const payload = opts.payload ?? Buffer.alloc(0);
  const declared = opts.length ?? BigInt(payload.length);
  const b0 = ((opts.fin ?? true) ? 0x80 : 0) | ((opts.rsv ?? 0) << 4) | (opts.opcode & 0x0f);
  const masked = opts.mask ?? true;
  let header: Buffer;
  if (declared < 126n) header = Buffer.from([b0, (masked ? 0x80 : 0) | Number(declared)]);
  else if (declared < 65536n) {
    header = Buffer.alloc(4);
    header[0] = b0;
    header[1] = (masked ? 0x80 : 0) | 126;
    header.writeUInt16BE(Number(declared), 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = b0;
    header[1] = (masked ? 0x80 : 0) | 127;
    header.writeBigUInt64BE(declared, 2);
  }
  if (!masked) return Buffer.concat([header, payload]);
  const key = randomBytes(4);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i] = (body[i] as number) ^ (key[i % 4] as number);
  return Buffer.concat([header, key, body]);
}
