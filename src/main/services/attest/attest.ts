import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import {
  controlLibrarySchema,
  evaluateControls,
  RECORD_SCHEMAS,
  type AttestInputs,
  type Evaluation,
  type RequirementResult,
} from '../../../core/attest/controls';
import { canonicalBytes, canonicalJson } from '../../../core/canonical';
import { assertActor, journalTime } from '../../../core/journal/events';
import { STATEMENT_TYPE } from '../../../core/bundle/statement';
import libraryJson from '../../../../resources/controls/custody-controls.json';
import { stationError } from '../../errors';
import { matchSigner, type TrustAnchor } from '../bundles';
import { trustAnchors } from '../bundles';
import { custodyItems } from '../custody';
import { parseEnvelope, signEnvelope } from '../bundles';
import { assertNotStopped, journalEvidence, packetDraft } from '../packets';
import { applyOp, type PacketOp } from '../../../core/packet/ops';
import type { ReviewerSigner } from '../bundles';
import { rosterEntries } from '../custodians/queries';
import { objectPath } from '../../adapters/fs/staging';
import {
  decisionEvents,
  evaluationEvents,
  inventoryEvents,
  rosterChangeEvents,
} from '../../adapters/store/repos/attest';
import type { Station } from '../../station/station';
import { firstIssue } from '../../../core/validate';

/**
 * Custody attestation (workflow B) at the station: gathers first-hand data (roster, HSM inventories,
 * custody log, roster changes from the journal) and the records imported into the packet as evidence
 * (JSON files declaring key-register/v1, ceremony-log/v1, exception-records/v1, signing-paths/v1),
 * evaluates the control library, and journals the evaluation. The owner's decision is a DSSE statement
 * signed with the owner's own key and verified against the trust store; the station never signs it.
 */
export const CONTROL_LIBRARY = controlLibrarySchema.parse(libraryJson);
export const DECISION_PREDICATE = 'https://ceremony-station.example/predicate/attestation-decision/v1';
export const DECIDER_ROLE = 'release-security-owner';

const SCHEMAS = RECORD_SCHEMAS;
type SchemaName = keyof typeof SCHEMAS;

/** The records imported into the packet, by the schema each JSON file declares (the latest one wins). */
function importedRecords(station: Station, packetId: string) {
  const draft = packetDraft(station, packetId);
  const found: Partial<
    Record<SchemaName, { evidenceId: string; receivedAt: string; sha256: string; data: unknown }>
  > = {};
  for (const e of draft.evidence) {
    if (e.mediaType !== 'application/json') continue;
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(objectPath(station, e.sha256), 'utf8'));
    } catch {
      continue;
    }
    const name = (json as { schema?: unknown } | null)?.schema;
    if (typeof name !== 'string' || !(name in SCHEMAS)) continue;
    const parsed = (SCHEMAS[name as SchemaName] as z.ZodType).safeParse(json);
    if (!parsed.success) {
      const { field, message } = firstIssue(parsed.error);
      throw stationError('EVIDENCE_UNREADABLE', `${e.evidenceId} declares ${name} but ${field} ${message}`, {
        field: e.evidenceId,
      });
    }
    const prev = found[name as SchemaName];
    if (!prev || prev.receivedAt <= e.receivedAt)
      found[name as SchemaName] = {
        evidenceId: e.evidenceId,
        receivedAt: e.receivedAt,
        sha256: e.sha256,
        data: parsed.data,
      };
  }
  return found;
}

export function gatherInputs(
  station: Station,
  packetId: string,
): { inputs: AttestInputs; evidence: { evidenceId: string; sha256: string }[] } {
  const now = journalTime(station.deps.clock());
  const records = importedRecords(station, packetId);
  const pick = <N extends SchemaName>(n: N) => {
    const r = records[n];
    return r
      ? { evidenceId: r.evidenceId, receivedAt: r.receivedAt, data: r.data as z.infer<(typeof SCHEMAS)[N]> }
      : null;
  };
  const inventories = inventoryEvents(station.store.db).map(({ seq, at, body }) => ({
    seq,
    at,
    tokenSerial: body.token.serial,
    keys: body.keys.map((k) => ({ id: k.id, label: k.label, residency: k.residency })),
  }));
  const inputs: AttestInputs = {
    now,
    roster: rosterEntries(station).map((p) => ({
      custodianId: p.custodianId,
      name: p.name,
      validFrom: p.validFrom,
      validUntil: p.validUntil,
      revokedAt: p.revokedAt,
    })),
    inventories,
    rosterChanges: rosterChangeEvents(station.store.db).map((r) => ({ seq: r.seq, kind: r.kind })),
    custody: custodyItems(station).map((c) => ({
      itemId: c.itemId,
      itemKind: c.itemKind,
      inspection: { status: c.inspection.status, reason: c.inspection.reason },
      breaks: c.breaks.map((b) => ({ seq: b.seq, message: b.message })),
      lastInspectionSeq: c.lastInspection?.seq ?? null,
    })),
    keyRegister: pick('key-register/v1'),
    ceremonyLog: pick('ceremony-log/v1'),
    exceptionRecords: pick('exception-records/v1'),
    signingPaths: pick('signing-paths/v1'),
  };
  return {
    inputs,
    evidence: Object.values(records).map((r) => ({ evidenceId: r.evidenceId, sha256: r.sha256 })),
  };
}

function assertAttestationPacket(station: Station, packetId: string): void {
  const kind = packetDraft(station, packetId).kind;
  if (kind !== 'custody-attestation')
    throw stationError('INVALID_INPUT', `${packetId} is a ${kind} packet, not a custody attestation`, {
      field: 'packetId',
    });
}

const cap = <T>(items: readonly T[], max: number, more: (n: number) => T): T[] =>
  items.length <= max ? [...items] : [...items.slice(0, max - 1), more(items.length - max + 1)];

/**
 * Evaluates the library now and journals, in one append: the evaluation, the station records it rests on
 * (cited by journal hash) and one claim per requirement linked to its records. All of it is validated in
 * memory first, so a refusal writes nothing. Long lists are capped with a count of what was left out.
 */
export function evaluateAttestation(
  station: Station,
  packetId: string,
  actor: string,
): Evaluation & { seq: number; at: string } {
  assertActor(actor);
  station.assertWritable();
  assertAttestationPacket(station, packetId);
  assertNotStopped(station, packetId);
  const { inputs, evidence } = gatherInputs(station, packetId);
  const e = evaluateControls(CONTROL_LIBRARY, inputs);

  let draft = packetDraft(station, packetId);
  const ops: PacketOp[] = [];
  const apply = (op: PacketOp) => {
    draft = applyOp(draft, op);
    ops.push(op);
  };
  const known = () => new Set(draft.evidence.map((x) => x.evidenceId));
  const journalRefs = [
    ...new Set(
      e.requirements.flatMap((r) =>
        r.refs.flatMap((ref) => (ref.startsWith('journal:') ? [Number(ref.slice(8))] : [])),
      ),
    ),
  ].slice(0, 100);
  for (const seq of journalRefs) {
    const evidenceId = `ev-journal-${seq}`;
    if (known().has(evidenceId)) continue;
    const entry = station.journal.get(seq);
    apply({
      op: 'add-evidence',
      evidence: journalEvidence(station, {
        seq,
        evidenceId,
        title: `Station record: journal entry ${seq} (${entry?.kind ?? 'unknown'})`,
        system: 'ceremony-station',
        effectiveAt: null,
        freshnessDays: null,
        actor,
      }),
    });
  }
  const cited = known();
  for (const r of e.requirements) {
    const linked = [
      ...new Set(
        r.refs.flatMap((ref) =>
          ref.startsWith('evidence:')
            ? [ref.slice(9)]
            : ref.startsWith('journal:')
              ? [`ev-journal-${ref.slice(8)}`]
              : [],
        ),
      ),
    ]
      .filter((id) => cited.has(id))
      .slice(0, 50);
    const good = r.status === 'satisfied' || r.status === 'exception-backed';
    const claim = {
      claimId: r.id.toLowerCase(),
      text: `${r.id}: ${r.text}`.slice(0, 1000),
      evidence: linked,
      status: good && linked.length > 0 ? ('supported' as const) : ('disputed' as const),
    };
    const current = draft.claims.find((c) => c.claimId === claim.claimId);
    if (!current || canonicalJson(current) !== canonicalJson(claim)) apply({ op: 'set-claim', claim });
  }

  const appended = station.record([
    {
      kind: 'attestation.evaluated',
      actor,
      body: {
        packetId,
        library: e.library,
        libraryVersion: e.libraryVersion,
        recommendation: e.recommendation,
        because: cap(
          e.because.map((b) => b.slice(0, 1000)),
          200,
          (n) => `… and ${n} more`,
        ),
        requirements: e.requirements.map((r) => ({
          id: r.id,
          status: r.status,
          rationale: r.rationale.slice(0, 1000),
          findings: cap(
            r.findings.map((f) => ({ kind: f.kind, text: f.text.slice(0, 1000), refs: f.refs.slice(0, 50) })),
            200,
            (n) => ({ kind: r.findings[0]?.kind ?? 'missing', text: `… and ${n} more findings`, refs: [] }),
          ),
          refs: r.refs.slice(0, 200),
        })),
        inputs: { evidence, journalHead: station.journal.head().seq },
      },
    },
    ...ops.map((change) => ({ kind: 'packet.edited' as const, actor, body: { packetId, change } })),
  ]);
  return { ...e, seq: appended.firstSeq, at: inputs.now };
}

export interface RecordedEvaluation {
  readonly seq: number;
  readonly at: string;
  readonly recommendation: Evaluation['recommendation'];
  readonly because: readonly string[];
  readonly libraryVersion: number;
  readonly requirements: readonly {
    id: string;
    text: string;
    waivable: boolean;
    status: RequirementResult['status'];
    rationale: string;
    findings: readonly {
      kind: RequirementResult['findings'][number]['kind'];
      text: string;
      refs: readonly string[];
    }[];
    refs: readonly string[];
  }[];
}

export function evaluations(station: Station, packetId: string): RecordedEvaluation[] {
  const texts = new Map(CONTROL_LIBRARY.requirements.map((r) => [r.id as string, r]));
  return evaluationEvents(station.store.db, packetId).map((r) => {
    const b = r.body;
    return {
      seq: r.seq,
      at: r.at,
      recommendation: b.recommendation,
      because: b.because,
      libraryVersion: b.libraryVersion,
      requirements: b.requirements.map((q) => ({
        ...q,
        text: texts.get(q.id)?.text ?? q.id,
        waivable: texts.get(q.id)?.waivable ?? false,
      })),
    };
  });
}

export interface DecisionView {
  readonly seq: number;
  readonly at: string;
  readonly evaluationSeq: number;
  readonly decision: 'approve' | 'remediate' | 'escalate';
  readonly comment: string;
  readonly decidedBy: string;
  readonly trustId: string;
  readonly followsRecommendation: boolean;
}

export function decisions(station: Station, packetId: string): DecisionView[] {
  return decisionEvents(station.store.db, packetId).map((r) => {
    const { envelope: _e, signerFingerprint: _f, packetId: _p, ...b } = r.body;
    return { ...b, seq: r.seq, at: r.at };
  });
}

const DECISION_TO_RECOMMENDATION = {
  approve: 'approvable',
  remediate: 'remediate',
  escalate: 'escalate',
} as const;

/**
 * The owner's decision on the latest evaluation, signed with the owner's own key (a token or key file,
 * through `signer`). The station builds the statement, has the owner's key sign it, verifies the signature
 * against the trust store (the key must hold release-security-owner), and journals the envelope. A
 * decision that differs from the recommendation is recorded as such: the human decides.
 */
export async function decideAttestation(
  station: Station,
  input: {
    packetId: string;
    decision: 'approve' | 'remediate' | 'escalate';
    comment: string;
    decidedBy: string;
    signer: ReviewerSigner;
    actor: string;
  },
): Promise<DecisionView> {
  assertActor(input.actor);
  station.assertWritable();
  assertAttestationPacket(station, input.packetId);
  const latest = evaluations(station, input.packetId).at(-1);
  if (!latest)
    throw stationError('PACKET_NOT_READY', 'evaluate the control library first (station attest evaluate)', {
      field: 'packetId',
    });
  const statement = {
    _type: STATEMENT_TYPE,
    subject: [
      {
        name: `${input.packetId}@evaluation-${latest.seq}`,
        digest: { sha256: createHash('sha256').update(canonicalBytes(latest)).digest('hex') },
      },
    ],
    predicateType: DECISION_PREDICATE,
    predicate: {
      packetId: input.packetId,
      evaluationSeq: latest.seq,
      recommendation: latest.recommendation,
      decision: input.decision,
      comment: input.comment,
      decidedBy: input.decidedBy,
      signedAt: journalTime(station.deps.clock()),
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
  assertDecider(match, journalTime(station.deps.clock()));
  if (input.decidedBy.trim().toLowerCase() !== match.name.trim().toLowerCase())
    throw stationError(
      'INVALID_INPUT',
      `the key that signed belongs to ${match.name} in the trust store, not ${input.decidedBy}`,
      { field: 'decidedBy' },
    );
  const body = {
    packetId: input.packetId,
    evaluationSeq: latest.seq,
    decision: input.decision,
    comment: input.comment,
    decidedBy: input.decidedBy,
    trustId: match.trustId,
    signerFingerprint: match.info.fingerprint,
    followsRecommendation: DECISION_TO_RECOMMENDATION[input.decision] === latest.recommendation,
    envelope: Buffer.from(envelopeBytes).toString('base64'),
  };
  const appended = station.record([{ kind: 'attestation.decided', actor: input.actor, body }]);
  const { envelope: _envelope, signerFingerprint: _fp, packetId: _packet, ...view } = body;
  return { ...view, seq: appended.lastSeq, at: journalTime(station.deps.clock()) };
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
