import { read } from 'node:fs';

/** Large reads keep the per-call cost (thread-pool hop, promise, stream machinery) out of the way. */
export const RANGE_CHUNK_BYTES = 4 * 1024 * 1024;

function readAtAsync(fd: number, buf: Buffer, length: number, position: number): Promise<number> {
  return new Promise((res, rej) => {
    read(fd, buf, 0, length, position, (err, n) => (err ? rej(err) : res(n)));
  });
}

/**
 * Reads exactly `length` bytes of `fd` from `start` with large positioned reads into two alternating
 * buffers: the next read is on the thread pool while `onChunk` works on the current one (hashing, CRC,
 * writing a copy). A chunk is valid only until `onChunk` settles — copy it to keep it. Fewer bytes than
 * `length` (the file shrank or is cut short) is an error, `short`, never a silently shorter result. No read
 * is left in flight when this settles, also on failure: the caller may close `fd` right after.
 */
export async function readRange(
  fd: number,
  start: number,
  length: number,
  onChunk: (chunk: Buffer) => void | Promise<void>,
  short: (got: number) => Error,
  chunkBytes = RANGE_CHUNK_BYTES,
): Promise<void> {
  const size = Math.max(1, Math.min(chunkBytes, length));
  const buffers = [Buffer.allocUnsafe(size), Buffer.allocUnsafe(size)] as const;
  let done = 0;
  let turn = 0;
  const next = (): Promise<number> | null => {
    const want = Math.min(size, length - done);
    return want > 0 ? readAtAsync(fd, buffers[turn % 2] as Buffer, want, start + done) : null;
  };
  let pending = next();
  try {
    while (pending) {
      const n = await pending;
      pending = null;
      if (n === 0) throw short(done);
      const chunk = (buffers[turn % 2] as Buffer).subarray(0, n);
      done += n;
      turn++;
      // The other buffer was handed out last round and its `onChunk` has settled: safe to refill.
      pending = next();
      await onChunk(chunk);
    }
  } finally {
    // Never leave a read landing in a buffer (or on a descriptor) the caller is about to give up.
    await pending?.catch(() => undefined);
  }
}
