/**
 * Compromise authority (workflow compromise-authority): evaluations of an incident's lanes, FRESH/STALE
 * with the lanes recomputed from the evaluation's seq, diffs, the incident's lineage, and redirects — a
 * person's signed act recorded beside what the station computed. Nothing here revokes, freezes,
 * publishes or schedules: the station finds, people decide.
 */
export * from './redirect';
export { scenarioRedirect } from './scenario';
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
export {
  assertJournalBroad,
  authorityBroadPreview,
  broadEvaluation,
  BROAD_WORKFLOW,
  journalLines,
  restrictedJournalHits,
  type BroadEvaluation,
  type RestrictedHit,
} from './queries';
