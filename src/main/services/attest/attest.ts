import { canonicalBytes } from '../../../core/canonical';
import { STATEMENT_TYPE } from '../../../core/bundle/statement';
import { attestationPolicySchema } from '../../../core/findings/policy/attestation';
import {
  ATTESTATION_OUTCOMES,
  requirementStatuses,
  type AttestationOutcome,
} from '../../../core/findings/workflows/attestation';
import { assertActor, journalTime } from '../../../core/journal/events';
import type { View } from '../../../shared/contract';
import { journalEvents } from '../../adapters/store/repos/events';
import { stationError } from '../../errors';
import type { Station } from '../../station/station';
import {
  matchSigner,
  parseEnvelope,
  signEnvelope,
  trustAnchors,
  type ReviewerSigner,
  type TrustAnchor,
} from '../bundles';
import { computeEvaluation, evaluateWorkflow, evaluationStatus } from '../findings';
import { firstHandRecords, policyAt, sha256hex, storedRecords } from '../records/queries';
import { WORKFLOWS } from '../../../core/findings/workflows';

/**
 * Custody attestation (workflow 001) at the station: the 'attestation' workflow of the findings engine
 * over imported source records and the station's own first-hand records (services/records/firsthand),
 * judged under the control library in force (policy 'attestation'), recorded as an `evaluation.recorded`
 * entry. The recommendation and each requirement's status are derived from the findings, never typed.
 * The owner's decision is a DSSE statement signed with the owner's own key that binds the evaluation
 * seq and its digests; it is refused on a STALE evaluation. The station never signs it.
 */
export const WORKFLOW = 'attestation';
export const DECISION_PREDICATE = 'https://ceremony-station.example/predicate/attestation-decision/v2';
export const DECIDER_ROLE = 'release-security-owner';

type AttestationView = View<'attestStatus'>;
type EvaluationView = NonNullable<AttestationView['latest']>;
export type DecisionView = AttestationView['decisions'][number];

const isOutcome = (o: string): o is AttestationOutcome =>
  (ATTESTATION_OUTCOMES as readonly string[]).includes(o);

/** The attestation evaluations recorded for a subject, oldest first (journal seq and body). */
function recordedEvaluations(station: Station, subject: string) {
  return journalEvents(station.store.db, ['evaluation.recorded']).filter(
    (e) => e.body.workflow === WORKFLOW && e.body.subject === subject,
  );
}

/**
 * The view of a recorded evaluation: recomputed as of its instant from what the station holds (so its
 * findings, requirement statuses and records are one click away), with what the journal recorded, and
 * FRESH / STALE. When STALE the recomputed findings are today's facts as of that instant, and
 * `matchesRecord` says whether they still digest to what was recorded.
 */
function evaluationView(station: Station, seq: number): EvaluationView {
  const status = evaluationStatus(station, { seq });
  const recorded = status.recorded;
  const e = computeEvaluation(station, {
    workflow: WORKFLOW,
    subject: recorded.subject,
    asOf: recorded.asOf,
  });
  if (!isOutcome(recorded.outcome))
    throw stationError('INTERNAL', `evaluation ${seq} recorded an unknown outcome ${recorded.outcome}`, {});
  const policy = attestationPolicySchema.parse(policyAt(station, e.policy.policy, recorded.asOf).content);
  return {
    seq,
    subject: recorded.subject,
    asOf: recorded.asOf,
    recommendation: recorded.outcome,
    reason: e.reason,
    policy: { ...e.policy, library: policy.library },
    inputs: e.inputs,
    recorded: {
      recordsDigest: recorded.recordsDigest,
      policyDigest: recorded.policyDigest,
      findingsDigest: recorded.findingsDigest,
      recordCount: recorded.recordCount,
    },
    findingsDigest: e.findingsDigest,
    matchesRecord: e.findingsDigest === recorded.findingsDigest && e.outcome === recorded.outcome,
    status: { status: status.status, changed: status.changed, sentence: status.sentence },
    requirements: requirementStatuses(
      e.findings.map((f) => ({ ...f, records: [...f.records] })),
      policy,
    ).map((r) => ({
      id: r.id,
      text: r.text,
      waivable: r.waivable,
      status: r.status,
      checks: r.findings.map((f) => f.checkId).filter((c, i, a) => a.indexOf(c) === i),
    })),
    findings: e.findings,
  };
}

/** How many records of each attestation family the evaluation reads: imported and first-hand. */
function recordCounts(station: Station): AttestationView['records'] {
  const families = WORKFLOWS[WORKFLOW]?.families ?? [];
  const all = storedRecords(station, families);
  return families.map((family) => ({
    family,
    imported: all.filter((r) => r.family === family && !r.provenance.firstHand).length,
    firstHand: all.filter((r) => r.family === family && r.provenance.firstHand).length,
  }));
}

/**
 * What the UI shows of a custody attestation, built here so `station attest status --json` prints the
 * same (src/shared/contract/attest.ts): the latest evaluation with its status, the owner's decisions,
 * and the records it reads.
 */
export function attestationStatus(station: Station, input: { subject: string }): AttestationView {
  const latest = recordedEvaluations(station, input.subject).at(-1);
  return {
    subject: input.subject,
    latest: latest ? evaluationView(station, latest.seq) : null,
    decisions: decisions(station, input.subject),
    records: recordCounts(station),
  };
}

/**
 * Evaluates the attestation workflow for a subject as of an instant (default now), records it
 * (`evaluation.recorded`) and answers with its view, the same `attest status` then shows.
 */
export function evaluateAttestation(
  station: Station,
  input: { subject: string; asOf?: string | undefined; actor: string },
): EvaluationView {
  const { seq } = evaluateWorkflow(station, { workflow: WORKFLOW, ...input });
  return evaluationView(station, seq);
}

export function decisions(station: Station, subject: string): DecisionView[] {
  return journalEvents(station.store.db, ['attestation.decision-recorded'])
    .filter((r) => r.body.subject === subject)
    .map((r) => {
      const { envelope: _e, signerFingerprint: _f, ...b } = r.body;
      return { ...b, seq: r.seq, at: r.at };
    });
}

const DECISION_TO_RECOMMENDATION = {
  approve: 'approvable',
  remediate: 'remediate',
  escalate: 'escalate',
} as const;

/**
 * ATT-DECIDE — the owner's decision on the latest evaluation of a subject, signed with the owner's own
 * key (`signer`: a token or key file). Refused with EVALUATION_STALE when the evaluation is STALE
 * (records or policy changed since it). The statement binds the evaluation seq, its as-of instant and
 * its records, policy and findings digests; the station has the owner's key sign it, verifies it against
 * the trust store (the key must hold release-security-owner) and journals the envelope. A decision that
 * differs from the recommendation is recorded as such: the human decides.
 */
export async function decideAttestation(
  station: Station,
  input: {
    subject: string;
    decision: 'approve' | 'remediate' | 'escalate';
    comment: string;
    decidedBy: string;
    signer: ReviewerSigner;
    actor: string;
  },
): Promise<DecisionView> {
  assertActor(input.actor);
  station.assertWritable();
  const latest = recordedEvaluations(station, input.subject).at(-1);
  if (!latest)
    throw stationError(
      'EVALUATION_NOT_FOUND',
      `${input.subject} has no attestation evaluation: evaluate first (station attest evaluate ${input.subject})`,
      { field: 'subject' },
    );
  const status = evaluationStatus(station, { seq: latest.seq });
  if (status.status === 'STALE')
    throw stationError(
      'EVALUATION_STALE',
      `evaluation ${latest.seq} of ${input.subject} is STALE (${status.sentence}): evaluate again before deciding`,
      { field: 'subject', seq: latest.seq },
    );
  const r = status.recorded;
  if (!isOutcome(r.outcome))
    throw stationError('INTERNAL', `evaluation ${latest.seq} recorded an unknown outcome ${r.outcome}`, {});
  const bound = {
    subject: input.subject,
    evaluationSeq: latest.seq,
    asOf: r.asOf,
    recordsDigest: r.recordsDigest,
    policyDigest: r.policyDigest,
    findingsDigest: r.findingsDigest,
    recommendation: r.outcome,
  };
  const signedAt = journalTime(station.deps.clock());
  const statement = {
    _type: STATEMENT_TYPE,
    subject: [
      {
        name: `${input.subject}@evaluation-${latest.seq}`,
        digest: { sha256: sha256hex(canonicalBytes(r)) },
      },
    ],
    predicateType: DECISION_PREDICATE,
    predicate: {
      ...bound,
      decision: input.decision,
      comment: input.comment,
      decidedBy: input.decidedBy,
      signedAt,
    },
  };
  const payload = canonicalBytes(statement);
  const envelopeBytes = canonicalBytes(
    await signEnvelope(payload, input.signer.info.fingerprint, input.signer.sign),
  );
  const parsed = parseEnvelope(envelopeBytes);
  if (!parsed.ok) throw stationError('APPROVAL_MALFORMED', parsed.message, {});
  const match = matchSigner(trustAnchors(station, { includeSelf: false }), parsed.envelope, parsed.payload);
  if (match === 'unknown' || match === 'invalid')
    throw stationError(
      match === 'unknown' ? 'APPROVAL_SIGNER_UNKNOWN' : 'APPROVAL_SIGNATURE_INVALID',
      match === 'unknown'
        ? `the key ${input.signer.info.fingerprint.slice(0, 16)}… is not in the trust store: register it first`
        : 'the decision signature does not verify',
      {},
    );
  assertDecider(match, signedAt);
  if (input.decidedBy.trim().toLowerCase() !== match.name.trim().toLowerCase())
    throw stationError(
      'INVALID_INPUT',
      `the key that signed belongs to ${match.name} in the trust store, not ${input.decidedBy}`,
      { field: 'decidedBy' },
    );
  const body = {
    ...bound,
    decision: input.decision,
    comment: input.comment,
    decidedBy: input.decidedBy,
    trustId: match.trustId,
    signerFingerprint: match.info.fingerprint,
    followsRecommendation: DECISION_TO_RECOMMENDATION[input.decision] === r.outcome,
    envelope: Buffer.from(envelopeBytes).toString('base64'),
  };
  const appended = station.record([{ kind: 'attestation.decision-recorded', actor: input.actor, body }]);
  const { envelope: _envelope, signerFingerprint: _fp, ...view } = body;
  return { ...view, seq: appended.lastSeq, at: signedAt };
}

function assertDecider(a: TrustAnchor, now: string): void {
  if (a.revokedAt !== null && a.revokedAt <= now)
    throw stationError('APPROVAL_SIGNER_NOT_VALID', `the key of ${a.name} was revoked at ${a.revokedAt}`, {});
  if (now < a.validFrom || now >= a.validUntil)
    throw stationError(
      'APPROVAL_SIGNER_NOT_VALID',
      `the key of ${a.name} is valid ${a.validFrom} → ${a.validUntil}`,
      {},
    );
  if (!a.roles.includes(DECIDER_ROLE))
    throw stationError(
      'APPROVAL_ROLE_NOT_HELD',
      `${a.name} does not hold ${DECIDER_ROLE} in the trust store`,
      {
        field: 'key',
      },
    );
}

/** The first-hand records the attestation reads (for views and tests): family, provenance, seq. */
export const attestationFirstHand = (station: Station) =>
  firstHandRecords(station, WORKFLOWS[WORKFLOW]?.families ?? []);
