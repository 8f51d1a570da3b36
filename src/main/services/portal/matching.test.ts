import { describe, expect, it } from 'vitest';
import { duplicateOf, ownership } from './matching';

const CSR = 'aa'.repeat(32);
const KEY = 'bb'.repeat(32);
const TERMS = ['Northwind Package Signing 2027', CSR, KEY];
const row = (subject: string, fingerprint: string, state = 'pending') => ({ subject, fingerprint, state });

describe('reading the portal queue', () => {
  it('before entry, a pending request for the same subject or the same key is a duplicate', () => {
    expect(duplicateOf(TERMS, row('Northwind Package Signing 2027', 'cc'.repeat(32)))).toBe(true);
    expect(duplicateOf(TERMS, row('Northwind TLS 2027', KEY.toUpperCase().replace(/(..)/g, '$1:')))).toBe(
      true,
    );
    expect(duplicateOf(TERMS, row('Northwind Package Signing 2027', KEY, 'issued'))).toBe(true);
  });

  it('look-alikes are not duplicates: rejected, cancelled, issued for another key, another subject and key', () => {
    expect(duplicateOf(TERMS, row('Northwind Package Signing 2027', KEY, 'rejected'))).toBe(false);
    expect(duplicateOf(TERMS, row('Northwind Package Signing 2027', KEY, 'cancelled'))).toBe(false);
    expect(duplicateOf(TERMS, row('Northwind Package Signing 2027', 'cc'.repeat(32), 'issued'))).toBe(false);
    expect(duplicateOf(TERMS, row('Northwind TLS 2027', 'cc'.repeat(32)))).toBe(false);
  });

  it('reconciliation: subject and fingerprint → match; a portal that shows no fingerprint → maybe, never match', () => {
    expect(ownership(TERMS, row('Northwind Package Signing 2027', CSR))).toBe('match');
    expect(ownership(TERMS, row('Northwind Package Signing 2027', KEY, 'rejected'))).toBe('match');
    expect(ownership(TERMS, row('Northwind Package Signing 2027', ''))).toBe('maybe');
    expect(ownership(TERMS, row('Other subject', KEY))).toBe('maybe');
    expect(ownership(TERMS, row('Northwind Package Signing 2027', 'cc'.repeat(32)))).toBe('none');
    expect(ownership(TERMS, row('Other subject', ''))).toBe('none');
  });
});
