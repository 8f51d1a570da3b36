import { describe, expect, it } from 'vitest';
import { approvalPredicateSchema, bundlePredicateSchema } from './statement';

/**
 * Free text in signed statements is read by people on the station, in terminals and in printed
 * packets: a bidi override or other invisible format character in a title, comment or organisation
 * would make it read differently from what was signed (TEXT-FORMAT / NAME-FORMAT).
 */
const RLO = '\u202e';
const bundle = {
  bundleKind: 'key-registration',
  packetId: 'key-registration',
  version: 1,
  title: 'Key registration for Bob Board',
  createdAt: '2026-11-25T10:00:00.000Z',
  station: null,
  holder: { name: 'Bob Board', organisation: 'Example Bank' },
  journal: null,
};
const approval = {
  packetId: 'custody-report',
  packetVersion: 3,
  packetDigest: 'a'.repeat(64),
  role: 'board-reviewer',
  decision: 'approve',
  comment: 'Checked the seals.\nAll good.',
  expiresAt: '2026-12-25T00:00:00.000Z',
  sequence: 1,
  reviewer: { name: 'Bob Board' },
  signedAt: '2026-11-25T10:00:00.000Z',
};
const ok = (schema: typeof bundlePredicateSchema | typeof approvalPredicateSchema, v: unknown) =>
  schema.safeParse(v).success;

describe('statement free text: no controls, no bidi or other format characters', () => {
  it('plain text passes, with line breaks in a comment and an empty organisation', () => {
    expect(ok(bundlePredicateSchema, bundle)).toBe(true);
    expect(ok(bundlePredicateSchema, { ...bundle, holder: { name: 'Bob Board', organisation: '' } })).toBe(
      true,
    );
    expect(ok(approvalPredicateSchema, approval)).toBe(true);
  });
  it('a bidi override in the title, the organisation or the comment is refused', () => {
    expect(ok(bundlePredicateSchema, { ...bundle, title: `Invoice ${RLO}fdp.exe` })).toBe(false);
    expect(
      ok(bundlePredicateSchema, { ...bundle, holder: { name: 'Bob Board', organisation: `Ex${RLO}ample` } }),
    ).toBe(false);
    expect(ok(approvalPredicateSchema, { ...approval, comment: `approve ${RLO}tcejer` })).toBe(false);
  });
  it('zero-width characters, escape sequences and a newline in an organisation are refused too', () => {
    expect(ok(bundlePredicateSchema, { ...bundle, title: 'Custody\u200breport' })).toBe(false);
    expect(ok(approvalPredicateSchema, { ...approval, comment: 'ok \u001b[2J' })).toBe(false);
    expect(
      ok(bundlePredicateSchema, { ...bundle, holder: { name: 'Bob Board', organisation: 'Example\nBank' } }),
    ).toBe(false);
    expect(ok(bundlePredicateSchema, { ...bundle, title: '   ' })).toBe(false);
  });
});
