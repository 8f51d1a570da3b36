import type { Rule } from '../../engine';
import { priorDeferral } from '../../families/catalogue';
import type { Finding } from '../../model';
import type { DeferralPolicy } from '../../policy/deferral';
import { type Ctx, type Rec, addDays, current, day, finding, happened, ms, subjectRequest } from './common';

type Prior = Rec<typeof priorDeferral>;

/**
 * The key's deferral history as of the instant: every prior deferral recorded for the key, plus those
 * it renews (a renewal may carry a renamed key id; its lineage is still this key's history).
 */
export function lineage(ctx: Ctx, keyId: string): Prior[] {
  const known = (rs: readonly Prior[]) => happened(ctx, priorDeferral, current(rs));
  const out = new Map<string, Prior>();
  const queue = known(ctx.records.where(priorDeferral, 'keyId', keyId));
  for (let p = queue.pop(); p; p = queue.pop()) {
    if (out.has(p.content.deferralId)) continue;
    out.set(p.content.deferralId, p);
    if (p.content.renews)
      queue.push(...known(ctx.records.where(priorDeferral, 'deferralId', p.content.renews)));
  }
  return [...out.values()].sort((a, b) => ms(a.content.decidedAt) - ms(b.content.decidedAt));
}

/**
 * DEF-DEFERRAL-COUNT — the key has had no more granted deferrals within the policy's rolling window
 * than allow this one too (count includes the request). A refused or withdrawn deferral, or one of
 * another key, does not count. Over the limit: policy-criterion-unmet.
 */
export const defDeferralCount: Rule<DeferralPolicy> = {
  id: 'DEF-DEFERRAL-COUNT',
  title: 'granted deferrals of the key within the rolling window stay within the policy count',
  run(ctx) {
    const req = subjectRequest(ctx);
    if (!req) return [];
    const { count, windowDays } = ctx.policy.maxDeferrals;
    // The rolling window ends where the requested deferral ends: every deferral it overlaps counts.
    const since = ms(addDays(req.content.windowEnd, -windowDays));
    const counted = lineage(ctx, req.content.keyId).filter(
      (p) => p.content.decision === 'granted' && ms(p.content.windowEnd) > since,
    );
    if (counted.length + 1 <= count) return [];
    return [
      finding(
        ctx,
        'DEF-DEFERRAL-COUNT',
        'policy-criterion-unmet',
        req.content.keyId,
        [req, ...counted],
        `Key ${req.content.keyId} already had ${counted.length} granted deferral(s) (${counted.map((p) => p.content.deferralId).join(', ')}) within ${windowDays} days of ${day(req.content.windowEnd)}; the policy allows ${count} including this one.`,
      ),
    ];
  },
};

/**
 * DEF-CARRYOVER — conditions attached to the key's prior deferrals that are still open. A condition's
 * state is the one in the latest deferral of the lineage that lists it (a renewal may report it met).
 */
export const defCarryover: Rule<DeferralPolicy> = {
  id: 'DEF-CARRYOVER',
  title: 'no condition of a prior deferral of the key is still open',
  run(ctx) {
    const req = subjectRequest(ctx);
    if (!req) return [];
    const state = new Map<string, { prior: Prior; status: string; text: string }>();
    for (const p of lineage(ctx, req.content.keyId).filter((p) => p.content.decision === 'granted'))
      for (const c of p.content.conditions)
        state.set(c.conditionId, { prior: p, status: c.status, text: c.text });
    const out: Finding[] = [];
    for (const [conditionId, s] of [...state].sort(([a], [b]) => (a < b ? -1 : 1)))
      if (s.status === 'open')
        out.push(
          finding(
            ctx,
            'DEF-CARRYOVER',
            'carryover',
            conditionId,
            [s.prior],
            `Condition ${conditionId} of prior deferral ${s.prior.content.deferralId} is still open: ${s.text}`,
          ),
        );
    return out;
  },
};
