import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CodedError } from '../../../core/errors';
import { CEREMONY_FILE_MAX_BYTES, CEREMONY_TYPE_NAMES } from '../../../core/ceremony';
import { tempDir } from '../../../../tests/helpers/temp';
import { loadCeremonyFile, parseCeremonyBytes } from './file';

const DIR = join(import.meta.dirname, '..', '..', '..', '..', 'resources', 'ceremonies');
const EXAMPLES = readdirSync(DIR).filter((f) => f.endsWith('.yaml'));
const KEYGEN = readFileSync(join(DIR, 'key-generation.yaml'), 'utf8');
const bytes = (s: string) => new TextEncoder().encode(s);

/** The refusal parsing `text` raises. */
function refusal(text: string): CodedError {
  try {
    parseCeremonyBytes(bytes(text), 'test.yaml');
  } catch (e) {
    if (e instanceof CodedError) return e;
    throw e;
  }
  throw new Error('the text was accepted');
}

/** The key-generation example with one line replaced (the line must be there exactly once). */
function edit(from: string, to: string): string {
  expect(KEYGEN.split(from).length - 1).toBe(1);
  return KEYGEN.replace(from, to);
}

describe('ceremony files (strict YAML decode)', () => {
  it('has one example per ceremony type', () => {
    const types = EXAMPLES.map((f) => loadCeremonyFile(join(DIR, f)).file.type).sort();
    expect(types).toEqual([...CEREMONY_TYPE_NAMES].sort());
  });

  it.each(EXAMPLES)('loads the example %s clean, with the digest of its exact bytes', (name) => {
    const path = join(DIR, name);
    const loaded = loadCeremonyFile(path);
    expect(loaded.size).toBe(readFileSync(path).length);
    expect(loaded.digest.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(loaded.digest.words).toHaveLength(8);
    // One byte more (a trailing space) is another file: another digest.
    const other = parseCeremonyBytes(new Uint8Array([...readFileSync(path), 0x20]), path);
    expect(other.digest.sha256).not.toBe(loaded.digest.sha256);
  });

  it('refuses an unknown key with its path and line', () => {
    const e = refusal(edit('    state: sealed\n', '    state: sealed\n    colour: red\n'));
    expect(e.code).toBe('CEREMONY_FILE_INVALID');
    expect(e.data.field).toBe('bags[0].colour');
    const line = KEYGEN.split('\n').findIndex((l) => l === '    state: sealed') + 2;
    expect(e.data.line).toBe(line);
    expect(e.message).toBe(`test.yaml line ${line}: bags[0].colour is not a key of the ceremony format`);
  });

  it('refuses a duplicate key with its line', () => {
    const e = refusal(edit("  firmware: '7.8.4'\n", "  firmware: '7.8.4'\n  firmware: '7.8.5'\n"));
    expect(e.code).toBe('CEREMONY_FILE_INVALID');
    expect(e.message).toMatch(/hsm\.firmware appears twice/);
    expect(e.data.line).toBe(KEYGEN.split('\n').indexOf("  firmware: '7.8.4'") + 2);
    expect(e.data.field).toBe('hsm.firmware');
  });

  it('refuses a credential-named key at its path, even where the schema would not look', () => {
    const e = refusal(edit('  token: prod-ca-1\n', '  token: prod-ca-1\n  userPin: "123456"\n'));
    expect(e.code).toBe('CEREMONY_FILE_CREDENTIAL');
    expect(e.data.field).toBe('hsm.userPin');
    expect(e.message).toContain('hsm.userPin');
    const deep = refusal(
      edit(
        '      - { kind: quorum-satisfied }\n      - { kind: label-absent',
        '      - { kind: quorum-satisfied, so_pin: x }\n      - { kind: label-absent',
      ),
    );
    expect(deep.data.field).toBe('steps[4].preconditions[0].so_pin');
  });

  it('refuses anchors, aliases and explicit tags', () => {
    expect(refusal(edit('  location: Key', '  location: &where Key')).message).toMatch(
      /planned\.location sets an anchor/,
    );
    const alias = refusal(`${KEYGEN}x: *nowhere\n`);
    expect(alias.code).toBe('CEREMONY_FILE_INVALID');
    expect(refusal(edit("  firmware: '7.8.4'", '  firmware: !!str 7.8.4')).message).toMatch(
      /hsm\.firmware has the tag tag:yaml.org,2002:str: tags are refused/,
    );
    expect(refusal(edit("  firmware: '7.8.4'", '  firmware: !attested 7.8.4')).code).toBe(
      'CEREMONY_FILE_INVALID',
    );
  });

  it('refuses a second document, text that is not UTF-8, and a file over the size limit', () => {
    expect(refusal(`${KEYGEN}---\nceremony: 1\n`).message).toMatch(/not valid YAML/);
    expect(() => parseCeremonyBytes(new Uint8Array([0x63, 0xff, 0xfe]), 'bin.yaml')).toThrow(/not UTF-8/);
    const big = new Uint8Array(CEREMONY_FILE_MAX_BYTES + 1).fill(0x20);
    expect(() => parseCeremonyBytes(big, 'big.yaml')).toThrow(
      expect.objectContaining({ code: 'CEREMONY_FILE_TOO_LARGE' }),
    );
    const path = join(tempDir(), 'big.yaml');
    writeFileSync(path, big);
    expect(() => loadCeremonyFile(path)).toThrow(
      expect.objectContaining({ code: 'CEREMONY_FILE_TOO_LARGE' }),
    );
    expect(() => loadCeremonyFile(join(tempDir(), 'missing.yaml'))).toThrow(
      expect.objectContaining({ code: 'CEREMONY_FILE_UNREADABLE' }),
    );
    expect(() => loadCeremonyFile(tempDir())).toThrow(
      expect.objectContaining({ code: 'CEREMONY_FILE_UNREADABLE' }),
    );
  });

  it('names the path and line of a precondition whose firmware is not the attested one', () => {
    const e = refusal(
      edit(
        "      - { kind: firmware-equals, token: prod-ca-1, firmware: '7.8.4' }",
        "      - { kind: firmware-equals, token: prod-ca-1, firmware: '7.8.5' }",
      ),
    );
    expect(e.data.field).toBe('steps[3].preconditions[1].firmware');
    expect(e.message).toMatch(/must be the attested version the file declares for prod-ca-1 \(7\.8\.4\)/);
    expect(e.data.line).toBe(KEYGEN.split('\n').findIndex((l) => l.includes("firmware: '7.8.4' }")) + 1);
  });

  it('asks for quotes where YAML would read a version as a number', () => {
    const e = refusal(edit("  firmware: '7.8.4'", '  firmware: 7.8'));
    expect(e.data.field).toBe('hsm.firmware');
    expect(e.message).toMatch(/quote it/);
  });
});
