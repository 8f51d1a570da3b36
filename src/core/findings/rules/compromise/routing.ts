import type { Rule } from '../../engine';
import { emergencyDelegation } from '../../families/catalogue';
import type { Finding, SourceRecord } from '../../model';
import type { AuthorityMatrix } from '../../policy/authority-matrix';
import type { RecordSet } from '../../records';
import { fold } from '../deferral/common';
import { cmpFinding, type Ctx, knownNow, type Rec } from './common';
import { factsOf } from './conditions';
import { type FactName, incidentFacts, type IncidentFacts } from './facts';
import { type DelegationRecord, type HolderResolution, resolveHolder } from './holders';
import { routeLanes, type Routing } from './lanes';

/**
 * The routing of a compromise decision at the as-of instant: the incident's facts, who holds each lane
 * (delegation, succession, unavailability, recusal), and the lanes' statuses — computed once per record
 * set, instant and subject, and read by the lane checks (CMP-DELEGATION … CMP-MATRIX) and the view.
 */
export interface AuthorityRouting {
  readonly facts: IncidentFacts;
  readonly holders: Readonly<Record<string, HolderResolution>>;
  /** The emergency-delegation records in the matrix's lanes, current versions, by record id. */
  readonly delegations: ReadonlyMap<string, Rec<typeof emergencyDelegation>>;
  readonly routing: Routing;
}

const cache = new WeakMap<RecordSet, Map<string, AuthorityRouting>>();

export function authorityRouting(ctx: Ctx): AuthorityRouting {
  let byKey = cache.get(ctx.records);
  if (!byKey) cache.set(ctx.records, (byKey = new Map()));
  // The policy object is part of the key: the same records judged under another matrix route differently.
  const k = `${ctx.asOf}\u0000${ctx.subject}\u0000${JSON.stringify(ctx.policy)}`;
  let r = byKey.get(k);
  if (!r) byKey.set(k, (r = compute(ctx)));
  return r;
}

function compute(ctx: Ctx): AuthorityRouting {
  const facts = incidentFacts(ctx);
  const recs = knownNow(ctx, emergencyDelegation).sort((a, b) =>
    a.content.recordId.localeCompare(b.content.recordId),
  );
  const records: DelegationRecord[] = recs.map((r) => ({
    recordId: r.content.recordId,
    laneId: r.content.laneId,
    kind: r.content.kind,
    from: r.content.from,
    to: r.content.to,
    decisions: r.content.decisions,
    validFrom: r.content.validFrom,
    validUntil: r.content.validUntil,
    revokes: r.content.revokes,
    grantedBy: r.content.grantedBy,
  }));
  const holders: Record<string, HolderResolution> = {};
  for (const lane of ctx.policy.lanes) {
    const people = [lane.holder, ...lane.succession, ...(lane.delegation?.delegates ?? [])];
    const recused = new Set(
      ctx.policy.recusal.operatorOnIncidentKey ? people.filter((p) => facts.operators.has(fold(p))) : [],
    );
    holders[lane.laneId] = resolveHolder(lane, records, ctx.asOf, recused);
  }
  const routing = routeLanes(
    ctx.policy,
    facts.values,
    Object.fromEntries(Object.entries(holders).map(([id, h]) => [id, h.holder])),
  );
  return {
    facts,
    holders,
    delegations: new Map(recs.map((r) => [r.content.recordId, r])),
    routing,
  };
}

type R = Rule<AuthorityMatrix>;

/** The records under the facts a matrix rule reads. */
function recordsOfRule(a: AuthorityRouting, ctx: Ctx, ruleId: string): SourceRecord[] {
  const all = [...ctx.policy.lanes.flatMap((l) => [...l.triggers, ...l.limits]), ...ctx.policy.requires];
  const rule = all.find((r) => r.id === ruleId);
  if (!rule) return [];
  return (factsOf(rule) as FactName[]).flatMap((n) => [...a.facts.basis[n]]);
}

/** CMP-DELEGATION — every delegation in force obeys the matrix, and a lane has at most one. */
export const cmpDelegation: R = {
  id: 'CMP-DELEGATION',
  title: "delegations in force obey the matrix's delegates, hours and decisions, one per lane",
  run(ctx) {
    if (!incidentFacts(ctx).incident) return [];
    const a = authorityRouting(ctx);
    return Object.values(a.holders).flatMap((h) =>
      h.findings.map((f) => {
        const rec = a.delegations.get(f.recordId);
        return cmpFinding(
          'CMP-DELEGATION',
          f.category,
          f.recordId,
          rec ? [rec] : [],
          `${f.recordId}: ${f.reason}${f.category === 'invalid' ? '; it is not followed' : ''}`,
        );
      }),
    );
  },
};

/** CMP-HOLDER — each lane has somebody to hold it at the as-of instant. */
export const cmpHolder: R = {
  id: 'CMP-HOLDER',
  title: 'each lane has a holder at the as-of instant (holder, successor or valid delegate)',
  run(ctx) {
    if (!incidentFacts(ctx).incident) return [];
    const a = authorityRouting(ctx);
    return a.routing.lanes.flatMap((l) => {
      const h = a.holders[l.laneId];
      if (!h || h.holder !== null) return [];
      const recs = [...a.delegations.values()].filter(
        (d) => d.content.laneId === l.laneId || d.content.kind === 'unavailability',
      );
      return [
        cmpFinding(
          'CMP-HOLDER',
          'routing-unclear',
          l.laneId,
          recs,
          `Nobody holds ${l.laneId} now: ${h.skipped.map((s) => `${s.person} ${s.why}`).join('; ')}`,
        ),
      ];
    });
  },
};

/** CMP-FLOOR — no lane below the highest triggered lane may decide. */
export const cmpFloor: R = {
  id: 'CMP-FLOOR',
  title: 'a lane below the highest lane whose trigger fired may not decide',
  run(ctx) {
    if (!incidentFacts(ctx).incident) return [];
    const a = authorityRouting(ctx);
    const firing = ctx.policy.lanes
      .filter((l) => l.rank === a.routing.floor)
      .flatMap((l) => {
        const v = a.routing.lanes.find((x) => x.laneId === l.laneId);
        return (v?.triggers ?? []).filter((t) => t.state === true).map((t) => t.id);
      });
    return a.routing.lanes.flatMap((l) =>
      l.blocks
        .filter((b) => b.checkId === 'CMP-FLOOR')
        .map(() =>
          cmpFinding(
            'CMP-FLOOR',
            'policy-criterion-unmet',
            l.laneId,
            firing.flatMap((id) => recordsOfRule(a, ctx, id)),
            `${l.laneId} (rank ${l.rank}) is below the floor: ${firing.join(', ')} fired for a rank-${a.routing.floor} lane`,
          ),
        ),
    );
  },
};

/** CMP-LIMIT — each lane's limits are shown not to be passed (unknown counts as not shown). */
export const cmpLimit: R = {
  id: 'CMP-LIMIT',
  title: 'a lane whose limit is passed, or cannot be shown not to be, may not decide alone',
  run(ctx) {
    if (!incidentFacts(ctx).incident) return [];
    const a = authorityRouting(ctx);
    return a.routing.lanes.flatMap((l) =>
      l.blocks
        .filter((b) => b.checkId === 'CMP-LIMIT' && b.ruleId !== null)
        .map((b) =>
          cmpFinding(
            'CMP-LIMIT',
            'policy-criterion-unmet',
            `${l.laneId}/${b.ruleId}`,
            recordsOfRule(a, ctx, b.ruleId as string),
            `${l.laneId}: ${b.reason}`,
          ),
        ),
    );
  },
};

/** CMP-COVER — the lane (or its delegate) may take every decision the facts require. */
export const cmpCover: R = {
  id: 'CMP-COVER',
  title: "the lane's effective scope covers every decision the facts require (unknown counts as required)",
  run(ctx) {
    if (!incidentFacts(ctx).incident) return [];
    const a = authorityRouting(ctx);
    return a.routing.lanes.flatMap((l) =>
      l.blocks
        .filter((b) => b.checkId === 'CMP-COVER' && b.ruleId !== null)
        .map((b) =>
          cmpFinding(
            'CMP-COVER',
            'policy-criterion-unmet',
            `${l.laneId}/${b.ruleId}`,
            recordsOfRule(a, ctx, b.ruleId as string),
            `${l.laneId}: ${b.reason}`,
          ),
        ),
    );
  },
};

/** CMP-ROUTE — some lane can be recommended. */
export const cmpRoute: R = {
  id: 'CMP-ROUTE',
  title: 'some lane of the matrix can own the decision',
  run(ctx) {
    const f = incidentFacts(ctx);
    if (!f.incident) return [];
    const a = authorityRouting(ctx);
    if (a.routing.recommended !== null) return [];
    return [
      cmpFinding(
        'CMP-ROUTE',
        'routing-unclear',
        ctx.subject,
        [f.incident],
        `No lane of the matrix can own the decision: ${a.routing.lanes
          .map((l) => `${l.laneId} blocked by ${[...new Set(l.blocks.map((b) => b.checkId))].join(', ')}`)
          .join('; ')}. Security leadership must redirect it (a recorded act)`,
      ),
    ];
  },
};

/** CMP-MATRIX — every decision the facts require is one some lane of the matrix may take. */
export const cmpMatrix: R = {
  id: 'CMP-MATRIX',
  title: 'every decision the facts require is a decision of some lane',
  run(ctx) {
    if (!incidentFacts(ctx).incident) return [];
    const a = authorityRouting(ctx);
    return a.routing.requirements
      .filter((r) => r.state !== false && !ctx.policy.lanes.some((l) => l.decides.includes(r.decision)))
      .map((r) =>
        cmpFinding(
          'CMP-MATRIX',
          'routing-unclear',
          r.id,
          recordsOfRule(a, ctx, r.id),
          `${r.decision} is ${r.state === true ? 'required' : 'possibly required'} (${r.id}) but no lane of the matrix may take it`,
        ),
      );
  },
};

export const ROUTING_RULES: readonly R[] = [
  cmpDelegation,
  cmpHolder,
  cmpFloor,
  cmpLimit,
  cmpCover,
  cmpRoute,
  cmpMatrix,
];
export type { Finding };
