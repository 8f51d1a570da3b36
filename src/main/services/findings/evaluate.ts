import { isoTime } from '../../../core/schema';
import { parseOrThrow } from '../../../core/validate';
import { assertActor } from '../../../core/journal/events';
import type { View } from '../../../shared/contract';
import type { Station } from '../../station/station';
import { computeEvaluation, REGISTRY, type FindingsRegistry } from './queries';

export * from './queries';

/**
 * Evaluates a workflow as of `asOf` (default now) and records an `evaluation.recorded` entry with the
 * digests of the records, the policy and the findings; returns the evaluation view with that seq.
 */
export function evaluateWorkflow(
  station: Station,
  input: { workflow: string; subject: string; asOf?: string | undefined; actor: string },
  registry: FindingsRegistry = REGISTRY,
): View<'findingsEvaluate'> {
  assertActor(input.actor);
  station.assertWritable();
  const asOf =
    input.asOf === undefined ? station.deps.clock().toISOString() : parseOrThrow(isoTime, input.asOf, 'asOf');
  const view = computeEvaluation(
    station,
    { workflow: input.workflow, subject: input.subject, asOf },
    registry,
  );
  const { firstSeq } = station.record([
    {
      kind: 'evaluation.recorded',
      actor: input.actor,
      body: {
        workflow: view.workflow,
        subject: view.subject,
        asOf,
        policyDigest: view.inputs.policyDigest,
        recordsDigest: view.inputs.recordsDigest,
        recordCount: view.inputs.recordCount,
        findingsDigest: view.findingsDigest,
        outcome: view.outcome,
      },
    },
  ]);
  return { seq: firstSeq, ...view };
}
