import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { toHex } from '../bytes';
import { EntryHasher, GENESIS_PREV_HASH } from './entry';

const sha256 = (d: Uint8Array) => new Uint8Array(createHash('sha256').update(d).digest());

/** An independent, deliberately plain implementation of docs/journal-format.md to check against. */
function referenceHash(
  prev: Uint8Array,
  seq: number,
  at: string,
  actor: string,
  kind: string,
  body: Uint8Array,
) {
  const str = (s: string) => {
    const b = Buffer.from(s, 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    return Buffer.concat([len, b]);
  };
  const seqBuf = Buffer.alloc(8);
  seqBuf.writeBigUInt64BE(BigInt(seq));
  const bodyLen = Buffer.alloc(4);
  bodyLen.writeUInt32BE(body.length);
  return createHash('sha256')
    .update(Buffer.concat([Buffer.from('CSJ1'), prev, seqBuf, str(at), str(actor), str(kind), bodyLen, body]))
    .digest('hex');
}

describe('EntryHasher (journal format v1)', () => {
  const hasher = new EntryHasher(sha256);

  it('matches the documented golden vector', () => {
    const body = Buffer.from('{"text":"hello"}');
    const h = hasher.hash({
      seq: 1,
      at: '2026-01-01T00:00:00.000Z',
      actor: 'operator:alice',
      kind: 'operator.note',
      body,
      prevHash: GENESIS_PREV_HASH,
    });
    // The same vector is printed in docs/journal-format.md.
    expect(toHex(h)).toBe('c5f1896e280c6dcdb65dfb14f0dcf56b61516f53ac5938100f38f8bc57e67f37');
    expect(toHex(h)).toBe(
      referenceHash(
        GENESIS_PREV_HASH,
        1,
        '2026-01-01T00:00:00.000Z',
        'operator:alice',
        'operator.note',
        body,
      ),
    );
  });

  it('agrees with the reference encoding for non-ASCII text and large bodies (buffer growth)', () => {
    const prev = sha256(new Uint8Array([1, 2, 3]));
    for (const size of [0, 10, 5000, 70_000]) {
      const body = new Uint8Array(size).fill(0x61);
      const got = toHex(
        hasher.hash({
          seq: 2 ** 40 + size,
          at: 'ünïcødé',
          actor: 'operator:zoë',
          kind: 'k',
          body,
          prevHash: prev,
        }),
      );
      expect(got).toBe(referenceHash(prev, 2 ** 40 + size, 'ünïcødé', 'operator:zoë', 'k', body));
    }
  });

  it('length prefixes keep fields apart: moving a character between fields changes the hash', () => {
    const base = { seq: 1, at: 'a', body: new Uint8Array(), prevHash: GENESIS_PREV_HASH };
    const a = toHex(hasher.hash({ ...base, actor: 'ab', kind: 'c' }));
    const b = toHex(hasher.hash({ ...base, actor: 'a', kind: 'bc' }));
    expect(a).not.toBe(b);
  });

  it('refuses a prev hash of the wrong length', () => {
    expect(() =>
      hasher.hash({
        seq: 1,
        at: 'a',
        actor: 'b',
        kind: 'c',
        body: new Uint8Array(),
        prevHash: new Uint8Array(31),
      }),
    ).toThrow(RangeError);
  });
});
