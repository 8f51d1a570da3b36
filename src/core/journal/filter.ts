import { coreError } from '../errors';

/**
 * Which journal entries a list shows: kinds (any of), one actor (exact), and a seq range. Every part is
 * optional; an empty filter matches the whole journal. The store turns a checked filter into SQL
 * (src/main/adapters/store/repos/journal.ts), so the list stays paged and virtualised however many
 * entries match.
 */
export interface JournalFilter {
  readonly kinds?: readonly string[];
  readonly actor?: string;
  readonly fromSeq?: number;
  readonly toSeq?: number;
}

/** A filter checked against the journal it applies to: the range is closed and inside 1..total. */
export interface CheckedFilter {
  /** Distinct kinds, sorted; empty means any kind. */
  readonly kinds: readonly string[];
  readonly actor: string | null;
  readonly fromSeq: number;
  readonly toSeq: number;
}

/** Whether the filter narrows anything at all (an unfiltered list pages by seq, without counting). */
export function isFiltering(f: JournalFilter | undefined): boolean {
  return (
    f !== undefined &&
    ((f.kinds?.length ?? 0) > 0 || f.actor !== undefined || f.fromSeq !== undefined || f.toSeq !== undefined)
  );
}

/**
 * Checks a filter against a journal of `total` entries and closes its range (1..total by default).
 * A bad range is INVALID_INPUT naming the field (`fromSeq` or `toSeq`) in plain words: from after to,
 * or a seq the journal does not hold. Which kinds and actors exist is not checked: one that matches
 * nothing is an honest "0 of N".
 */
export function checkFilter(f: JournalFilter | undefined, total: number): CheckedFilter {
  const fromSeq = f?.fromSeq ?? 1;
  const toSeq = f?.toSeq ?? total;
  const bad = (field: 'fromSeq' | 'toSeq', message: string) => coreError('INVALID_INPUT', message, { field });
  for (const [field, value, label] of [
    ['fromSeq', f?.fromSeq, 'From'],
    ['toSeq', f?.toSeq, 'To'],
  ] as const) {
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value < 1)
      throw bad(field, `${label} seq must be a whole number of at least 1 (it is ${value}).`);
    if (value > total)
      throw bad(
        field,
        total === 0
          ? `${label} seq ${value} is past the end: the journal is empty.`
          : `${label} seq ${value} is past the end: the journal's last entry is seq ${total}.`,
      );
  }
  if (f?.fromSeq !== undefined && f.toSeq !== undefined && f.fromSeq > f.toSeq)
    throw bad(
      'toSeq',
      `To seq ${f.toSeq} is before from seq ${f.fromSeq}: the range must not run backwards.`,
    );
  return {
    kinds: [...new Set(f?.kinds ?? [])].sort(),
    actor: f?.actor ?? null,
    fromSeq,
    toSeq,
  };
}
