import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveRendererFile } from './renderer-files';

const root = mkdtempSync(join(tmpdir(), 'renderer-'));
const dir = join(root, 'renderer');
mkdirSync(join(dir, 'assets'), { recursive: true });
writeFileSync(join(dir, 'index.html'), '<!doctype html>');
writeFileSync(join(dir, 'assets', 'a.js'), '');
writeFileSync(join(root, 'secret.txt'), 'outside');
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('resolveRendererFile (the one file guard of both shells)', () => {
  it('serves files inside the renderer folder', () => {
    expect(resolveRendererFile(dir, '/')?.file).toBe(join(dir, 'index.html'));
    expect(resolveRendererFile(dir, '/assets/a.js')?.contentType).toMatch(/javascript/);
  });
  it.each([
    '/../secret.txt',
    '..%2fsecret.txt',
    '/%2e%2e%2fsecret.txt',
    '/assets/..%2f..%2fsecret.txt',
    `/${join(root, 'secret.txt')}`,
    '/index.html%00.js',
    '/%E0%A4%A',
    '/assets',
  ])('refuses %s', (path) => {
    expect(resolveRendererFile(dir, path)).toBeNull();
  });
});
