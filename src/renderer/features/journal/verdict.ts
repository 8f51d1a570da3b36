import type { IdentityAnchor, JournalVerdict } from '../../app/store';
import type { StationInfo } from '../../../shared/contract';

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
    case 'CANCELLED':
      // Stopped by the operator: nothing was judged, so it says so in the grey word, never a colour.
      return { word: 'NOT CHECKED', detail: `not verified — cancelled at seq ${v.cancelledAtSeq}` };
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
 * carry no badge (their chain links held but nothing anchored them). A cancelled verification is the
 * same without a bad row: rows from where it stopped are NOT CHECKED, rows before it carry no badge.
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
    case 'CANCELLED':
      return seq < v.cancelledAtSeq ? null : 'NOT CHECKED';
    default: {
      const never: never = v;
      throw new Error(`unknown verdict ${JSON.stringify(never)}`);
    }
  }
}

/**
 * Why a chain that verified must still not show green in the banner, or null: the station token is not
 * answering now (read every few seconds, while the verdict is only as new as the last verify), the
 * identity key the checkpoints were checked with was not confirmed on the token, or the token's journal
 * mark is behind or unchecked. VERIFIED needs the token twice: it holds the identity key, and its mark
 * names the latest checkpoint (else a rollback would go unseen).
 */
export function journalHold(
  hsm: StationInfo['hsm'] | undefined,
  anchor: IdentityAnchor,
  verdict: JournalVerdict | null,
): { reason: string; check: 'JNL-IDENTITY' | 'JNL-MARK' } | null {
  if (hsm !== undefined && hsm !== null && hsm.status !== 'PRESENT' && hsm.status !== 'BUSY')
    return { reason: `station token ${hsm.status.toLowerCase()}`, check: 'JNL-IDENTITY' };
  if (anchor?.token.status !== 'CONFIRMED')
    return { reason: 'identity key not on the token', check: 'JNL-IDENTITY' };
  if (verdict?.status === 'VERIFIED' && verdict.mark.status !== 'CONFIRMED')
    return {
      reason: `token mark ${verdict.mark.status === 'BEHIND' ? 'behind' : 'not checked'}`,
      check: 'JNL-MARK',
    };
  return null;
}
