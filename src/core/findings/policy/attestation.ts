import { z } from 'zod';
import { checkId as checkIdOf } from '../../schema';
import { role } from '../families/common';
import { isFamilyName } from '../families/catalogue';

/**
 * The custody-attestation policy: the control library as data (resources/policy/attestation.json
 * is the default; an organisation imports its own as a policy record). Every number and list the rules
 * judge by is here — requirement waivability and evidence freshness, the inspection maximum age, which
 * custody items are escrow material, which signing-path routes need an exception, which roster roles
 * count as operator / custodian / approver / witness, and the dual-operator minimum. No rule names a
 * system, a role or a number of its own.
 */

const checkId = checkIdOf('ATT-');

export const attestationRequirementSchema = z.strictObject({
  /** The control's id; exception-register entries name it in `control` to except from it. */
  id: checkId,
  text: z.string().trim().min(10).max(1000),
  /** Whether a person may waive an open finding on it (non-waivable findings force remediation). */
  waivable: z.boolean(),
  /** How old its evidence may be at the as-of instant, in days (null: judged by date, not age). */
  freshnessDays: z.number().int().min(1).max(3650).nullable(),
  /** The record families that are its evidence. */
  evidence: z.array(z.string().refine(isFamilyName, 'a record family name (docs/records.md)')).min(1).max(20),
  /** The check IDs whose findings decide its status (each check belongs to one requirement). */
  checks: z.array(checkId).min(1).max(20),
});
export type AttestationRequirement = z.output<typeof attestationRequirementSchema>;

export const attestationPolicySchema = z
  .strictObject({
    library: z.string().trim().min(1).max(120),
    version: z.number().int().min(1),
    requirements: z.array(attestationRequirementSchema).min(1).max(50),
    /** A seal inspection older than this at the as-of instant is stale. */
    inspectionMaxAgeDays: z.number().int().min(1).max(3650),
    /** Custody-registry item kinds that are escrow or backup material (their holders must be custodians). */
    escrowItemKinds: z.array(z.string().min(1).max(60)).min(1).max(20),
    /** Signing-path `viaKind`s that run outside the normal pipeline and need a current exception. */
    exceptionViaKinds: z.array(z.enum(['pipeline', 'bridge', 'manual'])).max(3),
    /** Roster roles that count for each act a ceremony participant performs. */
    roles: z.strictObject({
      operator: z.array(role).min(1).max(20),
      custodian: z.array(role).min(1).max(20),
      approver: z.array(role).min(1).max(20),
      witness: z.array(role).min(1).max(20),
    }),
    /** Distinct valid operators a key-policy or quorum change needs. */
    dualOperatorMinimum: z.number().int().min(2).max(10),
  })
  .superRefine((p, ctx) => {
    const seen = new Map<string, string>();
    p.requirements.forEach((r, i) => {
      r.checks.forEach((c, j) => {
        const owner = seen.get(c);
        if (owner)
          ctx.addIssue({
            code: 'custom',
            path: ['requirements', i, 'checks', j],
            message: `${c} already belongs to requirement ${owner}`,
          });
        seen.set(c, r.id);
      });
    });
  });
export type AttestationPolicy = z.output<typeof attestationPolicySchema>;

/** The station's default control library; equal to resources/policy/attestation.json (tested). */
export const DEFAULT_ATTESTATION_POLICY: AttestationPolicy = {
  library: 'release-signing-custody-controls',
  version: 1,
  requirements: [
    {
      id: 'ATT-HSM-BACKED',
      text: 'Every production signing key in scope is generated and held non-extractable in an HSM, per a current key inventory.',
      waivable: false,
      freshnessDays: 30,
      evidence: ['hsm-key-inventory'],
      checks: ['ATT-HSM-RESIDENT'],
    },
    {
      id: 'ATT-HSM-ATTESTED',
      text: 'Every HSM holding an in-scope key passed its latest firmware attestation check within the freshness window.',
      waivable: true,
      freshnessDays: 180,
      evidence: ['hsm-attestation', 'hsm-key-inventory'],
      checks: ['ATT-HSM-FIRMWARE'],
    },
    {
      id: 'ATT-DUAL-CONTROL',
      text: 'Every key-policy or quorum change in the attestation period has ceremony evidence of at least the dual-operator minimum, each operator on the approved roster in an operator role on the day.',
      waivable: false,
      freshnessDays: null,
      evidence: ['ceremony-log', 'hsm-audit-log', 'roster-snapshot'],
      checks: ['ATT-DUAL-OPERATOR', 'ATT-QUORUM-OOB'],
    },
    {
      id: 'ATT-ROSTER-MATCH',
      text: 'Everyone who acted in a ceremony in the period, and everyone who holds escrow or backup material today, is on the approved roster in that role at that date.',
      waivable: false,
      freshnessDays: null,
      evidence: ['roster-snapshot', 'ceremony-log', 'custody-registry'],
      checks: ['ATT-ROSTER-ROLE', 'ATT-CUSTODY-HOLDER'],
    },
    {
      id: 'ATT-ESCROW-SEALED',
      text: 'Every escrow medium in service has an intact seal inspection of its current bag, newer than its last replacement or reseal and within the inspection maximum age.',
      waivable: false,
      freshnessDays: null,
      evidence: ['media-lifecycle', 'seal-inspection'],
      checks: ['ATT-ESCROW-INSPECTION'],
    },
    {
      id: 'ATT-EXCEPTION-BOUNDARY',
      text: 'Every active signing path of an in-scope key that runs through a bridge or other excepted route is listed by id in an approved exception valid today.',
      waivable: false,
      freshnessDays: null,
      evidence: ['signing-path', 'exception-record'],
      checks: [
        'ATT-EXCEPTION-BACKED',
        'ATT-EXCEPTION-COVER',
        'ATT-EXCEPTION-NEW-PATH',
        'ATT-EXCEPTION-UNCLEAR',
      ],
    },
  ],
  inspectionMaxAgeDays: 90,
  escrowItemKinds: ['backup-token', 'escrow-envelope', 'escrow-media'],
  exceptionViaKinds: ['bridge', 'manual'],
  roles: {
    operator: ['hsm-operator', 'key-ceremony-operator'],
    custodian: ['key-custodian'],
    approver: ['release-security-owner', 'crypto-governance-approver'],
    witness: ['ceremony-witness', 'security-auditor', 'key-custodian', 'hsm-operator'],
  },
  dualOperatorMinimum: 2,
};

/** The requirement a check belongs to, or undefined when the policy does not map it. */
export function requirementOf(policy: AttestationPolicy, check: string): AttestationRequirement | undefined {
  return policy.requirements.find((r) => r.checks.includes(check));
}

/** Waivability of a check's findings comes from its requirement (policy), never from the rule or a person. */
export const waivableFor = (policy: AttestationPolicy, check: string): boolean =>
  requirementOf(policy, check)?.waivable ?? false;

/** A requirement's evidence freshness in days, or null. */
export const freshnessFor = (policy: AttestationPolicy, check: string): number | null =>
  requirementOf(policy, check)?.freshnessDays ?? null;
