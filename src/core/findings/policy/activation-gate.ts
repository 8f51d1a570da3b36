import { z } from 'zod';
import { role } from '../families/common';
import { PUBLICATION_CONTROLS } from '../families/continuity';

/**
 * The offline-signing continuity activation-gate policy (issue #15, workflow 003): how fresh a digest
 * confirmation, an enclave attestation, a live reading and a seal inspection must be; the signer quorum
 * every shift of the window needs; which publication safeguards must be in force; who approves; and
 * which hold kinds are non-waivable. Rules read every number from here; resources/policy/activation-gate.json
 * holds the default, and an imported policy record replaces it (its digest is bound to the evaluation).
 */
const hours = z
  .number()
  .int()
  .min(1)
  .max(24 * 366);

export const HOLD_KINDS = [
  'scope',
  'manifest-binding',
  'digest-freshness',
  'enclave-attestation',
  'signer-quorum',
  'rollback-custody',
  'publication-scope',
  'quarantine',
] as const;
export type HoldKind = (typeof HOLD_KINDS)[number];

/**
 * The hold kinds issue #15 protects: a policy may make more kinds non-waivable, never fewer — a policy
 * record cannot turn a missing signer quorum or a contradicted manifest into something a person waives.
 */
export const PROTECTED_HOLD_KINDS: readonly HoldKind[] = [
  'manifest-binding',
  'signer-quorum',
  'enclave-attestation',
  'rollback-custody',
  'digest-freshness',
  'quarantine',
];

export const activationGatePolicySchema = z
  .strictObject({
    /** A digest confirmation older than this is stale. */
    digestFreshnessHours: hours,
    /** An enclave attestation older than this is stale. */
    attestationFreshnessHours: hours,
    /** A readiness reading (live or imported) older than this is stale. */
    readingFreshnessHours: hours,
    /** A rollback package's seal inspection older than this is stale. */
    inspectionFreshnessDays: z.number().int().min(1).max(3650),
    /** Every shift of the signing window needs at least `min` committed signers holding `role`. */
    /** Dual custody at least: a quorum of one is no quorum. */
    quorum: z.strictObject({ role, min: z.number().int().min(2).max(20) }),
    /** The publication safeguards that must be in force over the frozen manifest. */
    requiredSafeguards: z.array(z.enum(PUBLICATION_CONTROLS)).max(PUBLICATION_CONTROLS.length),
    /** The role whose approval opens the gate (on the exact packet version). */
    approvalRole: role,
    /** Hold kinds no act clears: only a record that fixes the fact does. */
    nonWaivable: z.array(z.enum(HOLD_KINDS)).max(HOLD_KINDS.length),
  })
  .superRefine((p, ctx) => {
    const missing = PROTECTED_HOLD_KINDS.filter((k) => !p.nonWaivable.includes(k));
    if (missing.length > 0)
      ctx.addIssue({
        code: 'custom',
        path: ['nonWaivable'],
        message: `must include the protected hold kinds (${missing.join(', ')} missing): a policy can add non-waivable kinds, never remove these`,
      });
  });
export type ActivationGatePolicy = z.output<typeof activationGatePolicySchema>;

/** The default (mirrors resources/policy/activation-gate.json; a test holds the two equal). */
export const DEFAULT_ACTIVATION_GATE_POLICY: ActivationGatePolicy = {
  digestFreshnessHours: 72,
  attestationFreshnessHours: 24,
  readingFreshnessHours: 12,
  inspectionFreshnessDays: 30,
  quorum: { role: 'release-signer', min: 2 },
  requiredSafeguards: ['registry-release-lock', 'mirror-promotion-hold'],
  approvalRole: 'release-security-owner',
  nonWaivable: [
    'scope',
    'manifest-binding',
    'digest-freshness',
    'enclave-attestation',
    'signer-quorum',
    'rollback-custody',
    'quarantine',
  ],
};
