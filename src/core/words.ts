import { wordlist } from '@scure/bip39/wordlists/english.js';

/**
 * Human-checkable words for a digest, for witnesses comparing fingerprints aloud: each word carries
 * 11 bits of the digest (BIP-39 English list: 2048 words, unambiguous in their first four letters).
 * Eight words carry 88 bits; the full hex is always shown beside them.
 */
export function digestWords(digest: Uint8Array, count = 8): string[] {
  if (count * 11 > digest.length * 8) throw new RangeError(`digest too short for ${count} words`);
  const words: string[] = [];
  let acc = 0;
  let bits = 0;
  let i = 0;
  while (words.length < count) {
    while (bits < 11) {
      acc = (acc << 8) | (digest[i++] as number);
      bits += 8;
    }
    bits -= 11;
    words.push(wordlist[(acc >>> bits) & 0x7ff] as string);
    acc &= (1 << bits) - 1;
  }
  return words;
}
