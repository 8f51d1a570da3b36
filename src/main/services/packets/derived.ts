import type { FindingCategory, Finding } from '../../../core/findings/model';
import { authorityMatrixSchema } from '../../../core/findings/policy/authority-matrix';
import { FINDING_CATEGORIES } from '../../../core/findings/model';
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
 * A derived packet as the station finds it: the latest evaluation of its subject (the record id its kind
 * names: a deferral request, an incident) with FRESH / STALE, the outcome and its reason, the exception
 * register (that evaluation's open findings plus people's annotations) and each claim's status from its
 * checks. The UI, `station packet show --json`, the printed packet and the handoff all read this one view.
 */
interface DerivedKind {
  /** The workflow that evaluates the subject. */
  readonly workflow: string;
  /** The packet subject key naming the subject record, and that record's family (for the message). */
  readonly subjectKey: string;
  readonly subjectWhat: string;
  /** Which gate group each outcome holds the packet in; handoff outcomes hold nothing. */
  readonly holds: Readonly<Record<string, CheckGroup | null>>;
  /** The finding categories a handoff may carry as acknowledged exceptions, from the policy in force. */
  readonly carries: (policy: unknown) => readonly FindingCategory[];
}

const DERIVED: Readonly<Record<string, DerivedKind>> = {
  'rotation-deferral': {
    workflow: 'deferral',
    subjectKey: 'requestId',
    subjectWhat: 'deferral-request record id',
    holds: {
      'stop-and-escalate': 'stop',
      'hold-scope-routing': 'routing',
      'hold-source-completion': 'source',
      'handoff-with-exceptions': null,
      'handoff-clean': null,
    },
    carries: (p) => deferralPolicySchema.parse(p).handoffExceptionCategories,
  },
  // Workflow 002: the incident is the premise, not a stop; an unclear scope or routing holds it for a
  // person (a redirect), gaps in the facts travel as acknowledged exceptions the matrix allows.
  'compromise-authority': {
    workflow: 'compromise-authority',
    subjectKey: 'incidentId',
    subjectWhat: 'incident-scope record id',
    holds: {
      'hold-scope': 'routing',
      'routing-unclear': 'routing',
      'recommend-with-gaps': null,
      recommend: null,
    },
    carries: (p) => authorityMatrixSchema.parse(p).handoffCarries,
  },
  // Workflow 003: a mismatch with the accepted sources is escalated, a non-waivable hold holds the packet
  // for records; waivable holds travel to the approval owner, whose approval of the version accepts them
  // (the policy, not the category, says which are waivable: non-waivable findings never reach a handoff).
  'activation-gate': {
    workflow: 'activation-gate',
    subjectKey: 'declarationId',
    subjectWhat: 'continuity-declaration record id',
    holds: {
      'escalate-mismatch': 'routing',
      hold: 'source',
      'ready-with-waivable-holds': null,
      'ready-for-approval': null,
    },
    carries: () => [...FINDING_CATEGORIES],
  },
};

function derivedKind(kind: string): DerivedKind {
  const k = Object.hasOwn(DERIVED, kind) ? DERIVED[kind] : undefined;
  if (!k) throw stationError('INTERNAL', `no derived-packet entry for kind ${kind}`, {});
  return k;
}

/** The workflow a derived packet kind is evaluated by. */
export const workflowOfKind = (kind: string): string => derivedKind(kind).workflow;

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

/** The record id a derived packet names as its subject (subject.requestId, subject.incidentId…). */
export function packetSubject(content: Pick<PacketContent, 'subject' | 'packetId' | 'kind'>): string {
  const k = derivedKind(content.kind);
  const id = content.subject[k.subjectKey]?.trim() ?? '';
  if (id === '')
    throw stationError(
      'INVALID_INPUT',
      `packet ${content.packetId} names no subject: a ${content.kind} packet needs ${k.subjectKey}=<${k.subjectWhat}>`,
      { field: `subject.${k.subjectKey}` },
    );
  return id;
}

/** The derived view of a packet content, or null for a kind whose register is not derived. */
export function derivedPacket(station: Station, content: PacketContent): DerivedPacket | null {
  if (!DERIVED_KINDS.has(content.kind)) return null;
  const kind = derivedKind(content.kind);
  const subject = packetSubject(content);
  const latest = subjectEvaluationEvents(station.store.db, kind.workflow, subject).at(-1);
  if (!latest) {
    return {
      workflow: kind.workflow,
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
  const view = computeEvaluation(station, { workflow: kind.workflow, subject, asOf: b.asOf });
  const findings: Finding[] = view.findings.map((f) => ({ ...f, records: f.records.map((r) => ({ ...r })) }));
  const allowed = kind.carries(policyAt(station, view.policy.policy, b.asOf).content);
  return {
    workflow: kind.workflow,
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
      holds: Object.hasOwn(kind.holds, view.outcome) ? (kind.holds[view.outcome] ?? null) : 'source',
      policy: { policy: view.policy.policy, version: view.policy.version, digest: view.policy.digest },
      recordsDigest: b.recordsDigest,
      policyDigest: b.policyDigest,
      findingsDigest: b.findingsDigest,
    },
    findings,
    register: registerOf(findings, content.annotations, [...allowed]),
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
