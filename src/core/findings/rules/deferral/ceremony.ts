import type { Rule } from '../../engine';
import { readinessResult, signerAvailability } from '../../families/catalogue';
import type { Finding, SourceRecord } from '../../model';
import type { DeferralPolicy } from '../../policy/deferral';
import {
  type Rec,
  current,
  day,
  daysBetween,
  finding,
  fold,
  happened,
  latest,
  ms,
  replacementPlan,
  rosterCover,
  subjectRequest,
} from './common';

/**
 * DEF-PLAN — a replacement rotation ceremony is planned for the key, on or before the deferral window's
 * end. None: missing; planned after the window: policy-criterion-unmet (the deferral would not cover it).
 */
export const defPlan: Rule<DeferralPolicy> = {
  id: 'DEF-PLAN',
  title: 'a replacement rotation ceremony is planned within the deferral window',
  run(ctx) {
    const req = subjectRequest(ctx);
    if (!req) return [];
    const { keyId, windowEnd } = req.content;
    const plan = replacementPlan(ctx, keyId);
    if (!plan)
      return [
        finding(
          ctx,
          'DEF-PLAN',
          'missing',
          keyId,
          [req],
          `No open key-rotation ceremony plan exists for key ${keyId}.`,
        ),
      ];
    if (ms(plan.content.plannedAt) > ms(windowEnd))
      return [
        finding(
          ctx,
          'DEF-PLAN',
          'policy-criterion-unmet',
          plan.content.ceremonyId,
          [plan, req],
          `Replacement ceremony ${plan.content.ceremonyId} is planned for ${day(plan.content.plannedAt)}, after the deferral window ends ${day(windowEnd)}.`,
        ),
      ];
    return [];
  },
};

/**
 * DEF-SIGNERS — each role the replacement ceremony requires has as many distinct confirmed signers as
 * it needs: a person's latest confirmation for the role (for this ceremony or any), available on the
 * planned date, recorded within the freshness window, and on the roster in that role on the planned
 * date (a temporary assignment covering the date counts). None: missing; fewer than needed: partial;
 * enough only with confirmations past freshness: stale.
 */
export const defSigners: Rule<DeferralPolicy> = {
  id: 'DEF-SIGNERS',
  title: 'each required role of the replacement ceremony has enough confirmed, rostered signers',
  run(ctx) {
    const req = subjectRequest(ctx);
    if (!req) return [];
    const plan = replacementPlan(ctx, req.content.keyId);
    if (!plan) return [];
    const { ceremonyId, plannedAt } = plan.content;
    const maxAge = ctx.policy.freshnessDays.signerAvailability;
    const out: Finding[] = [];
    for (const { role, count } of plan.content.requiredRoles) {
      const confirmations = happened(
        ctx,
        signerAvailability,
        current(ctx.records.where(signerAvailability, 'role', role)),
      ).filter((c) => c.content.ceremonyId === null || c.content.ceremonyId === ceremonyId);
      const byPerson = new Map<string, Rec<typeof signerAvailability>[]>();
      for (const c of confirmations)
        byPerson.set(fold(c.content.person), [...(byPerson.get(fold(c.content.person)) ?? []), c]);
      // One signer per person: their latest confirmation for the role decides (a later withdrawal wins).
      const fresh: SourceRecord[][] = [];
      const old: SourceRecord[][] = [];
      for (const list of byPerson.values()) {
        const c = latest(list, (x) => x.recordedAt);
        if (!c || !c.content.confirmed) continue;
        const t = ms(plannedAt);
        if (ms(c.content.availableFrom) > t || t > ms(c.content.availableUntil)) continue;
        const roster = rosterCover(ctx, c.content.person, plannedAt, [role]);
        if (roster.length === 0) continue;
        (daysBetween(c.content.recordedAt, ctx.asOf) > maxAge ? old : fresh).push([c, ...roster]);
      }
      const nFresh = fresh.length;
      const nOld = old.length;
      if (nFresh >= count) continue;
      const subject = `${ceremonyId}/${role}`;
      if (nFresh + nOld >= count)
        out.push(
          finding(
            ctx,
            'DEF-SIGNERS',
            'stale',
            subject,
            [plan, ...old.flat()],
            `Role ${role} of ceremony ${ceremonyId} is confirmed only by confirmations older than ${maxAge} days.`,
          ),
        );
      else if (nFresh + nOld === 0)
        out.push(
          finding(
            ctx,
            'DEF-SIGNERS',
            'missing',
            subject,
            [plan],
            `No rostered signer has confirmed availability as ${role} for ceremony ${ceremonyId} on ${day(plannedAt)} (needs ${count}).`,
          ),
        );
      else
        out.push(
          finding(
            ctx,
            'DEF-SIGNERS',
            'partial',
            subject,
            [plan, ...fresh.flat(), ...old.flat()],
            `Only ${nFresh + nOld} of ${count} ${role} signer(s) are confirmed and rostered for ceremony ${ceremonyId} on ${day(plannedAt)}.`,
          ),
        );
    }
    return out;
  },
};

/**
 * DEF-READINESS — the replacement ceremony's readiness checks: the latest result of each check before
 * the instant is ready (or waived) and within freshness. A not-ready not followed by a ready: disputed;
 * a ready too old: stale; no readiness result at all: missing.
 */
export const defReadiness: Rule<DeferralPolicy> = {
  id: 'DEF-READINESS',
  title: 'the latest result of each readiness check of the replacement ceremony is a fresh ready',
  run(ctx) {
    const req = subjectRequest(ctx);
    if (!req) return [];
    const plan = replacementPlan(ctx, req.content.keyId);
    if (!plan) return [];
    const { ceremonyId } = plan.content;
    const results = happened(
      ctx,
      readinessResult,
      current(ctx.records.where(readinessResult, 'ceremonyId', ceremonyId)),
    );
    if (results.length === 0)
      return [
        finding(
          ctx,
          'DEF-READINESS',
          'missing',
          ceremonyId,
          [plan],
          `Ceremony ${ceremonyId} has no readiness result.`,
        ),
      ];
    const byCheck = new Map<string, Rec<typeof readinessResult>[]>();
    for (const r of results) byCheck.set(r.content.check, [...(byCheck.get(r.content.check) ?? []), r]);
    const maxAge = ctx.policy.freshnessDays.readiness;
    const out: Finding[] = [];
    for (const check of [...byCheck.keys()].sort()) {
      const last = latest(byCheck.get(check) ?? [], (c) => c.checkedAt);
      if (!last) continue;
      const subject = `${ceremonyId}/${check}`;
      if (last.content.result === 'not-ready')
        out.push(
          finding(
            ctx,
            'DEF-READINESS',
            'disputed',
            subject,
            [last, plan],
            `Readiness check "${check}" of ceremony ${ceremonyId} is not ready (${last.content.resultId}, ${day(last.content.checkedAt)}).`,
          ),
        );
      else if (daysBetween(last.content.checkedAt, ctx.asOf) > maxAge)
        out.push(
          finding(
            ctx,
            'DEF-READINESS',
            'stale',
            subject,
            [last, plan],
            `Readiness check "${check}" of ceremony ${ceremonyId} was last ${last.content.result} on ${day(last.content.checkedAt)}, more than ${maxAge} days ago.`,
          ),
        );
    }
    return out;
  },
};
