import type { JournalVerdict } from '../../app/store';

export interface VerdictBadge {
  word: 'VERIFIED' | 'TAMPERED' | 'UNANCHORED' | 'NOT CHECKED';
  detail: string;
  check?: string;
}

/** One wording of a journal verdict for the banner, the journal view and the tests. */
export function describeVerdict(v: JournalVerdict | null): VerdictBadge {
  if (!v) return { word: 'NOT CHECKED', detail: '' };
  switch (v.status) {
    case 'VERIFIED':
      return {
        word: 'VERIFIED',
        detail: `to checkpoint ${v.checkpoint.n} (seq ${anchoredTo(v.checkpoint)})`,
      };
    case 'TAMPERED':
      return {
        word: 'TAMPERED',
        detail: v.firstBadSeq !== null ? `AT seq ${v.firstBadSeq}` : `checkpoint ${v.checkpointN ?? '?'}`,
        check: v.check,
      };
    case 'UNANCHORED':
      return {
        word: 'UNANCHORED',
        detail: v.checkpoint
          ? `after checkpoint ${v.checkpoint.n} (seq ${anchoredTo(v.checkpoint)})`
          : 'no signed checkpoint',
        check: v.check,
      };
    default: {
      const never: never = v;
      throw new Error(`unknown verdict ${JSON.stringify(never)}`);
    }
  }
}

/** The last seq a checkpoint anchors: its own chained event, or its size for a legacy checkpoint. */
function anchoredTo(cp: { size: number; eventSeq: number | null }): number {
  return cp.eventSeq ?? cp.size;
}

/**
 * Chain state of one row under the last verdict: anchored rows are VERIFIED, rows after the last
 * checkpoint UNANCHORED; under TAMPERED the bad row (or the range a checkpoint mismatch points to) is
 * TAMPERED, rows after it are NOT CHECKED (verification stops at the first break) and rows before it
 * carry no badge (their chain links held but nothing anchored them).
 */
export function rowState(
  v: JournalVerdict | null,
  seq: number,
): 'VERIFIED' | 'TAMPERED' | 'UNANCHORED' | 'NOT CHECKED' | null {
  if (!v) return null;
  switch (v.status) {
    case 'VERIFIED':
      return seq <= anchoredTo(v.checkpoint) ? 'VERIFIED' : 'UNANCHORED';
    case 'UNANCHORED':
      return v.checkpoint && seq <= anchoredTo(v.checkpoint) ? 'VERIFIED' : 'UNANCHORED';
    case 'TAMPERED': {
      if (v.firstBadSeq === null) return null;
      const last = v.lastPossibleSeq ?? v.firstBadSeq;
      if (seq < v.firstBadSeq) return null;
      return seq <= last ? 'TAMPERED' : 'NOT CHECKED';
    }
    default: {
      const never: never = v;
      throw new Error(`unknown verdict ${JSON.stringify(never)}`);
    }
  }
}
