import { describe, expect, it } from 'vitest';
import { baseline, checks, declaration, exportedAt, holds, lineOf, run, withRecords } from './testkit';

const only = (e: ReturnType<typeof run>, checkId: string) =>
  holds(e).filter((h) => h.startsWith(`${checkId} `));

describe('ACT-DECLARATION: the continuity declaration is known, declared and its window open', () => {
  it('an unknown declaration is missing (nothing else is judged) and escalates', () => {
    const e = run(baseline(), { subject: 'DECL-404' });
    expect(holds(e)).toEqual(['ACT-DECLARATION missing DECL-404 non-waivable']);
    expect(e.outcome).toBe('escalate-mismatch');
    expect(e.derived?.lines).toEqual([]);
    expect(e.derived?.manifest).toBeNull();
  });

  it('a withdrawn or superseded declaration is scope-unclear and escalates; look-alike: another declaration withdrawn', () => {
    for (const status of ['withdrawn', 'superseded'] as const) {
      const e = run(withRecords(baseline(), declaration({ status })));
      expect(holds(e)).toEqual(['ACT-DECLARATION scope-unclear DECL-1 non-waivable']);
      expect(e.outcome).toBe('escalate-mismatch');
      expect(lineOf(e, 'declaration', 'DECL-1')?.state).toBe('hold');
    }
    const other = run([...baseline(), declaration({ declarationId: 'DECL-2', status: 'withdrawn' })]);
    expect(checks(other)).toEqual([]);
    expect(other.outcome).toBe('ready-for-approval');
  });

  it('the latest export of the declaration holds: withdrawn, then declared again, is declared', () => {
    const withdrawn = exportedAt(declaration({ status: 'withdrawn' }), '2026-12-01T03:00:00.000Z');
    const again = exportedAt(declaration(), '2026-12-01T05:30:00.000Z');
    const base = baseline().filter((x) => x.family !== 'continuity-declaration');
    expect(checks(run([...base, withdrawn, again]))).toEqual([]);
    // The other order: declared, then withdrawn later.
    const later = exportedAt(declaration({ status: 'withdrawn' }), '2026-12-01T05:30:00.000Z');
    const e = run([...base, exportedAt(declaration(), '2026-12-01T03:00:00.000Z'), later]);
    expect(checks(e)).toEqual(['ACT-DECLARATION scope-unclear DECL-1']);
    // A withdrawal exported after the evaluation instant is not known to it.
    const future = exportedAt(declaration({ status: 'withdrawn' }), '2026-12-01T07:00:00.000Z');
    expect(checks(run([...baseline(), future]))).toEqual([]);
  });

  it('a window that ends before it begins is invalid (no shift coverage is judged on it)', () => {
    const e = run(
      withRecords(
        baseline(),
        declaration({ windowFrom: '2026-12-02T08:00:00.000Z', windowUntil: '2026-12-01T08:00:00.000Z' }),
      ),
    );
    expect(holds(e)).toEqual(['ACT-DECLARATION invalid DECL-1 non-waivable']);
    expect(e.outcome).toBe('escalate-mismatch');
    expect(e.derived?.lines.some((l) => l.area === 'signers')).toBe(false);
  });

  it('a closed window is expired; look-alike: the last instant before it closes is not', () => {
    const closed = run(baseline(), { asOf: '2026-12-02T08:00:00.000Z' });
    expect(only(closed, 'ACT-DECLARATION')).toEqual(['ACT-DECLARATION expired DECL-1 non-waivable']);
    expect(closed.outcome).toBe('escalate-mismatch');
    const open = run(baseline(), { asOf: '2026-12-02T07:59:59.000Z' });
    expect(only(open, 'ACT-DECLARATION')).toEqual([]);
  });

  it('the declaration line carries the window, the signing key and the approval owner', () => {
    const line = lineOf(run(baseline()), 'declaration', 'DECL-1');
    expect(line?.state).toBe('ready');
    expect(line?.facts).toMatchObject({
      trainId: 'T-1',
      windowFrom: '2026-12-01T08:00:00.000Z',
      windowUntil: '2026-12-02T08:00:00.000Z',
      approvalOwner: 'dana.approver',
      hsmSerial: 'HSM-1',
      keyId: 'K-1',
    });
  });
});
