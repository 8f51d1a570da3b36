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
  it('text beyond 4 MiB is not handed on for scanning, and the summary says so', async () => {
    const filler = 'routine log line\n'.repeat(Math.ceil((4 * 1024 * 1024) / 17));
    const f = file('audit.log', `${filler}key compromise confirmed by the vendor\n`);
    const r = await readEvidence(f.path, 'audit.log', f.size);
    expect(r.text.length).toBeLessThanOrEqual(4 * 1024 * 1024);
    expect(r.text).not.toContain('key compromise');
    expect(r.summary).toContain('text beyond 4 MiB not scanned');
  });

  it('text within the limit is scanned whole and the summary claims nothing more', async () => {
    const f = file('notes.txt', 'seal TB-1 intact\nkey compromise suspected\n');
    const r = await readEvidence(f.path, 'notes.txt', f.size);
    expect(r.text).toContain('key compromise suspected');
    expect(r.summary).not.toContain('not scanned');
  });
});
