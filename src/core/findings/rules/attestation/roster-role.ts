import type { Rule } from '../../engine';
import { ceremonyLog } from '../../families/catalogue';
import type { Finding } from '../../model';
import type { AttestationPolicy } from '../../policy/attestation';
import { at, attFinding, day, inPeriod, rosterAt, scopeOf } from './common';

const ID = 'ATT-ROSTER-ROLE';

/**
 * ATT-ROSTER-ROLE — everyone who took part in a ceremony dated inside the attestation period is on the
 * approved roster, on the ceremony's date, with the role the log says they acted in, and that role is
 * one the policy counts for their act (an operator acts in an operator role, and so on). A ceremony
 * outside the period is not judged here, whoever it names.
 */
export const attRosterRole: Rule<AttestationPolicy> = {
  id: ID,
  title: 'Every ceremony participant in the period was on the roster in that role that day',
  run: (ctx) => {
    const scope = scopeOf(ctx);
    if (!scope) return [];
    const findings: Finding[] = [];
    for (const c of ctx.records.all(ceremonyLog)) {
      if (!inPeriod(scope.content, c.content.at, ctx.asOf)) continue;
      const when = at(c.content.at);
      for (const p of c.content.participants) {
        const subject = `${c.content.ceremonyId}/${p.person}`;
        const head = `${c.content.ceremonyId} (${c.content.kind}, ${day(when)}) names ${p.person} as ${p.act} in role ${p.role}`;
        if (!ctx.policy.roles[p.act].includes(p.role)) {
          findings.push(
            attFinding(ctx, ID, {
              category: 'invalid',
              subject,
              records: [c],
              sentence: `${head}, which the policy does not count as a ${p.act} role (${ctx.policy.roles[p.act].join(', ')}).`,
            }),
          );
          continue;
        }
        const v = rosterAt(ctx.records, p.person, when, [p.role]);
        if (!v.ok)
          findings.push(
            attFinding(ctx, ID, {
              category: 'invalid',
              subject,
              records: [c, ...v.entries],
              sentence: `${head}, but ${v.why}.`,
            }),
          );
      }
    }
    return findings;
  },
};
