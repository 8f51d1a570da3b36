import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readEvidence } from './read';

let dir: string | null = null;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = null;
});

function file(name: string, content: string): { path: string; size: number } {
  dir = mkdtempSync(join(tmpdir(), 'evidence-read-'));
  const path = join(dir, name);
  writeFileSync(path, content);
  return { path, size: Buffer.byteLength(content) };
}

describe('evidence text limits', () => {
  it('text past 4 MiB (under the parse limit) is handed on whole, and the summary claims no cut', async () => {
    const filler = 'routine log line\n'.repeat(Math.ceil((5 * 1024 * 1024) / 17));
    const f = file('audit.log', `${filler}key compromise confirmed by the vendor\n`);
    const r = await readEvidence(f.path, 'audit.log', f.size);
    expect(r.text.length).toBe(f.size);
    expect(r.text.endsWith('key compromise confirmed by the vendor\n')).toBe(true);
    expect(r.summary).not.toContain('not scanned');
  });

  it('text within the limit is scanned whole and the summary claims nothing more', async () => {
    const f = file('notes.txt', 'seal TB-1 intact\nkey compromise suspected\n');
    const r = await readEvidence(f.path, 'notes.txt', f.size);
    expect(r.text).toContain('key compromise suspected');
    expect(r.summary).not.toContain('not scanned');
  });
});
