import { diffAuthority } from '../../../core/authority/diff';
import { isoTime } from '../../../core/schema';
import { parseOrThrow } from '../../../core/validate';
import type { View } from '../../../shared/contract';
import { stationError } from '../../errors';
import type { Station } from '../../station/station';
import { computeEvaluation, type FindingsRegistry } from '../findings';
import { WORKFLOWS } from '../../../core/findings/workflows';
import {
  AUTHORITY_WORKFLOW,
  evaluationOf,
  incidentEvaluations,
  reproduceEvaluation,
  type AuthorityEvaluationView,
} from './evaluate';

/**
 * authorityDiff (design §5): what changed between two evaluations of one incident, or between one and
 * the facts now. Both sides are recomputed — a recorded one from its own seq, refused when it does not
 * give back its recorded digests (EVALUATION_IRREPRODUCIBLE) — because lanes are never journaled. The
 * "now" side is computed, not recorded: a diff is a read.
 */
export function authorityDiff(
  station: Station,
  input: {
    incidentId: string;
    from?: number | undefined;
    to?: number | undefined;
    asOf?: string | undefined;
  },
  registry: FindingsRegistry = { workflows: WORKFLOWS },
): View<'authorityDiff'> {
  const { incidentId } = input;
  if (input.to !== undefined && input.asOf !== undefined)
    throw stationError(
      'INVALID_INPUT',
      'asOf sets the instant of the side computed now; a recorded evaluation (to) keeps its own',
      { field: 'asOf' },
    );
  const to = input.to === undefined ? null : evaluationOf(station, incidentId, input.to, 'to');
  const from =
    input.from !== undefined
      ? evaluationOf(station, incidentId, input.from, 'from')
      : incidentEvaluations(station, incidentId)
          .filter((e) => to === null || e.seq < to.seq)
          .at(-1);
  if (!from)
    throw stationError(
      'EVALUATION_NOT_FOUND',
      `${incidentId} has no ${AUTHORITY_WORKFLOW} evaluation${to ? ` before seq ${to.seq}` : ''} to compare: evaluate it first (station authority evaluate ${incidentId})`,
      { field: 'from' },
    );
  const before = reproduceEvaluation(station, from, 'from', registry);
  const after: Omit<AuthorityEvaluationView, 'seq'> & { seq: number | null } = to
    ? reproduceEvaluation(station, to, 'to', registry)
    : now(station, incidentId, input.asOf, registry);
  const side = (e: typeof after) => ({
    seq: e.seq,
    asOf: e.inputs.asOf,
    outcome: e.outcome,
    reason: e.reason,
    recommended: e.authority.recommended,
    recordsDigest: e.inputs.recordsDigest,
    policyDigest: e.inputs.policyDigest,
    findingsDigest: e.findingsDigest,
  });
  const sideOf = (e: typeof after) => ({
    view: e.authority,
    findings: e.findings,
    asOf: e.inputs.asOf,
    policyDigest: e.inputs.policyDigest,
  });
  return {
    incidentId,
    from: side(before),
    to: side(after),
    diff: diffAuthority(sideOf(before), sideOf(after)),
  };
}

/** The incident's lanes now (or as of `asOf`) over everything the station holds: computed, not recorded. */
function now(
  station: Station,
  incidentId: string,
  asOf: string | undefined,
  registry: FindingsRegistry,
): Omit<AuthorityEvaluationView, 'seq'> & { seq: null } {
  const instant =
    asOf === undefined ? station.deps.clock().toISOString() : parseOrThrow(isoTime, asOf, 'asOf');
  const view = computeEvaluation(
    station,
    { workflow: AUTHORITY_WORKFLOW, subject: incidentId, asOf: instant },
    registry,
  );
  if (view.authority === undefined)
    throw stationError('INTERNAL', `workflow ${AUTHORITY_WORKFLOW} derived no lane view`, {});
  return { ...view, authority: view.authority, seq: null };
}
