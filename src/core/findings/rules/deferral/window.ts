import type { Rule } from '../../engine';
import type { Finding } from '../../model';
import type { DeferralPolicy } from '../../policy/deferral';
import { day, daysBetween, finding, ms, subjectRequest } from './common';

/**
 * DEF-WINDOW — the requested window starts before it ends, and the rotation is postponed no longer than
 * the policy's maximum deferral: counted from the rotation due date (or the window start, whichever is
 * earlier) to the window end. Ends before start: scope-unclear; too long: policy-criterion-unmet.
 */
export const defWindow: Rule<DeferralPolicy> = {
  id: 'DEF-WINDOW',
  title: 'the deferral window is well-formed and within the policy maximum',
  run(ctx) {
    const req = subjectRequest(ctx);
    if (!req) return [];
    const { windowStart, windowEnd, rotationDueAt, requestId } = req.content;
    const out: Finding[] = [];
    if (ms(windowEnd) <= ms(windowStart)) {
      out.push(
        finding(
          ctx,
          'DEF-WINDOW',
          'scope-unclear',
          requestId,
          [req],
          `Request ${requestId} ends its window (${day(windowEnd)}) before it starts (${day(windowStart)}).`,
        ),
      );
      return out;
    }
    const from = ms(rotationDueAt) < ms(windowStart) ? rotationDueAt : windowStart;
    const deferred = daysBetween(from, windowEnd);
    if (deferred > ctx.policy.maxDeferralDays)
      out.push(
        finding(
          ctx,
          'DEF-WINDOW',
          'policy-criterion-unmet',
          requestId,
          [req],
          `Request ${requestId} postpones the rotation due ${day(rotationDueAt)} by ${deferred} days (to ${day(windowEnd)}); the policy allows ${ctx.policy.maxDeferralDays}.`,
        ),
      );
    return out;
  },
};
