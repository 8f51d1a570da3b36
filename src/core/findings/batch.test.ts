import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalBytes } from '../canonical';
import { digestInto, originOf, plainRecord, RecordBatch, recordIdOf } from './batch';
import { digestOrder, knownAt, recordsDigest } from './engine';
import type { SourceRecord } from './model';
import { RecordSet } from './records';

const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');
const origin = {
  family: 'hsm-audit-log',
  familyVersion: 1,
  system: 'hsm-admin',
  exportedAt: '2026-07-05T18:00:00.000Z',
  fileSha256: sha256('file'),
  firstHand: false,
};
const entry = (id: string, op = 'r.iyer') => ({ entryId: id, at: '2026-01-01T00:00:00.000Z', operator: op });

describe('RecordBatch', () => {
  it('gives each record its provenance, digest and plain shape as a record literal would have them', () => {
    const batch = new RecordBatch(origin, 'entryId', ['at']);
    const d1 = sha256('one');
    const r = batch.add('E-1', entry('E-1'), d1);
    batch.add('E-2', entry('E-2', 'd.kowalski'), sha256('two'));
    batch.seal();
    const plain = {
      family: 'hsm-audit-log',
      familyVersion: 1,
      provenance: {
        system: 'hsm-admin',
        recordId: 'E-1',
        exportedAt: origin.exportedAt,
        fileSha256: origin.fileSha256,
        firstHand: false,
      },
      content: entry('E-1'),
      digest: d1,
    };
    expect(plainRecord(r)).toEqual(plain);
    expect(JSON.parse(JSON.stringify(r))).toEqual(plain);
    expect([r.family, r.familyVersion, r.digest, recordIdOf(r)]).toEqual(['hsm-audit-log', 1, d1, 'E-1']);
    expect(originOf(r)).toBe(batch.origin);
    expect(batch.size).toBe(2);
  });

  it('keeps ids beside the records when there is no id field, and refuses an id its content contradicts', () => {
    const free = new RecordBatch(origin, null);
    expect(recordIdOf(free.add('ROW-9', { any: 'thing' }, sha256('x')))).toBe('ROW-9');
    const batch = new RecordBatch(origin, 'entryId');
    expect(() => batch.add('E-3', entry('E-4'), sha256('y'))).toThrow(/entryId says E-4/);
  });

  it('refuses a digest that is not 64 lowercase hex digits, and records after it is sealed', () => {
    const batch = new RecordBatch(origin, 'entryId');
    expect(() => batch.add('E-1', entry('E-1'), sha256('z').toUpperCase())).toThrow(/64 lowercase hex/);
    expect(() => batch.add('E-1', entry('E-1'), 'abc')).toThrow(/64 lowercase hex/);
    batch.add('E-1', entry('E-1'), sha256('z'));
    batch.seal();
    expect(() => batch.add('E-2', entry('E-2'), sha256('w'))).toThrow(/sealed/);
  });

  it('grows past its first capacity without losing a digest', () => {
    const batch = new RecordBatch(origin, 'entryId', [], 1);
    const added = Array.from({ length: 300 }, (_, i) =>
      batch.add(`E-${i}`, entry(`E-${i}`), sha256(String(i))),
    );
    batch.seal();
    expect(added.map((r) => r.digest)).toEqual(added.map((_, i) => sha256(String(i))));
  });

  it('is read by the engine exactly like record literals: known-at, ordering, records digest', () => {
    const batch = new RecordBatch(origin, 'entryId');
    const batched = ['E-3', 'E-1', 'E-2'].map((id) => batch.add(id, entry(id), sha256(id)));
    batch.seal();
    const literals = batched.map(plainRecord);
    expect(knownAt(batched, '2026-07-05T17:59:59.999Z')).toEqual([]);
    expect(knownAt(batched, origin.exportedAt)).toHaveLength(3);
    expect(new RecordSet(batched).all('hsm-audit-log').map(recordIdOf)).toEqual(['E-1', 'E-2', 'E-3']);
    const defined = sha256(canonicalBytes(literals.map((r) => r.digest).sort()));
    expect(recordsDigest(sha256, batched)).toBe(defined);
    expect(recordsDigest(sha256, [...batched, ...literals.slice(0, 1)])).toBe(
      sha256(canonicalBytes([...literals, literals[0]].map((r) => r!.digest).sort())),
    );
  });
});

describe('digestOrder', () => {
  const withDigest = (digest: string) => ({ digest }) as SourceRecord;
  // Digests that share their first 32 bits (and some their first 48), in shuffled order, with a duplicate.
  const shared = ['ffffffff', '00000000', 'ffffffff0000', 'ffffffffffff'].flatMap((p) =>
    ['01', 'ff', '00', '7f'].map((t) => p + t.repeat((64 - p.length) / 2)),
  );
  const digests = [
    ...shared,
    shared[3] as string,
    ...Array.from({ length: 50 }, (_, i) => sha256(String(i))),
  ];
  const records = digests.map(withDigest).reverse();
  const expected = [...digests].sort();

  it('orders by whole digests when the first 32 bits are equal, on the packed-key path and the comparator path', () => {
    for (const bits of [21, 3]) {
      const order = digestOrder(records, bits);
      expect(order && [...order].map((i) => records[i]!.digest)).toEqual(expected);
    }
  });

  it('reads a record literal’s hex and refuses anything else', () => {
    const into = new Uint8Array(32);
    expect(digestInto(withDigest(sha256('a')), into, 0)).toBe(true);
    expect(Buffer.from(into).toString('hex')).toBe(sha256('a'));
    expect(digestOrder([withDigest('a"b'), withDigest(sha256('b'))])).toBeNull();
  });
});
