import type { z } from 'zod';
import type { Rule } from '../../engine';
import { custodyRegistry } from '../../families/catalogue';
import type { Finding, SourceRecord } from '../../model';
import type { AttestationPolicy } from '../../policy/attestation';
import { at, attFinding, day, rosterAt, scopeOf } from './common';

const ID = 'ATT-CUSTODY-HOLDER';
type Holding = SourceRecord<z.output<typeof custodyRegistry.schema>>;

/**
 * ATT-CUSTODY-HOLDER — whoever the custody registry says holds escrow or backup material (policy
 * `escrowItemKinds`) at the as-of instant is on the approved roster in a custodian role valid at that
 * instant. Each holding is read in its latest exported version; a holding that ended is not judged
 * (its holder needed to be a custodian then, not now).
 */
export const attCustodyHolder: Rule<AttestationPolicy> = {
  id: ID,
  title: 'Holders of escrow and backup material today are valid roster custodians',
  run: (ctx) => {
    if (!scopeOf(ctx)) return [];
    const latest = new Map<string, Holding>();
    // all() is ordered by export time: the last version of a holding seen is its latest.
    for (const h of ctx.records.all(custodyRegistry)) latest.set(h.content.holdingId, h);
    const findings: Finding[] = [];
    for (const h of latest.values()) {
      const c = h.content;
      if (!ctx.policy.escrowItemKinds.includes(c.itemKind)) continue;
      if (at(c.since) > ctx.asOf || (c.until !== null && at(c.until) <= ctx.asOf)) continue;
      const v = rosterAt(ctx.records, c.holder, ctx.asOf, ctx.policy.roles.custodian);
      if (v.ok) continue;
      findings.push(
        attFinding(ctx, ID, {
          category: 'invalid',
          subject: c.itemId,
          records: [h, ...v.entries],
          sentence: `The custody registry shows ${c.holder} holding ${c.itemKind} ${c.itemId} since ${day(c.since)}, but ${v.why}.`,
        }),
      );
    }
    return findings;
  },
};
