import { deferralFindings, type DeferralPolicy } from './deferral';
import type { PacketContent } from './model';

/**
 * Completeness checks over a packet, each with a stable ID, computed from rules (never set by hand).
 *
 *   PKT-STOP              no evidence indicates key compromise, unauthorised signing or a supply-chain
 *                         incident (a failure stops assembly: escalate, do not complete the packet)
 *   PKT-SCOPE             the scope says what it covers and where the station stops
 *   PKT-CLAIM-EVIDENCE    the packet makes claims, and every supported claim cites evidence in the index
 *   PKT-CLAIM-OPEN        every claim not supported is named by an open exception (nothing silently open)
 *   PKT-EVIDENCE-DATED    no evidence is effective after it was received or after the check time
 *   PKT-EVIDENCE-FRESH    every cited evidence item with a freshness rule is fresh now, or an open
 *                         `stale` exception names it
 *   PKT-EXCEPTION-OWNED   every open exception has an owner and is not past its due date
 *   PKT-EXCEPTION-OPEN    no blocking exception is open
 *   PKT-ROUTING           a named reviewer for every required role
 *   DEF-WINDOW, DEF-RUNWAY  rotation-deferral packets only (see deferral.ts)
 *
 * The gate follows: STOPPED if PKT-STOP fails; else HOLD-SOURCE if a source check fails (hold for
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
  | 'PKT-EXCEPTION-OWNED'
  | 'PKT-EXCEPTION-OPEN'
  | 'PKT-ROUTING'
  | 'DEF-WINDOW'
  | 'DEF-RUNWAY';

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

export const DEFAULT_DEFERRAL_POLICY: DeferralPolicy = { maxDeferralDays: 90 };

export function checkPacket(
  p: PacketContent,
  now: string,
  opts: {
    deferral?: DeferralPolicy;
    /** Evidence whose stop a custodian quorum reviewed and cleared (not an incident). */
    clearedStops?: ReadonlySet<string>;
  } = {},
): Completeness {
  const evidence = new Map(p.evidence.map((e) => [e.evidenceId, e]));
  const open = p.exceptions.filter((x) => x.status === 'open');
  const cited = new Set(p.claims.flatMap((c) => c.evidence));

  const checks: PacketCheck[] = [
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
    check('PKT-SCOPE', 'Scope and the station boundary are stated', 'routing', [
      ...(p.scope.covers === '' ? [{ finding: 'the scope does not say what it covers', ref: 'scope' }] : []),
      ...(p.scope.boundary === ''
        ? [{ finding: 'the scope does not state where human review begins', ref: 'scope' }]
        : []),
    ]),
    check(
      'PKT-CLAIM-EVIDENCE',
      'The packet makes claims, and every supported claim cites evidence in the index',
      'source',
      [
        ...(p.claims.length === 0 ? [{ finding: 'the packet makes no claims yet', ref: 'claims' }] : []),
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
      'Every claim not supported is on the exception register',
      'source',
      p.claims
        .filter((c) => c.status !== 'supported' && !open.some((x) => x.claims.includes(c.claimId)))
        .map((c) => ({
          finding: `${c.claimId} is ${c.status} and no open exception names it`,
          ref: c.claimId,
        })),
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
      'Cited evidence is fresh under its rule, or a stale exception names it',
      'source',
      [...cited].flatMap((id) => {
        const e = evidence.get(id);
        const f = e ? freshness(e, now) : null;
        if (!e || !f || f.fresh) return [];
        if (open.some((x) => x.kind === 'stale' && x.evidence.includes(id))) return [];
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
      'PKT-EXCEPTION-OWNED',
      'Open exceptions have an owner and are not overdue',
      'source',
      open
        .filter((x) => x.dueAt < now)
        .map((x) => ({
          finding: `${x.exceptionId} (${x.owner}) was due ${x.dueAt.slice(0, 10)}`,
          ref: x.exceptionId,
        })),
    ),
    check(
      'PKT-EXCEPTION-OPEN',
      'No blocking exception is open',
      'source',
      open
        .filter((x) => x.blocking)
        .map((x) => ({
          finding: `${x.exceptionId} ${x.kind}: ${x.title} (owner ${x.owner}, due ${x.dueAt.slice(0, 10)})`,
          ref: x.exceptionId,
        })),
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
  if (p.kind === 'rotation-deferral') {
    const found = deferralFindings(p, opts.deferral ?? DEFAULT_DEFERRAL_POLICY);
    checks.push(
      check(
        'DEF-WINDOW',
        'The requested deferral window is stated and within policy',
        'routing',
        found.filter((f) => f.id === 'DEF-WINDOW'),
      ),
      check(
        'DEF-RUNWAY',
        "The key's certificates stay valid through the requested window",
        'source',
        found.filter((f) => f.id === 'DEF-RUNWAY'),
      ),
    );
  }

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
