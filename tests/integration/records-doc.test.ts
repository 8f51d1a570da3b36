import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { FAMILIES } from '../../src/core/findings/families/catalogue';
import { FAMILIES_BEGIN, FAMILIES_END, familiesSection } from '../../src/core/findings/families/doc';

/**
 * docs/records.md documents every record family as the catalogue defines it: the section between the
 * markers is generated. After changing the catalogue, regenerate it with
 *   RECORDS_DOC_WRITE=1 npx vitest run --project integration tests/integration/records-doc.test.ts
 */
const path = join(import.meta.dirname, '..', '..', 'docs', 'records.md');

function section(doc: string): string {
  const begin = doc.indexOf(FAMILIES_BEGIN);
  const end = doc.indexOf(FAMILIES_END);
  expect(begin, 'docs/records.md has the record-families markers').toBeGreaterThanOrEqual(0);
  expect(end).toBeGreaterThan(begin);
  return doc.slice(begin, end + FAMILIES_END.length);
}

describe('docs/records.md', () => {
  it('its record-families section is the one generated from the catalogue (as Prettier writes it)', async () => {
    const doc = readFileSync(path, 'utf8');
    const options = { ...(await resolveConfig(path)), filepath: path };
    const expected = await format(doc.replace(section(doc), familiesSection()), options);
    if (process.env.RECORDS_DOC_WRITE === '1') writeFileSync(path, expected);
    expect(readFileSync(path, 'utf8')).toBe(expected);
  });

  it('names every family with its version, id field and every field', () => {
    const doc = readFileSync(path, 'utf8');
    for (const f of Object.values(FAMILIES)) {
      expect(doc).toContain(`### \`${f.name}\` v${f.version}`);
      expect(doc).toContain(`Record id: \`${f.idField}\``);
      for (const field of Object.keys(f.schema.shape))
        expect(doc, `${f.name}.${field}`).toMatch(new RegExp(`^\\| \`${field}\` +\\|`, 'm'));
    }
  });
});

/**
 * resources/records/<family>.v<version>.json: each family as data — its name, version, title, source
 * systems, id and time fields, detection signature, and its schema as JSON Schema (zod's toJSONSchema of
 * the one zod schema in the catalogue), for people and tools outside the station that produce exports.
 * Regenerate with RECORDS_DOC_WRITE=1 like the doc.
 */
describe('resources/records', () => {
  const dir = join(import.meta.dirname, '..', '..', 'resources', 'records');
  const expectedFile = async (f: (typeof FAMILIES)[keyof typeof FAMILIES]) => {
    const path = join(dir, `${f.name}.v${f.version}.json`);
    const data = {
      family: f.name,
      version: f.version,
      title: f.title,
      systems: f.systems,
      idField: f.idField,
      timeField: f.timeField,
      signature: f.signature,
      schema: z.toJSONSchema(f.schema, { io: 'input', unrepresentable: 'any' }),
    };
    const options = { ...(await resolveConfig(path)), filepath: path };
    return { path, text: await format(JSON.stringify(data), options) };
  };

  it('holds one file per family, exactly as the catalogue defines it', async () => {
    if (process.env.RECORDS_DOC_WRITE === '1') mkdirSync(dir, { recursive: true });
    const names = new Set<string>();
    for (const f of Object.values(FAMILIES)) {
      const { path, text } = await expectedFile(f);
      names.add(`${f.name}.v${f.version}.json`);
      if (process.env.RECORDS_DOC_WRITE === '1') writeFileSync(path, text);
      expect(readFileSync(path, 'utf8'), path).toBe(text);
    }
    expect(readdirSync(dir).sort()).toEqual([...names].sort());
  });
});
