import type { Rule } from '../../engine';
import { buildEnrollment } from '../../families/catalogue';
import type { Finding } from '../../model';
import type { DeferralPolicy } from '../../policy/deferral';
import { type Rec, current, day, daysBetween, finding, happened, latest, subjectRequest } from './common';

/**
 * DEF-BUILD — each build-signing system enrolled with the key reports, in its latest status before the
 * instant, enrolled with the trust chain distributed, within freshness. Enrollment failed or disputed:
 * disputed; pending, or the chain not distributed: partial; too old: stale; no system reports the key:
 * missing (dependent enrollment cannot be shown).
 */
export const defBuild: Rule<DeferralPolicy> = {
  id: 'DEF-BUILD',
  title: 'every dependent build system is enrolled with the trust chain distributed, recently',
  run(ctx) {
    const req = subjectRequest(ctx);
    if (!req) return [];
    const { keyId } = req.content;
    const reports = happened(
      ctx,
      buildEnrollment,
      current(ctx.records.where(buildEnrollment, 'keyId', keyId)),
    );
    if (reports.length === 0)
      return [
        finding(
          ctx,
          'DEF-BUILD',
          'missing',
          keyId,
          [req],
          `No build-signing system reports an enrollment status for key ${keyId}.`,
        ),
      ];
    const bySystem = new Map<string, Rec<typeof buildEnrollment>[]>();
    for (const r of reports) bySystem.set(r.content.system, [...(bySystem.get(r.content.system) ?? []), r]);
    const maxAge = ctx.policy.freshnessDays.buildEnrollment;
    const out: Finding[] = [];
    for (const system of [...bySystem.keys()].sort()) {
      const last = latest(bySystem.get(system) ?? [], (c) => c.reportedAt);
      if (!last) continue;
      const b = last.content;
      if (b.enrollment === 'failed' || b.enrollment === 'disputed')
        out.push(
          finding(
            ctx,
            'DEF-BUILD',
            'disputed',
            system,
            [last],
            `${system} reports enrollment of key ${keyId} as ${b.enrollment} (${day(b.reportedAt)}, ${b.verificationFailures} verification failures).`,
          ),
        );
      else if (b.enrollment === 'pending' || !b.trustChainDistributed)
        out.push(
          finding(
            ctx,
            'DEF-BUILD',
            'partial',
            system,
            [last],
            `${system} reports key ${keyId} ${b.enrollment === 'pending' ? 'enrollment pending' : 'enrolled but the trust chain not distributed'} (${day(b.reportedAt)}).`,
          ),
        );
      else if (daysBetween(b.reportedAt, ctx.asOf) > maxAge)
        out.push(
          finding(
            ctx,
            'DEF-BUILD',
            'stale',
            system,
            [last],
            `${system} last reported key ${keyId} enrolled on ${day(b.reportedAt)}, more than ${maxAge} days ago.`,
          ),
        );
    }
    return out;
  },
};
