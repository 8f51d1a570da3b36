import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalBytes } from '../canonical';
import { recordsDigest, type Sha256Stream } from './engine';
import type { SourceRecord } from './model';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const withDigest = (digest: string) => ({ digest }) as SourceRecord;
const hexOf = (i: number) => sha256(new TextEncoder().encode(String(i)));

describe('recordsDigest', () => {
  // The documented value (docs/findings.md): SHA-256 over the canonical JSON of the sorted digests.
  const defined = (records: readonly SourceRecord[]) =>
    sha256(canonicalBytes(records.map((r) => r.digest).sort()));

  it('is SHA-256 of the canonical JSON of the sorted digests, with or without a stream hasher', () => {
    let pieces = 0;
    const stream: Sha256Stream = () => {
      const h = createHash('sha256');
      return {
        update: (b) => {
          pieces++;
          h.update(b);
        },
        digest: () => h.digest('hex'),
      };
    };
    // 3,000 digests are ~200 kB of JSON: the stream gets it in several pieces, never whole.
    const many = Array.from({ length: 3000 }, (_, i) => withDigest(hexOf(i)));
    expect(recordsDigest(sha256, many)).toBe(defined(many));
    expect(recordsDigest(sha256, many, stream)).toBe(defined(many));
    expect(pieces).toBeGreaterThan(2);
    expect(recordsDigest(sha256, [...many].reverse(), stream)).toBe(defined(many));
    for (const few of [[], [withDigest(hexOf(1))], many.slice(0, 2)]) {
      expect(recordsDigest(sha256, few)).toBe(defined(few));
      expect(recordsDigest(sha256, few, stream)).toBe(defined(few));
    }
  });

  it('keeps the definition for a digest that JSON escapes or that is not ASCII', () => {
    const odd = [withDigest('a"b'), withDigest('é'), withDigest(hexOf(2))];
    expect(recordsDigest(sha256, odd)).toBe(defined(odd));
    const long = [withDigest('x'.repeat(70_000)), withDigest(hexOf(3))];
    const stream: Sha256Stream = () => {
      const h = createHash('sha256');
      return { update: (b) => void h.update(b), digest: () => h.digest('hex') };
    };
    expect(recordsDigest(sha256, long, stream)).toBe(defined(long));
  });
});
