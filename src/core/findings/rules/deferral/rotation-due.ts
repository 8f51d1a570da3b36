import type { Rule } from '../../engine';
import { ceremonyLog, hsmAuditLog } from '../../families/catalogue';
import type { Finding, SourceRecord } from '../../model';
import type { DeferralPolicy } from '../../policy/deferral';
import { addDays, current, day, finding, happened, keyOnHsms, ms, subjectRequest } from './common';

/**
 * DEF-ROTATION-DUE — the due date the request defers from is the one the sources give: no later than
 * the key inventory's scheduled rotation (else disputed: the request would understate how overdue the
 * key is), and no later than the key's generation plus the policy's mandatory rotation interval (else
 * policy-criterion-unmet). The generation is the earliest completed key-generation ceremony of the key,
 * or its earliest key-generate audit entry.
 */
export const defRotationDue: Rule<DeferralPolicy> = {
  id: 'DEF-ROTATION-DUE',
  title: 'the request’s rotation due date matches the inventory and the mandatory rotation interval',
  run(ctx) {
    const req = subjectRequest(ctx);
    if (!req) return [];
    const { keyId, rotationDueAt, requestId } = req.content;
    const out: Finding[] = [];
    for (const inv of keyOnHsms(ctx, keyId)) {
      const scheduled = inv.content.rotationDueAt;
      if (scheduled !== null && ms(rotationDueAt) > ms(scheduled))
        out.push(
          finding(
            ctx,
            'DEF-ROTATION-DUE',
            'disputed',
            `${keyId}@${inv.content.hsmSerial}`,
            [req, inv],
            `Request ${requestId} defers from ${day(rotationDueAt)}, but the key inventory of HSM ${inv.content.hsmSerial} schedules the rotation of ${keyId} for ${day(scheduled)}.`,
          ),
        );
    }
    const births: SourceRecord[] = [
      ...happened(ctx, ceremonyLog, current(ctx.records.where(ceremonyLog, 'keyId', keyId))).filter(
        (c) => c.content.kind === 'key-generation' && c.content.outcome === 'completed',
      ),
      ...happened(ctx, hsmAuditLog, current(ctx.records.where(hsmAuditLog, 'keyId', keyId))).filter(
        (e) => e.content.event === 'key-generate' && e.content.result === 'success',
      ),
    ];
    const timeOf = (r: SourceRecord) => (r.content as { at: string }).at;
    const first = births.sort((a, b) => ms(timeOf(a)) - ms(timeOf(b)))[0];
    if (first) {
      const due = addDays(timeOf(first), ctx.policy.rotationIntervalDays);
      if (ms(rotationDueAt) > ms(due))
        out.push(
          finding(
            ctx,
            'DEF-ROTATION-DUE',
            'policy-criterion-unmet',
            keyId,
            [req, first],
            `Key ${keyId} was generated ${day(timeOf(first))}; the ${ctx.policy.rotationIntervalDays}-day rotation interval made it due ${day(due)}, not ${day(rotationDueAt)} as request ${requestId} states.`,
          ),
        );
    }
    return out;
  },
};
