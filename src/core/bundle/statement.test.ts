import { describe, expect, it } from 'vitest';
import {
  approvalPredicateSchema,
  approvalStatementSchema,
  bundlePredicateSchema,
  bundleStatementSchema,
  PREDICATE_TYPES,
  STATEMENT_TYPE,
} from './statement';

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

/**
 * in-toto Statement v1 (in-toto/attestation spec/v1/statement.md, README "Parsing rules"): consumers
 * ignore unrecognised fields, and a subject's digest is a DigestSet of which the station reads sha256.
 * The station's own predicates stay strict: they are its format, not in-toto's.
 */
describe('in-toto statement: unknown fields ignored, the station predicate strict', () => {
  const sha = 'b'.repeat(64);
  const statement = (over: Record<string, unknown> = {}, subject: Record<string, unknown> = {}) => ({
    _type: STATEMENT_TYPE,
    subject: [{ name: 'evidence/report.txt', digest: { sha256: sha }, ...subject }],
    predicateType: PREDICATE_TYPES.bundle,
    predicate: bundle,
    ...over,
  });
  const parse = (v: unknown) => bundleStatementSchema.safeParse(v);

  it('an extra top-level field, an extra subject field and extra digest algorithms verify; none is kept', () => {
    const r = parse(
      statement(
        { producer: { tool: 'other-signer', version: '2.1' } },
        {
          annotations: { note: 'x' },
          uri: 'https://example.com/r',
          digest: { sha256: sha, sha512: 'c'.repeat(128) },
        },
      ),
    );
    expect(r.success, JSON.stringify(r.error?.issues)).toBe(true);
    // Ignored, never used: what the station reads of a statement is exactly what it knows.
    expect(r.data).toEqual(statement());
    expect(Object.keys(r.data?.subject[0]?.digest ?? {})).toEqual(['sha256']);
  });
  it('the approval statement tolerates the same, and still reads its own predicate', () => {
    const r = approvalStatementSchema.safeParse({
      _type: STATEMENT_TYPE,
      subject: [
        { name: 'custody-report@v3', digest: { sha256: 'a'.repeat(64), 'sha3-256': 'd'.repeat(64) }, x: 1 },
      ],
      predicateType: PREDICATE_TYPES.approval,
      predicate: approval,
      extra: [1, 2],
    });
    expect(r.success, JSON.stringify(r.error?.issues)).toBe(true);
    expect(r.data?.predicate).toEqual(approval);
  });
  it('a predicate with an unknown field is still refused, in both predicates', () => {
    expect(parse(statement({ predicate: { ...bundle, extra: 1 } })).success).toBe(false);
    expect(
      approvalStatementSchema.safeParse({
        _type: STATEMENT_TYPE,
        subject: [{ name: 'custody-report@v3', digest: { sha256: 'a'.repeat(64) } }],
        predicateType: PREDICATE_TYPES.approval,
        predicate: { ...approval, reviewer: { name: 'Bob Board', key: 'x' } },
      }).success,
    ).toBe(false);
  });
  it('sha256 stays required and checked; extra algorithms must be DigestSet strings', () => {
    expect(parse(statement({}, { digest: { sha512: 'c'.repeat(128) } })).success).toBe(false);
    expect(parse(statement({}, { digest: {} })).success).toBe(false);
    expect(
      parse(statement({}, { digest: { sha256: sha.toUpperCase(), sha512: 'c'.repeat(128) } })).success,
    ).toBe(false);
    expect(parse(statement({}, { digest: { sha256: sha, sha512: 12 } })).success).toBe(false);
    expect(parse(statement({}, { name: '' })).success).toBe(false);
    expect(parse(statement({ subject: [] })).success).toBe(false);
  });
  it('the statement type and predicate type are still checked', () => {
    expect(parse(statement({ _type: 'https://in-toto.io/Statement/v0.1' })).success).toBe(false);
    expect(parse(statement({ predicateType: 'https://slsa.dev/provenance/v1' })).success).toBe(false);
  });
});
