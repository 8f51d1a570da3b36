/** `station ceremony check|script` as a user runs it (the built CLI): exit codes and what is printed. */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stationCli } from '../../e2e/harness';
import { tempDir } from '../../helpers/temp';

const EXAMPLE = join(import.meta.dirname, '..', '..', '..', 'resources', 'ceremonies', 'key-generation.yaml');
const TEXT = readFileSync(EXAMPLE, 'utf8');

function broken(from: string, to: string): string {
  expect(TEXT.split(from).length - 1).toBe(1);
  const path = join(tempDir(), 'broken.yaml');
  writeFileSync(path, TEXT.replace(from, to));
  return path;
}

describe('station ceremony check', () => {
  it('prints the digest of the exact bytes, the type, participants and steps, and exits 0', () => {
    const r = stationCli(['ceremony', 'check', EXAMPLE]);
    expect(r.status, r.stderr).toBe(0);
    const sha = createHash('sha256').update(readFileSync(EXAMPLE)).digest('hex');
    expect(r.stdout).toContain(`SHA-256 ${sha}`);
    expect(r.stdout).toMatch(/^ {2}words: (\w+ ){7}\w+$/m);
    expect(r.stdout).toMatch(/^OK key-generation ceremony intermediate-2027-rotation/);
    expect(r.stdout).toMatch(/^ {2}witness +Chloe Meyer \(chloe-meyer\)$/m);

    const json = stationCli(['ceremony', 'check', '--json', EXAMPLE]);
    expect(json.status).toBe(0);
    const v = JSON.parse(json.stdout) as { sha256: string; words: string[]; type: string; steps: unknown[] };
    expect(v.sha256).toBe(sha);
    expect(v.words).toHaveLength(8);
    expect(r.stdout).toContain(v.words.join(' '));
    expect(v.type).toBe('key-generation');
    expect(v.steps).toHaveLength(TEXT.slice(TEXT.indexOf('\nsteps:')).match(/^ {2}- id: /gm)!.length);
  });

  it('refuses a broken file with exit 3, naming the file, line and field path', () => {
    const path = broken(
      "      - { kind: firmware-equals, token: prod-ca-1, firmware: '7.8.4' }",
      "      - { kind: firmware-equals, token: prod-ca-1, firmware: '7.9.0' }",
    );
    const r = stationCli(['ceremony', 'check', path]);
    expect(r.status).toBe(3);
    const line = TEXT.split('\n').findIndex((l) => l.includes("firmware: '7.8.4' }")) + 1;
    expect(r.stderr).toContain(
      `error CEREMONY_FILE_INVALID: ${path} line ${line}: steps[3].preconditions[1].firmware must be the attested version`,
    );
    expect(r.stderr).toContain('docs/ceremony-format.md');

    const json = stationCli(['ceremony', 'check', '--json', path]);
    expect(json.status).toBe(3);
    const v = JSON.parse(json.stdout) as { ok: boolean; error: { code: string; data: { field: string } } };
    expect(v).toMatchObject({
      ok: false,
      error: { code: 'CEREMONY_FILE_INVALID', data: { field: 'steps[3].preconditions[1].firmware' } },
    });
  });

  it('refuses a credential in the file at its path, and a missing file', () => {
    const path = broken('  token: prod-ca-1\n', '  token: prod-ca-1\n  soPin: "87654321"\n');
    const r = stationCli(['ceremony', 'check', path]);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/error CEREMONY_FILE_CREDENTIAL: .* hsm\.soPin names a credential/);
    expect(r.stderr).not.toContain('87654321');
    const missing = stationCli(['ceremony', 'check', join(tempDir(), 'none.yaml')]);
    expect(missing.status).toBe(3);
    expect(missing.stderr).toContain('CEREMONY_FILE_UNREADABLE');
  });
});

describe('station ceremony script', () => {
  it('prints every step with its checkboxes, and the digest', () => {
    const r = stationCli(['ceremony', 'script', EXAMPLE]);
    expect(r.status, r.stderr).toBe(0);
    const sha = createHash('sha256').update(readFileSync(EXAMPLE)).digest('hex');
    expect(r.stdout).toContain(`SHA-256: ${sha}`);
    const steps = [...TEXT.matchAll(/^ {4}title: (.+)$/gm)].map((m) => m[1]);
    steps.forEach((title, i) => expect(r.stdout).toContain(`Step ${i + 1}: ${title}`));
    expect(r.stdout).toContain(
      '[ ] Before: [firmware-equals] Token prod-ca-1 reports firmware 7.8.4, the attested version',
    );
  });
});
