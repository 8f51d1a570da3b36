import type { Output } from '../../../shared/contract';
import type { Tone } from '../../components/Badge';
import type { Focus, RecordRef } from '../findings/model';

/**
 * The compromise-authority view (workflow 002): the lanes, holders, facts and option sets the station
 * derived beside an evaluation's findings (`Evaluation.authority`). The station computes; the owner
 * decides: nothing here ranks, scores or highlights an option, and RECOMMENDED is info-toned, never green.
 */
export const WORKFLOW = 'compromise-authority';

/** The authority channels' shapes (src/shared/contract/authority*.ts). */
export type AuthorityEvaluation = Output<'authorityEvaluate'>;
export type AuthorityStatus = Output<'authorityStatus'>;
export type CurrentEvaluation = NonNullable<AuthorityStatus['current']>;
export type AuthorityDiffView = Output<'authorityDiff'>;
export type LaneChange = AuthorityDiffView['diff']['lanes'][number];
export type LineageEntry = Output<'authorityLineage'>['entries'][number];
export type RedirectsView = Output<'authorityRedirects'>;
export type Redirect = RedirectsView['redirects'][number];
export type BroadView = Output<'authorityBroadPreview'>;
export type Authority = AuthorityEvaluation['authority'];
export type Lane = Authority['lanes'][number];
export type OptionView = Authority['options'][number];
export type Fact = Authority['facts'][number];
export type RuleState = Lane['triggers'][number]['state'];

/** What the right-hand pane shows: a finding's rule, a record, or every record a fact rests on. */
export type AuthorityFocus = Focus | { type: 'fact'; fact: string };

export const LANE_WORDS: Readonly<Record<Lane['status'], string>> = {
  recommended: 'RECOMMENDED',
  viable: 'VIABLE',
  blocked: 'BLOCKED',
  not_required: 'NOT REQUIRED',
};

/** A trigger's or requirement's state: does the rule hold on the facts. */
export function ruleWord(state: RuleState): string {
  return state === 'holds' ? 'HOLDS' : state === 'does-not-hold' ? 'DOES NOT HOLD' : 'UNKNOWN';
}

/** A limit's state: passed, shown not passed, or not shown (unknown counts as passed). */
export function limitWord(state: RuleState): string {
  return state === 'holds' ? 'EXCEEDED' : state === 'does-not-hold' ? 'WITHIN' : 'NOT SHOWN';
}

export function reversibilityWord(r: OptionView['worst']): string {
  return r === 'reversible' ? 'REVERSIBLE' : r === 'partly-reversible' ? 'PARTLY REVERSIBLE' : 'IRREVERSIBLE';
}

/**
 * The outcome as status words: a recommendation is RECOMMENDED (info), with PARTIAL beside it when the
 * facts have gaps; a held scope HOLD; no routable lane ROUTING-UNCLEAR. The outcome id and the engine's
 * reason are always shown beside it.
 */
export function outcomeWords(
  outcome: string,
  recommended: string | null,
): { word: string; tone?: Tone; detail: string }[] {
  switch (outcome) {
    case 'recommend':
      return [{ word: 'RECOMMENDED', detail: recommended ?? '' }];
    case 'recommend-with-gaps':
      return [
        { word: 'RECOMMENDED', detail: recommended ?? '' },
        { word: 'PARTIAL', detail: 'gaps in the facts' },
      ];
    case 'hold-scope':
      return [{ word: 'HOLD', detail: 'the incident scope does not stand' }];
    case 'routing-unclear':
      return [{ word: 'ROUTING-UNCLEAR', detail: 'no lane can be recommended' }];
    default:
      return [{ word: outcome.toUpperCase(), tone: 'neutral', detail: '' }];
  }
}

/** An instant as people read it at the table: "2026-12-03 00:00 UTC" (the ISO form stays in its title). */
export function shortTime(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
}

/**
 * Who holds a lane now, in words: "Hannah Lindqvist — acting by succession ED-031 until 2026-12-03 00:00
 * UTC; Daniel Mercer unavailable (ED-030)". A delegate's decisions are named (their scope is narrower).
 */
export function holderLine(lane: Pick<Lane, 'holder' | 'skipped'>): string {
  const h = lane.holder;
  const head =
    h === null
      ? 'Nobody holds this lane now'
      : h.via === 'holder'
        ? `${h.person} — holder`
        : `${h.person} — acting by ${h.via}${h.record ? ` ${h.record}` : ''}${
            h.until ? ` until ${shortTime(h.until)}` : ''
          }${h.scope ? `, for ${h.scope.length > 0 ? h.scope.join(', ') : 'no decision'}` : ''}`;
  const skipped = lane.skipped.map((s) => `${s.person} ${s.why}`);
  return [head, ...skipped].join('; ');
}

/** The facts in words (the vocabulary of src/core/findings/rules/compromise/facts.ts). */
export const FACT_LABELS: Readonly<Record<string, string>> = {
  severity: 'Severity',
  custodyExposure: 'Custody exposure',
  hsmAuditGap: 'HSM audit gap in the window',
  anomalousSignatures: 'Anomalous signatures',
  untracedSignatures: 'Untraced signatures',
  artifactsAffected: 'Artifacts affected',
  externalDistribution: 'Shipped beyond the organisation',
  customersAffected: 'Customers affected (high estimate)',
  contractualNotice: 'Contractual notice open',
  regulatoryNotice: 'Regulatory notice open',
  legalHold: 'Legal hold',
  noticeDeadlineHours: 'Hours to the nearest notice deadline',
};

/**
 * Facts whose value is custody, exposure or disclosure detail (they rest on fields no family lets go
 * broad: custody conclusions, telemetry anomalies, lineage, impact, the disclosure register): shown
 * here, labelled RESTRICTED, and never part of a broad audience's copy.
 */
export const RESTRICTED_FACTS: ReadonlySet<string> = new Set([
  'custodyExposure',
  'anomalousSignatures',
  'untracedSignatures',
  'artifactsAffected',
  'externalDistribution',
  'customersAffected',
  'contractualNotice',
  'regulatoryNotice',
  'legalHold',
  'noticeDeadlineHours',
]);

/** Families whose records carry restricted fields (custody, exposure, disclosure detail). */
export const RESTRICTED_FAMILIES: ReadonlySet<string> = new Set([
  'custody-evidence',
  'signing-telemetry',
  'artifact-lineage',
  'customer-impact',
  'disclosure-register',
]);

/**
 * A fact's value as shown: unknown is the word UNKNOWN (never blank, never zero); yes/no for a flag;
 * "no deadline" where no notice has one.
 */
export function factValue(
  f: Pick<Fact, 'fact' | 'value'>,
): { unknown: true } | { unknown: false; text: string } {
  if (f.value === null) return { unknown: true };
  if (typeof f.value === 'boolean') return { unknown: false, text: f.value ? 'yes' : 'no' };
  if (f.value === 'none' && f.fact === 'noticeDeadlineHours') return { unknown: false, text: 'no deadline' };
  return { unknown: false, text: String(f.value) };
}

/**
 * The options a lane's table lists: every applicable option, in optionId order (the station's order,
 * never a preference), each with whether it fits inside this lane and where else it fits.
 */
export function laneOptions(
  lane: Pick<Lane, 'laneId' | 'options'>,
  options: readonly OptionView[],
): { option: OptionView; inside: boolean }[] {
  const inside = new Set(lane.options);
  return [...options]
    .sort((a, b) => (a.optionId < b.optionId ? -1 : a.optionId > b.optionId ? 1 : 0))
    .map((option) => ({ option, inside: inside.has(option.optionId) }));
}

export function byRank(lanes: readonly Lane[]): Lane[] {
  return [...lanes].sort((a, b) => a.rank - b.rank);
}

export type { RecordRef };

/** A lane's title from the evaluation on screen (its id when the matrix lacks it; "no lane" for null). */
export function laneTitle(lanes: readonly Pick<Lane, 'laneId' | 'title'>[], id: string | null): string {
  if (id === null) return 'no lane';
  return lanes.find((l) => l.laneId === id)?.title ?? id;
}

/** A lane status word, also for a status string from the journal (a redirect's targetComputedStatus). */
export function laneWord(status: string): string {
  return Object.hasOwn(LANE_WORDS, status) ? LANE_WORDS[status as Lane['status']] : status.toUpperCase();
}
