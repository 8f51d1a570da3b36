import type { Rule } from '../../engine';
import { reviewBoardSeat } from '../../families/catalogue';
import type { Finding } from '../../model';
import type { DeferralPolicy } from '../../policy/deferral';
import { current, finding, ms, subjectRequest } from './common';

/**
 * DEF-ROUTING — the request is routed to every reviewer seat the policy requires, and each required
 * seat has a holder whose term covers the as-of instant (review-board-seat records). A seat routed to but
 * vacant, or held only by a past or future term, is routing-unclear: nobody could take the handoff.
 */
export const defRouting: Rule<DeferralPolicy> = {
  id: 'DEF-ROUTING',
  title: 'the packet is routed to every required reviewer seat, each seated as of the instant',
  run(ctx) {
    const req = subjectRequest(ctx);
    if (!req) return [];
    const out: Finding[] = [];
    const at = ms(ctx.asOf);
    for (const seat of ctx.policy.requiredReviewerSeats) {
      if (!req.content.routeTo.includes(seat))
        out.push(
          finding(
            ctx,
            'DEF-ROUTING',
            'routing-unclear',
            seat,
            [req],
            `Request ${req.content.requestId} is not routed to the required ${seat} seat.`,
          ),
        );
      const seats = current(ctx.records.where(reviewBoardSeat, 'role', seat));
      const seated = seats.filter(
        (s) =>
          s.content.holder !== null &&
          ms(s.content.termFrom) <= at &&
          (s.content.termUntil === null || at < ms(s.content.termUntil)),
      );
      if (seated.length === 0)
        out.push(
          finding(
            ctx,
            'DEF-ROUTING',
            'routing-unclear',
            seat,
            seats,
            seats.length === 0
              ? `No ${seat} seat is recorded in the board membership.`
              : `The ${seat} seat has no holder whose term covers ${ctx.asOf.slice(0, 10)}.`,
          ),
        );
    }
    return out;
  },
};
