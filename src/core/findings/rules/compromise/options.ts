import type { OptionViewModel } from '../../../authority/model';
import { canonicalBytes } from '../../../canonical';
import type { Rule } from '../../engine';
import { FAMILIES, type FamilyName, priorRecommendation, runbookOption } from '../../families/catalogue';
import { originOf, recordIdOf } from '../../batch';
import type { Finding, SourceRecord } from '../../model';
import type { AuthorityMatrix } from '../../policy/authority-matrix';
import { cmpFinding, current, type Ctx, knownNow, ms, type Rec } from './common';
import { incidentFacts } from './facts';
import { authorityRouting } from './routing';

/**
 * The bounded option sets (workflow 002): the approved runbook options for the incident's keys, each
 * with the lanes whose boundary it sits inside and its reversibility per effect — never ranked, scored
 * or collapsed into one preferred action (there is no such field). A person chooses.
 */
export const REVERSIBILITY = ['reversible', 'partly-reversible', 'irreversible'] as const;
export type Reversibility = (typeof REVERSIBILITY)[number];

export type OptionView = OptionViewModel;

/** Approved, reviewed options sharing a key with the incident, in optionId order. */
export function applicableOptions(ctx: Ctx): Rec<typeof runbookOption>[] {
  const keys = new Set(incidentFacts(ctx).keys);
  return knownNow(ctx, runbookOption)
    .filter((o) => o.content.status === 'approved' && o.content.keyIds.some((k) => keys.has(k)))
    .sort((a, b) => a.content.optionId.localeCompare(b.content.optionId));
}

export function optionViews(ctx: Ctx): OptionView[] {
  const a = authorityRouting(ctx);
  return applicableOptions(ctx).map((o) => {
    const c = o.content;
    const worst = c.effects.reduce<Reversibility>(
      (w, e) => (REVERSIBILITY.indexOf(e.reversibility) > REVERSIBILITY.indexOf(w) ? e.reversibility : w),
      'reversible',
    );
    const covers = (scope: readonly string[]) => c.decisions.every((d) => scope.includes(d));
    return {
      optionId: c.optionId,
      runbookId: c.runbookId,
      title: c.title,
      decisions: [...c.decisions],
      effects: c.effects.map((e) => ({ ...e })),
      worst,
      insideLanes: ctx.policy.lanes.filter((l) => covers(l.decides)).map((l) => l.laneId),
      insideDelegated: ctx.policy.lanes
        .filter((l) => {
          const h = a.holders[l.laneId]?.holder;
          return h?.via === 'delegation' && h.scope !== null && covers(h.scope);
        })
        .map((l) => l.laneId),
    };
  });
}

type R = Rule<AuthorityMatrix>;

/** CMP-OPTIONS — options use the matrix's decisions, note every irreversible effect, and the
 * recommended lane has one that is not irreversible (where the matrix asks for it). */
export const cmpOptions: R = {
  id: 'CMP-OPTIONS',
  title:
    "options use the matrix's decisions, explain irreversible effects, and leave the owner a reversible one",
  run(ctx) {
    if (!incidentFacts(ctx).incident) return [];
    const options = applicableOptions(ctx);
    const known = new Set(ctx.policy.decisions.map((d) => d.id));
    const out: Finding[] = [];
    for (const o of options) {
      const unknown = o.content.decisions.filter((d) => !known.has(d));
      if (unknown.length > 0)
        out.push(
          cmpFinding(
            'CMP-OPTIONS',
            'invalid',
            o.content.optionId,
            [o],
            `Option ${o.content.optionId} needs ${unknown.join(', ')}, which ${unknown.length === 1 ? 'is' : 'are'} not a decision of the matrix: no lane can be shown to own it`,
          ),
        );
      const unexplained = o.content.effects.filter(
        (e) => e.reversibility === 'irreversible' && e.note.trim() === '',
      );
      if (unexplained.length > 0)
        out.push(
          cmpFinding(
            'CMP-OPTIONS',
            'missing',
            o.content.optionId,
            [o],
            `Option ${o.content.optionId} has an irreversible effect without a note (${unexplained.map((e) => e.effect).join(', ')}): what cannot be undone must be said`,
          ),
        );
    }
    const a = authorityRouting(ctx);
    const rec = a.routing.recommended;
    if (ctx.policy.requireReversibleOption && rec !== null) {
      // Inside what its holder may decide: a delegate's boundary when a delegate holds it.
      const delegated = a.routing.lanes.find((l) => l.laneId === rec)?.holder?.via === 'delegation';
      const views = optionViews(ctx).filter((v) =>
        (delegated ? v.insideDelegated : v.insideLanes).includes(rec),
      );
      if (!views.some((v) => v.worst !== 'irreversible'))
        out.push(
          cmpFinding(
            'CMP-OPTIONS',
            views.length === 0 ? 'missing' : 'policy-criterion-unmet',
            rec,
            options,
            views.length === 0
              ? `No approved runbook option for the incident's keys sits inside ${rec}: the owner has nothing reviewed to choose from`
              : `Every option inside ${rec} is irreversible (${views.map((v) => v.optionId).join(', ')}); the matrix asks for one that is not`,
          ),
        );
    }
    return out;
  },
};

/** A record's content digest as a prior packet names it: SHA-256 of its content's canonical JSON. */
export const contentDigest = (ctx: Ctx, r: SourceRecord): string => {
  if (!ctx.sha256) throw new Error('CMP-PRIOR-STALE needs the engine’s sha256');
  return ctx.sha256(canonicalBytes(r.content));
};

/**
 * CMP-PRIOR-STALE — a prior recommendation for the incident rests on records as they stand, under the
 * matrix in force. One resting on a record since superseded (its content changed) or on another matrix
 * is stale: informational, it blocks nothing here, but its recommendation must not be relied on.
 */
export const cmpPriorStale: R = {
  id: 'CMP-PRIOR-STALE',
  title: 'no prior recommendation for the incident rests on superseded records or another matrix',
  run(ctx) {
    const priors = knownNow(ctx, priorRecommendation).filter((p) => p.content.incidentId === ctx.subject);
    if (priors.length === 0) return [];
    const a = authorityRouting(ctx);
    const byKey = new Map<string, SourceRecord>();
    const everything = ctx.records.families().flatMap((f) => ctx.records.all(f));
    for (const r of current(everything))
      byKey.set(`${r.family}\u0000${originOf(r).system}\u0000${recordIdOf(r)}`, r);
    return priors.flatMap((p): Finding[] => {
      const superseded = p.content.basis.filter((b) => {
        const now = byKey.get(`${b.family}\u0000${b.system}\u0000${b.recordId}`);
        return now !== undefined && contentDigest(ctx, now) !== b.digest;
      });
      const otherMatrix = p.content.matrixVersion !== ctx.policy.matrix;
      // Facts that moved on: records the facts now rest on whose facts came after it was issued (new
      // custody evidence, a new notice or estimate, a shipment outside) — not the signing, audit and
      // internal-lineage streams, which grow all the time (an export of the key among them does count)
      // — and a recommendation that is no longer the station's.
      const inBasis = new Set(p.content.basis.map((b) => `${b.family}\u0000${b.system}\u0000${b.recordId}`));
      const issued = ms(p.content.issuedAt);
      const since = [...new Set(Object.values(a.facts.basis).flat())].filter((r) => {
        const c = r.content as Record<string, unknown>;
        if (r.family === 'signing-telemetry' || (r.family === 'hsm-audit-log' && c.event !== 'key-export'))
          return false;
        // New internal builds are the lineage growing, like the streams; a new shipment outside is not.
        if (
          r.family === 'artifact-lineage' &&
          !['partner', 'external-customer', 'public'].includes(String(c.audience))
        )
          return false;
        const field = FAMILIES[r.family as FamilyName]?.timeField ?? null;
        const at = field === null ? originOf(r).exportedAt : String(c[field]);
        return (
          ms(at) > issued && !inBasis.has(`${r.family}\u0000${originOf(r).system}\u0000${recordIdOf(r)}`)
        );
      });
      const moved = a.routing.recommended !== null && a.routing.recommended !== p.content.recommendedLane;
      if (superseded.length === 0 && !otherMatrix && since.length === 0 && !moved) return [];
      const changed = superseded.map(
        (b) => byKey.get(`${b.family}\u0000${b.system}\u0000${b.recordId}`) as SourceRecord,
      );
      const why = [
        superseded.length > 0
          ? `${superseded.length} record${superseded.length === 1 ? '' : 's'} it rested on changed since (${superseded
              .slice(0, 5)
              .map((b) => `${b.family} ${b.recordId}`)
              .join(', ')}${superseded.length > 5 ? ', …' : ''})`
          : '',
        otherMatrix ? `it was computed under another matrix (${p.content.matrixVersion})` : '',
        since.length > 0
          ? `${since.length} record${since.length === 1 ? '' : 's'} the facts now rest on arrived after it was issued (${since
              .slice(0, 5)
              .map((r) => `${r.family} ${recordIdOf(r)}`)
              .join(', ')}${since.length > 5 ? ', …' : ''})`
          : '',
        moved ? `the station now recommends ${a.routing.recommended}` : '',
      ].filter(Boolean);
      return [
        cmpFinding(
          'CMP-PRIOR-STALE',
          'stale',
          p.content.packetRef,
          [p, ...changed, ...since.slice(0, 50)],
          `Prior recommendation ${p.content.packetRef} v${p.content.version} (${p.content.recommendedLane}) is stale: ${why.join('; ')}`,
        ),
      ];
    });
  },
};

export const OPTION_RULES: readonly R[] = [cmpOptions, cmpPriorStale];
