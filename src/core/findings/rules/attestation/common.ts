import type { z } from 'zod';
import type { RuleContext } from '../../engine';
import { attestationScope, rosterSnapshot } from '../../families/catalogue';
import { toInstant } from '../../families/common';
import type { Finding, FindingCategory, SourceRecord } from '../../model';
import type { AttestationPolicy } from '../../policy/attestation';
import { waivableFor } from '../../policy/attestation';
import type { RecordSet } from '../../records';
import { uniqueRefs } from '../../records';

/** What the attestation rules share: the scope, instants, roster validity at a date, finding shape. */

export type AttestationContext = RuleContext<AttestationPolicy>;
export type Scope = z.output<typeof attestationScope.schema>;
export type RosterEntry = z.output<typeof rosterSnapshot.schema>;

const DAY_MS = 86_400_000;

/** An instant field as a comparable ISO instant (days are their first millisecond, UTC). */
export const at = toInstant;
/** The day part, for sentences. */
export const day = (v: string) => toInstant(v).slice(0, 10);
/** Whole days from `from` to `to` (negative when `to` is earlier). */
export const daysBetween = (from: string, to: string) =>
  Math.floor((Date.parse(toInstant(to)) - Date.parse(toInstant(from))) / DAY_MS);

/** The record whose time is latest (ties: the later export), or undefined for none. */
export const latestBy = <T extends SourceRecord>(list: readonly T[], time: (r: T) => string): T | undefined =>
  list.reduce<T | undefined>((best, r) => (!best || time(r) >= time(best) ? r : best), undefined);

/** Person names are compared case-folded and trimmed (ids are compared exactly). */
export const foldName = (name: string) => name.trim().toLowerCase();

/**
 * The attestation being judged: the latest export of the scope record whose id is the subject. Every
 * other rule returns nothing without it; ATT-SCOPE reports it missing.
 */
export function scopeOf(ctx: AttestationContext): SourceRecord<Scope> | undefined {
  return ctx.records.where(attestationScope, 'attestationId', ctx.subject).at(-1);
}

/** Is an instant inside the attestation period (both ends included) and already past at as-of? */
export function inPeriod(scope: Scope, when: string, asOf: string): boolean {
  const t = at(when);
  return t >= at(scope.periodStart) && t <= at(scope.periodEnd) && t <= asOf;
}

/** A finding of an attestation check; blocking unless it records an exception backing the gap. */
export function attFinding(
  ctx: AttestationContext,
  checkId: string,
  f: {
    category: FindingCategory;
    subject: string;
    records: readonly SourceRecord[];
    sentence: string;
    blocking?: boolean;
  },
): Finding {
  return {
    checkId,
    category: f.category,
    blocking: f.blocking ?? true,
    waivable: waivableFor(ctx.policy, checkId),
    subject: f.subject,
    records: uniqueRefs(f.records),
    sentence: f.sentence,
  };
}

// --- Roster validity at a date ------------------------------------------------------------------------

/**
 * The roster as the rules read it: each entry in its latest exported version (a later snapshot that
 * revokes or shortens an entry replaces the earlier one), grouped by case-folded person. Built in one pass
 * per record set and kept: the record set's own index matches exact values, and names are folded.
 */
const rosterIndexes = new WeakMap<RecordSet, Map<string, SourceRecord<RosterEntry>[]>>();

function rosterIndex(records: RecordSet): Map<string, SourceRecord<RosterEntry>[]> {
  const cached = rosterIndexes.get(records);
  if (cached) return cached;
  const latest = new Map<string, SourceRecord<RosterEntry>>();
  // all() is ordered by export time, so the last version of an entry seen is its latest.
  for (const r of records.all(rosterSnapshot)) {
    const prev = latest.get(r.content.entryId);
    if (!prev || at(r.content.snapshotAt) >= at(prev.content.snapshotAt)) latest.set(r.content.entryId, r);
  }
  const byPerson = new Map<string, SourceRecord<RosterEntry>[]>();
  for (const r of latest.values()) {
    const key = foldName(r.content.person);
    const list = byPerson.get(key);
    if (list) list.push(r);
    else byPerson.set(key, [r]);
  }
  rosterIndexes.set(records, byPerson);
  return byPerson;
}

/**
 * Whether an entry made its holder a roster member at an instant: active and temporary entries inside
 * [validFrom, validUntil); a suspended or revoked entry only before its validUntil (when the source
 * dates the end), never when it does not.
 */
export function entryCountsAt(e: RosterEntry, when: string): boolean {
  if (at(e.validFrom) > when) return false;
  const until = e.validUntil === null ? null : at(e.validUntil);
  if (e.status === 'active' || e.status === 'temporary') return until === null || when < until;
  return until !== null && when < until;
}

export type RosterVerdict =
  | { ok: true; entry: SourceRecord<RosterEntry> }
  | { ok: false; why: string; entries: SourceRecord<RosterEntry>[] };

/**
 * Was `person` on the roster at `when` in one of `roles`? When not, says why in words a reviewer can
 * check against the entries it returns (not on the roster, on it in another role, or outside its window).
 */
export function rosterAt(
  records: RecordSet,
  person: string,
  when: string,
  roles: readonly string[],
): RosterVerdict {
  const entries = rosterIndex(records).get(foldName(person)) ?? [];
  const hit = entries.find(
    (e) => entryCountsAt(e.content, when) && e.content.roles.some((r) => roles.includes(r)),
  );
  if (hit) return { ok: true, entry: hit };
  if (entries.length === 0) return { ok: false, why: `${person} is not on the approved roster`, entries };
  const current = entries.filter((e) => entryCountsAt(e.content, when));
  if (current.length > 0)
    return {
      ok: false,
      why: `${person} was on the roster on ${day(when)} only as ${[...new Set(current.flatMap((e) => e.content.roles))].join(', ')}, not as ${roles.join(' or ')}`,
      entries,
    };
  const windows = entries
    .map(
      (e) =>
        `${e.content.entryId} (${e.content.status} ${e.content.roles.join('/')}, ${day(e.content.validFrom)} → ${e.content.validUntil === null ? 'open' : day(e.content.validUntil)})`,
    )
    .join('; ');
  return { ok: false, why: `${person} had no roster entry valid on ${day(when)}: ${windows}`, entries };
}
