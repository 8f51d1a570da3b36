import type { Rule } from '../../engine';
import type { Finding } from '../../model';
import type { DeferralPolicy } from '../../policy/deferral';
import { day, daysBetween, finding, keyOnHsms, subjectRequest } from './common';

/**
 * DEF-INVENTORY — the key inventory's latest observation of the key on each HSM is within freshness
 * (else stale), and shows the key HSM-resident (else invalid: the packet would describe a key the HSM
 * does not hold as non-extractable).
 */
export const defInventory: Rule<DeferralPolicy> = {
  id: 'DEF-INVENTORY',
  title: 'the key inventory observed the key HSM-resident, recently, on each HSM',
  run(ctx) {
    const req = subjectRequest(ctx);
    if (!req) return [];
    const maxAge = ctx.policy.freshnessDays.keyInventory;
    const out: Finding[] = [];
    for (const inv of keyOnHsms(ctx, req.content.keyId)) {
      const { keyId, hsmSerial, observedAt, residency } = inv.content;
      const subject = `${keyId}@${hsmSerial}`;
      if (residency !== 'hsm-resident')
        out.push(
          finding(
            ctx,
            'DEF-INVENTORY',
            'invalid',
            subject,
            [inv],
            `The key inventory shows key ${keyId} on HSM ${hsmSerial} as ${residency}, not HSM-resident.`,
          ),
        );
      if (daysBetween(observedAt, ctx.asOf) > maxAge)
        out.push(
          finding(
            ctx,
            'DEF-INVENTORY',
            'stale',
            subject,
            [inv],
            `The key inventory last observed key ${keyId} on HSM ${hsmSerial} on ${day(observedAt)}, more than ${maxAge} days ago.`,
          ),
        );
    }
    return out;
  },
};
