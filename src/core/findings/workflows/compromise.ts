import type { AuthorityView } from '../../authority/model';
import type { RuleContext, Workflow } from '../engine';
import {
  artifactLineage,
  custodyEvidence,
  customerImpact,
  disclosureRegister,
  emergencyDelegation,
  hsmAuditLog,
  hsmKeyInventory,
  incidentScope,
  priorRecommendation,
  runbookOption,
  signingTelemetry,
} from '../families/catalogue';
import type { Finding } from '../model';
import type { AuthorityMatrix } from '../policy/authority-matrix';
import { refOf } from '../records';
import { HOUR_MS, ms } from '../rules/compromise/common';
import { fold } from '../rules/deferral/common';
import type { Tri } from '../rules/compromise/conditions';
import { EVIDENCE_RULES } from '../rules/compromise/evidence';
import type { FactName } from '../rules/compromise/facts';
import { OPTION_RULES, optionViews } from '../rules/compromise/options';
import { authorityRouting, ROUTING_RULES } from '../rules/compromise/routing';

/**
 * Workflow 002 — compromise authority recommendation. After a severe incident is declared, the station
 * computes which lane of the organisation's authority matrix should own the decision (recommended), which
 * co-own part of it (viable), which may not (blocked, with the reason) and which would be over-escalation
 * (not_required); who holds each at the as-of instant; and the bounded option sets. It never revokes a
 * key, freezes a release, publishes a notice or coordinates the response.
 *
 * Outcome, the first that applies:
 *   hold-scope           — the incident is not declared, not open, or its keys are not known (CMP-SCOPE)
 *   routing-unclear      — no lane can own the decision, or a required decision is nobody's (ROUTE, MATRIX)
 *   recommend-with-gaps  — a lane is recommended, but a fact-gap finding stands (named in the reason)
 *   recommend            — a lane is recommended on complete, current, consistent facts
 */
export const COMPROMISE_OUTCOMES = [
  'hold-scope',
  'routing-unclear',
  'recommend-with-gaps',
  'recommend',
] as const;
export type CompromiseOutcome = (typeof COMPROMISE_OUTCOMES)[number];

export const COMPROMISE_RULES = [...EVIDENCE_RULES, ...ROUTING_RULES, ...OPTION_RULES] as const;

const triWord = (s: Tri) =>
  (s === true ? 'holds' : s === false ? 'does-not-hold' : 'unknown') as 'holds' | 'does-not-hold' | 'unknown';

/**
 * The lane view. While the incident's scope does not stand (CMP-SCOPE), nothing is recommended: the
 * lane that would be is shown viable, so no packet looks routed before its incident is.
 */
export function deriveAuthority(
  ctx: RuleContext<AuthorityMatrix>,
  findings: readonly Finding[] = [],
): AuthorityView {
  const held = findings.some((f) => f.checkId === 'CMP-SCOPE');
  const a = authorityRouting(ctx);
  const m = ctx.policy;
  const inc = a.facts.incident?.content ?? null;
  const titles = new Map(
    [...m.lanes.flatMap((l) => [...l.triggers, ...l.limits]), ...m.requires].map((r) => [r.id, r.title]),
  );
  const options = optionViews(ctx);
  const lanes = a.routing.lanes.map((v) => {
    const lane = m.lanes.find((l) => l.laneId === v.laneId);
    const h = v.holder;
    const record =
      h === null || h.via === 'holder'
        ? null
        : ([...a.delegations.values()].find(
            (d) =>
              d.content.laneId === v.laneId &&
              d.content.to !== null &&
              fold(d.content.to) === fold(h.person) &&
              d.content.kind === (h.via === 'delegation' ? 'delegation' : 'succession-invoked') &&
              ms(d.content.validFrom) <= ms(ctx.asOf) &&
              (d.content.validUntil === null || ms(ctx.asOf) < ms(d.content.validUntil)),
          ) ?? null);
    const open = v.status === 'recommended' || v.status === 'viable';
    return {
      laneId: v.laneId,
      title: lane?.title ?? v.laneId,
      rank: v.rank,
      status: held && v.status === 'recommended' ? ('viable' as const) : v.status,
      holder:
        h === null
          ? null
          : {
              person: h.person,
              via: h.via,
              scope: h.scope === null ? null : [...h.scope],
              record: record?.content.recordId ?? null,
              until: record?.content.validUntil ?? null,
            },
      skipped: [...(a.holders[v.laneId]?.skipped ?? [])].map((s) => ({ ...s })),
      triggers: v.triggers.map((t) => ({
        id: t.id,
        title: titles.get(t.id) ?? t.id,
        state: triWord(t.state),
      })),
      limits: v.limits.map((t) => ({ id: t.id, title: titles.get(t.id) ?? t.id, state: triWord(t.state) })),
      decides: [...(lane?.decides ?? [])],
      blocks: v.blocks.map((b) => ({ ...b })),
      options: open ? options.filter((o) => o.insideLanes.includes(v.laneId)).map((o) => o.optionId) : [],
    };
  });
  const facts = (Object.keys(a.facts.values) as FactName[]).sort().map((fact) => {
    const v = a.facts.values[fact];
    return {
      fact,
      value: typeof v === 'number' && !Number.isFinite(v) ? 'none' : v,
      records: a.facts.basis[fact].slice(0, 200).map(refOf),
    };
  });
  return {
    incident:
      inc === null
        ? null
        : {
            incidentId: inc.incidentId,
            title: inc.title,
            severity: inc.severity,
            status: inc.status,
            declaredAt: inc.declaredAt,
            keyIds: [...inc.keyIds],
          },
    matrix: m.matrix,
    windowEnd:
      inc === null ? null : new Date(ms(inc.declaredAt) + m.criticalWindowHours * HOUR_MS).toISOString(),
    floor: a.routing.floor,
    recommended: held ? null : a.routing.recommended,
    facts,
    requirements: a.routing.requirements.map((r) => ({
      id: r.id,
      title: titles.get(r.id) ?? r.id,
      decision: r.decision,
      state: triWord(r.state),
    })),
    lanes,
    options,
  };
}

const item = (f: Finding) => `${f.checkId} ${f.subject}`;

export function compromiseOutcome(
  findings: readonly Finding[],
  view?: AuthorityView,
): { outcome: CompromiseOutcome; reason: string } {
  const of = (id: string) => findings.filter((f) => f.checkId === id);
  const scope = of('CMP-SCOPE');
  if (scope.length > 0)
    return {
      outcome: 'hold-scope',
      reason: `The incident's scope does not stand (${scope.map((f) => f.sentence).join(' | ')}): nothing is routed until it does`,
    };
  const unclear = [...of('CMP-ROUTE'), ...of('CMP-MATRIX')];
  if (unclear.length > 0 || !view?.recommended)
    return {
      outcome: 'routing-unclear',
      reason: `No lane can be recommended: ${unclear.map(item).join(', ') || 'no lane is open'}. A person with a redirect role decides where it goes (a recorded act)`,
    };
  const lane = view.lanes.find((l) => l.laneId === view.recommended);
  const who = lane?.holder ? `, held by ${lane.holder.person} (${lane.holder.via})` : '';
  const gaps = findings.filter((f) => f.blocking);
  const others = view.lanes
    .filter((l) => l.laneId !== view.recommended)
    .map((l) => `${l.laneId} ${l.status.replace('_', ' ')}`)
    .join(', ');
  if (gaps.length > 0)
    return {
      outcome: 'recommend-with-gaps',
      reason: `${view.recommended} is recommended${who}, with ${gaps.length} open gap${gaps.length === 1 ? '' : 's'} in the facts: ${gaps.map(item).join(', ')}. Others: ${others}`,
    };
  return {
    outcome: 'recommend',
    reason: `${view.recommended} is recommended${who} on current, consistent facts. Others: ${others}`,
  };
}

export const compromiseWorkflow: Workflow<AuthorityMatrix, CompromiseOutcome, AuthorityView> = {
  id: 'compromise-authority',
  families: [
    incidentScope.name,
    custodyEvidence.name,
    hsmAuditLog.name,
    hsmKeyInventory.name,
    signingTelemetry.name,
    artifactLineage.name,
    customerImpact.name,
    disclosureRegister.name,
    emergencyDelegation.name,
    priorRecommendation.name,
    runbookOption.name,
  ],
  rules: COMPROMISE_RULES,
  derive: (ctx, findings) => deriveAuthority(ctx, findings),
  outcome: compromiseOutcome,
};
