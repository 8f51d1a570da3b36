import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { systemDeps } from '../../../src/main/runtime';
import { Station } from '../../../src/main/station/station';
import { tempDir } from '../../helpers/temp';

/**
 * A check that must hold when events land runs inside the append's write transaction (the review of
 * issue #10 found a replay check made before the write, which two processes could both pass). Two
 * connections to one database stand for the CLI beside `station serve`.
 */
const note = (text: string) => ({ kind: 'operator.note' as const, actor: 'operator:w', body: { text } });

describe('journal append with an in-transaction recheck', () => {
  it('the recheck sees what another connection committed after the caller looked, and refuses atomically', () => {
    const dir = join(tempDir(), 'st');
    const a = Station.init(
      dir,
      { name: 'Vault', mode: 'offline', demo: false, actor: 'operator:so' },
      systemDeps,
    );
    const b = Station.open(dir, systemDeps);
    try {
      const seen = () => a.journal.head().seq;
      // A looks (the pre-check a service makes before its act) ...
      const looked = seen();
      // ... B appends meanwhile ...
      b.record([note('claimed by the other process')]);
      // ... and A's recheck, run under the write lock, sees B's entry and refuses: nothing of A's lands.
      expect(() =>
        a.record([note('A 1'), note('A 2')], () => {
          if (seen() !== looked) throw new Error('moved');
        }),
      ).toThrow('moved');
      expect(a.journal.head().seq).toBe(looked + 1);
      expect(a.journal.get(looked + 1)?.kind).toBe('operator.note');
      // A recheck that holds lets the whole batch land.
      const r = a.record([note('A 3'), note('A 4')], () => {});
      expect([r.firstSeq, r.lastSeq]).toEqual([looked + 2, looked + 3]);
    } finally {
      b.close();
      a.close();
    }
  });
});
