import type { RuleContext } from '../../engine';
import { ceremonyPlan, deferralRequest, hsmKeyInventory, rosterSnapshot } from '../../families/catalogue';
import { toInstant } from '../../families/common';
import type { FamilyContent, RecordFamily, RecordSet } from '../../records';
import { uniqueRefs } from '../../records';
import { originOf, recordIdOf } from '../../batch';
import type { Finding, FindingCategory, SourceRecord } from '../../model';
import { type DeferralPolicy, treatment } from '../../policy/deferral';

/**
 * What the deferral rules share: the subject request, the key's HSMs, the replacement plan, roster
 * coverage at an instant, day arithmetic, and one way to write a finding (its blocking and waivable
 * flags come from policy, never from the rule).
 */
export type Ctx = RuleContext<DeferralPolicy>;
export type Rec<F> = SourceRecord<FamilyContent<F>>;

const DAY_MS = 86_400_000;
export const ms = (v: string): number => Date.parse(toInstant(v));
/** Whole days from `from` to `to` (negative when `to` is earlier), rounded up. */
export const daysBetween = (from: string, to: string): number => Math.ceil((ms(to) - ms(from)) / DAY_MS);
export const addDays = (v: string, days: number): string => new Date(ms(v) + days * DAY_MS).toISOString();
export const day = (v: string): string => toInstant(v).slice(0, 10);
/** Names are compared case-folded and trimmed; ids exactly. */
export const fold = (name: string): string => name.trim().toLowerCase();

export function finding(
  ctx: Ctx,
  checkId: string,
  category: FindingCategory,
  subject: string,
  records: readonly SourceRecord[],
  sentence: string,
): Finding {
  return {
    checkId,
    category,
    ...treatment(ctx.policy, checkId, category),
    subject,
    records: uniqueRefs(records),
    sentence,
  };
}

/**
 * The current version of each record: a source may export the same record again with changed fields
 * (a notice closed, a roster entry ended); the latest export of (system, id) is the one that holds.
 */
export function current<C>(records: readonly SourceRecord<C>[]): SourceRecord<C>[] {
  const byId = new Map<string, SourceRecord<C>>();
  for (const r of records) {
    const k = `${originOf(r).system}\u0000${recordIdOf(r)}`;
    const prev = byId.get(k);
    if (!prev || originOf(prev).exportedAt <= originOf(r).exportedAt) byId.set(k, r);
  }
  return [...byId.values()];
}

/** Records of a family whose own time field is at or before as-of (facts that had happened by then). */
export function happened<C>(
  ctx: Ctx,
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

/** The latest of some records by a time field (ties broken by record id, so the choice is stable). */
export function latest<C>(
  records: readonly SourceRecord<C>[],
  time: (c: C) => string,
): SourceRecord<C> | null {
  let best: SourceRecord<C> | null = null;
  for (const r of records) {
    if (!best) best = r;
    else {
      const a = ms(time(r.content));
      const b = ms(time(best.content));
      if (a > b || (a === b && recordIdOf(r) > recordIdOf(best))) best = r;
    }
  }
  return best;
}

/** The deferral request under evaluation (its latest export), or null when none is known. */
export function subjectRequest(ctx: Ctx): Rec<typeof deferralRequest> | null {
  return latest(
    happened(ctx, deferralRequest, current(ctx.records.where(deferralRequest, 'requestId', ctx.subject))),
    (c) => c.requestedAt,
  );
}

/** The latest inventory observation of the key on each HSM holding it, as of the instant. */
export function keyOnHsms(ctx: Ctx, keyId: string): Rec<typeof hsmKeyInventory>[] {
  const seen = happened(ctx, hsmKeyInventory, current(ctx.records.where(hsmKeyInventory, 'keyId', keyId)));
  const byHsm = new Map<string, Rec<typeof hsmKeyInventory>[]>();
  for (const r of seen) byHsm.set(r.content.hsmSerial, [...(byHsm.get(r.content.hsmSerial) ?? []), r]);
  return [...byHsm.keys()]
    .sort()
    .map((hsm) => latest(byHsm.get(hsm) ?? [], (c) => c.observedAt))
    .filter((r): r is Rec<typeof hsmKeyInventory> => r !== null);
}

const OPEN_PLAN = new Set(['planned', 'blocked', 'held']);

/**
 * The replacement rotation ceremony for the key: of the open key-rotation plans known as of the instant
 * (latest export of each), the one planned last — an earlier blocked plan is what the deferral replaces.
 */
export function replacementPlan(ctx: Ctx, keyId: string): Rec<typeof ceremonyPlan> | null {
  const plans = current(ctx.records.where(ceremonyPlan, 'keyId', keyId)).filter(
    (p) => p.content.purpose === 'key-rotation' && OPEN_PLAN.has(p.content.status),
  );
  return latest(plans, (c) => c.plannedAt);
}

const byPersonCache = new WeakMap<RecordSet, Map<string, Rec<typeof rosterSnapshot>[]>>();

/** Roster entries of a person (case-folded), current versions only; indexed once per record set. */
export function rosterOf(ctx: Ctx, person: string): Rec<typeof rosterSnapshot>[] {
  let index = byPersonCache.get(ctx.records);
  if (!index) {
    index = new Map();
    for (const r of current(ctx.records.all<FamilyContent<typeof rosterSnapshot>>(rosterSnapshot))) {
      const k = fold(r.content.person);
      index.set(k, [...(index.get(k) ?? []), r]);
    }
    byPersonCache.set(ctx.records, index);
  }
  return index.get(fold(person)) ?? [];
}

/**
 * Roster entries that cover `person` at instant `t`, holding one of `roles` when given. A suspended or
 * revoked entry covered its term only up to the snapshot that reports it so; a temporary entry covers
 * exactly its window.
 */
export function rosterCover(
  ctx: Ctx,
  person: string,
  t: string,
  roles: readonly string[] | null = null,
): Rec<typeof rosterSnapshot>[] {
  const at = ms(t);
  return rosterOf(ctx, person).filter((r) => {
    const c = r.content;
    if (ms(c.snapshotAt) > ms(ctx.asOf)) return false;
    if (ms(c.validFrom) > at) return false;
    let end = c.validUntil === null ? Infinity : ms(c.validUntil);
    if (c.status === 'suspended' || c.status === 'revoked') end = Math.min(end, ms(c.snapshotAt));
    if (at >= end) return false;
    return roles === null || c.roles.some((role) => roles.includes(role));
  });
}
