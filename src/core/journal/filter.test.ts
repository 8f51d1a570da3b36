import { describe, expect, it } from 'vitest';
import { checkFilter, isFiltering } from './filter';

const refusal = (field: string, message: RegExp) =>
  expect.objectContaining({
    code: 'INVALID_INPUT',
    data: { field },
    message: expect.stringMatching(message),
  });

describe('journal filter', () => {
  it('closes an open range over the whole journal and keeps kinds distinct and sorted', () => {
    expect(checkFilter(undefined, 40)).toEqual({ kinds: [], actor: null, fromSeq: 1, toSeq: 40 });
    expect(checkFilter({ kinds: ['b', 'a', 'b'], actor: 'operator:alice', fromSeq: 3 }, 40)).toEqual({
      kinds: ['a', 'b'],
      actor: 'operator:alice',
      fromSeq: 3,
      toSeq: 40,
    });
    expect(checkFilter({ fromSeq: 7, toSeq: 7 }, 40)).toMatchObject({ fromSeq: 7, toSeq: 7 });
  });

  it('refuses a range that runs backwards, naming the to field', () => {
    expect(() => checkFilter({ fromSeq: 9, toSeq: 4 }, 40)).toThrow(
      refusal('toSeq', /To seq 4 is before from seq 9/),
    );
  });

  it('refuses a seq the journal does not hold, naming the field that holds it', () => {
    expect(() => checkFilter({ fromSeq: 41 }, 40)).toThrow(refusal('fromSeq', /last entry is seq 40/));
    expect(() => checkFilter({ toSeq: 41 }, 40)).toThrow(refusal('toSeq', /To seq 41 is past the end/));
    expect(() => checkFilter({ fromSeq: 0 }, 40)).toThrow(refusal('fromSeq', /at least 1/));
    expect(() => checkFilter({ toSeq: 1.5 }, 40)).toThrow(refusal('toSeq', /whole number/));
    expect(() => checkFilter({ fromSeq: 1 }, 0)).toThrow(refusal('fromSeq', /the journal is empty/));
    // The edges themselves are inside.
    expect(checkFilter({ fromSeq: 1, toSeq: 40 }, 40)).toMatchObject({ fromSeq: 1, toSeq: 40 });
  });

  it('says whether a filter narrows anything', () => {
    expect(isFiltering(undefined)).toBe(false);
    expect(isFiltering({})).toBe(false);
    expect(isFiltering({ kinds: [] })).toBe(false);
    expect(isFiltering({ kinds: ['operator.note'] })).toBe(true);
    expect(isFiltering({ actor: 'station' })).toBe(true);
    expect(isFiltering({ toSeq: 3 })).toBe(true);
  });
});
