import type { EventBody } from '../../../core/journal/events';
import type { View } from '../../../shared/contract';
import { parseEventBody } from '../../adapters/store/repos/events';
import { journalEvents } from '../../adapters/store/repos/events';
import { stationError } from '../../errors';
import type { Station } from '../../station/station';
import { authorityViewSchema } from '../../../core/authority/model';
import {
  evaluateWorkflow,
  evaluationStatus,
  evaluationView,
  workflowOf,
  type FindingsRegistry,
} from '../findings';
import { policyBefore, sha256hex, storedRecordsBefore } from '../records/queries';
import { WORKFLOWS } from '../../../core/findings/workflows';

/**
 * Workflow `compromise-authority` for one incident (design §5): evaluate and record it, tell whether a
 * recorded evaluation is still FRESH, and recompute a recorded one exactly as it stood at its seq — the
 * records imported before it, the policy known then, its own instant — so its lanes (never journaled)
 * come back and can be compared. A recomputation that does not give back the recorded digests is
 * refused (EVALUATION_IRREPRODUCIBLE), never shown as if it were the evaluation.
 */
export const AUTHORITY_WORKFLOW = 'compromise-authority';

const STATION_REGISTRY: FindingsRegistry = { workflows: WORKFLOWS };

export type AuthorityEvaluationView = View<'authorityEvaluate'>;

/** An evaluation view of workflow 002 with its lanes (always derived; their absence is a fault). */
function withLanes<T extends { readonly authority?: unknown }>(
  view: T,
): T & { authority: View<'authorityEvaluate'>['authority'] } {
  if (view.authority === undefined)
    throw stationError('INTERNAL', `workflow ${AUTHORITY_WORKFLOW} derived no lane view`, {});
  return { ...view, authority: authorityViewSchema.parse(view.authority) };
}

/**
 * authorityEvaluate: evaluates compromise-authority for the incident as of `asOf` (default now) and
 * records the evaluation (evaluation.recorded, as `station evaluate compromise-authority` does).
 */
export function evaluateAuthority(
  station: Station,
  input: { incidentId: string; asOf?: string | undefined; actor: string },
  registry: FindingsRegistry = STATION_REGISTRY,
): AuthorityEvaluationView {
  return withLanes(
    evaluateWorkflow(
      station,
      { workflow: AUTHORITY_WORKFLOW, subject: input.incidentId, asOf: input.asOf, actor: input.actor },
      registry,
    ),
  );
}

/** A recorded evaluation of the incident, as the journal holds it. */
export interface RecordedEvaluation {
  readonly seq: number;
  readonly at: string;
  readonly actor: string;
  readonly body: EventBody<'evaluation.recorded'>;
}

/** Every recorded compromise-authority evaluation of the incident, in journal order. */
export function incidentEvaluations(station: Station, incidentId: string): RecordedEvaluation[] {
  return journalEvents(station.store.db, ['evaluation.recorded'])
    .filter((e) => e.body.workflow === AUTHORITY_WORKFLOW && e.body.subject === incidentId)
    .map((e) => ({ seq: e.seq, at: e.at, actor: e.actor, body: e.body }));
}

/** The evaluation at `seq`, which must be one of the incident's (EVALUATION_NOT_FOUND names `field`). */
export function evaluationOf(
  station: Station,
  incidentId: string,
  seq: number,
  field: string,
): RecordedEvaluation {
  const row = station.journal.get(seq);
  if (row?.kind !== 'evaluation.recorded')
    throw stationError('EVALUATION_NOT_FOUND', `journal seq ${seq} is not an evaluation`, { field });
  const body = parseEventBody('evaluation.recorded', row.body, seq);
  if (body.workflow !== AUTHORITY_WORKFLOW || body.subject !== incidentId)
    throw stationError(
      'EVALUATION_NOT_FOUND',
      `journal seq ${seq} is an evaluation of ${body.workflow} ${body.subject}, not of ${AUTHORITY_WORKFLOW} ${incidentId}`,
      { field },
    );
  return { seq, at: row.at, actor: row.actor, body };
}

export type Irreproducible = 'records' | 'policy' | 'findings';

export interface EvaluationAt {
  readonly recorded: RecordedEvaluation;
  /** The evaluation recomputed from its seq: the records and policy the station held then, its instant. */
  readonly view: AuthorityEvaluationView;
  /** Which recorded digests the recomputation does not give back (empty: it reproduces). */
  readonly irreproducible: readonly Irreproducible[];
}

/**
 * A recorded evaluation recomputed as it stood at its seq: the records imported (and first-hand entries
 * made) before it, the policy version known then in force at its instant (design §5, "computeEvaluationAt").
 * Reports, never hides, digests that do not come back; `reproduceEvaluation` refuses them.
 */
export function computeEvaluationAt(
  station: Station,
  recorded: RecordedEvaluation,
  registry: FindingsRegistry = STATION_REGISTRY,
): EvaluationAt {
  const { seq, body } = recorded;
  const w = workflowOf(registry, body.workflow);
  const policy = policyBefore(station, w.policy, body.asOf, seq, registry.policies);
  const e = w.evaluate({
    records: storedRecordsBefore(station, w.families, seq),
    policy: policy.content,
    policyDigest: policy.digest,
    asOf: body.asOf,
    subject: body.subject,
    sha256: sha256hex,
  });
  const irreproducible: Irreproducible[] = [];
  if (e.inputs.recordsDigest !== body.recordsDigest) irreproducible.push('records');
  if (policy.digest !== body.policyDigest) irreproducible.push('policy');
  if (e.findingsDigest !== body.findingsDigest || e.outcome !== body.outcome) irreproducible.push('findings');
  const view = withLanes({ seq, ...evaluationView(e, policy) });
  return { recorded, view, irreproducible };
}

/** computeEvaluationAt, refused (EVALUATION_IRREPRODUCIBLE, naming `field`) unless it reproduces. */
export function reproduceEvaluation(
  station: Station,
  recorded: RecordedEvaluation,
  field: string,
  registry: FindingsRegistry = STATION_REGISTRY,
): AuthorityEvaluationView {
  const at = computeEvaluationAt(station, recorded, registry);
  if (at.irreproducible.length > 0)
    throw stationError(
      'EVALUATION_IRREPRODUCIBLE',
      `evaluation ${recorded.seq} of ${recorded.body.subject} does not reproduce from its seq: its ${at.irreproducible.join(', ')} digest${at.irreproducible.length === 1 ? '' : 's'} differ${at.irreproducible.length === 1 ? 's' : ''} from what was recorded`,
      { field, seq: recorded.seq, irreproducible: [...at.irreproducible] },
    );
  return at.view;
}

/**
 * authorityStatus: the incident's evaluations, and for the latest (or `seq`) FRESH or STALE by
 * evaluationStatus with its lanes recomputed from its seq. An evaluation that does not reproduce is
 * STALE with `findings` among what changed and no lanes: nothing is shown greener than the facts.
 */
export function authorityStatus(
  station: Station,
  input: { incidentId: string; seq?: number | undefined },
  registry: FindingsRegistry = STATION_REGISTRY,
): View<'authorityStatus'> {
  const all = incidentEvaluations(station, input.incidentId);
  const evaluations = all.map((e) => ({
    seq: e.seq,
    at: e.at,
    actor: e.actor,
    asOf: e.body.asOf,
    outcome: e.body.outcome,
  }));
  const chosen =
    input.seq === undefined ? all.at(-1) : evaluationOf(station, input.incidentId, input.seq, 'seq');
  if (!chosen) return { incidentId: input.incidentId, evaluations, current: null };
  const fresh = evaluationStatus(station, { seq: chosen.seq }, registry);
  const at = computeEvaluationAt(station, chosen, registry);
  const reproduced = at.irreproducible.length === 0;
  return {
    incidentId: input.incidentId,
    evaluations,
    current: {
      seq: chosen.seq,
      at: chosen.at,
      status: reproduced ? fresh.status : 'STALE',
      changed: reproduced ? [...fresh.changed] : [...fresh.changed, 'findings'],
      sentence: reproduced
        ? fresh.sentence
        : `evaluation ${chosen.seq} does not reproduce from its seq (${at.irreproducible.join(', ')}): evaluate again`,
      reproduced,
      irreproducible: [...at.irreproducible],
      evaluation: reproduced ? at.view : null,
    },
  };
}
