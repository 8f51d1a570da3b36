import type { Rule } from '../../engine';
import type { Finding, SourceRecord } from '../../model';
import type { AttestationPolicy } from '../../policy/attestation';
import { changeCeremonies } from './changes';
import { at, attFinding, day, foldName, rosterAt } from './common';

const ID = 'ATT-DUAL-OPERATOR';

/**
 * ATT-DUAL-OPERATOR — every key-policy or quorum-change ceremony in the attestation period has at least
 * the policy's dual-operator minimum of distinct operators, each on the approved roster in an operator
 * role (policy `roles.operator`) valid on the ceremony's date. A temporary entry counts only inside its
 * window. Too few operators named is missing evidence; enough named but not all valid is invalid.
 */
export const attDualOperator: Rule<AttestationPolicy> = {
  id: ID,
  title: 'Every key-policy or quorum change has dual-operator ceremony evidence',
  run: (ctx) => {
    const min = ctx.policy.dualOperatorMinimum;
    const findings: Finding[] = [];
    for (const c of changeCeremonies(ctx)) {
      const when = at(c.content.at);
      const named = new Map<string, string>();
      for (const p of c.content.participants)
        if (p.act === 'operator') named.set(foldName(p.person), p.person);
      const valid: SourceRecord[] = [];
      const why: string[] = [];
      const rosterRecords: SourceRecord[] = [];
      for (const person of named.values()) {
        const v = rosterAt(ctx.records, person, when, ctx.policy.roles.operator);
        if (v.ok) valid.push(v.entry);
        else {
          why.push(v.why);
          rosterRecords.push(...v.entries);
        }
      }
      if (valid.length >= min) continue;
      const head = `${c.content.ceremonyId} (${c.content.kind}, ${day(when)})`;
      findings.push(
        attFinding(ctx, ID, {
          category: named.size < min ? 'missing' : 'invalid',
          subject: c.content.ceremonyId,
          records: [c, ...valid, ...rosterRecords],
          sentence:
            named.size < min
              ? `${head} names ${named.size} operator(s); the policy needs ${min} distinct operators.`
              : `${head} has ${valid.length} of ${min} required operators valid on the day: ${why.join('; ')}.`,
        }),
      );
    }
    return findings;
  },
};
