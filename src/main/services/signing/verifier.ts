import type { KeyObject } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { verifyArtifactSignature } from './media';

/**
 * SIGN-VERIFY off the main thread: the software verification of a small artifact's signature (its held
 * bytes hashed and compared to the digest that was signed, then the ECDSA-SHA256 signature verified
 * against the public key read from the token) done in batches by one worker thread, so the main thread
 * keeps the token busy while the other core verifies. The check is exactly verifyArtifactSignature's over
 * held bytes; where the worker cannot start or fails, the batch is verified here instead (same answers).
 *
 * The worker is a few lines of plain Node (no station code), started from source so that it needs no
 * file of its own beside the bundle.
 */
const SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash, createPublicKey, verify } = require('node:crypto');
let key = null;
parentPort.on('message', (m) => {
  if (m.spki) {
    key = createPublicKey({ key: Buffer.from(m.spki), format: 'der', type: 'spki' });
    return;
  }
  const ok = m.items.map((it) => {
    try {
      return (
        createHash('sha256').update(it.bytes).digest('hex') === it.sha256 &&
        verify('sha256', it.bytes, { key, dsaEncoding: 'der' }, it.signature) === true
      );
    } catch {
      return false;
    }
  });
  parentPort.postMessage({ id: m.id, ok });
});
`;

export interface HeldArtifact {
  readonly sha256: string;
  readonly bytes: Buffer;
  readonly signature: Uint8Array;
}

export class BatchVerifier {
  private worker: Worker | null = null;
  private next = 0;
  private readonly waiting = new Map<
    number,
    { resolve: (ok: boolean[]) => void; reject: (e: Error) => void }
  >();

  constructor(private readonly key: KeyObject) {
    try {
      const worker = new Worker(SOURCE, { eval: true });
      worker.postMessage({ spki: key.export({ type: 'spki', format: 'der' }) });
      worker.on('message', (m: { id: number; ok: boolean[] }) => {
        const w = this.waiting.get(m.id);
        this.waiting.delete(m.id);
        w?.resolve(m.ok);
      });
      const fail = (e: Error) => {
        this.worker = null;
        for (const w of this.waiting.values()) w.reject(e);
        this.waiting.clear();
      };
      worker.on('error', fail);
      worker.on('exit', () => fail(new Error('the verification worker stopped')));
      worker.unref();
      this.worker = worker;
    } catch {
      this.worker = null;
    }
  }

  /** One answer per artifact, in order: true when its signature verifies over its bytes. */
  verify(items: readonly HeldArtifact[]): Promise<boolean[]> {
    const worker = this.worker;
    if (!worker || items.length === 0) return this.here(items);
    const id = this.next++;
    return new Promise<boolean[]>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({
        id,
        items: items.map((it) => ({ sha256: it.sha256, bytes: it.bytes, signature: it.signature })),
      });
    }).catch(() => this.here(items));
  }

  private here(items: readonly HeldArtifact[]): Promise<boolean[]> {
    return Promise.all(
      items.map((it) =>
        verifyArtifactSignature(this.key, it.signature, {
          dir: '',
          name: '',
          sha256: it.sha256,
          bytes: it.bytes,
        }),
      ),
    );
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
  }
}
