import type { ZodType } from 'zod';
import type { RuleContext } from '../../engine';
import { continuityDeclaration } from '../../families/continuity';
import type { Finding, FindingCategory, SourceRecord } from '../../model';
import type { ActivationGatePolicy, HoldKind } from '../../policy/activation-gate';
import { type FamilyContent, type RecordFamily, uniqueRefs } from '../../records';
import { happened } from '../compromise/common';
import { current, fold, latest, ms } from '../deferral/common';

/**
 * What the activation-gate rules share (workflow 003). Every ACT finding is a hold of one kind; whether a
 * person may waive it is the policy's word (`nonWaivable`), never the station's. A quarantined candidate
 * that is simply not in the manifest holds that artifact out of the batch, not the gate.
 */
export type Ctx = RuleContext<ActivationGatePolicy>;
export type Rec<F> = SourceRecord<FamilyContent<F>>;
export { current, fold, latest, ms };

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** The hold kind each check's findings are (docs/findings.md). */
export const HOLD_KIND_OF: Readonly<Record<string, HoldKind>> = {
  'ACT-DECLARATION': 'scope',
  'ACT-MANIFEST': 'manifest-binding',
  'ACT-REPRO': 'manifest-binding',
  'ACT-DIGEST-FRESH': 'digest-freshness',
  'ACT-ENCLAVE': 'enclave-attestation',
  'ACT-QUORUM-SHIFT': 'signer-quorum',
  'ACT-ROLLBACK': 'rollback-custody',
  'ACT-PUBLICATION': 'publication-scope',
  'ACT-QUARANTINE': 'quarantine',
};

export const holdKindOf = (checkId: string): HoldKind => HOLD_KIND_OF[checkId] ?? 'scope';

/** One problem an area found: becomes one finding of its check. */
export interface Problem {
  readonly checkId: string;
  readonly category: FindingCategory;
  readonly subject: string;
  readonly records: readonly SourceRecord[];
  readonly sentence: string;
  /** False only for a quarantined candidate that is simply not in the manifest (it holds itself out). */
  readonly blocking?: boolean;
}

export function actFinding(policy: ActivationGatePolicy, p: Problem): Finding {
  return {
    checkId: p.checkId,
    category: p.category,
    blocking: p.blocking ?? true,
    waivable: !policy.nonWaivable.includes(holdKindOf(p.checkId)),
    subject: p.subject,
    records: uniqueRefs(p.records),
    sentence: p.sentence,
  };
}

/** Records of a family as they stood at the as-of instant (latest export of each, fact time come). */
export function knownNow<C>(ctx: Ctx, family: RecordFamily<ZodType<C>>): SourceRecord<C>[] {
  return current(happened(ctx, family, ctx.records.all<C>(family)));
}

/** Same, restricted to records whose `field` equals `value`. */
export function knownWhere<C>(
  ctx: Ctx,
  family: RecordFamily<ZodType<C>>,
  field: string,
  value: string,
): SourceRecord<C>[] {
  return current(happened(ctx, family, ctx.records.where<C>(family, field, value)));
}

/** The declaration under evaluation as known by the as-of instant (its latest revision), or null. */
export function subjectDeclaration(ctx: Ctx): Rec<typeof continuityDeclaration> | null {
  return latest(knownWhere(ctx, continuityDeclaration, 'declarationId', ctx.subject), (c) => c.declaredAt);
}

/** Whole hours from `from` to `to`, rounded down. */
export const hoursBetween = (from: string, to: string): number => Math.floor((ms(to) - ms(from)) / HOUR_MS);
export const short = (sha: string): string => sha.slice(0, 12);
export const iso = (v: string): string => new Date(ms(v)).toISOString();
