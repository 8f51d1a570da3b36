import type { Lane } from '../../policy/authority-matrix';
import { fold } from '../deferral/common';
import type { LaneHolder } from './lanes';

/**
 * Who holds a lane at the as-of instant (CMP-DELEGATION, CMP-HOLDER), from the emergency-delegation
 * records and the matrix's succession rules — never from a typed name:
 * 1. a delegation in force that the matrix allows (a listed delegate, within its hours, for decisions
 *    the lane may delegate, granted by the lane's holder) makes the delegate the acting holder, with
 *    exactly the delegated decisions; one that breaks a rule is a finding and is ignored; two in force
 *    for one lane are disputed and both ignored;
 * 2. otherwise the holder, then each successor in order, skipping the unavailable and the recused (a
 *    person who operated an incident key in the window); where the matrix says so, a successor holds it
 *    only after a recorded invocation;
 * 3. nobody: the lane is blocked (CMP-HOLDER, in routeLanes).
 * People are matched as source systems name them, case-folded (as recusal matches audit operators);
 * the holder named is spelled as the matrix spells them.
 */
export interface DelegationRecord {
  readonly recordId: string;
  readonly laneId: string;
  readonly kind: 'delegation' | 'unavailability' | 'succession-invoked' | 'revocation';
  /** The person the record is about (the delegating holder; the unavailable person). */
  readonly from: string;
  /** The delegate, or the successor invoked. */
  readonly to: string | null;
  readonly decisions: readonly string[];
  readonly validFrom: string;
  readonly validUntil: string | null;
  /** A revocation names the record it ends. */
  readonly revokes: string | null;
  readonly grantedBy: string;
}

export interface HolderFinding {
  readonly checkId: 'CMP-DELEGATION';
  readonly category: 'invalid' | 'disputed';
  readonly recordId: string;
  readonly reason: string;
}

export interface HolderResolution {
  readonly holder: LaneHolder | null;
  readonly skipped: readonly { readonly person: string; readonly why: string }[];
  readonly findings: readonly HolderFinding[];
}

const HOUR = 3_600_000;
/** The same person, as two systems spell them (trimmed, case-folded). */
const same = (a: string | null, b: string): boolean => a !== null && fold(a) === fold(b);

export function inForce(records: readonly DelegationRecord[], asOf: string): DelegationRecord[] {
  const live = (r: DelegationRecord) => r.validFrom <= asOf && (r.validUntil === null || asOf < r.validUntil);
  const revoked = new Set(
    records.filter((r) => r.kind === 'revocation' && live(r) && r.revokes !== null).map((r) => r.revokes),
  );
  return records.filter((r) => r.kind !== 'revocation' && live(r) && !revoked.has(r.recordId));
}

export function resolveHolder(
  lane: Lane,
  records: readonly DelegationRecord[],
  asOf: string,
  recused: ReadonlySet<string>,
): HolderResolution {
  const live = inForce(
    records.filter((r) => r.laneId === lane.laneId || r.kind === 'unavailability'),
    asOf,
  );
  const unavailable = new Map(
    live.filter((r) => r.kind === 'unavailability').map((r) => [fold(r.from), r.recordId]),
  );
  const cannot = (person: string): string | null =>
    unavailable.has(fold(person))
      ? `unavailable (${unavailable.get(fold(person))})`
      : recused.has(person)
        ? 'recused: operated an incident key in the window'
        : null;
  const findings: HolderFinding[] = [];
  const skipped: { person: string; why: string }[] = [];

  // 1. A delegation the matrix allows.
  const delegations = live.filter((r) => r.kind === 'delegation' && r.laneId === lane.laneId);
  const valid = delegations.filter((r) => {
    const rule = lane.delegation;
    const problem =
      rule === null
        ? `lane ${lane.laneId} allows no delegation`
        : r.to === null || !rule.delegates.some((p) => same(r.to, p))
          ? `${r.to ?? 'nobody'} is not a delegate the matrix lists for ${lane.laneId}`
          : !same(r.from, lane.holder) || !same(r.grantedBy, lane.holder)
            ? `a delegation of ${lane.laneId} is granted by its holder, ${lane.holder}`
            : r.validUntil === null
              ? 'a delegation must end'
              : Date.parse(r.validUntil) - Date.parse(r.validFrom) > rule.maxHours * HOUR
                ? `a delegation of ${lane.laneId} lasts at most ${rule.maxHours} h`
                : r.decisions.find((d) => !rule.decisions.includes(d)) !== undefined
                  ? `${r.decisions.find((d) => !rule.decisions.includes(d))} may not be delegated in ${lane.laneId}`
                  : null;
    if (problem)
      findings.push({
        checkId: 'CMP-DELEGATION',
        category: 'invalid',
        recordId: r.recordId,
        reason: problem,
      });
    return problem === null;
  });
  if (valid.length > 1)
    for (const r of valid)
      findings.push({
        checkId: 'CMP-DELEGATION',
        category: 'disputed',
        recordId: r.recordId,
        reason: `${valid.length} delegations of ${lane.laneId} are in force at once: none is followed`,
      });
  else if (valid.length === 1) {
    const d = valid[0] as DelegationRecord;
    const person = lane.delegation?.delegates.find((p) => same(d.to, p)) ?? (d.to as string);
    const why = cannot(person);
    if (why === null) {
      // The holder's own state is still said (why they delegated is theirs: only what the records show).
      const holderWhy = cannot(lane.holder);
      return {
        holder: { person, via: 'delegation', scope: [...d.decisions] },
        skipped: holderWhy === null ? skipped : [...skipped, { person: lane.holder, why: holderWhy }],
        findings,
      };
    }
    skipped.push({ person, why });
  }

  // 2. The holder, then the successors in order.
  const chain = [lane.holder, ...lane.succession];
  for (const [i, person] of chain.entries()) {
    const why = cannot(person);
    if (why !== null) {
      skipped.push({ person, why });
      continue;
    }
    if (i > 0 && lane.successionNeedsInvocation) {
      const invoked = live.some(
        (r) => r.kind === 'succession-invoked' && r.laneId === lane.laneId && same(r.to, person),
      );
      if (!invoked) {
        skipped.push({ person, why: 'succession not invoked for them' });
        continue;
      }
    }
    return { holder: { person, via: i === 0 ? 'holder' : 'succession', scope: null }, skipped, findings };
  }
  return { holder: null, skipped, findings };
}
