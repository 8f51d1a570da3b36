import type { Rule } from '../../engine';
import { custodyAttestation, custodyRegistry } from '../../families/catalogue';
import type { Finding } from '../../model';
import type { DeferralPolicy } from '../../policy/deferral';
import {
  type Ctx,
  type Rec,
  current,
  day,
  daysBetween,
  finding,
  fold,
  happened,
  keyOnHsms,
  latest,
  ms,
  rosterCover,
  subjectRequest,
} from './common';

const CREDENTIALS = new Set(['backup-token', 'operator-card', 'custodian-card']);

/** Holdings of the key's HSM tokens and cards current at the instant (the registry's own say). */
export function currentHoldings(ctx: Ctx, keyId: string): Rec<typeof custodyRegistry>[] {
  const at = ms(ctx.asOf);
  return keyOnHsms(ctx, keyId)
    .flatMap((inv) => current(ctx.records.where(custodyRegistry, 'hsmSerial', inv.content.hsmSerial)))
    .filter(
      (h) =>
        CREDENTIALS.has(h.content.itemKind) &&
        ms(h.content.since) <= at &&
        (h.content.until === null || at < ms(h.content.until)),
    )
    .sort((a, b) => (a.content.itemId < b.content.itemId ? -1 : a.content.itemId > b.content.itemId ? 1 : 0));
}

/**
 * DEF-CUSTODY-FRESH — every backup token and card of an HSM holding the key has an attestation by its
 * current holder, made while they held it, within the policy's freshness. An attestation by a former
 * holder does not speak for today's. None: missing; too old: stale; not in possession or seal broken:
 * invalid.
 */
export const defCustodyFresh: Rule<DeferralPolicy> = {
  id: 'DEF-CUSTODY-FRESH',
  title: 'each backup token and card of the key’s HSMs is attested by its current holder, recently',
  run(ctx) {
    const req = subjectRequest(ctx);
    if (!req) return [];
    const maxAge = ctx.policy.freshnessDays.custodyAttestation;
    const out: Finding[] = [];
    for (const h of currentHoldings(ctx, req.content.keyId)) {
      const { itemId, holder, since, itemKind } = h.content;
      const last = latest(
        happened(
          ctx,
          custodyAttestation,
          current(ctx.records.where(custodyAttestation, 'itemId', itemId)),
        ).filter((a) => fold(a.content.attestedBy) === fold(holder) && ms(a.content.attestedAt) >= ms(since)),
        (c) => c.attestedAt,
      );
      if (!last)
        out.push(
          finding(
            ctx,
            'DEF-CUSTODY-FRESH',
            'missing',
            itemId,
            [h],
            `${itemKind} ${itemId} has no custody attestation by its holder ${holder} since ${day(since)}.`,
          ),
        );
      else if (last.content.result !== 'in-possession')
        out.push(
          finding(
            ctx,
            'DEF-CUSTODY-FRESH',
            'invalid',
            itemId,
            [last, h],
            `${holder} attested ${itemKind} ${itemId} as ${last.content.result} on ${day(last.content.attestedAt)}.`,
          ),
        );
      else if (daysBetween(last.content.attestedAt, ctx.asOf) > maxAge)
        out.push(
          finding(
            ctx,
            'DEF-CUSTODY-FRESH',
            'stale',
            itemId,
            [last, h],
            `The custody attestation of ${itemKind} ${itemId} by ${holder} (${day(last.content.attestedAt)}) is older than ${maxAge} days.`,
          ),
        );
    }
    return out;
  },
};

/**
 * DEF-CUSTODY-HOLDER — everyone the custody registry says holds a token or card of the key's HSMs today
 * is on the roster, in a custody role, at this instant. A holder whose roster term ended (or who was
 * never on it) still holding material: invalid.
 */
export const defCustodyHolder: Rule<DeferralPolicy> = {
  id: 'DEF-CUSTODY-HOLDER',
  title: 'each current holder of the key’s HSM tokens and cards holds a valid custody role now',
  run(ctx) {
    const req = subjectRequest(ctx);
    if (!req) return [];
    const out: Finding[] = [];
    for (const h of currentHoldings(ctx, req.content.keyId)) {
      const { itemId, holder, itemKind } = h.content;
      if (rosterCover(ctx, holder, ctx.asOf, ctx.policy.custodyRoles).length > 0) continue;
      const entries = rosterCover(ctx, holder, ctx.asOf);
      out.push(
        finding(
          ctx,
          'DEF-CUSTODY-HOLDER',
          'invalid',
          itemId,
          [h, ...entries],
          `${holder} holds ${itemKind} ${itemId} but has no roster entry in a custody role (${ctx.policy.custodyRoles.join(', ')}) valid on ${day(ctx.asOf)}.`,
        ),
      );
    }
    return out;
  },
};
