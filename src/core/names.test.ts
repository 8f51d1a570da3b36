import { describe, expect, it } from 'vitest';
import { escapeForDisplay, nameClash, nameKey, nameProblem, nameSchema, textSchema } from './names';

describe('name policy', () => {
  it.each([
    ['Alice Example', null],
    ['Zoë Müller-Łukasiewicz', null],
    ['Ωμέγα Παπαδόπουλος', null],
    ['Иван Петров', null],
    ['李小龍', null],
    ["Dana O'Neil", null],
  ])('accepts an ordinary name: %s', (name, problem) => {
    expect(nameProblem(name)).toBe(problem);
    expect(nameSchema(80).safeParse(name).success).toBe(true);
  });

  it.each([
    ['NAME-CONTROL', 'Bob\u0007Board'],
    ['NAME-CONTROL', 'Bob\u009b31mBoard'],
    ['NAME-CONTROL', 'Bob\nBoard'],
    ['NAME-CONTROL', 'Bob\u001b[2JBoard'],
    ['NAME-FORMAT', 'Bob \u202eDRAOB'],
    ['NAME-FORMAT', 'Bob\u2066Board\u2069'],
    ['NAME-FORMAT', 'Bob\u200bBoard'],
    ['NAME-FORMAT', '\ufeffBob'],
    ['NAME-FORMAT', 'Bob\u200f'],
    ['NAME-SPACE', 'Bob  Board'],
    ['NAME-SPACE', 'Bob\u2028Board'],
    ['NAME-SPACE', 'Bob\u00a0Board'],
    ['NAME-NFC', 'Zoe\u0308'],
    ['NAME-SCRIPT', 'B\u043eb Board'],
    ['NAME-SCRIPT', 'Αlice'],
  ])('refuses %s: %j', (check, name) => {
    expect(nameProblem(name)?.check).toBe(check);
    const r = nameSchema(80).safeParse(name);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toContain(check);
  });

  it('drops ordinary spaces at either end (a typing slip) but never strips what it refuses', () => {
    expect(nameProblem(' Bob')?.check).toBe('NAME-SPACE');
    expect(nameSchema(80).parse('  Bob Board ')).toBe('Bob Board');
    expect(nameSchema(80).safeParse('   ').success).toBe(false);
  });

  it('case-folding and compatibility look-alikes share a key; different people do not', () => {
    expect(nameKey('Bob Board')).toBe(nameKey('BOB BOARD'));
    expect(nameKey('Bob Board')).toBe(nameKey('Ｂｏｂ Ｂｏａｒｄ'));
    expect(nameKey('Strauß')).toBe(nameKey('STRAUSS'));
    expect(nameClash('bob board', ['Alice', 'Bob Board'])).toBe('Bob Board');
    // Look-alikes that are really different names must not clash.
    expect(nameClash('Bob Boards', ['Bob Board'])).toBeNull();
    expect(nameClash('Zoë', ['Zoe'])).toBeNull();
  });

  it('escapes what a terminal would execute or reorder, and JSON reads the escape back exactly', () => {
    const raw = 'Bob\u001b[2J\u202eevil\u009b\u2028\u{e0041}';
    const shown = escapeForDisplay(raw);
    expect(shown).toBe('Bob\\u001b[2J\\u202eevil\\u009b\\u2028\\udb40\\udc41');
    expect(/[\p{Cc}\u2028\u2029\u202e]/u.test(shown)).toBe(false);
    const json = JSON.stringify({ name: raw });
    expect(JSON.parse(escapeForDisplay(json))).toEqual({ name: raw });
    expect(escapeForDisplay('line one\n\tline two')).toBe('line one\n\tline two');
  });

  it('free text keeps line breaks and tabs but refuses terminal controls and bidi overrides', () => {
    expect(textSchema(200).safeParse('Rotation deferred.\n\tSee annex B — Zoë').success).toBe(true);
    const control = textSchema(200).safeParse('ok\u001b[2J');
    expect(control.error?.issues[0]?.message).toContain('TEXT-CONTROL');
    const bidi = textSchema(200).safeParse('approve \u202eeteled');
    expect(bidi.error?.issues[0]?.message).toContain('TEXT-FORMAT');
    expect(textSchema(5).safeParse('too long').success).toBe(false);
  });
});
