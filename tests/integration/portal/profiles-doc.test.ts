/**
 * docs/portal-profiles.md names every key the profile schema accepts and every halt kind the driver
 * raises: the page is the reference a person writes a new profile from.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { HALT_KINDS, PORTAL_TAKES, portalProfileSchema } from '../../../src/main/adapters/portal';

const DOC = readFileSync(join(import.meta.dirname, '..', '..', '..', 'docs', 'portal-profiles.md'), 'utf8');

/**
 * Every key path of a schema, as the doc writes it (`tabs[].fields[].label`); a key holding an object
 * is documented through its own keys.
 */
function keyPaths(schema: z.ZodType, prefix = ''): string[] {
  const def = (schema as z.ZodType & { def: { type: string } }).def as {
    type: string;
    innerType?: z.ZodType;
    in?: z.ZodType;
    element?: z.ZodType;
    shape?: Record<string, z.ZodType>;
  };
  if (def.innerType) return keyPaths(def.innerType, prefix);
  if (def.type === 'pipe' && def.in) return keyPaths(def.in, prefix);
  if (def.type === 'array' && def.element) return keyPaths(def.element, `${prefix}[]`);
  if (def.type === 'object' && def.shape) {
    return Object.entries(def.shape).flatMap(([k, v]) => {
      const path = prefix ? `${prefix}.${k}` : k;
      const inner = keyPaths(v, path);
      const isObject = inner.length > 0 && inner.every((p) => p.startsWith(`${path}.`));
      return isObject ? inner : [path, ...inner];
    });
  }
  return [];
}

describe('docs/portal-profiles.md', () => {
  const paths = keyPaths(portalProfileSchema);

  it('finds the schema keys (the walk itself reaches nested keys)', () => {
    expect(paths).toEqual(
      expect.arrayContaining(['login.page', 'tabs[].fields[].label', 'search.columns.state']),
    );
  });

  it.each(paths)('documents %s', (path) => {
    // A key is documented as `path` itself, or as `.leaf` in a row naming its siblings.
    const leaf = path.slice(path.lastIndexOf('.') + 1);
    expect(DOC.includes(`\`${path}\``) || DOC.includes(`\`.${leaf}\``)).toBe(true);
  });

  it.each([...HALT_KINDS])('describes the halt kind %s', (kind) => {
    expect(DOC).toMatch(new RegExp(`^\\| \`${kind}\` +\\|`, 'm'));
  });

  it('names every packet value a field may take', () => {
    for (const take of PORTAL_TAKES) expect(DOC).toContain(`\`${take}\``);
  });
});
