import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE } from '../../src/shared/errors';

/**
 * docs/bundle-format.md is what reviewers and auditors read: every check ID the code can report and every
 * bundle, approval, trust or media error code must be documented there, so the two cannot drift apart.
 */
const root = join(import.meta.dirname, '..', '..');
const doc = readFileSync(join(root, 'docs', 'bundle-format.md'), 'utf8');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name) && !e.name.endsWith('.test.ts'))
    .map((e) => join(e.parentPath, e.name));
}

describe('docs/bundle-format.md', () => {
  it('documents every BND-* and APR-* check ID the code reports', () => {
    const ids = new Set<string>();
    for (const f of sources(join(root, 'src')))
      for (const m of readFileSync(f, 'utf8').matchAll(/'((?:BND|APR)-[A-Z-]+)'/g)) ids.add(m[1]!);
    expect(ids.size).toBeGreaterThan(20);
    expect([...ids].filter((id) => !doc.includes(`\`${id}\``))).toEqual([]);
  });

  it('documents every bundle, approval, trust and media error code', () => {
    const codes = Object.keys(ERROR_CATALOGUE).filter((c) => /^(BUNDLE|APPROVAL|TRUST|MEDIA)_/.test(c));
    expect(codes.length).toBeGreaterThan(40);
    expect(codes.filter((c) => !doc.includes(`\`${c}\``))).toEqual([]);
  });
});
