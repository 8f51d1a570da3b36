import type { Workflow } from '../engine';
import type { Finding, FindingCategory } from '../model';
import type { AttestationPolicy, AttestationRequirement } from '../policy/attestation';
import { attCustodyHolder } from '../rules/attestation/custody-holder';
import { attDualOperator } from '../rules/attestation/dual-operator';
import { attEscrowInspection } from '../rules/attestation/escrow-inspection';
import {
  attExceptionBacked,
  attExceptionCover,
  attExceptionNewPath,
  attExceptionUnclear,
} from '../rules/attestation/exceptions';
import { attHsmFirmware } from '../rules/attestation/hsm-firmware';
import { attHsmResident } from '../rules/attestation/hsm-resident';
import { attQuorumOutOfBand } from '../rules/attestation/quorum-oob';
import { attRosterRole } from '../rules/attestation/roster-role';
import { attScope } from '../rules/attestation/scope';

/**
 * Workflow 001 — custody attestation recommendation. The station maps each requirement of the control
 * library (policy) to the source records that evidence it, reports every gap as a finding, and
 * recommends; the release security owner decides and signs. Nothing here signs, extends an exception or
 * changes a key, a quorum or a pipeline.
 *
 * Recommendation, in this order (the first that applies):
 *   remediate  — a blocking finding of a remediation category (stale, missing or mismatched evidence)
 *                on a non-waivable requirement; the reason names those items AND any escalation items
 *   escalate   — a blocking finding of an escalation category: ambiguous exception scope, a new signing
 *                path outside its exception (scope-unclear), an out-of-band quorum change (disputed)
 *   approvable — otherwise; the reason names the requirement-to-evidence mapping and any open waivable
 *                findings, which a person may waive but the station never hides
 */

export const ATTESTATION_OUTCOMES = ['remediate', 'escalate', 'approvable'] as const;
export type AttestationOutcome = (typeof ATTESTATION_OUTCOMES)[number];

/** Categories that mean the evidence itself is stale, missing or does not match. */
const REMEDIATION: readonly FindingCategory[] = [
  'missing',
  'invalid',
  'stale',
  'expired',
  'partial',
  'carryover',
  'policy-criterion-unmet',
];
/** Categories that need governance interpretation rather than fresher evidence. */
const ESCALATION: readonly FindingCategory[] = ['stop', 'scope-unclear', 'routing-unclear', 'disputed'];

export const ATTESTATION_RULES = [
  attScope,
  attHsmResident,
  attHsmFirmware,
  attDualOperator,
  attQuorumOutOfBand,
  attRosterRole,
  attCustodyHolder,
  attEscrowInspection,
  attExceptionBacked,
  attExceptionNewPath,
  attExceptionUnclear,
  attExceptionCover,
] as const;

const item = (f: Finding) => `${f.checkId} ${f.subject}: ${f.sentence}`;

export function attestationOutcome(findings: readonly Finding[]): {
  outcome: AttestationOutcome;
  reason: string;
} {
  const open = findings.filter((f) => f.blocking);
  const remediate = open.filter((f) => !f.waivable && REMEDIATION.includes(f.category));
  const escalate = open.filter((f) => ESCALATION.includes(f.category));
  const waivable = open.filter((f) => f.waivable && REMEDIATION.includes(f.category));
  const backed = findings.filter((f) => !f.blocking);
  const list = (head: string, fs: readonly Finding[]) =>
    fs.length === 0 ? [] : [`${head} (${fs.length}): ${fs.map(item).join(' | ')}`];
  if (remediate.length > 0)
    return {
      outcome: 'remediate',
      reason: [
        ...list('Remediate: stale, missing or mismatched evidence on non-waivable requirements', remediate),
        ...list('Also for escalation once remediated', escalate),
        ...list('Open waivable findings', waivable),
      ].join('\n'),
    };
  if (escalate.length > 0)
    return {
      outcome: 'escalate',
      reason: [
        ...list('Escalate to release security governance', escalate),
        ...list('Open waivable findings', waivable),
      ].join('\n'),
    };
  return {
    outcome: 'approvable',
    reason: [
      'Approvable as submitted: every non-waivable requirement is satisfied or exception-backed.',
      ...list('Exception-backed', backed),
      ...list('Open waivable findings (a person may waive them; the station does not)', waivable),
    ].join('\n'),
  };
}

export const REQUIREMENT_STATUSES = ['satisfied', 'exception-backed', 'partial', 'stale', 'missing'] as const;
export type RequirementStatus = (typeof REQUIREMENT_STATUSES)[number];

export interface RequirementResult {
  readonly id: string;
  readonly text: string;
  readonly waivable: boolean;
  readonly status: RequirementStatus;
  /** The findings of its checks (and ATT-SCOPE, which leaves every requirement unjudged). */
  readonly findings: readonly Finding[];
}

/**
 * Each requirement's status from the findings of its checks (policy `checks`): missing when any blocking
 * finding says evidence is missing; else stale when any says it is stale or expired; else partial when
 * any other blocking finding is open; else exception-backed when it rests on exceptions (non-blocking
 * findings); else satisfied. Pure: the same findings and policy give the same statuses.
 */
export function requirementStatuses(
  findings: readonly Finding[],
  policy: AttestationPolicy,
): RequirementResult[] {
  const unscoped = findings.filter((f) => f.checkId === attScope.id);
  return policy.requirements.map((r: AttestationRequirement) => {
    const own = [...unscoped, ...findings.filter((f) => r.checks.includes(f.checkId))];
    const open = own.filter((f) => f.blocking);
    const status: RequirementStatus = open.some((f) => f.category === 'missing')
      ? 'missing'
      : open.some((f) => f.category === 'stale' || f.category === 'expired')
        ? 'stale'
        : open.length > 0
          ? 'partial'
          : own.length > 0
            ? 'exception-backed'
            : 'satisfied';
    return { id: r.id, text: r.text, waivable: r.waivable, status, findings: own };
  });
}

export const attestationWorkflow: Workflow<AttestationPolicy, AttestationOutcome> = {
  id: 'attestation',
  families: [
    'attestation-scope',
    'hsm-key-inventory',
    'hsm-attestation',
    'hsm-audit-log',
    'ceremony-log',
    'roster-snapshot',
    'custody-registry',
    'media-lifecycle',
    'seal-inspection',
    'signing-path',
    'exception-record',
  ],
  rules: ATTESTATION_RULES,
  outcome: attestationOutcome,
};
