import { coreError } from '../errors';
import type { Finding, FindingCategory } from '../findings/model';
import type { Annotation, Claim, ClaimStatus, FindingKey } from './model';

/**
 * A derived packet (rotation-deferral, issue #12 item 4): its exception register is the set of open
 * findings of the latest evaluation of its subject plus what people added to them; its claims' statuses
 * come from the findings of the checks they are bound to. Nothing here is typed by a person: a person
 * annotates (note, owner, due date) and acknowledges at handoff only what the policy lets a handoff carry.
 */

export const findingKey = (f: FindingKey): string => `${f.checkId}\u0000${f.subject}`;
export const findingName = (f: FindingKey): string => `${f.checkId} ${f.subject}`;

/** A register entry: the station's finding as found, and what people added to it. */
export interface RegisterEntry {
  readonly finding: Finding;
  readonly notes: readonly string[];
  /** The latest owner / due date a person assigned (null: none yet). */
  readonly owner: string | null;
  readonly dueAt: string | null;
  /** Whether a person may acknowledge it at handoff (blocking, of a category the policy allows). */
  readonly acknowledgeable: boolean;
}

export function registerOf(
  findings: readonly Finding[],
  annotations: readonly Annotation[],
  allowed: readonly FindingCategory[],
): RegisterEntry[] {
  const by = new Map<string, Annotation[]>();
  for (const a of annotations) by.set(findingKey(a), [...(by.get(findingKey(a)) ?? []), a]);
  return findings.map((finding) => {
    const mine = by.get(findingKey(finding)) ?? [];
    return {
      finding,
      notes: mine.flatMap((a) => (a.note === null ? [] : [a.note])),
      owner: mine.findLast((a) => a.owner !== null)?.owner ?? null,
      dueAt: mine.findLast((a) => a.dueAt !== null)?.dueAt ?? null,
      acknowledgeable: finding.blocking && allowed.includes(finding.category),
    };
  });
}

/** A claim's status, or `asserted` for a claim bound to no check (shown ASSERTED / NOT CHECKED). */
export type DerivedClaimStatus = ClaimStatus | 'asserted';

/**
 * From the bound checks' findings for the packet's subject: none → supported; a blocking one → disputed
 * (category disputed or stop) or unsupported (any other category); only non-blocking ones → pending. With
 * no evaluation yet a checked claim is pending: nothing has been found either way; and so it is while the
 * subject itself is not established (a blocking scope-unclear or missing finding about `subject`).
 */
export function claimStatus(
  claim: Claim,
  findings: readonly Finding[] | null,
  subject: string | null = null,
): DerivedClaimStatus {
  const checks = claim.checks ?? [];
  if (checks.length === 0) return 'asserted';
  if (findings === null) return 'pending';
  const mine = findings.filter((f) => checks.includes(f.checkId));
  const blocking = mine.filter((f) => f.blocking);
  if (blocking.some((f) => f.category === 'disputed' || f.category === 'stop')) return 'disputed';
  if (blocking.length > 0) return 'unsupported';
  // The subject's own record is missing (a blocking finding about the subject resting on no record at
  // all): the rules about it could check nothing, and their silence is not support.
  if (
    subject !== null &&
    findings.some(
      (f) =>
        f.blocking &&
        f.subject === subject &&
        f.records.length === 0 &&
        (f.category === 'scope-unclear' || f.category === 'missing'),
    )
  )
    return 'pending';
  return mine.length > 0 ? 'pending' : 'supported';
}

/**
 * The findings a handoff with exceptions carries: every blocking finding must be acknowledged, and only
 * blocking findings of the categories the policy allows may be. Refused (naming each finding) otherwise.
 */
export function acknowledgedFindings(
  findings: readonly Finding[],
  allowed: readonly FindingCategory[],
  acknowledged: readonly FindingKey[],
): Finding[] {
  const found = new Map(findings.map((f) => [findingKey(f), f]));
  const asked = new Set(acknowledged.map(findingKey));
  const unknown = acknowledged.filter((k) => !found.has(findingKey(k)));
  if (unknown.length > 0)
    throw coreError(
      'PACKET_ACKNOWLEDGEMENT_REFUSED',
      `the evaluation has no open finding ${unknown.map(findingName).join(', ')}`,
      { field: 'acknowledge' },
    );
  const notAllowed = acknowledged
    .map((k) => found.get(findingKey(k)))
    .filter((f): f is Finding => f !== undefined && (!f.blocking || !allowed.includes(f.category)));
  if (notAllowed.length > 0)
    throw coreError(
      'PACKET_ACKNOWLEDGEMENT_REFUSED',
      `a handoff may not carry ${notAllowed.map((f) => `${findingName(f)} (${f.category}${f.blocking ? '' : ', not blocking'})`).join(', ')}: the policy allows acknowledging only blocking ${allowed.join(', ') || '(no)'} findings`,
      { field: 'acknowledge' },
    );
  const blocking = findings.filter((f) => f.blocking);
  const uncarriable = blocking.filter((f) => !allowed.includes(f.category));
  if (uncarriable.length > 0)
    throw coreError(
      'PACKET_ACKNOWLEDGEMENT_REFUSED',
      `the policy does not let a handoff carry ${uncarriable.map((f) => `${findingName(f)} (${f.category})`).join(', ')}: import the record that resolves it and evaluate again`,
      { field: 'acknowledge' },
    );
  const missing = blocking.filter((f) => !asked.has(findingKey(f)));
  if (missing.length > 0)
    throw coreError(
      'PACKET_ACKNOWLEDGEMENT_REFUSED',
      `hand off with exceptions only after acknowledging each blocking finding; not acknowledged: ${missing.map((f) => `${findingName(f)} (${f.category})`).join(', ')}`,
      { field: 'acknowledge' },
    );
  return blocking;
}
