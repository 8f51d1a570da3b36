import { describe, expect, it } from 'vitest';
import { baseline, checks, deadline, run, withRecords } from './testkit';

describe('ISS-TRUST-DEADLINE: trust deadlines near the window inform; one passed before it opened blocks', () => {
  it('a deadline within the notice period after the window closes is informational and does not stop', () => {
    const near = deadline({ expiresAt: '2026-12-20T00:00:00.000Z' });
    const e = run(withRecords(baseline(), near));
    expect(checks(e)).toEqual(['ISS-TRUST-DEADLINE policy-criterion-unmet TD-1 info']);
    expect(e.outcome).toBe('ready-for-portal');
    expect(e.derived?.digest).not.toBeNull();
  });

  it('a deadline that passed before the window opened blocks; look-alike: one that passed before the request was made', () => {
    const missed = deadline({ expiresAt: '2026-11-30T00:00:00.000Z' });
    const e = run(withRecords(baseline(), missed));
    expect(checks(e)).toEqual(['ISS-TRUST-DEADLINE expired TD-1']);
    expect(e.outcome).toBe('stop-before-entry');
    const history = deadline({ deadlineId: 'TD-0', expiresAt: '2025-06-01T00:00:00.000Z' });
    expect(checks(run([...baseline(), history]))).toEqual([]);
  });

  it('a deadline far after the window says nothing; a longer notice period reports it', () => {
    expect(checks(run(baseline()))).toEqual([]);
    expect(checks(run(baseline(), { policy: { trustDeadlineNoticeDays: 90 } }))).toEqual([
      'ISS-TRUST-DEADLINE policy-criterion-unmet TD-1 info',
    ]);
  });
});
