import { describe, expect, it } from 'vitest';
import { coverageGrid, dateRange } from './coverage';
import { custodyState, DEFAULT_CUSTODY_POLICY, type CustodyEvent } from './custody-log';
import type { RosterEntry } from './roster';

const base: CustodyEvent[] = [
  {
    type: 'registered',
    seq: 1,
    at: '2026-01-01T00:00:00.000Z',
    itemKind: 'backup-token',
    description: 'backup token B',
  },
  {
    type: 'sealed',
    seq: 2,
    at: '2026-01-02T00:00:00.000Z',
    bagSerial: 'TB-1001',
    location: 'safe 2',
    holder: 'Alice',
    witnesses: ['Bob'],
  },
];
const NOW = '2026-03-01T00:00:00.000Z';
const inspect = (seq: number, at: string, bag = 'TB-1001', intact = true): CustodyEvent => ({
  type: 'inspected',
  seq,
  at,
  bagSerialObserved: bag,
  sealIntact: intact,
  inspector: 'Carol',
  note: '',
});

describe('custody log', () => {
  it('CUST-INSPECTION-FRESH: READY when sealed and recently inspected; MISSING when never inspected', () => {
    expect(custodyState(base, DEFAULT_CUSTODY_POLICY, NOW)).toMatchObject({
      status: 'HOLD',
      inspection: { status: 'MISSING' },
    });
    expect(
      custodyState([...base, inspect(3, '2026-02-01T00:00:00.000Z')], DEFAULT_CUSTODY_POLICY, NOW),
    ).toMatchObject({
      status: 'READY',
      sealed: true,
      bagSerial: 'TB-1001',
      inspection: { status: 'SATISFIED' },
    });
  });

  it('CUST-INSPECTION-FRESH: an inspection older than the last media replacement, or the policy age, is STALE', () => {
    const replaced: CustodyEvent = {
      type: 'media-replaced',
      seq: 4,
      at: '2026-02-10T00:00:00.000Z',
      note: 'new card',
    };
    expect(
      custodyState([...base, inspect(3, '2026-02-01T00:00:00.000Z'), replaced], DEFAULT_CUSTODY_POLICY, NOW),
    ).toMatchObject({
      status: 'HOLD',
      inspection: { status: 'STALE', reason: expect.stringContaining('predates the media replacement') },
    });
    expect(
      custodyState([...base, inspect(3, '2026-01-03T00:00:00.000Z')], { maxInspectionAgeDays: 30 }, NOW),
    ).toMatchObject({
      inspection: { status: 'STALE', reason: expect.stringContaining('older than 30 days') },
    });
  });

  it('CUST-SEAL-MATCH / CUST-SEAL-INTACT: a different bag serial or a broken seal is a custody break', () => {
    const s = custodyState(
      [...base, inspect(3, '2026-02-01T00:00:00.000Z', 'TB-1002')],
      DEFAULT_CUSTODY_POLICY,
      NOW,
    );
    expect(s.status).toBe('BLOCKED');
    expect(s.breaks).toEqual([
      expect.objectContaining({ check: 'CUST-SEAL-MATCH', expected: 'TB-1001', observed: 'TB-1002', seq: 3 }),
    ]);
    // The inspection that found the break is no clean inspection: never SATISFIED beside BLOCKED.
    expect(s.inspection).toEqual({
      status: 'STALE',
      check: 'CUST-INSPECTION-FRESH',
      reason: 'no clean inspection since the custody break at seq 3 (CUST-SEAL-MATCH)',
    });
    // Ticking "intact" later on the bag that was found wrong changes nothing; only a new seal, inspected
    // after it, is clean again (the break stays on record: BLOCKED).
    const wrongBag = [...base, inspect(3, '2026-02-01T00:00:00.000Z', 'TB-1002')];
    const ticked = custodyState(
      [...wrongBag, inspect(4, '2026-02-02T00:00:00.000Z', 'TB-1001')],
      DEFAULT_CUSTODY_POLICY,
      NOW,
    );
    expect(ticked.inspection.status).toBe('STALE');
    const resealed: CustodyEvent[] = [
      ...wrongBag,
      {
        type: 'sealed',
        seq: 4,
        at: '2026-02-03T00:00:00.000Z',
        bagSerial: 'TB-2001',
        location: 'safe 2',
        holder: 'Alice',
        witnesses: ['Bob'],
      },
      inspect(5, '2026-02-04T00:00:00.000Z', 'TB-2001'),
    ];
    expect(custodyState(resealed, DEFAULT_CUSTODY_POLICY, NOW)).toMatchObject({
      status: 'BLOCKED',
      inspection: { status: 'SATISFIED' },
    });
    const broken = custodyState(
      [...base, inspect(3, '2026-02-01T00:00:00.000Z', 'TB-1001', false)],
      DEFAULT_CUSTODY_POLICY,
      NOW,
    );
    expect(broken.breaks[0]).toMatchObject({ check: 'CUST-SEAL-INTACT' });
  });

  it('follows transfers and re-sealing into a new bag', () => {
    const s = custodyState(
      [
        ...base,
        {
          type: 'transferred',
          seq: 3,
          at: '2026-01-05T00:00:00.000Z',
          bagSerialObserved: 'TB-1001',
          from: 'Alice',
          to: 'Dan',
          location: 'safe 3',
        },
        {
          type: 'unsealed',
          seq: 4,
          at: '2026-01-06T00:00:00.000Z',
          bagSerialObserved: 'TB-1001',
          reason: 'ceremony',
          holder: 'Dan',
        },
        {
          type: 'sealed',
          seq: 5,
          at: '2026-01-06T01:00:00.000Z',
          bagSerial: 'TB-2002',
          location: 'safe 3',
          holder: 'Dan',
          witnesses: [],
        },
        inspect(6, '2026-02-20T00:00:00.000Z', 'TB-2002'),
      ],
      DEFAULT_CUSTODY_POLICY,
      NOW,
    );
    expect(s).toMatchObject({
      status: 'READY',
      holder: 'Dan',
      location: 'safe 3',
      bagSerial: 'TB-2002',
      breaks: [],
    });
  });
});

describe('signer coverage by shift', () => {
  const entry = (id: string, until = '2027-01-01T00:00:00.000Z'): RosterEntry => ({
    custodianId: id,
    name: id,
    roles: ['custodian'],
    spki: '',
    fingerprint: id.padEnd(64, '0'),
    algorithm: 'ecdsa-p256-sha256',
    validFrom: '2026-01-01T00:00:00.000Z',
    validUntil: until,
    revokedAt: null,
  });
  it('COVERAGE-QUORUM: a shift is covered when enough valid signers are available; later records win', () => {
    const roster = [entry('a'), entry('b'), entry('c', '2026-12-02T00:00:00.000Z')];
    const days = dateRange('2026-12-01', 2);
    expect(days).toEqual(['2026-12-01', '2026-12-02']);
    const grid = coverageGrid(
      days,
      ['day', 'night'],
      roster,
      [
        { custodianId: 'a', date: '2026-12-01', shift: 'day', available: true },
        { custodianId: 'c', date: '2026-12-01', shift: 'day', available: true },
        { custodianId: 'a', date: '2026-12-02', shift: 'day', available: true },
        { custodianId: 'c', date: '2026-12-02', shift: 'day', available: true },
        { custodianId: 'b', date: '2026-12-01', shift: 'night', available: true },
        { custodianId: 'b', date: '2026-12-01', shift: 'night', available: false },
      ],
      2,
    );
    expect(grid.map((c) => [c.date, c.shift, c.available.length, c.covered])).toEqual([
      ['2026-12-01', 'day', 2, true],
      ['2026-12-01', 'night', 0, false],
      ['2026-12-02', 'day', 1, false],
      ['2026-12-02', 'night', 0, false],
    ]);
  });
});
