import { statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.map': 'application/json',
};

/**
 * Maps a request path to a file of the built renderer, or null. Used by both shells (Electron's app://
 * protocol and the browser-mode host), so there is one place that refuses traversal, NUL and
 * directories.
 */
export function resolveRendererFile(
  rendererDir: string,
  pathname: string,
): { file: string; size: number; contentType: string } | null {
  const root = resolve(rendererDir);
  let rel: string;
  try {
    rel =
      pathname === '/' || pathname === '' ? 'index.html' : decodeURIComponent(pathname.replace(/^\/+/, ''));
  } catch {
    return null;
  }
  if (rel.includes('\0')) return null;
  const file = normalize(join(root, rel));
  if (!file.startsWith(root + sep)) return null;
  try {
    const st = statSync(file);
    if (!st.isFile()) return null;
    return { file, size: st.size, contentType: MIME[extname(file)] ?? 'application/octet-stream' };
  } catch {
    return null;
  }
}
