import { entropyToMnemonic } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { digestWords } from './words';

describe('digestWords', () => {
  it('maps all-zero and all-one digests to the first and last words', () => {
    expect(digestWords(new Uint8Array(32))).toEqual(Array(8).fill('abandon'));
    expect(digestWords(new Uint8Array(32).fill(0xff))).toEqual(Array(8).fill('zoo'));
  });

  it('reads 11 bits per word exactly as BIP-39 does (cross-checked against @scure/bip39)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (entropy) => {
        // The first 11 words of a 128-bit mnemonic are the first 121 entropy bits, 11 at a time.
        const mnemonic = entropyToMnemonic(entropy, wordlist).split(' ');
        expect(digestWords(entropy, 11)).toEqual(mnemonic.slice(0, 11));
      }),
      { numRuns: 200 },
    );
  });

  it('refuses a digest too short for the words asked', () => {
    expect(() => digestWords(new Uint8Array(10), 8)).toThrow(RangeError);
  });
});
