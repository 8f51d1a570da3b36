import type { LineageEntry, View } from '../../../shared/contract';
import { journalEvents } from '../../adapters/store/repos/events';
import type { Station } from '../../station/station';
import { workflowOf, type FindingsRegistry } from '../findings';
import { WORKFLOWS } from '../../../core/findings/workflows';
import { AUTHORITY_WORKFLOW, computeEvaluationAt, incidentEvaluations } from './evaluate';
import { listRedirects } from './redirect';

/**
 * authorityLineage (design §6): the incident's story in journal order — each evaluation with its outcome
 * and the lane it recommended (recomputed from its seq: lanes are never journaled), the records of the
 * workflow's families and the authority-matrix versions that came in (an import names no incident, so
 * every import of those families is part of every incident's lineage), and people's redirects beside
 * the computed lane.
 */
export function authorityLineage(
  station: Station,
  input: { incidentId: string },
  registry: FindingsRegistry = { workflows: WORKFLOWS },
): View<'authorityLineage'> {
  const w = workflowOf(registry, AUTHORITY_WORKFLOW);
  const families = new Set(w.families);
  const db = station.store.db;
  const evaluations: LineageEntry[] = incidentEvaluations(station, input.incidentId).map((e) => {
    const at = computeEvaluationAt(station, e, registry);
    const reproduced = at.irreproducible.length === 0;
    return {
      type: 'evaluation',
      seq: e.seq,
      at: e.at,
      actor: e.actor,
      asOf: e.body.asOf,
      outcome: e.body.outcome,
      recommended: reproduced ? at.view.authority.recommended : null,
      reproduced,
    };
  });
  const records: LineageEntry[] = journalEvents(db, ['records.imported'])
    .filter((e) => families.has(e.body.family))
    .map((e) => ({
      type: 'records',
      seq: e.seq,
      at: e.at,
      actor: e.actor,
      family: e.body.family,
      system: e.body.system,
      exportedAt: e.body.exportedAt,
      fileName: e.body.fileName,
      count: e.body.count,
      newRecords: e.body.newRecords,
    }));
  const policies: LineageEntry[] = journalEvents(db, ['policy.imported'])
    .filter((e) => e.body.policy === w.policy)
    .map((e) => ({
      type: 'policy',
      seq: e.seq,
      at: e.at,
      actor: e.actor,
      policy: e.body.policy,
      version: e.body.version,
      exportedAt: e.body.exportedAt,
      digest: e.body.digest,
    }));
  const entries = [
    ...evaluations,
    ...records,
    ...policies,
    ...redirectLineageEntries(station, input.incidentId),
  ].sort((a, b) => a.seq - b.seq);
  return { incidentId: input.incidentId, entries };
}

/** The incident's redirects as lineage entries (journal kind `authority.redirect-recorded`). */
export function redirectLineageEntries(station: Station, incidentId: string): LineageEntry[] {
  return listRedirects(station, incidentId).redirects.map((r) => ({
    type: 'redirect',
    seq: r.seq,
    at: r.at,
    actor: r.actor,
    evaluationSeq: r.evaluationSeq,
    asOf: r.asOf,
    computedLane: r.computedLane,
    targetComputedStatus: r.targetComputedStatus,
    toLane: r.toLane,
    reason: r.reason,
    redirectedBy: r.redirectedBy,
    role: r.role,
  }));
}
