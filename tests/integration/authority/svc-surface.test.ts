import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import * as authorityDoor from '../../../src/main/services/authority';
import { contract, METHODS } from '../../../src/shared/contract';

/**
 * The authority surface shows lanes; people decide (design §9): no channel of the domain — nor any
 * function of its door — revokes, freezes, publishes or schedules. Names and every field of every input
 * and output are read, so an act smuggled in under a field (`scheduleAt`, `publish: true`) fails here.
 */
const ACTS = /revok|revoc|freez|publish|schedul/i;

/** Every property name, enum value and constant in a JSON Schema. */
function words(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) {
    for (const n of node) words(n, out);
    return out;
  }
  if (typeof node !== 'object' || node === null) return out;
  for (const [k, v] of Object.entries(node)) {
    if (k === 'properties' && typeof v === 'object' && v !== null) out.push(...Object.keys(v));
    if (k === 'enum' && Array.isArray(v)) out.push(...v.map(String));
    if (k === 'const') out.push(String(v));
    words(v, out);
  }
  return out;
}

describe('authority surface', () => {
  const methods = METHODS.filter((m) => m.startsWith('authority'));

  it('declares its reads and its evaluation', () => {
    expect(methods).toEqual(
      expect.arrayContaining(['authorityEvaluate', 'authorityStatus', 'authorityDiff', 'authorityLineage']),
    );
  });

  it('no channel name, input or output field, or door function revokes, freezes, publishes or schedules', () => {
    const found: string[] = [];
    for (const m of methods) {
      if (ACTS.test(m)) found.push(m);
      for (const io of ['input', 'output'] as const) {
        const schema = z.toJSONSchema(contract[m][io], {
          io: io === 'input' ? 'input' : 'output',
          unrepresentable: 'any',
        });
        for (const w of words(schema)) if (ACTS.test(w)) found.push(`${m}.${io}: ${w}`);
      }
    }
    for (const name of Object.keys(authorityDoor))
      if (ACTS.test(name)) found.push(`services/authority: ${name}`);
    expect(found).toEqual([]);
  });

  it('the probe is not blind: it finds such a word in a schema', () => {
    const probe = z.strictObject({ lane: z.string(), scheduleAt: z.string(), mode: z.enum(['publish']) });
    expect(words(z.toJSONSchema(probe)).filter((w) => ACTS.test(w))).toEqual(['scheduleAt', 'publish']);
  });
});
