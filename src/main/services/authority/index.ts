/** Compromise authority (workflow 002): the broad view of an evaluation and its bundle's journal check. */
export {
  assertJournalBroad,
  authorityBroadPreview,
  broadEvaluation,
  BROAD_WORKFLOW,
  journalLines,
  restrictedJournalHits,
  type BroadEvaluation,
  type RestrictedHit,
} from './broad';
