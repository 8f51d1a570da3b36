import type { Workflow } from '../engine';
import type { Finding, FindingCategory } from '../model';
import type { DeferralPolicy } from '../policy/deferral';
import { defAuditChain, defAuditSign } from '../rules/deferral/audit';
import { defBuild } from '../rules/deferral/build';
import { defPlan, defReadiness, defSigners } from '../rules/deferral/ceremony';
import { defCustodyFresh, defCustodyHolder } from '../rules/deferral/custody';
import { defHsmAttest } from '../rules/deferral/hsm-attest';
import { defIncident } from '../rules/deferral/incident';
import { defInventory } from '../rules/deferral/inventory';
import { defCarryover, defDeferralCount } from '../rules/deferral/prior';
import { defRotationDue } from '../rules/deferral/rotation-due';
import { defRouting } from '../rules/deferral/routing';
import { defRunway } from '../rules/deferral/runway';
import { defScope } from '../rules/deferral/scope';
import { defSeal } from '../rules/deferral/seal';
import { defWindow } from '../rules/deferral/window';

/**
 * Workflow 000: the key-rotation deferral approval packet. The station gathers and judges the evidence;
 * the outcome says only whether the packet can be handed to the board and with which open exceptions —
 * never whether the deferral should be granted.
 */
export const DEFERRAL_OUTCOMES = [
  'stop-and-escalate',
  'hold-scope-routing',
  'hold-source-completion',
  'handoff-with-exceptions',
  'handoff-clean',
] as const;
export type DeferralOutcome = (typeof DEFERRAL_OUTCOMES)[number];

/** The outcome ladder, first match wins (issue #12 §4): each step names the categories that decide it. */
const LADDER: readonly { outcome: DeferralOutcome; categories: readonly FindingCategory[]; why: string }[] = [
  {
    outcome: 'stop-and-escalate',
    categories: ['stop'],
    why: 'stop indicator — escalate to incident handling',
  },
  {
    outcome: 'hold-scope-routing',
    categories: ['scope-unclear', 'routing-unclear'],
    why: 'scope or routing unclear',
  },
  {
    outcome: 'hold-source-completion',
    categories: ['missing', 'invalid', 'disputed'],
    why: 'evidence missing, invalid or disputed',
  },
  {
    outcome: 'handoff-with-exceptions',
    categories: ['stale', 'partial', 'carryover', 'expired', 'policy-criterion-unmet'],
    why: 'open exceptions to carry in the handoff',
  },
];

const MAX_NAMED = 12;

export function deferralOutcome(findings: readonly Finding[]): { outcome: DeferralOutcome; reason: string } {
  for (const step of LADDER) {
    const deciding = findings.filter((f) => step.categories.includes(f.category));
    if (deciding.length === 0) continue;
    const named = deciding
      .slice(0, MAX_NAMED)
      .map((f) => `${f.checkId} ${f.subject} (${f.category}${f.blocking ? ', blocking' : ''})`);
    const more = deciding.length > MAX_NAMED ? ` and ${deciding.length - MAX_NAMED} more` : '';
    return { outcome: step.outcome, reason: `${step.why}: ${named.join('; ')}${more}.` };
  }
  return {
    outcome: 'handoff-clean',
    reason: 'no open finding: every check passed on the records known as of the instant.',
  };
}

export const deferralWorkflow: Workflow<DeferralPolicy, DeferralOutcome> = {
  id: 'deferral',
  families: [
    'deferral-request',
    'hsm-key-inventory',
    'hsm-audit-log',
    'hsm-attestation',
    'ceremony-plan',
    'readiness-result',
    'ceremony-log',
    'change-record',
    'roster-snapshot',
    'signer-availability',
    'review-board-seat',
    'custody-registry',
    'custody-attestation',
    'media-lifecycle',
    'seal-inspection',
    'signing-path',
    'certificate',
    'build-enrollment',
    'prior-deferral',
    'incident-notice',
  ],
  rules: [
    defScope,
    defRouting,
    defWindow,
    defRotationDue,
    defDeferralCount,
    defCarryover,
    defRunway,
    defHsmAttest,
    defCustodyFresh,
    defCustodyHolder,
    defSeal,
    defPlan,
    defSigners,
    defReadiness,
    defBuild,
    defAuditChain,
    defAuditSign,
    defIncident,
    defInventory,
  ],
  outcome: deferralOutcome,
};
