/**
 * Compromise authority (workflow compromise-authority, design §5–6): evaluations of an incident's lanes,
 * FRESH/STALE with the lanes recomputed from the evaluation's seq, diffs, and the incident's lineage.
 * Nothing here revokes, freezes, publishes or schedules: the station finds, people decide.
 */
export {
  AUTHORITY_WORKFLOW,
  authorityStatus,
  computeEvaluationAt,
  evaluateAuthority,
  incidentEvaluations,
  reproduceEvaluation,
  type AuthorityEvaluationView,
  type EvaluationAt,
  type RecordedEvaluation,
} from './evaluate';
export { authorityDiff } from './diff';
export { authorityLineage, redirectLineageEntries } from './lineage';
