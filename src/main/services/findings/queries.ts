import { activationLedgerSchema } from '../../../core/activation/model';
import { authorityViewSchema } from '../../../core/authority/model';
import { recordsDigest, knownAt, type Evaluation } from '../../../core/findings/engine';
import type { POLICY_SCHEMAS } from '../../../core/findings/policy';
import { WORKFLOWS, type WorkflowEntry, type WorkflowRegistry } from '../../../core/findings/workflows';
import { entryViewSchema } from '../../../core/portal/model';
import type { View } from '../../../shared/contract';
import { parseEventBody } from '../../adapters/store/repos/events';
import { stationError } from '../../errors';
import type { Station } from '../../station/station';
import { importedAfter, policyAt, sha256hex, storedRecords } from '../records/queries';

/**
 * The read side of evaluations (docs/records.md, "Evaluations"): a workflow judged for a subject as of an instant over
 * the records the station holds and the policy in force then; each one journaled with the digests of
 * what it read, so it can be re-run byte for byte and told STALE when facts change after it.
 */

/** Which workflows and policy schemas are known (the registries; tests pass their own). */
export interface FindingsRegistry {
  readonly workflows: WorkflowRegistry;
  readonly policies?: typeof POLICY_SCHEMAS;
}
/** The station's own registries. */
export const REGISTRY: FindingsRegistry = { workflows: WORKFLOWS };

export function workflowOf(registry: FindingsRegistry, id: string): WorkflowEntry {
  const w = Object.hasOwn(registry.workflows, id) ? registry.workflows[id] : undefined;
  if (!w)
    throw stationError(
      'WORKFLOW_UNKNOWN',
      `"${id}" is not a workflow the station evaluates (known: ${Object.keys(registry.workflows).sort().join(', ') || 'none yet'})`,
      { field: 'workflow' },
    );
  return w;
}

/** The evaluation computed, not yet recorded: the same inputs always give the same view. */
export function computeEvaluation(
  station: Station,
  input: { workflow: string; subject: string; asOf: string },
  registry: FindingsRegistry = REGISTRY,
): Omit<View<'findingsEvaluate'>, 'seq'> {
  const w = workflowOf(registry, input.workflow);
  const policy = policyAt(station, w.policy, input.asOf, registry.policies);
  const e = w.evaluate({
    records: storedRecords(station, w.families),
    policy: policy.content,
    policyDigest: policy.digest,
    asOf: input.asOf,
    subject: input.subject,
    sha256: sha256hex,
  });
  return evaluationView(e, policy);
}

/** An engine evaluation and the policy version it was judged under, as the evaluation view shows it. */
export function evaluationView(
  e: Evaluation<string>,
  policy: ReturnType<typeof policyAt>,
): Omit<View<'findingsEvaluate'>, 'seq'> {
  return {
    workflow: e.workflow,
    subject: e.subject,
    inputs: e.inputs,
    policy: {
      policy: policy.policy,
      version: policy.version,
      digest: policy.digest,
      source: policy.source,
      seq: policy.seq,
      system: policy.system,
      exportedAt: policy.exportedAt,
      fileName: policy.fileName,
    },
    findings: [...e.findings],
    outcome: e.outcome,
    reason: e.reason,
    findingsDigest: e.findingsDigest,
    // Each workflow's derived view under its own key (validated at this boundary).
    ...(e.derived === undefined
      ? {}
      : e.workflow === 'activation-gate'
        ? { ledger: activationLedgerSchema.parse(e.derived) }
        : e.workflow === 'portal-issuance'
          ? { entry: entryViewSchema.parse(e.derived) }
          : { authority: authorityViewSchema.parse(e.derived) }),
  };
}

/**
 * FRESH or STALE for a recorded evaluation: STALE ("facts changed since evaluation N") when the records
 * known at its instant or the policy in force then now digest differently, or when records of its
 * families or versions of its policy were imported after it (what it did not see, even if dated later).
 */
export function evaluationStatus(
  station: Station,
  { seq }: { seq: number },
  registry: FindingsRegistry = REGISTRY,
): View<'evaluationStatus'> {
  const row = station.journal.get(seq);
  if (row?.kind !== 'evaluation.recorded')
    throw stationError('EVALUATION_NOT_FOUND', `journal seq ${seq} is not an evaluation`, { field: 'seq' });
  const recorded = parseEventBody('evaluation.recorded', row.body, seq);
  const w = workflowOf(registry, recorded.workflow);
  const known = knownAt(storedRecords(station, w.families), recorded.asOf);
  const policy = policyAt(station, w.policy, recorded.asOf, registry.policies);
  const later = importedAfter(station, seq, { families: w.families, policy: w.policy });
  const changed: ('records' | 'policy')[] = [];
  if (recordsDigest(sha256hex, known) !== recorded.recordsDigest || later.records) changed.push('records');
  if (policy.digest !== recorded.policyDigest || later.policy) changed.push('policy');
  return {
    seq,
    status: changed.length === 0 ? 'FRESH' : 'STALE',
    changed,
    sentence:
      changed.length === 0
        ? `evaluation ${seq} is fresh: the records and policy it read are unchanged`
        : `facts changed since evaluation ${seq}: ${changed.join(' and ')}`,
    recorded,
  };
}
