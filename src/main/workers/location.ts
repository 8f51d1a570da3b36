import { fileURLToPath } from 'node:url';

/**
 * The built file of a worker thread. Workers are built apart from the main code (dist/workers, see
 * vite.config.ts) because a packaged app keeps all main code inside app.asar, where worker threads
 * cannot start from: electron-builder unpacks dist/workers beside the archive (app.asar.unpacked).
 * From source (tests) no built worker exists, and callers fall back to their own thread.
 */
export function workerFile(
  name: 'verify-worker' | 'pdf-worker' | 'signing-worker',
  base: string = import.meta.url,
): string {
  const path = fileURLToPath(new URL(`../workers/${name}.js`, base));
  return path.replace(/\.asar([\\/])/, '.asar.unpacked$1');
}
