import type { Rule } from '../../engine';
import { certificateRecord } from '../../families/catalogue';
import type { Finding } from '../../model';
import type { DeferralPolicy } from '../../policy/deferral';
import { addDays, current, day, finding, happened, ms, subjectRequest } from './common';

/**
 * DEF-RUNWAY — every valid certificate of the key outlives the deferral window's end by the policy's
 * runway margin. Already expired, or expiring inside the window: expired. Expiring inside the margin:
 * policy-criterion-unmet. No valid certificate at all: missing. Revoked and superseded certificates
 * are not the key's runway.
 */
export const defRunway: Rule<DeferralPolicy> = {
  id: 'DEF-RUNWAY',
  title: 'every valid certificate of the key outlives the window end plus the runway margin',
  run(ctx) {
    const req = subjectRequest(ctx);
    if (!req) return [];
    const { keyId, windowEnd } = req.content;
    const certs = happened(
      ctx,
      certificateRecord,
      current(ctx.records.where(certificateRecord, 'keyId', keyId)),
    ).filter((c) => c.content.status === 'valid');
    if (certs.length === 0)
      return [
        finding(
          ctx,
          'DEF-RUNWAY',
          'missing',
          keyId,
          [req],
          `No valid certificate of key ${keyId} is in the certificate inventory.`,
        ),
      ];
    const margin = ctx.policy.certificateRunwayMarginDays;
    const needed = addDays(windowEnd, margin);
    const out: Finding[] = [];
    for (const c of certs) {
      const { serial, notAfter } = c.content;
      if (ms(notAfter) <= ms(ctx.asOf))
        out.push(
          finding(
            ctx,
            'DEF-RUNWAY',
            'expired',
            serial,
            [c, req],
            `Certificate ${serial} of key ${keyId} expired on ${day(notAfter)}.`,
          ),
        );
      else if (ms(notAfter) < ms(windowEnd))
        out.push(
          finding(
            ctx,
            'DEF-RUNWAY',
            'expired',
            serial,
            [c, req],
            `Certificate ${serial} of key ${keyId} expires ${day(notAfter)}, inside the deferral window ending ${day(windowEnd)}.`,
          ),
        );
      else if (ms(notAfter) < ms(needed))
        out.push(
          finding(
            ctx,
            'DEF-RUNWAY',
            'policy-criterion-unmet',
            serial,
            [c, req],
            `Certificate ${serial} of key ${keyId} expires ${day(notAfter)}, less than ${margin} days after the window ends ${day(windowEnd)}.`,
          ),
        );
    }
    return out;
  },
};
