import { describe, expect, it } from 'vitest';
import {
  baseline,
  checks,
  commitment,
  holds,
  lineOf,
  roster,
  run,
  shift,
  withRecords,
  without,
} from './testkit';

const DAY = ['2026-12-01T08:00:00.000Z', '2026-12-01T20:00:00.000Z'] as const;
const NIGHT = ['2026-12-01T20:00:00.000Z', '2026-12-02T08:00:00.000Z'] as const;

describe('ACT-QUORUM-SHIFT: every instant of the window in a shift, every shift with the quorum', () => {
  it('a withdrawn, tentative or other-role commitment leaves the shift short (non-waivable hold)', () => {
    for (const o of [
      { status: 'withdrawn' },
      { status: 'tentative' },
      { role: 'release-observer' },
    ] as const) {
      const e = run(withRecords(baseline(), commitment('S-NIGHT', 'dev', o)));
      expect(holds(e)).toEqual(['ACT-QUORUM-SHIFT missing S-NIGHT non-waivable']);
      expect(e.outcome).toBe('hold');
      expect(lineOf(e, 'signers', 'S-NIGHT')?.state).toBe('hold');
      expect(lineOf(e, 'signers', 'S-DAY')?.state).toBe('ready');
      expect(lineOf(e, 'signers', 'S-NIGHT')?.facts.committed).toEqual(['cho']);
    }
  });

  it('a committed signer not on the roster, or without the role, is not counted', () => {
    expect(checks(run(without(baseline(), 'roster-snapshot')))).toEqual([
      'ACT-QUORUM-SHIFT missing S-DAY',
      'ACT-QUORUM-SHIFT missing S-NIGHT',
    ]);
    const e = run(withRecords(baseline(), roster('ben', { roles: ['release-engineer'] })));
    expect(checks(e)).toEqual(['ACT-QUORUM-SHIFT missing S-DAY']);
    expect(e.findings[0]?.sentence).toContain('ben not on the roster as release-signer');
  });

  it('a roster entry expiring mid-shift does not count; one ending exactly at the shift end does', () => {
    const mid = run(withRecords(baseline(), roster('dev', { validUntil: '2026-12-02T02:00:00.000Z' })));
    expect(checks(mid)).toEqual(['ACT-QUORUM-SHIFT missing S-NIGHT']);
    const atEnd = run(withRecords(baseline(), roster('dev', { validUntil: '2026-12-02T08:00:00.000Z' })));
    expect(checks(atEnd)).toEqual([]);
    // Expiring mid-shift while a third committed signer still makes the quorum: nothing to hold.
    const third = run([
      ...withRecords(baseline(), roster('dev', { validUntil: '2026-12-02T02:00:00.000Z' })),
      roster('eli'),
      commitment('S-NIGHT', 'eli'),
    ]);
    expect(checks(third)).toEqual([]);
    expect(lineOf(third, 'signers', 'S-NIGHT')?.facts.committed).toEqual(['cho', 'eli']);
  });

  it('a suspended roster entry counts only until it was suspended', () => {
    const e = run(
      withRecords(baseline(), roster('ana', { status: 'suspended', snapshotAt: '2026-12-01T05:00:00.000Z' })),
    );
    expect(checks(e)).toEqual(['ACT-QUORUM-SHIFT missing S-DAY']);
  });

  it('an instant of the window in no shift is a gap, named by its interval', () => {
    const late = run(withRecords(baseline(), shift('S-NIGHT', '2026-12-01T21:00:00.000Z', NIGHT[1])));
    expect(holds(late)).toEqual([
      'ACT-QUORUM-SHIFT missing 2026-12-01T20:00:00.000Z/2026-12-01T21:00:00.000Z non-waivable',
    ]);
    const cancelled = run(
      withRecords(baseline(), shift('S-NIGHT', NIGHT[0], NIGHT[1], { status: 'cancelled' })),
    );
    expect(checks(cancelled)).toEqual([
      'ACT-QUORUM-SHIFT missing 2026-12-01T20:00:00.000Z/2026-12-02T08:00:00.000Z',
    ]);
    const early = run(withRecords(baseline(), shift('S-DAY', '2026-12-01T09:00:00.000Z', DAY[1])));
    expect(checks(early)).toEqual([
      'ACT-QUORUM-SHIFT missing 2026-12-01T08:00:00.000Z/2026-12-01T09:00:00.000Z',
    ]);
  });

  it('look-alikes: a shift of another train, and a cancelled shift replaced by another with the quorum', () => {
    const e = run([
      ...withRecords(baseline(), shift('S-NIGHT', NIGHT[0], NIGHT[1], { status: 'cancelled' })),
      shift('S-NIGHT-B', NIGHT[0], NIGHT[1]),
      commitment('S-NIGHT-B', 'cho'),
      commitment('S-NIGHT-B', 'dev'),
      shift('S-T2', DAY[0], DAY[1], { trainId: 'T-2' }),
    ]);
    expect(checks(e)).toEqual([]);
    expect(e.derived?.lines.filter((l) => l.area === 'signers').map((l) => l.item)).toEqual([
      'S-DAY',
      'S-NIGHT-B',
    ]);
  });

  it('look-alike: a commitment withdrawn and then re-committed (the latest per person holds)', () => {
    const e = run([
      ...baseline(),
      commitment('S-DAY', 'ben', {
        commitmentId: 'SC-ben-w',
        status: 'withdrawn',
        recordedAt: '2026-11-30T18:00:00.000Z',
      }),
      commitment('S-DAY', 'Ben ', { commitmentId: 'SC-ben-r', recordedAt: '2026-11-30T22:00:00.000Z' }),
    ]);
    expect(checks(e)).toEqual([]);
    // …and withdrawn after it, under another spelling of the name, it is short.
    const w = run([
      ...baseline(),
      commitment('S-DAY', 'BEN', {
        commitmentId: 'SC-ben-w',
        status: 'withdrawn',
        recordedAt: '2026-12-01T01:00:00.000Z',
      }),
    ]);
    expect(checks(w)).toEqual(['ACT-QUORUM-SHIFT missing S-DAY']);
  });

  it('the policy quorum: min 3 holds every shift of two', () => {
    const e = run(baseline(), { policy: { quorum: { role: 'release-signer', min: 3 } } });
    expect(holds(e)).toEqual([
      'ACT-QUORUM-SHIFT missing S-DAY non-waivable',
      'ACT-QUORUM-SHIFT missing S-NIGHT non-waivable',
    ]);
    expect(e.findings[0]?.sentence).toContain('2 of 3');
  });
});
