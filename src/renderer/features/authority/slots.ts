import type { RecordRef } from '../findings/model';

/**
 * The two slots of the compromise-authority view that other channels feed (issue #14 design, §5–6).
 * No channel exists for them yet: the view renders each only when its prop is given, and nothing here
 * invents one. When `authorityLineage` / `authorityDiff` land, map their output onto these shapes (or
 * replace the shapes with the contract's types) and pass them to <AuthorityView redirects changes>.
 */

/** One recorded redirect (journal kind `authority.redirect-recorded`), as the strip shows it. */
export interface RedirectEntry {
  /** Its journal seq. */
  readonly seq: number;
  /** The evaluation it was recorded against. */
  readonly evaluationSeq: number;
  readonly toLane: string;
  /** The person and the role they redirected under (a redirect role of the matrix). */
  readonly redirectedBy: string;
  readonly role: string;
  readonly at: string;
  /** The broad reason (≤ 2000 characters); a restricted note is never here, only its digest's existence. */
  readonly reason: string;
  readonly hasRestrictedNote: boolean;
  /** The lane the station computed then, and the target's computed status (never refused for it). */
  readonly computedLane: string | null;
  readonly targetComputedStatus: 'recommended' | 'viable' | 'blocked' | 'not_required';
}

export type RuleFlipState = 'holds' | 'does-not-hold' | 'unknown';

/** What changed between two evaluations of one incident (core/authority/diff.ts), as the panel shows it. */
export interface AuthorityChanges {
  readonly fromSeq: number;
  readonly toSeq: number;
  readonly lanes: readonly {
    readonly laneId: string;
    readonly status: { readonly from: string; readonly to: string } | null;
    readonly holder: { readonly from: string | null; readonly to: string | null } | null;
    /** The lane's "why": exactly the trigger, limit and requirement flips. */
    readonly flips: readonly {
      readonly ruleId: string;
      readonly kind: 'trigger' | 'limit' | 'requirement';
      readonly from: RuleFlipState;
      readonly to: RuleFlipState;
    }[];
  }[];
  readonly findings: {
    readonly appeared: readonly { readonly checkId: string; readonly subject: string }[];
    readonly resolved: readonly { readonly checkId: string; readonly subject: string }[];
  };
  readonly options: { readonly added: readonly string[]; readonly removed: readonly string[] };
  readonly records: { readonly added: readonly RecordRef[]; readonly superseded: readonly RecordRef[] };
  readonly matrix: { readonly from: string; readonly to: string } | null;
  /** Changes that happened inside the incident's critical window are marked. */
  readonly withinWindow: boolean;
}
