import { describe, expect, it } from 'vitest';
import { baseline, checks, exportedAt, request, run, withRecords } from './testkit';

describe('ISS-REQUEST: the request is known and approved in the issuance record', () => {
  it('an unknown request is missing and stops before entry, with no entry derived', () => {
    const e = run(baseline(), { subject: 'ISR-404' });
    expect(checks(e)).toEqual(['ISS-REQUEST missing ISR-404']);
    expect(e.outcome).toBe('stop-before-entry');
    expect(e.derived).toMatchObject({ fields: [], digest: null });
  });

  it('a withdrawn or superseded request stops; look-alike: another request withdrawn', () => {
    for (const status of ['withdrawn', 'superseded'] as const) {
      const e = run(withRecords(baseline(), request({ status })));
      // The approvals bound the content without its status: only the status is the problem.
      expect(checks(e)).toEqual(['ISS-REQUEST scope-unclear ISR-1']);
      expect(e.findings[0]?.sentence).toContain('Return to elena.park');
      expect(e.outcome).toBe('stop-before-entry');
    }
    const other = run([...baseline(), request({ requestId: 'ISR-2', status: 'withdrawn' })]);
    expect(checks(other)).toEqual([]);
    expect(other.outcome).toBe('ready-for-portal');
  });

  it('the latest export holds; a withdrawal exported after the instant is not known yet', () => {
    const later = exportedAt(request({ status: 'withdrawn' }), '2026-12-01T09:30:00.000Z');
    expect(checks(run(withRecords(baseline(), later)))).toEqual(['ISS-REQUEST scope-unclear ISR-1']);
    const future = exportedAt(request({ status: 'withdrawn' }), '2026-12-01T11:00:00.000Z');
    expect(checks(run([...baseline(), future]))).toEqual([]);
  });
});
