import type { z } from 'zod';
import { evaluate, type Evaluation, type Sha256Hex, type Sha256Stream, type Workflow } from '../engine';
import type { SourceRecord } from '../model';
import { activationGatePolicySchema } from '../policy/activation-gate';
import { attestationPolicySchema } from '../policy/attestation';
import { deferralPolicySchema } from '../policy/deferral';
import { portalIssuancePolicySchema } from '../policy/portal-issuance';
import { authorityMatrixSchema } from '../policy/authority-matrix';
import { activationWorkflow } from './activation';
import { attestationWorkflow } from './attestation';
import { compromiseWorkflow } from './compromise';
import { deferralWorkflow } from './deferral';
import { issuanceWorkflow } from './issuance';

/**
 * The workflows the station evaluates (`station evaluate WORKFLOW SUBJECT`, `scenario run`), by id. Each
 * entry binds a workflow to the policy it is judged under (a name in POLICY_SCHEMAS with a default in
 * resources/policy/<name>.json). A new workflow (compromise authority, activation gate, portal
 * submission) is a rule set, its record families, its policy and one line here.
 */
export interface WorkflowEntry {
  readonly id: string;
  /** The policy name its rules read. */
  readonly policy: string;
  readonly families: readonly string[];
  /** Core evaluate with the policy content parsed by the workflow's own schema. */
  readonly evaluate: (input: {
    records: readonly SourceRecord[];
    policy: unknown;
    policyDigest: string;
    asOf: string;
    subject: string;
    sha256: Sha256Hex;
    sha256Stream?: Sha256Stream;
  }) => Evaluation<string>;
}

export type WorkflowRegistry = Readonly<Record<string, WorkflowEntry>>;

/**
 * A typed workflow as a registry entry. The policy content is parsed again with the workflow's schema
 * (it was validated on import, but the rules get the parsed type, never a cast).
 */
export function registerWorkflow<P, O extends string, D>(
  workflow: Workflow<P, O, D>,
  policy: { readonly name: string; readonly schema: z.ZodType<P> },
): WorkflowEntry {
  return {
    id: workflow.id,
    policy: policy.name,
    families: workflow.families,
    evaluate: (input) => evaluate(workflow, { ...input, policy: policy.schema.parse(input.policy) }),
  };
}

export const WORKFLOWS: WorkflowRegistry = {
  deferral: registerWorkflow(deferralWorkflow, { name: 'deferral', schema: deferralPolicySchema }),
  attestation: registerWorkflow(attestationWorkflow, {
    name: 'attestation',
    schema: attestationPolicySchema,
  }),
  'compromise-authority': registerWorkflow(compromiseWorkflow, {
    name: 'authority-matrix',
    schema: authorityMatrixSchema,
  }),
  'activation-gate': registerWorkflow(activationWorkflow, {
    name: 'activation-gate',
    schema: activationGatePolicySchema,
  }),
  'portal-issuance': registerWorkflow(issuanceWorkflow, {
    name: 'portal-issuance',
    schema: portalIssuancePolicySchema,
  }),
};
