import { z } from 'zod';
import { activationLedgerSchema } from '../../core/activation/model';
import { authorityViewSchema } from '../../core/authority/model';
import { evaluationInputsSchema, FINDING_CATEGORIES, findingSchema } from '../../core/findings/model';
import { entryViewSchema } from '../../core/portal/model';
import { EVENT_BODIES } from '../../core/journal/events';
import { actor, isoTime, seq, sha256Hex, type Channels } from './common';
import { policyInForceSchema } from './records';

/**
 * Evaluations (services/findings; docs/records.md, "Evaluations"): a workflow judged for a subject as of
 * an instant over the records and policy the station holds, recorded with its input digests, and whether
 * a recorded evaluation is still FRESH.
 */

const evaluated = EVENT_BODIES['evaluation.recorded'];

export const evaluationViewSchema = z.strictObject({
  /** The journal seq of its evaluation.recorded entry. */
  seq,
  workflow: evaluated.shape.workflow,
  subject: evaluated.shape.subject,
  inputs: evaluationInputsSchema,
  policy: policyInForceSchema.omit({ content: true }),
  findings: z.array(findingSchema),
  outcome: z.string(),
  reason: z.string(),
  findingsDigest: sha256Hex,
  /** Workflow 002 only: the lanes, holders and option sets derived beside the findings. */
  authority: authorityViewSchema.optional(),
  /** Workflow 003 only: the readiness ledger derived beside the findings. */
  ledger: activationLedgerSchema.optional(),
  /** Workflow 004 only: exactly what may be typed into the portal (no fields when a pre-check blocks). */
  entry: entryViewSchema.optional(),
});

export const evaluationStatusSchema = z.strictObject({
  seq,
  status: z.enum(['FRESH', 'STALE']),
  /** What changed since the evaluation: its records, its policy, or both (empty when FRESH). */
  changed: z.array(z.enum(['records', 'policy'])),
  sentence: z.string(),
  recorded: evaluated,
});

export const findingsChannels = {
  /** Evaluates a workflow for a subject as of an instant (default now) and records the evaluation. */
  findingsEvaluate: {
    input: z.strictObject({
      workflow: evaluated.shape.workflow,
      subject: evaluated.shape.subject,
      asOf: isoTime.optional(),
      actor,
    }),
    output: evaluationViewSchema,
  },
  /**
   * What a workflow can be evaluated for and by: the ids of its subject records the station holds
   * (deferral-request / attestation-scope), and its rules by check ID with their titles (what a finding's
   * check-ID badge links to).
   */
  findingsSubjects: {
    input: z.strictObject({ workflow: evaluated.shape.workflow }),
    output: z.strictObject({
      workflow: evaluated.shape.workflow,
      family: z.string(),
      subjects: z.array(evaluated.shape.subject),
      truncated: z.boolean(),
      rules: z.array(z.strictObject({ checkId: findingSchema.shape.checkId, title: z.string() })),
    }),
  },
  /** FRESH or STALE: whether the records or the policy an evaluation read have changed since. */
  evaluationStatus: {
    input: z.strictObject({ seq }),
    output: evaluationStatusSchema,
  },
} as const satisfies Channels;

/** Categories in the order outcomes weigh them (stop first): the order findings are shown in. */
export const findingCategories = FINDING_CATEGORIES;

export type EvaluationView = z.output<typeof evaluationViewSchema>;
