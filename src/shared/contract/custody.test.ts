import { describe, expect, it } from 'vitest';
import { EVENT_BODIES } from '../../core/journal/events';
import { contract, CUSTODY_ITEM_KINDS } from '.';

const good = {
  itemId: 'hsm-backup-2',
  itemKind: 'backup-token',
  description: 'Backup token, intermediate CA',
  seal: {
    bagSerial: 'TB-200001',
    location: 'Safe 3, shelf 1',
    holder: 'Carol Chen',
    witnesses: ['Dan Diaz'],
  },
  actor: 'operator:alice',
};
const withSeal = (seal: Record<string, unknown>) => ({ ...good, seal: { ...good.seal, ...seal } });

/** What the journal would record for a registration: the item entry and its first seal both parse. */
function journalTakes(d: typeof good): boolean {
  const { itemId, itemKind, description, seal } = d;
  return (
    EVENT_BODIES['custody.item-registered'].safeParse({ itemId, itemKind, description }).success &&
    EVENT_BODIES['custody.sealed'].safeParse({ itemId, ...seal }).success
  );
}

describe('custody channels refuse exactly what the journal would', () => {
  it('custodyRegister: an item and its first seal, each field by the journal entry’s own rule', () => {
    const drafts = [
      good,
      { ...good, itemId: 'x-' },
      { ...good, itemId: '-x' },
      { ...good, itemId: 'a'.repeat(41) },
      { ...good, itemKind: 'safe' },
      { ...good, description: ' ' },
      withSeal({ bagSerial: ' TB-1 ' }),
      withSeal({ bagSerial: 'TB' }),
      withSeal({ holder: ' Carol Chen ' }),
      withSeal({ holder: 'Carol  Chen' }),
      withSeal({ witnesses: ['\u202eevil'] }),
      withSeal({ witnesses: Array.from({ length: 11 }, (_, i) => `W ${String.fromCharCode(65 + i)}`) }),
      withSeal({ location: 'l'.repeat(201) }),
    ] as (typeof good)[];
    for (const d of drafts)
      expect(contract.custodyRegister.input.safeParse(d).success, JSON.stringify(d)).toBe(journalTakes(d));
    // The seal is not optional, and nothing beyond the journal's fields is taken.
    const { seal: _seal, ...noSeal } = good;
    expect(contract.custodyRegister.input.safeParse(noSeal).error?.issues[0]?.path).toEqual(['seal']);
    expect(contract.custodyRegister.input.safeParse(withSeal({ itemId: 'x' })).success).toBe(false);
    expect(CUSTODY_ITEM_KINDS).toEqual(EVENT_BODIES['custody.item-registered'].shape.itemKind.options);
  });

  it('coverageSet: the journal’s availability entry, and a date that exists', () => {
    const set = {
      custodianId: 'alice',
      date: '2026-12-07',
      shift: 'day',
      available: true,
      actor: 'operator:bob',
    };
    expect(contract.coverageSet.input.safeParse(set).success).toBe(true);
    for (const [k, v] of [
      ['date', '2026-02-30'],
      ['shift', 'Day'],
      ['custodianId', 'Alice'],
      ['available', 'yes'],
    ] as const) {
      const bad = { ...set, [k]: v };
      const { actor: _a, ...body } = bad;
      expect(EVENT_BODIES['coverage.availability-set'].safeParse(body).success).toBe(false);
      expect(contract.coverageSet.input.safeParse(bad).error?.issues[0]?.path).toEqual([k]);
    }
  });
});
