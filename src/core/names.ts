import { z } from 'zod';

/**
 * The name policy for people and things a person names (custodians, reviewers, witnesses, stations).
 * A name is shown to witnesses, printed on packets and written to terminals, so it must read the same
 * everywhere and never steer what is around it:
 *  - NAME-CONTROL  no control characters: C0, DEL and C1 (U+0080–U+009F), which terminals execute;
 *  - NAME-FORMAT   no invisible format characters (Unicode category Cf): bidi overrides and isolates
 *                  (U+202A–U+202E, U+2066–U+2069), marks (U+200E/U+200F, U+061C), zero-width joiners
 *                  and spaces, the BOM — they reorder or hide what a reader sees;
 *  - NAME-SPACE    no line or paragraph separators, tabs or runs of spaces; no space at either end;
 *  - NAME-NFC      stored in Unicode NFC, so one spelling has one byte form;
 *  - NAME-SCRIPT   one script per word among Latin, Greek and Cyrillic (a Cyrillic "а" inside a
 *                  Latin word is a look-alike, not a name).
 * Two names that fold to the same key (NFKC, case-folded) are the same name: NAME-CLASH refuses the
 * second one where names must be unique (roster, trust store).
 */
export type NameCheckId = 'NAME-CONTROL' | 'NAME-FORMAT' | 'NAME-SPACE' | 'NAME-NFC' | 'NAME-SCRIPT';

const CONTROL = /\p{Cc}/u;
const FORMAT = /\p{Cf}/u;
const SEPARATORS = /[\u2028\u2029\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]| {2}/u;
const SCRIPTS = [/\p{Script=Latin}/u, /\p{Script=Greek}/u, /\p{Script=Cyrillic}/u];

/** The first rule a name breaks, or null when it is a good name. */
export function nameProblem(name: string): { check: NameCheckId; message: string } | null {
  if (CONTROL.test(name)) return { check: 'NAME-CONTROL', message: 'must not contain control characters' };
  if (FORMAT.test(name))
    return {
      check: 'NAME-FORMAT',
      message: 'must not contain invisible formatting characters (bidi overrides, zero-width characters)',
    };
  if (SEPARATORS.test(name) || name !== name.trim())
    return { check: 'NAME-SPACE', message: 'must use single ordinary spaces, none at either end' };
  if (name !== name.normalize('NFC'))
    return { check: 'NAME-NFC', message: 'must be in Unicode normal form C (retype it)' };
  for (const word of name.split(' ')) {
    const scripts = SCRIPTS.filter((s) => s.test(word)).length;
    if (scripts > 1)
      return {
        check: 'NAME-SCRIPT',
        message: `"${escapeForDisplay(word)}" mixes Latin, Greek or Cyrillic letters (a look-alike)`,
      };
  }
  return null;
}

/**
 * A zod schema for a name of at most `max` characters under the policy above. Ordinary spaces at either
 * end are dropped (a typing slip); everything else the policy refuses is refused, never stripped.
 */
export function nameSchema(max: number) {
  return z
    .string()
    .transform((s) => s.replace(/^ +| +$/g, ''))
    .pipe(
      z
        .string()
        .min(1)
        .max(max)
        .superRefine((s, ctx) => {
          const p = nameProblem(s);
          if (p) ctx.addIssue({ code: 'custom', message: `${p.message} (${p.check})` });
        }),
    );
}

/**
 * Free text a person or a foreign file supplies that others will read (titles, comments, organisations):
 * line breaks and tabs are allowed, but not controls a terminal executes (TEXT-CONTROL) nor invisible
 * format characters that reorder or hide what a reader sees (TEXT-FORMAT, e.g. a bidi override).
 */
export function textSchema(max: number) {
  return z
    .string()
    .max(max)
    .superRefine((s, ctx) => {
      if (/[^\P{Cc}\n\t]/u.test(s))
        ctx.addIssue({ code: 'custom', message: 'must not contain control characters (TEXT-CONTROL)' });
      else if (/\p{Cf}/u.test(s))
        ctx.addIssue({
          code: 'custom',
          message: 'must not contain invisible formatting characters such as bidi overrides (TEXT-FORMAT)',
        });
    });
}

/**
 * The key two names are compared by: compatibility-normalised (NFKC: fullwidth and ligature forms
 * fold), case-folded, whitespace collapsed. "Bob Board", "BOB BOARD" and "Ｂｏｂ Ｂｏａｒｄ" share a key.
 */
export function nameKey(name: string): string {
  return name
    .normalize('NFKC')
    .toLowerCase()
    .toUpperCase()
    .toLowerCase()
    .normalize('NFKC')
    .replace(/\s+/gu, ' ')
    .trim();
}

/** The existing name that `candidate` would be confused with, if any. */
export function nameClash(candidate: string, existing: Iterable<string>): string | null {
  const key = nameKey(candidate);
  for (const e of existing) if (nameKey(e) === key) return e;
  return null;
}

/**
 * Text safe to write to a terminal or a log: every control, format and separator character that could
 * move the cursor, reorder the line or hide text is shown as a `\u{…}` escape instead. Inside a JSON
 * string the escape reads back as the same character, so JSON output stays exact.
 */
const UNSAFE = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;
export function escapeForDisplay(text: string): string {
  // Per UTF-16 unit, so a character outside the BMP becomes a surrogate pair JSON reads back whole.
  return text.replace(UNSAFE, (c) =>
    c === '\n' || c === '\t'
      ? c
      : Array.from(
          { length: c.length },
          (_, i) => `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`,
        ).join(''),
  );
}
