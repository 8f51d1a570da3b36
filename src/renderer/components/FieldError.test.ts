import { describe, expect, it } from 'vitest';
import { fieldMatches } from './FieldError';

describe('fieldMatches: a coded error lands at the field it names', () => {
  it('matches the dispatcher path, the service field and nested items; not a field that only ends alike', () => {
    expect(fieldMatches('input.claim.text', 'text')).toBe(true);
    expect(fieldMatches('input.claim.text', 'claim.text')).toBe(true);
    expect(fieldMatches('claim.evidence.2', 'evidence')).toBe(true);
    expect(fieldMatches('claimId', 'claimId')).toBe(true);
    expect(fieldMatches('input.claimId', 'Id')).toBe(false);
    expect(fieldMatches('input.subtext', 'text')).toBe(false);
    expect(fieldMatches('input', 'text')).toBe(false);
  });
});
