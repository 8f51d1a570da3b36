import type { z } from 'zod';
import type { Rule } from '../../engine';
import { mediaLifecycle, sealInspection } from '../../families/catalogue';
import type { Finding, SourceRecord } from '../../model';
import type { AttestationPolicy } from '../../policy/attestation';
import { at, attFinding, day, daysBetween, latestBy, scopeOf } from './common';

const ID = 'ATT-ESCROW-INSPECTION';
type Lifecycle = SourceRecord<z.output<typeof mediaLifecycle.schema>>;

/**
 * ATT-ESCROW-INSPECTION — every escrow medium in service at the as-of instant (a lifecycle history and
 * no retirement by then) has a latest seal inspection that is later than its latest issue, seal,
 * replacement or reseal, names the bag the medium is in now, found the seal intact, and is no older than
 * the policy's inspection maximum age. An inspection that predates a replacement proves nothing about
 * the media in the bag today (stale), whatever its own date.
 */
export const attEscrowInspection: Rule<AttestationPolicy> = {
  id: ID,
  title: 'Escrow media have a current, intact seal inspection of their current bag',
  run: (ctx) => {
    if (!scopeOf(ctx)) return [];
    const byMedia = new Map<string, Lifecycle[]>();
    for (const e of ctx.records.all(mediaLifecycle)) {
      if (at(e.content.at) > ctx.asOf) continue;
      const list = byMedia.get(e.content.mediaId) ?? [];
      list.push(e);
      byMedia.set(e.content.mediaId, list);
    }
    const maxAge = ctx.policy.inspectionMaxAgeDays;
    const findings: Finding[] = [];
    for (const [mediaId, events] of [...byMedia].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const last = latestBy(events, (e) => at(e.content.at));
      if (!last || last.content.event === 'retired') continue;
      const bagEvent = latestBy(
        events.filter((e) => e.content.bagSerial !== null),
        (e) => at(e.content.at),
      );
      const inspection = latestBy(
        ctx.records.where(sealInspection, 'mediaId', mediaId).filter((r) => at(r.content.at) <= ctx.asOf),
        (r) => at(r.content.at),
      );
      const gap = (category: 'missing' | 'stale' | 'invalid', records: SourceRecord[], sentence: string) =>
        findings.push(attFinding(ctx, ID, { category, subject: mediaId, records, sentence }));
      if (!inspection) {
        gap(
          'missing',
          [last],
          `Escrow medium ${mediaId} is in service (last ${last.content.event} ${day(last.content.at)}) but has no seal inspection by ${day(ctx.asOf)}.`,
        );
        continue;
      }
      const i = inspection.content;
      if (at(i.at) <= at(last.content.at))
        gap(
          'stale',
          [inspection, last],
          `The latest seal inspection of ${mediaId} (${i.inspectionId}, ${day(i.at)}) predates the medium’s last lifecycle event (${last.content.event}) on ${day(last.content.at)} (${last.content.eventId}).`,
        );
      else if (daysBetween(i.at, ctx.asOf) > maxAge)
        gap(
          'stale',
          [inspection],
          `The latest seal inspection of ${mediaId} (${i.inspectionId}) is from ${day(i.at)}, ${daysBetween(i.at, ctx.asOf)} days before ${day(ctx.asOf)} (policy: at most ${maxAge}).`,
        );
      if (bagEvent && bagEvent.content.bagSerial !== i.bagSerial)
        gap(
          'invalid',
          [inspection, bagEvent],
          `The latest seal inspection of ${mediaId} (${i.inspectionId}) names bag ${i.bagSerial}, but the medium has been in bag ${bagEvent.content.bagSerial} since ${day(bagEvent.content.at)} (${bagEvent.content.eventId}).`,
        );
      if (i.result !== 'intact')
        gap(
          'invalid',
          [inspection],
          `The latest seal inspection of ${mediaId} (${i.inspectionId}, ${day(i.at)}) found the seal ${i.result}.`,
        );
    }
    return findings;
  },
};
