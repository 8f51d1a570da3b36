import { read } from 'node:fs';

/** Large reads keep the per-call cost (thread-pool hop, promise, stream machinery) out of the way. */
export const RANGE_CHUNK_BYTES = 4 * 1024 * 1024;

function readAtAsync(fd: number, buf: Buffer, length: number, position: number): Promise<number> {
  return new Promise((res, rej) => {
    read(fd, buf, 0, length, position, (err, n) => (err ? rej(err) : res(n)));
  });
}

/**
 * Reads exactly `length` bytes of `fd` from `start` with large positioned reads into `buffers` rotating
 * buffers: the next read is on the thread pool while `onChunk` works on the current one (hashing, CRC,
 * writing a copy). With two buffers a chunk is valid only until its `onChunk` settles — copy it to keep it;
 * each buffer more keeps it valid through one more `onChunk` after its own (a write of it may still be in
 * flight while the next chunk is hashed). Fewer bytes than
 * `length` (the file shrank or is cut short) is an error, `short`, never a silently shorter result. No read
 * is left in flight when this settles, also on failure: the caller may close `fd` right after.
 */
export async function readRange(
  fd: number,
  start: number,
  length: number,
  onChunk: (chunk: Buffer) => void | Promise<void>,
  short: (got: number) => Error,
  buffers = 2,
  chunkBytes = RANGE_CHUNK_BYTES,
): Promise<void> {
  const size = Math.max(1, Math.min(chunkBytes, length));
  const ring = Array.from({ length: Math.max(2, buffers) }, () => Buffer.allocUnsafe(size));
  const at = (i: number) => ring[i % ring.length] as Buffer;
  let done = 0;
  let turn = 0;
  const next = (): Promise<number> | null => {
    const want = Math.min(size, length - done);
    return want > 0 ? readAtAsync(fd, at(turn), want, start + done) : null;
  };
  let pending = next();
  try {
    while (pending) {
      const n = await pending;
      pending = null;
      if (n === 0) throw short(done);
      const chunk = at(turn).subarray(0, n);
      done += n;
      turn++;
      // The buffer to refill was handed out `ring.length - 1` rounds ago; its `onChunk` and the ones
      // after it (all but this round's) have settled: safe to refill.
      pending = next();
      await onChunk(chunk);
    }
  } finally {
    // Never leave a read landing in a buffer (or on a descriptor) the caller is about to give up.
    await pending?.catch(() => undefined);
  }
}

/** A native whole-signature search (Buffer.indexOf) for the descriptor scanner: no copy of the bytes. */
export const containsBytes = (bytes: Uint8Array, signature: Uint8Array): boolean =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(signature) >= 0;
