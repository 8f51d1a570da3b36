import { describe, expect, it } from 'vitest';
import {
  groupLines,
  registerOrder,
  shiftCoverage,
  stateCounts,
  ticks,
  place,
  type GateHold,
  type Ledger,
} from './model';

const line = (l: Partial<Ledger['lines'][number]> & Pick<Ledger['lines'][number], 'area' | 'item'>) => ({
  facts: {},
  records: [],
  state: 'ready' as const,
  checks: [],
  ...l,
});

const ledger: Ledger = {
  declarationId: 'DECL-1',
  trainId: 'T-1',
  manifest: null,
  signingKey: null,
  approvalOwner: 'Owner',
  lines: [
    line({
      area: 'declaration',
      item: 'DECL-1',
      facts: { windowFrom: '2026-06-11T00:00:00.000Z', windowUntil: '2026-06-12T00:00:00.000Z' },
    }),
    line({
      area: 'signers',
      item: 'S-2',
      state: 'hold',
      facts: {
        label: 'Night',
        from: '2026-06-11T12:00:00.000Z',
        until: '2026-06-11T20:00:00.000Z',
        role: 'release-signer',
        needed: 2,
        committed: ['Ann'],
        notCounted: ['Bo tentative'],
      },
    }),
    line({
      area: 'signers',
      item: 'S-1',
      facts: {
        label: 'Day',
        from: '2026-06-11T00:00:00.000Z',
        until: '2026-06-11T12:00:00.000Z',
        role: 'release-signer',
        needed: 2,
        committed: ['Ann', 'Cy'],
        notCounted: [],
      },
    }),
    line({ area: 'quarantine', item: 'C-1', state: 'quarantined' }),
  ],
};

const hold = (h: Partial<GateHold>): GateHold => ({
  checkId: 'ACT-QUORUM-SHIFT',
  kind: 'signer-quorum',
  category: 'missing',
  subject: 'S-2',
  waivable: false,
  blocking: true,
  sentence: 's',
  records: [],
  ...h,
});

describe('activation view model', () => {
  it('draws each shift from its ledger line: met only with the quorum committed and the line READY', () => {
    const gap = hold({ subject: '2026-06-11T20:00:00.000Z/2026-06-12T00:00:00.000Z', sentence: 'gap' });
    const c = shiftCoverage(ledger, [hold({}), gap]);
    expect(c.window).toEqual({ from: '2026-06-11T00:00:00.000Z', until: '2026-06-12T00:00:00.000Z' });
    expect(c.shifts.map((s) => [s.shiftId, s.committed.length, s.needed, s.met])).toEqual([
      ['S-1', 2, 2, true],
      ['S-2', 1, 2, false],
    ]);
    expect(c.gaps).toEqual([
      { from: '2026-06-11T20:00:00.000Z', until: '2026-06-12T00:00:00.000Z', sentence: 'gap' },
    ]);
    // A held line is not met even with enough names (the station found something on it).
    const held = {
      ...ledger,
      lines: ledger.lines.map((l) => (l.item === 'S-1' ? { ...l, state: 'hold' as const } : l)),
    };
    expect(shiftCoverage(held, []).shifts.find((s) => s.shiftId === 'S-1')?.met).toBe(false);
    expect(shiftCoverage(null, []).window).toBeNull();
  });

  it('places instants on the window and ticks whole hours inside it', () => {
    const w = { from: '2026-06-11T00:00:00.000Z', until: '2026-06-12T00:00:00.000Z' };
    expect(place(w, '2026-06-11T06:00:00.000Z')).toBe(25);
    expect(place(w, '2026-06-13T00:00:00.000Z')).toBe(100);
    const t = ticks(w);
    expect(t.length).toBeLessThanOrEqual(8);
    expect(t[0]).toBe('2026-06-11T00:00:00.000Z');
    expect(t.at(-1)).toBe('2026-06-12T00:00:00.000Z');
  });

  it('groups lines by area in ledger order and lists non-waivable holds first', () => {
    const g = groupLines(ledger.lines);
    expect(g.map((x) => x.area)).toEqual([
      'declaration',
      'manifest',
      'digest',
      'enclave',
      'signers',
      'rollback',
      'publication',
      'quarantine',
    ]);
    expect(stateCounts(g[4]!.lines)).toEqual([
      { word: 'READY', count: 1 },
      { word: 'HOLD', count: 1 },
    ]);
    const w = hold({ waivable: true, kind: 'publication-scope' });
    expect(registerOrder([w, hold({})]).map((h) => h.waivable)).toEqual([false, true]);
  });
});
