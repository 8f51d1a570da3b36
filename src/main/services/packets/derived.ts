import type { FindingCategory, Finding } from '../../../core/findings/model';
import { deferralPolicySchema } from '../../../core/findings/policy/deferral';
import type { CheckGroup, DerivedState } from '../../../core/packet/checks';
import {
  claimStatus,
  registerOf,
  type DerivedClaimStatus,
  type RegisterEntry,
} from '../../../core/packet/derived';
import type { Claim, PacketContent } from '../../../core/packet/model';
import { DERIVED_KINDS } from '../../../core/packet/ops';
import { subjectEvaluationEvents } from '../../adapters/store/repos/packets';
import { stationError } from '../../errors';
import type { Station } from '../../station/station';
import { computeEvaluation, evaluationStatus } from '../findings';
import { policyAt } from '../records';

/**
 * A derived packet (rotation-deferral) as the station finds it: the latest evaluation of its subject
 * (the deferral-request record id) with FRESH / STALE, the outcome and its reason, the exception register
 * (that evaluation's open findings plus people's annotations) and each claim's status from its checks.
 * The UI, `station packet show --json`, the printed packet and the handoff all read this one view.
 */
const WORKFLOW = 'deferral';

/** Which gate group each deferral outcome holds the packet in; the handoff outcomes hold nothing. */
const HOLDS: Readonly<Record<string, CheckGroup | null>> = {
  'stop-and-escalate': 'stop',
  'hold-scope-routing': 'routing',
  'hold-source-completion': 'source',
  'handoff-with-exceptions': null,
  'handoff-clean': null,
};

export interface DerivedEvaluation {
  readonly seq: number;
  readonly asOf: string;
  readonly status: 'FRESH' | 'STALE';
  readonly changed: readonly ('records' | 'policy')[];
  readonly sentence: string;
  readonly outcome: string;
  readonly reason: string;
  readonly holds: CheckGroup | null;
  readonly policy: { readonly policy: string; readonly version: number; readonly digest: string };
  readonly recordsDigest: string;
  readonly policyDigest: string;
  readonly findingsDigest: string;
}

export interface DerivedPacket {
  readonly workflow: string;
  readonly subject: string;
  readonly evaluation: DerivedEvaluation | null;
  readonly findings: readonly Finding[];
  readonly register: readonly RegisterEntry[];
  readonly claims: readonly {
    readonly claimId: string;
    readonly text: string;
    readonly checks: readonly string[];
    readonly status: DerivedClaimStatus;
  }[];
  /** The finding categories the policy lets a handoff carry as acknowledged exceptions. */
  readonly handoffExceptionCategories: readonly FindingCategory[];
}

const claimView = (c: Claim, findings: readonly Finding[] | null, subject: string) => ({
  claimId: c.claimId,
  text: c.text,
  checks: c.checks ?? [],
  status: claimStatus(c, findings, subject),
});

/** The deferral-request record id a derived packet names as its subject. */
export function packetSubject(content: Pick<PacketContent, 'subject' | 'packetId'>): string {
  const id = content.subject.requestId?.trim() ?? '';
  if (id === '')
    throw stationError(
      'INVALID_INPUT',
      `packet ${content.packetId} names no subject: a rotation-deferral packet needs requestId=<deferral-request record id>`,
      { field: 'subject.requestId' },
    );
  return id;
}

/** The derived view of a packet content, or null for a kind whose register is not derived. */
export function derivedPacket(station: Station, content: PacketContent): DerivedPacket | null {
  if (!DERIVED_KINDS.has(content.kind)) return null;
  const subject = packetSubject(content);
  const latest = subjectEvaluationEvents(station.store.db, WORKFLOW, subject).at(-1);
  if (!latest) {
    return {
      workflow: WORKFLOW,
      subject,
      evaluation: null,
      findings: [],
      register: [],
      claims: content.claims.map((c) => claimView(c, null, subject)),
      handoffExceptionCategories: [],
    };
  }
  const b = latest.body;
  const status = evaluationStatus(station, { seq: latest.seq });
  // Re-run as of the evaluation's instant: byte-identical while FRESH (the engine is pure); when STALE
  // the register shows the facts as they stand now, and the banner says evaluate again.
  const view = computeEvaluation(station, { workflow: WORKFLOW, subject, asOf: b.asOf });
  const findings: Finding[] = view.findings.map((f) => ({ ...f, records: f.records.map((r) => ({ ...r })) }));
  const policy = deferralPolicySchema.parse(policyAt(station, WORKFLOW, b.asOf).content);
  const allowed = policy.handoffExceptionCategories;
  return {
    workflow: WORKFLOW,
    subject,
    evaluation: {
      seq: latest.seq,
      asOf: b.asOf,
      status: status.status,
      changed: status.changed,
      sentence: status.sentence,
      outcome: view.outcome,
      reason: view.reason,
      // An outcome this map does not know holds for source (`??` would also turn a handoff's null into a hold).
      holds: Object.hasOwn(HOLDS, view.outcome) ? (HOLDS[view.outcome] ?? null) : 'source',
      policy: { policy: view.policy.policy, version: view.policy.version, digest: view.policy.digest },
      recordsDigest: b.recordsDigest,
      policyDigest: b.policyDigest,
      findingsDigest: b.findingsDigest,
    },
    findings,
    register: registerOf(findings, content.annotations, allowed),
    claims: content.claims.map((c) => claimView(c, findings, subject)),
    handoffExceptionCategories: allowed,
  };
}

/** What the packet checks read of a derived packet (PKT-EVALUATED, PKT-OUTCOME). */
export function derivedState(d: DerivedPacket | null): DerivedState | undefined {
  if (d === null) return undefined;
  const e = d.evaluation;
  return {
    evaluation:
      e === null
        ? null
        : {
            seq: e.seq,
            status: e.status,
            sentence: e.sentence,
            outcome: e.outcome,
            reason: e.reason,
            holds: e.holds,
          },
  };
}
