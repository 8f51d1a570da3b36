import type { PacketContent } from './model';
import { DERIVED_KINDS, INCIDENT_KINDS } from './ops';

/**
 * Completeness checks over a packet, each with a stable ID, computed from rules (never set by hand).
 *
 *   PKT-STOP              no evidence indicates key compromise, unauthorised signing or a supply-chain
 *                         incident (a failure stops assembly: escalate, do not complete the packet);
 *                         not for incident kinds (compromise authority), whose premise is the incident
 *   PKT-SCOPE             the scope says what it covers and where the station stops
 * Packets whose claims their workflow service sets (custody attestation, …):
 *   PKT-CLAIM-EVIDENCE    the packet makes claims, and every supported claim cites evidence in the index
 *   PKT-CLAIM-OPEN        every claim is supported (an open claim holds the packet for its source)
 *   PKT-EVIDENCE-DATED    no evidence is effective after it was received or after the check time
 *   PKT-EVIDENCE-FRESH    every cited evidence item with a freshness rule is fresh now
 *   PKT-ROUTING           a named reviewer for every required role
 * Derived packets (rotation-deferral: register, claims and outcome come from the findings engine):
 *   PKT-EVALUATED         the packet's subject has an evaluation and it is FRESH (not STALE)
 *   PKT-OUTCOME           the workflow outcome lets the packet be handed off (not stop, not a hold); its
 *                         finding is the outcome's reason naming the deciding findings. Reviewer routing
 *                         is the DEF-ROUTING rule's finding now, not a packet check.
 *
 * The gate follows: STOPPED if a stop check fails; else HOLD-SOURCE if a source check fails (hold for
 * source completion); else HOLD-ROUTING if scope or routing fails (hold for scope or reviewer routing);
 * else READY for handoff. READY means complete for human review — never a recommendation to grant.
 */
export type PacketCheckId =
  | 'PKT-STOP'
  | 'PKT-SCOPE'
  | 'PKT-CLAIM-EVIDENCE'
  | 'PKT-CLAIM-OPEN'
  | 'PKT-EVIDENCE-DATED'
  | 'PKT-EVIDENCE-FRESH'
  | 'PKT-ROUTING'
  | 'PKT-EVALUATED'
  | 'PKT-OUTCOME';

export type CheckGroup = 'stop' | 'source' | 'routing';

export interface PacketCheck {
  readonly id: PacketCheckId;
  readonly title: string;
  readonly group: CheckGroup;
  readonly pass: boolean;
  /** Why it failed, one line per finding; empty when it passes. */
  readonly findings: readonly string[];
  /** The items behind the findings, so the UI can link to them. */
  readonly refs: readonly string[];
}

export type PacketGate = 'STOPPED' | 'HOLD-SOURCE' | 'HOLD-ROUTING' | 'READY';

export interface Completeness {
  readonly gate: PacketGate;
  readonly checks: readonly PacketCheck[];
  readonly passed: number;
  readonly failed: number;
  /** Every finding of a failed check, as the handoff record lists them. */
  readonly blockers: readonly string[];
}

const DAY_MS = 86_400_000;

/** Whether evidence is fresh at `now` under its own rule: null when it has no rule. */
export function freshness(
  e: { effectiveAt: string | null; freshnessDays: number | null },
  now: string,
): { fresh: boolean; ageDays: number | null } | null {
  if (e.freshnessDays === null) return null;
  const effective = e.effectiveAt === null ? Number.NaN : Date.parse(e.effectiveAt);
  if (Number.isNaN(effective)) return { fresh: false, ageDays: null };
  const ageDays = Math.floor((Date.parse(now) - effective) / DAY_MS);
  return { fresh: ageDays <= e.freshnessDays, ageDays };
}

function check(
  id: PacketCheckId,
  title: string,
  group: CheckGroup,
  found: readonly { finding: string; ref: string }[],
): PacketCheck {
  return {
    id,
    title,
    group,
    pass: found.length === 0,
    findings: found.map((f) => f.finding),
    refs: [...new Set(found.map((f) => f.ref))],
  };
}

/** What a derived packet's checks read: its latest evaluation (null: none yet) and its status now. */
export interface DerivedState {
  readonly evaluation: {
    readonly seq: number;
    readonly status: 'FRESH' | 'STALE';
    readonly sentence: string;
    readonly outcome: string;
    readonly reason: string;
    /** The gate group the outcome holds the packet in (null: the outcome allows a handoff). */
    readonly holds: CheckGroup | null;
  } | null;
}

export function checkPacket(
  p: PacketContent,
  now: string,
  opts: {
    derived?: DerivedState;
    /** Evidence whose stop a custodian quorum reviewed and cleared (not an incident). */
    clearedStops?: ReadonlySet<string>;
  } = {},
): Completeness {
  const checks: PacketCheck[] = [
    // An incident packet (compromise authority) is about the compromise: its evidence says so.
    ...(INCIDENT_KINDS.has(p.kind)
      ? []
      : [
          check(
            'PKT-STOP',
            'No evidence of compromise, unauthorised signing or a supply-chain incident',
            'stop',
            p.evidence.flatMap((e) =>
              (opts.clearedStops?.has(e.evidenceId) ? [] : e.indicators).map((i) => ({
                finding: `${e.evidenceId} indicates ${i.indicator}: ${i.detail}`,
                ref: e.evidenceId,
              })),
            ),
          ),
        ]),
    check('PKT-SCOPE', 'Scope and the station boundary are stated', 'routing', [
      ...(p.scope.covers === '' ? [{ finding: 'the scope does not say what it covers', ref: 'scope' }] : []),
      ...(p.scope.boundary === ''
        ? [{ finding: 'the scope does not state where human review begins', ref: 'scope' }]
        : []),
    ]),
    ...(DERIVED_KINDS.has(p.kind)
      ? derivedChecks(opts.derived ?? { evaluation: null })
      : typedChecks(p, now)),
  ];
  const failed = (g: CheckGroup) => checks.some((c) => c.group === g && !c.pass);
  const gate: PacketGate = failed('stop')
    ? 'STOPPED'
    : failed('source')
      ? 'HOLD-SOURCE'
      : failed('routing')
        ? 'HOLD-ROUTING'
        : 'READY';
  return {
    gate,
    checks,
    passed: checks.filter((c) => c.pass).length,
    failed: checks.filter((c) => !c.pass).length,
    blockers: checks.filter((c) => !c.pass).flatMap((c) => c.findings.map((f) => `${c.id}: ${f}`)),
  };
}

/** A derived packet: a FRESH evaluation (PKT-EVALUATED) whose outcome allows a handoff (PKT-OUTCOME). */
function derivedChecks({ evaluation: e }: DerivedState): PacketCheck[] {
  return [
    check(
      'PKT-EVALUATED',
      "The packet's subject has a fresh evaluation",
      'source',
      e === null
        ? [{ finding: 'the subject has not been evaluated yet (station packet evaluate)', ref: 'evaluation' }]
        : e.status === 'STALE'
          ? [{ finding: `${e.sentence}: evaluate again`, ref: `evaluation:${e.seq}` }]
          : [],
    ),
    check(
      'PKT-OUTCOME',
      'The workflow outcome allows a handoff',
      e?.holds ?? 'source',
      // No evaluation, no outcome: that is not an outcome that allows a handoff.
      e === null
        ? [{ finding: 'there is no outcome until the subject is evaluated', ref: 'evaluation' }]
        : e.holds === null
          ? []
          : [{ finding: `${e.outcome}: ${e.reason}`, ref: `evaluation:${e.seq}` }],
    ),
  ];
}

/** A packet whose claims its workflow service sets: claims with evidence, freshness, reviewer routing. */
function typedChecks(p: PacketContent, now: string): PacketCheck[] {
  const evidence = new Map(p.evidence.map((e) => [e.evidenceId, e]));
  const cited = new Set(p.claims.flatMap((c) => c.evidence));
  return [
    check(
      'PKT-CLAIM-EVIDENCE',
      'The packet makes claims, and every supported claim cites evidence in the index',
      'source',
      [
        ...(p.claims.length === 0 ? [{ finding: 'the packet makes no claims yet', ref: 'claims' }] : []),
        // Claims that are all pending, disputed or unsupported: nothing is shown supported by evidence.
        ...(p.claims.length > 0 && !p.claims.some((c) => c.status === 'supported')
          ? [{ finding: 'no claim is supported by evidence yet', ref: 'claims' }]
          : []),
        ...p.claims
          .filter((c) => c.status === 'supported')
          .flatMap((c) => {
            const missing = c.evidence.filter((id) => !evidence.has(id));
            if (c.evidence.length === 0)
              return [{ finding: `${c.claimId} is marked supported but cites no evidence`, ref: c.claimId }];
            return missing.length > 0
              ? [{ finding: `${c.claimId} cites ${missing.join(', ')}, not in the index`, ref: c.claimId }]
              : [];
          }),
      ],
    ),
    check(
      'PKT-CLAIM-OPEN',
      'Every claim is supported',
      'source',
      p.claims
        .filter((c) => c.status !== 'supported')
        .map((c) => ({ finding: `${c.claimId} is ${c.status ?? 'not assessed'}`, ref: c.claimId })),
    ),
    check(
      'PKT-EVIDENCE-DATED',
      'Evidence is not dated after its receipt or the check',
      'source',
      p.evidence
        .filter((e) => e.effectiveAt !== null && (e.effectiveAt > e.receivedAt || e.effectiveAt > now))
        .map((e) => ({
          finding: `${e.evidenceId} is effective ${e.effectiveAt}, after it was received (${e.receivedAt}) or after now`,
          ref: e.evidenceId,
        })),
    ),
    check(
      'PKT-EVIDENCE-FRESH',
      'Cited evidence is fresh under its rule',
      'source',
      [...cited].flatMap((id) => {
        const e = evidence.get(id);
        const f = e ? freshness(e, now) : null;
        if (!e || !f || f.fresh) return [];
        return [
          {
            finding:
              f.ageDays === null
                ? `${id} has a ${e.freshnessDays}-day freshness rule but no effective date`
                : `${id} is ${f.ageDays} days old (rule: at most ${e.freshnessDays})`,
            ref: id,
          },
        ];
      }),
    ),
    check(
      'PKT-ROUTING',
      'A named reviewer for every required role',
      'routing',
      p.routing.requiredRoles
        .filter((role) => !p.routing.reviewers.some((r) => r.role === role))
        .map((role) => ({ finding: `no reviewer named for ${role}`, ref: `role:${role}` })),
    ),
  ];
}
