import { z } from 'zod';
import { evaluationInputsSchema, findingSchema } from '../../core/findings/model';
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
  /** FRESH or STALE: whether the records or the policy an evaluation read have changed since. */
  evaluationStatus: {
    input: z.strictObject({ seq }),
    output: evaluationStatusSchema,
  },
} as const satisfies Channels;

export type EvaluationView = z.output<typeof evaluationViewSchema>;
