import type { Rule } from '../../engine';
import { ceremonyLog, changeRecord, hsmAuditLog } from '../../families/catalogue';
import type { Finding } from '../../model';
import type { DeferralPolicy } from '../../policy/deferral';
import {
  type Ctx,
  type Rec,
  current,
  day,
  finding,
  fold,
  happened,
  keyOnHsms,
  ms,
  rosterCover,
  subjectRequest,
} from './common';

type Entry = Rec<typeof hsmAuditLog>;

/** The audit log of one HSM up to the instant, in sequence order. */
function logOf(ctx: Ctx, hsm: string): Entry[] {
  return happened(ctx, hsmAuditLog, current(ctx.records.where(hsmAuditLog, 'hsmSerial', hsm))).sort(
    (a, b) => a.content.sequence - b.content.sequence,
  );
}

/**
 * DEF-AUDIT-CHAIN — the audit log of each HSM holding the key is whole up to the instant: sequence
 * numbers without gaps or repeats, and no audit-cleared event. Otherwise invalid: the log cannot
 * show what the key did.
 */
export const defAuditChain: Rule<DeferralPolicy> = {
  id: 'DEF-AUDIT-CHAIN',
  title: 'the audit log of each HSM holding the key has no sequence gap and was never cleared',
  run(ctx) {
    const req = subjectRequest(ctx);
    if (!req) return [];
    const out: Finding[] = [];
    for (const inv of keyOnHsms(ctx, req.content.keyId)) {
      const hsm = inv.content.hsmSerial;
      const log = logOf(ctx, hsm);
      for (let i = 1; i < log.length; i++) {
        const prev = log[i - 1];
        const e = log[i];
        if (!prev || !e) continue;
        const gap = e.content.sequence - prev.content.sequence;
        if (gap === 1) continue;
        out.push(
          finding(
            ctx,
            'DEF-AUDIT-CHAIN',
            'invalid',
            `${hsm}#${prev.content.sequence}`,
            [prev, e],
            gap === 0
              ? `The audit log of HSM ${hsm} repeats sequence ${e.content.sequence} (${prev.content.entryId}, ${e.content.entryId}).`
              : `The audit log of HSM ${hsm} jumps from sequence ${prev.content.sequence} to ${e.content.sequence} (${day(prev.content.at)} to ${day(e.content.at)}): ${gap - 1} entries missing.`,
          ),
        );
      }
      for (const e of log)
        if (e.content.event === 'audit-cleared')
          out.push(
            finding(
              ctx,
              'DEF-AUDIT-CHAIN',
              'invalid',
              `${hsm}#${e.content.sequence}`,
              [e],
              `The audit log of HSM ${hsm} was cleared at ${e.content.at} (entry ${e.content.entryId}).`,
            ),
          );
    }
    return out;
  },
};

/**
 * DEF-AUDIT-SIGN — every successful sign with the key, up to the instant, is accounted for: its
 * reference names a completed ceremony of that day (for this key or none in particular) in which the
 * operator took part, or an approved change whose window covers it; and the operator was on the roster
 * at that moment. Anything else is signing nobody authorised: stop.
 */
export const defAuditSign: Rule<DeferralPolicy> = {
  id: 'DEF-AUDIT-SIGN',
  title: 'every sign with the key is covered by a ceremony or approved change and a rostered operator',
  run(ctx) {
    const req = subjectRequest(ctx);
    if (!req) return [];
    const keyId = req.content.keyId;
    const out: Finding[] = [];
    const signs = happened(ctx, hsmAuditLog, current(ctx.records.where(hsmAuditLog, 'keyId', keyId))).filter(
      (e) => e.content.event === 'sign' && e.content.result === 'success',
    );
    for (const e of signs) {
      const { entryId, operator, reference, at, hsmSerial } = e.content;
      const why: string[] = [];
      const basis: Rec<typeof ceremonyLog | typeof changeRecord>[] = [];
      if (reference === null) why.push('carries no ceremony or change reference');
      else {
        const ceremonies = current(ctx.records.where(ceremonyLog, 'ceremonyId', reference)).filter(
          (c) => c.content.outcome !== 'aborted' && (c.content.keyId === null || c.content.keyId === keyId),
        );
        const changes = current(ctx.records.where(changeRecord, 'changeId', reference)).filter(
          (c) =>
            (c.content.status === 'approved' || c.content.status === 'implemented') &&
            c.content.approvedAt !== null &&
            ms(c.content.approvedAt) <= ms(at) &&
            (c.content.windowStart === null || ms(c.content.windowStart) <= ms(at)) &&
            (c.content.windowEnd === null || ms(at) <= ms(c.content.windowEnd)),
        );
        basis.push(...ceremonies, ...changes);
        const sameDay = ceremonies.filter((c) => day(c.content.at) === day(at));
        if (sameDay.length === 0 && changes.length === 0)
          why.push(
            `references ${reference}, which is neither a ceremony of that day for the key nor an approved change covering it`,
          );
        else if (
          changes.length === 0 &&
          operator !== null &&
          !sameDay.some((c) => c.content.participants.some((p) => fold(p.person) === fold(operator)))
        )
          why.push(`was made by ${operator}, who is not in the log of ceremony ${reference}`);
      }
      if (operator === null) why.push('names no operator');
      else if (rosterCover(ctx, operator, at).length === 0)
        why.push(`was made by ${operator}, who was not on the roster then`);
      if (why.length > 0)
        out.push(
          finding(
            ctx,
            'DEF-AUDIT-SIGN',
            'stop',
            entryId,
            [e, ...basis],
            `Sign with key ${keyId} on HSM ${hsmSerial} at ${at} (entry ${entryId}) ${why.join('; ')}.`,
          ),
        );
    }
    return out;
  },
};
