import { afterEach, describe, expect, it } from 'vitest';
import { availabilityRows, custodyEventRows, custodyItemExists, custodyItemIds } from './custody';
import { refusal, testStore, type TestStore } from './test-support';

let s: TestStore;
afterEach(() => s.close());

function withItem(): TestStore {
  s = testStore();
  s.record('custody.item-registered', { itemId: 'hsm-1', itemKind: 'hsm', description: 'Primary HSM' });
  s.record('custody.sealed', {
    itemId: 'hsm-1',
    bagSerial: 'TB-104233',
    location: 'Safe A',
    holder: 'Ada Lovelace',
    witnesses: ['Bob Board'],
  });
  s.record('coverage.availability-set', {
    custodianId: 'ada',
    date: '2026-05-02',
    shift: 'day',
    available: true,
  });
  return s;
}

describe('custody repository', () => {
  it('reads the custody log as typed acts (details by type, without the item id) and availability as booleans', () => {
    withItem();
    expect(custodyItemExists(s.db, 'hsm-1')).toBe(true);
    expect(custodyItemExists(s.db, 'hsm-2')).toBe(false);
    expect(custodyItemIds(s.db)).toEqual(['hsm-1']);
    expect(custodyEventRows(s.db, 'hsm-1')).toEqual([
      {
        itemKind: 'hsm',
        description: 'Primary HSM',
        type: 'registered',
        seq: 1,
        at: '2026-05-01T10:00:00.000Z',
        actor: 'operator:test',
      },
      {
        bagSerial: 'TB-104233',
        location: 'Safe A',
        holder: 'Ada Lovelace',
        witnesses: ['Bob Board'],
        type: 'sealed',
        seq: 2,
        at: '2026-05-01T10:00:00.000Z',
        actor: 'operator:test',
      },
    ]);
    expect(availabilityRows(s.db)).toEqual([
      { custodianId: 'ada', date: '2026-05-02', shift: 'day', available: true },
    ]);
  });

  it.each([
    [
      'an act type the log does not know',
      "UPDATE custody_event SET type = 'teleported' WHERE seq = 2",
      'type',
      'type',
    ],
    [
      'a bag serial that is a number',
      `UPDATE custody_event SET details = '{"itemId":"hsm-1","bagSerial":104233,"location":"Safe A","holder":"Ada Lovelace","witnesses":[]}' WHERE seq = 2`,
      'details',
      'details.bagSerial',
    ],
    [
      'details that are not JSON',
      "UPDATE custody_event SET details = 'sealed' WHERE seq = 2",
      'details',
      'details',
    ],
  ])('a custody act with %s is refused, naming the column', (_what, sql, column, path) => {
    withItem();
    s.tamper(sql);
    expect(refusal(() => custodyEventRows(s.db, 'hsm-1'))).toMatchObject({
      code: 'STORE_ROW_INVALID',
      data: { table: 'custody_event', row: 'seq=2', column, path },
    });
  });

  it('an availability that is neither 0 nor 1 is refused, naming available', () => {
    withItem();
    s.tamper('UPDATE availability SET available = 7');
    expect(refusal(() => availabilityRows(s.db))).toMatchObject({
      code: 'STORE_ROW_INVALID',
      data: {
        table: 'availability',
        row: 'custodian_id="ada" date="2026-05-02" shift="day"',
        column: 'available',
      },
    });
  });
});
