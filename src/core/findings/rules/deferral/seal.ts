import type { Rule } from '../../engine';
import { custodyRegistry, mediaLifecycle, sealInspection } from '../../families/catalogue';
import type { Finding } from '../../model';
import type { DeferralPolicy } from '../../policy/deferral';
import {
  current,
  day,
  daysBetween,
  finding,
  happened,
  keyOnHsms,
  latest,
  ms,
  subjectRequest,
} from './common';

const ESCROW = new Set(['escrow-media', 'escrow-envelope']);

/**
 * DEF-SEAL — each escrow medium of an HSM holding the key (custody registry) was inspected intact in
 * its current tamper-evident bag within the policy's freshness. The current bag is the one of the
 * medium's latest lifecycle event: an inspection of the bag a replacement retired does not count, and
 * one after the replacement does. None: missing; tampered or missing at inspection: invalid; too old:
 * stale. A retired medium is not checked.
 */
export const defSeal: Rule<DeferralPolicy> = {
  id: 'DEF-SEAL',
  title: 'each escrow medium of the key’s HSMs was inspected intact in its current bag, recently',
  run(ctx) {
    const req = subjectRequest(ctx);
    if (!req) return [];
    const at = ms(ctx.asOf);
    const maxAge = ctx.policy.freshnessDays.sealInspection;
    const out: Finding[] = [];
    const media = keyOnHsms(ctx, req.content.keyId)
      .flatMap((inv) => current(ctx.records.where(custodyRegistry, 'hsmSerial', inv.content.hsmSerial)))
      .filter(
        (h) =>
          ESCROW.has(h.content.itemKind) &&
          ms(h.content.since) <= at &&
          (h.content.until === null || at < ms(h.content.until)),
      );
    const seen = new Set<string>();
    for (const h of media) {
      const mediaId = h.content.itemId;
      if (seen.has(mediaId)) continue;
      seen.add(mediaId);
      const life = latest(
        happened(ctx, mediaLifecycle, current(ctx.records.where(mediaLifecycle, 'mediaId', mediaId))),
        (c) => c.at,
      );
      if (life?.content.event === 'retired') continue;
      const bag = life?.content.bagSerial ?? null;
      const since = life ? ms(life.content.at) : -Infinity;
      const last = latest(
        happened(ctx, sealInspection, current(ctx.records.where(sealInspection, 'mediaId', mediaId))).filter(
          (i) => (bag === null || i.content.bagSerial === bag) && ms(i.content.at) >= since,
        ),
        (c) => c.at,
      );
      const basis = life ? [h, life] : [h];
      if (!last)
        out.push(
          finding(
            ctx,
            'DEF-SEAL',
            'missing',
            mediaId,
            basis,
            `Escrow medium ${mediaId}${bag ? ` (bag ${bag})` : ''} has no seal inspection${life ? ` since its ${life.content.event} on ${day(life.content.at)}` : ''}.`,
          ),
        );
      else if (last.content.result !== 'intact')
        out.push(
          finding(
            ctx,
            'DEF-SEAL',
            'invalid',
            mediaId,
            [last, ...basis],
            `Escrow medium ${mediaId} was found ${last.content.result} at inspection ${last.content.inspectionId} on ${day(last.content.at)}.`,
          ),
        );
      else if (daysBetween(last.content.at, ctx.asOf) > maxAge)
        out.push(
          finding(
            ctx,
            'DEF-SEAL',
            'stale',
            mediaId,
            [last, ...basis],
            `The latest seal inspection of escrow medium ${mediaId} (${day(last.content.at)}) is older than ${maxAge} days.`,
          ),
        );
    }
    return out;
  },
};
