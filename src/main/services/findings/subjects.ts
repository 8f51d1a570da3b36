import { attestationWorkflow } from '../../../core/findings/workflows/attestation';
import { compromiseWorkflow } from '../../../core/findings/workflows/compromise';
import { deferralWorkflow } from '../../../core/findings/workflows/deferral';
import { issuanceWorkflow } from '../../../core/findings/workflows/issuance';
import type { View } from '../../../shared/contract';
import { listRecords } from '../records';
import type { Station } from '../../station/station';
import { REGISTRY, workflowOf, type FindingsRegistry } from './evaluate';

/**
 * The subject family of each workflow (the record whose id an evaluation is for) and its rules by check
 * ID, for the findings view: the operator picks a subject the station holds instead of typing one.
 */
const SUBJECTS: Readonly<
  Record<string, { family: string; rules: readonly { id: string; title: string }[] }>
> = {
  deferral: { family: 'deferral-request', rules: deferralWorkflow.rules },
  attestation: { family: 'attestation-scope', rules: attestationWorkflow.rules },
  'compromise-authority': { family: 'incident-scope', rules: compromiseWorkflow.rules },
  'portal-issuance': { family: 'issuance-request', rules: issuanceWorkflow.rules },
};

/** Ids of the workflow's subject records the station holds (sorted, once each) and its rules. */
export function findingsSubjects(
  station: Station,
  { workflow }: { workflow: string },
  registry: FindingsRegistry = REGISTRY,
): View<'findingsSubjects'> {
  const w = workflowOf(registry, workflow);
  const known = Object.hasOwn(SUBJECTS, w.id) ? SUBJECTS[w.id] : undefined;
  if (!known) return { workflow: w.id, family: '', subjects: [], truncated: false, rules: [] };
  const listed = listRecords(station, { family: known.family });
  const subjects = [...new Set(listed.records.map((r) => r.recordId))].sort();
  return {
    workflow: w.id,
    family: known.family,
    subjects,
    truncated: listed.truncated,
    rules: known.rules.map((r) => ({ checkId: r.id, title: r.title })),
  };
}
