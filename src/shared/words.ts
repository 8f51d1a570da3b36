import { digestWords } from '../core/words';

/**
 * The words of a hex digest, as witnesses read them aloud (src/core/words.ts): the renderer shows a
 * file's SHA-256 as hex and as words without a round trip to the station.
 */
export function hexDigestWords(hex: string, count = 8): string[] {
  const pairs = hex.match(/[0-9a-f]{2}/gi) ?? [];
  return digestWords(
    Uint8Array.from(pairs, (b) => parseInt(b, 16)),
    count,
  );
}
