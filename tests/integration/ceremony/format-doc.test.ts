/**
 * docs/ceremony-format.md names every key the ceremony schema accepts, every word of its closed
 * vocabularies, every cross-field check id and every error code: it is the reference a person writes a
 * ceremony file from.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  ACTS,
  ACT_NAMES,
  CEREMONY_TYPE_NAMES,
  POSTCONDITION_NAMES,
  PRECONDITION_NAMES,
  REQUIRED_ACTS,
  ROLE_NAMES,
  ceremonyFileSchema,
} from '../../../src/core/ceremony';
import { KEY_ALGORITHMS } from '../../../src/core/crypto/algorithms';
import { ERROR_CATALOGUE } from '../../../src/shared/errors';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const DOC = readFileSync(join(ROOT, 'docs', 'ceremony-format.md'), 'utf8');
const SCHEMA_SOURCE = readFileSync(join(ROOT, 'src', 'core', 'ceremony', 'schema.ts'), 'utf8');

interface Def {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  element?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  options?: z.ZodType[];
}

/** Every key path of a schema, as the doc writes it (`steps[].preconditions[].firmware`). */
function keyPaths(schema: z.ZodType, prefix = ''): string[] {
  const def = (schema as unknown as { def: Def }).def;
  if (def.innerType) return keyPaths(def.innerType, prefix);
  if (def.type === 'pipe' && def.in) return keyPaths(def.in, prefix);
  if (def.type === 'array' && def.element) return keyPaths(def.element, `${prefix}[]`);
  if (def.type === 'union' && def.options)
    return [...new Set(def.options.flatMap((o) => keyPaths(o, prefix)))];
  if (def.type === 'object' && def.shape) {
    // A key holding an object (or a list of objects) is documented through its own keys.
    return Object.entries(def.shape).flatMap(([k, v]) => {
      const path = prefix ? `${prefix}.${k}` : k;
      const inner = keyPaths(v, path);
      return inner.length > 0 ? inner : [path];
    });
  }
  return [];
}

describe('docs/ceremony-format.md', () => {
  const paths = keyPaths(ceremonyFileSchema);

  it('finds the schema keys (the walk reaches into lists, unions and nested objects)', () => {
    expect(paths).toEqual(
      expect.arrayContaining([
        'steps[].preconditions[].firmware',
        'steps[].act.wrapKey',
        'steps[].witnesses.roles',
        'steps[].say',
        'key.csr.subject.commonName',
        'escrow.wrapKey',
      ]),
    );
  });

  it.each(paths)('documents %s', (path) => {
    // A key is documented as `path` itself, or as `.leaf` in the row of the object holding it.
    const leaf = path.slice(path.lastIndexOf('.') + 1).replace(/\[\]$/, '');
    expect(DOC.includes(`\`${path}\``) || DOC.includes(`\`.${leaf}\``)).toBe(true);
  });

  it.each([
    ...CEREMONY_TYPE_NAMES.map((w) => ['type', w]),
    ...ROLE_NAMES.map((w) => ['role', w]),
    ...PRECONDITION_NAMES.map((w) => ['precondition', w]),
    ...ACT_NAMES.map((w) => ['act', w]),
    ...POSTCONDITION_NAMES.map((w) => ['postcondition', w]),
  ])('has a row for the %s %s', (_, word) => {
    expect(DOC).toMatch(new RegExp(`^\\| \`${word}\` +\\|`, 'm'));
  });

  it('states the acts each type requires, and which acts bind a quorum', () => {
    for (const type of CEREMONY_TYPE_NAMES) {
      const row = DOC.split('\n').find((l) => l.startsWith(`| \`${type}\``))!;
      expect(row, type).toContain(REQUIRED_ACTS[type].map((a) => `\`${a}\``).join(', then '));
    }
    for (const act of ACT_NAMES) {
      const row = DOC.split('\n').find((l) => l.startsWith(`| \`${act}\``))!;
      expect(row.split('|')[4]!.trim(), act).toBe(ACTS[act].quorum ? 'yes' : 'no');
      for (const p of ACTS[act].requiredPost) expect(row, act).toContain(`**${p}**`);
    }
  });

  it('lists the key algorithms of the station table', () => {
    const row = DOC.split('\n').find((l) => l.startsWith('| `key.algorithm`'))!;
    expect([...row.matchAll(/`([a-z0-9-]+)`/g)].map((m) => m[1])).toEqual([...KEY_ALGORITHMS]);
  });

  it('describes every cross-field check id the schema declares', () => {
    const ids = [...new Set(SCHEMA_SOURCE.match(/CER-[A-Z-]+[A-Z]/g))];
    expect(ids.length).toBeGreaterThan(10);
    for (const id of ids) expect(DOC, id).toMatch(new RegExp(`^\\| \`${id}\` +\\|`, 'm'));
  });

  it('names every ceremony error code, and each is catalogued', () => {
    // The file's own codes (a run's are in docs/ceremonies.md, tested there; CEREMONY_FILE_CHANGED is a run's).
    const codes = Object.keys(ERROR_CATALOGUE).filter(
      (c) => c.startsWith('CEREMONY_FILE_') && c !== 'CEREMONY_FILE_CHANGED',
    );
    expect(codes.length).toBe(4);
    for (const code of codes) expect(DOC).toMatch(new RegExp(`^\\| \`${code}\` +\\|`, 'm'));
  });
});
