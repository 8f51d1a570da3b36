import type { z } from 'zod';
import { originOf, recordIdOf } from './batch';
import type { RecordRef, SourceRecord } from './model';

/**
 * A record family: one kind of fact a source system exports, versioned. Its schema validates one
 * record's content (field-path errors); `idField` is the source's own id; `timeField` names the field
 * that says when the fact applies (a record is judged at that time, and is not yet known before it).
 */
export interface RecordFamily<S extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly version: number;
  readonly title: string;
  /** Which source systems export it (documentation; the import takes the system from the file). */
  readonly systems: string;
  readonly schema: S;
  /** The content field holding the source's own record id. */
  readonly idField: string;
  /** The content field holding when the fact applies (an ISO instant or date), or null. */
  readonly timeField: string | null;
  /** Field names that identify the family in a file that does not declare it (CSV headers, JSON keys). */
  readonly signature: readonly string[];
  /**
   * Fields that may go to a broader audience than the full packet's (the broad bundle of workflow 002).
   * Unlisted fields are restricted. Absent: the family never goes broad beyond its title and digest.
   */
  readonly broadFields?: readonly string[];
}

export type FamilyContent<F> = F extends RecordFamily<infer S> ? z.output<S> : never;

export const refOf = (r: SourceRecord): RecordRef => ({
  family: r.family,
  system: originOf(r).system,
  recordId: recordIdOf(r),
});

/** The references of some records, each (family, system, record id) once, at most 200 (a finding's cap). */
export function uniqueRefs(records: readonly SourceRecord[]): RecordRef[] {
  const seen = new Set<string>();
  const refs: RecordRef[] = [];
  for (const r of records) {
    const ref = refOf(r);
    const key = `${ref.family}\u0000${ref.system}\u0000${ref.recordId}`;
    if (seen.has(key)) continue;
    seen.add(key);
    refs.push(ref);
    if (refs.length === 200) break;
  }
  return refs;
}

/**
 * The records an evaluation reads, indexed once (never a scan per rule and record): by family, and by
 * any content field a rule joins on. Records whose own time or export is after the as-of instant are
 * not known yet and are left out when the set is built (`asOf`).
 */
export class RecordSet {
  private readonly byFamily = new Map<string, SourceRecord[]>();
  private readonly indexes = new Map<string, Map<string, SourceRecord[]>>();

  constructor(records: readonly SourceRecord[]) {
    // Counted first, so each family's list is allocated once at its size (a list grown by push
    // leaves copies of a million-record list behind as garbage).
    const counts = new Map<string, number>();
    for (const r of records) counts.set(r.family, (counts.get(r.family) ?? 0) + 1);
    const filled = new Map<string, number>();
    for (const [family, n] of counts) {
      this.byFamily.set(family, new Array<SourceRecord>(n));
      filled.set(family, 0);
    }
    for (const r of records) {
      const at = filled.get(r.family) as number;
      (this.byFamily.get(r.family) as SourceRecord[])[at] = r;
      filled.set(r.family, at + 1);
    }
    for (const list of this.byFamily.values()) list.sort(compareRecords);
  }

  /** Every record of a family, ordered by (time the fact applies, system, record id). */
  all<C>(family: RecordFamily<z.ZodType<C>> | string): SourceRecord<C>[] {
    const name = typeof family === 'string' ? family : family.name;
    return (this.byFamily.get(name) ?? []) as SourceRecord<C>[];
  }

  /** Records of a family whose content field equals `value` (an index built on first use). */
  where<C>(family: RecordFamily<z.ZodType<C>>, field: string, value: string): SourceRecord<C>[] {
    const key = `${family.name}\u0000${field}`;
    let index = this.indexes.get(key);
    if (!index) {
      index = new Map();
      for (const r of this.all<C>(family)) {
        const v = (r.content as Record<string, unknown>)[field];
        for (const k of Array.isArray(v) ? v : [v]) {
          if (typeof k !== 'string') continue;
          const list = index.get(k);
          if (list) list.push(r);
          else index.set(k, [r]);
        }
      }
      this.indexes.set(key, index);
    }
    return (index.get(value) ?? []) as SourceRecord<C>[];
  }

  get size(): number {
    let n = 0;
    for (const list of this.byFamily.values()) n += list.length;
    return n;
  }

  families(): string[] {
    return [...this.byFamily.keys()].sort();
  }
}

function compareRecords(a: SourceRecord, b: SourceRecord): number {
  const oa = originOf(a);
  const ob = originOf(b);
  return cmp(oa.exportedAt, ob.exportedAt) || cmp(oa.system, ob.system) || cmp(recordIdOf(a), recordIdOf(b));
}
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * `records.filter(keep)` into a list allocated once at its final size (two passes of the predicate):
 * a list grown by push would leave its smaller copies behind, megabytes each for a million records.
 */
export function exactFilter<T>(records: readonly T[], keep: (r: T) => boolean): T[] {
  let n = 0;
  for (const r of records) if (keep(r)) n++;
  const out = new Array<T>(n);
  let at = 0;
  for (const r of records) if (keep(r)) out[at++] = r;
  return out;
}
