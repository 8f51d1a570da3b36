import type { ZodType } from 'zod';
import type { RuleContext } from '../../engine';
import { incidentScope } from '../../families/catalogue';
import type { Finding, FindingCategory, SourceRecord } from '../../model';
import type { AuthorityMatrix } from '../../policy/authority-matrix';
import { type FamilyContent, type RecordFamily, uniqueRefs } from '../../records';
import { current, latest, ms } from '../deferral/common';

/**
 * What the compromise-authority rules share (workflow 002). Every CMP finding is non-waivable: a gap
 * in the facts that route a compromise is carried into a handoff as acknowledged, never waived away.
 * Fact-gap findings block the recommendation's cleanliness (recommend-with-gaps); lane findings block
 * only their lane; CMP-PRIOR-STALE informs and blocks nothing.
 */
export type Ctx = RuleContext<AuthorityMatrix>;
export type Rec<F> = SourceRecord<FamilyContent<F>>;
export { current, latest, ms };

/** Records whose own time field is at or before as-of (facts that had happened by then). */
export function happened<C>(
  ctx: { readonly asOf: string },
  family: RecordFamily,
  records: readonly SourceRecord<C>[],
): SourceRecord<C>[] {
  const field = family.timeField;
  if (!field) return [...records];
  const asOf = ms(ctx.asOf);
  return records.filter((r) => {
    const v = (r.content as Record<string, unknown>)[field];
    return typeof v !== 'string' || ms(v) <= asOf;
  });
}

export const HOUR_MS = 3_600_000;
/** Whole hours from `from` to `to`, rounded down (negative when `to` is earlier). */
export const hoursBetween = (from: string, to: string): number => Math.floor((ms(to) - ms(from)) / HOUR_MS);

/**
 * Checks whose findings do not block the recommendation: the lane checks block only their own lane (the
 * lane view shows it), and a stale prior packet informs. Everything else blocks until carried or fixed.
 */
export const ADVISORY_CHECKS: readonly string[] = [
  'CMP-HOLDER',
  'CMP-FLOOR',
  'CMP-LIMIT',
  'CMP-COVER',
  'CMP-PRIOR-STALE',
];

export function cmpFinding(
  checkId: string,
  category: FindingCategory,
  subject: string,
  records: readonly SourceRecord[],
  sentence: string,
): Finding {
  return {
    checkId,
    category,
    blocking: !ADVISORY_CHECKS.includes(checkId),
    waivable: false,
    subject,
    records: uniqueRefs(records),
    sentence,
  };
}

/** The incident under evaluation as declared by the as-of instant (its latest revision), or null. */
export function subjectIncident(ctx: Ctx): Rec<typeof incidentScope> | null {
  return latest(
    current(happened(ctx, incidentScope, ctx.records.where(incidentScope, 'incidentId', ctx.subject))),
    (c) => c.declaredAt,
  );
}

/**
 * Records of a family as they stood at the as-of instant: of each record's versions whose own time had
 * come by then, the latest export (a revision dated after as-of does not hide the version before it).
 */
export function knownNow<C>(ctx: Ctx, family: RecordFamily<ZodType<C>>): SourceRecord<C>[] {
  return current(happened(ctx, family, ctx.records.all<C>(family)));
}

/** A count with its noun ("1 signature", "12 signatures"). */
export const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;
