import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { canonicalBytes } from '../../../core/canonical';
import { assertActor, journalTime, type EventBody } from '../../../core/journal/events';
import { checkPacket, type Completeness, type DerivedState } from '../../../core/packet/checks';
import { acknowledgedFindings, findingName } from '../../../core/packet/derived';
import { diffPackets, type PacketChange } from '../../../core/packet/diff';
import {
  evidenceSchema,
  itemIdSchema,
  packetContentSchema,
  type Evidence,
  type PacketContent,
  type PacketKind,
} from '../../../core/packet/model';
import {
  applyOp,
  DERIVED_KINDS,
  INCIDENT_KINDS,
  packetOpSchema,
  type PacketOp,
} from '../../../core/packet/ops';
import type { FindingKey } from '../../../core/packet/model';
import { detectStopIndicators, stopRulesSchema, type StopFinding } from '../../../core/packet/stop';
import { firstIssue, parseOrThrow } from '../../../core/validate';
import { RECORD_SCHEMAS } from '../../../core/attest/controls';
import { EvidenceUnreadable, readEvidence } from '../../adapters/evidence/read';
import type { BundleSource } from '../../adapters/media/zip-writer';
import { stationError } from '../../errors';
import packetPolicyJson from '../../../../resources/policy/packets.json';
import stopRulesJson from '../../../../resources/policy/stop-triggers.json';
import compromiseTemplateJson from '../../../../resources/packets/compromise-authority.json';
import activationTemplateJson from '../../../../resources/packets/activation-gate.json';
import deferralTemplateJson from '../../../../resources/packets/rotation-deferral.json';
import { keepObject, objectPath, stageCopy } from '../../adapters/fs/staging';
import {
  packetExists,
  packetHandoffRows,
  packetRow,
  packetRows,
  packetStopRows,
  packetVersionCount,
  packetVersionRows,
  type PacketRecord,
} from '../../adapters/store/repos/packets';
import { quorumUsed, requireQuorum } from '../custodians';
import type { Station } from '../../station/station';
import type { QuorumOperation } from '../../../core/custody/operation';
import { evaluateWorkflow } from '../findings';
import { policyAt } from '../records';
import { activationGatePolicySchema } from '../../../core/findings/policy/activation-gate';
import { derivedPacket, derivedState, packetSubject, workflowOfKind, type DerivedPacket } from './derived';

/**
 * Governance packets: a draft changed only by journaled ops, evidence with provenance (files from media,
 * first-hand station records, typed attestations by a named person), completeness checks computed by
 * src/core/packet/checks.ts, append-only versions with diffs, stop triggers that halt assembly and raise
 * an escalation notice, and handoff records bound to one version.
 */
const STOP_RULES = stopRulesSchema.parse(stopRulesJson);
const MAX_EVIDENCE_BYTES = 256 * 1024 * 1024;
const sha256hex = (d: Uint8Array) => createHash('sha256').update(d).digest('hex');

interface KindPolicy {
  readonly title: string;
  readonly requiredRoles: readonly string[];
  readonly boundary: string;
}
const POLICY = packetPolicyJson as { version: number; kinds: Record<PacketKind, KindPolicy> };

export function kindPolicy(kind: PacketKind): KindPolicy {
  return POLICY.kinds[kind];
}

interface PacketTemplate {
  readonly claims: readonly { claimId: string; text: string; checks?: readonly string[] }[];
}
/** Claims a packet of this kind must support or carry on the exception register (resources/packets). */
const TEMPLATES: Partial<Record<PacketKind, PacketTemplate>> = {
  'rotation-deferral': deferralTemplateJson as PacketTemplate,
  'compromise-authority': compromiseTemplateJson as PacketTemplate,
  'activation-gate': activationTemplateJson as PacketTemplate,
};

/**
 * Completeness of a packet content at a time; a derived packet's checks read its latest evaluation
 * (`derived`, from derivedPacket), which is where its register, claims and outcome come from.
 */
export function completeness(
  content: PacketContent,
  at: string,
  clearedStops: ReadonlySet<string> = new Set(),
  derived?: DerivedState,
): Completeness {
  return checkPacket(content, at, { clearedStops, ...(derived ? { derived } : {}) });
}

/** Completeness of a content on this station now, with its derived state when it has one. */
function completenessNow(
  station: Station,
  content: PacketContent,
  cleared: ReadonlySet<string>,
): Completeness {
  return completeness(content, now(station), cleared, derivedState(derivedPacket(station, content)));
}

// ---------------------------------------------------------------------------------------------------
// Reading

export interface PacketSummary {
  readonly packetId: string;
  readonly kind: PacketKind;
  readonly title: string;
  readonly stopped: boolean;
  readonly versions: number;
  readonly gate: Completeness['gate'];
  readonly failed: number;
  readonly updatedSeq: number;
}

function row(station: Station, packetId: string): PacketRecord {
  const r = packetRow(station.store.db, packetId);
  if (!r) throw stationError('PACKET_NOT_FOUND', `no packet ${packetId}`, { field: 'packetId' });
  return r;
}

const now = (station: Station) => journalTime(station.deps.clock());

export function packetDraft(station: Station, packetId: string): PacketContent {
  return row(station, packetId).draft;
}

export function listPackets(station: Station): PacketSummary[] {
  const at = now(station);
  return packetRows(station.store.db).map((r) => {
    const c = completeness(
      r.draft,
      at,
      clearedStops(station, r.packetId),
      derivedState(derivedPacket(station, r.draft)),
    );
    return {
      packetId: r.packetId,
      kind: r.kind,
      title: r.title,
      stopped: r.stoppedSeq !== null,
      versions: packetVersionCount(station.store.db, r.packetId),
      gate: r.stoppedSeq !== null ? 'STOPPED' : c.gate,
      failed: c.failed,
      updatedSeq: r.updatedSeq,
    };
  });
}

export interface StopNotice {
  readonly seq: number;
  readonly at: string;
  readonly notice: string;
  readonly findings: readonly { evidenceId: string; indicator: string; detail: string }[];
  readonly cleared: { seq: number; quorumSessionId: string; reason: string; clearedBy: string } | null;
}

/** Every stop of the packet, with its clearance when a custodian quorum cleared it. */
export function stopNotices(station: Station, packetId: string): StopNotice[] {
  return packetStopRows(station.store.db, packetId).map((r) => ({
    seq: r.seq,
    at: r.at,
    notice: r.notice,
    findings: r.findings,
    cleared:
      r.clearance && r.clearedSeq !== null
        ? {
            seq: r.clearedSeq,
            quorumSessionId: r.clearance.quorumSessionId,
            reason: r.clearance.reason,
            clearedBy: r.clearance.clearedBy,
          }
        : null,
  }));
}

const openStops = (station: Station, packetId: string) =>
  stopNotices(station, packetId).filter((s) => s.cleared === null);

/** Evidence whose stop a custodian quorum has cleared: PKT-STOP no longer counts its indicators. */
export function clearedStops(station: Station, packetId: string): Set<string> {
  return clearedEvidence(stopNotices(station, packetId));
}

const clearedEvidence = (stops: readonly StopNotice[]) =>
  new Set(stops.filter((s) => s.cleared !== null).flatMap((s) => s.findings.map((f) => f.evidenceId)));

/** The draft's completeness now; a packet with an open stop is STOPPED whatever its checks say. */
export function checkDraft(station: Station, packetId: string): Completeness & { stopped: StopNotice[] } {
  const r = row(station, packetId);
  const stopped = stopNotices(station, packetId);
  const c = completenessNow(station, r.draft, clearedEvidence(stopped));
  return { ...c, gate: stopped.some((x) => x.cleared === null) ? 'STOPPED' : c.gate, stopped };
}

/**
 * Clears one stop after human review found no incident — only under a custodian quorum bound to exactly
 * this clearance (`packet-stop-clear:<packet>:<stop seq>`), used once. The stop, its evidence and the
 * clearance all stay on record; new evidence with an indicator stops the packet again.
 */
export function clearStop(
  station: Station,
  input: {
    packetId: string;
    stopSeq: number;
    quorumSessionId: string;
    reason: string;
    actor: string;
  },
): StopNotice {
  assertActor(input.actor);
  station.assertWritable();
  const stop = stopNotices(station, input.packetId).find((s) => s.seq === input.stopSeq);
  if (!stop || stop.cleared)
    throw stationError('INVALID_INPUT', `packet ${input.packetId} has no open stop at seq ${input.stopSeq}`, {
      field: 'stopSeq',
    });
  const operation = stopClearOperation(input.packetId, input.stopSeq);
  requireQuorum(station, input.quorumSessionId, operation);
  // Again inside the write transaction: another process may have used this quorum meanwhile.
  station.record(
    [
      {
        kind: 'packet.stop-cleared',
        actor: input.actor,
        body: {
          packetId: input.packetId,
          stopSeq: input.stopSeq,
          quorumSessionId: input.quorumSessionId,
          reason: input.reason.trim(),
          // The reviewer is the signed-in person who clears it (never a typed name).
          clearedBy: input.actor,
        },
      },
      quorumUsed(input.quorumSessionId, operation, input.actor),
    ],
    () => void requireQuorum(station, input.quorumSessionId, operation),
  );
  const cleared = stopNotices(station, input.packetId).find((s) => s.seq === input.stopSeq);
  if (!cleared) throw stationError('INTERNAL', 'the clearance was not recorded', {});
  return cleared;
}

/** The quorum operation a stop clearance is bound to. */
export function stopClearOperation(packetId: string, stopSeq: number): QuorumOperation {
  return { kind: 'packet-stop-clear', packetId, stopSeq };
}

// ---------------------------------------------------------------------------------------------------
// Creating and editing

/**
 * The roles a new packet asks to approve it: the kind's (resources/policy/packets.json), except an
 * activation gate, whose approver is the role the activation-gate policy in force names — so the role
 * the bundle asks for and the role that opens the gate are one.
 */
function requiredRolesOf(station: Station, kind: PacketKind, roles: readonly string[]): string[] {
  if (kind !== 'activation-gate') return [...roles];
  const now = journalTime(station.deps.clock());
  return [activationGatePolicySchema.parse(policyAt(station, 'activation-gate', now).content).approvalRole];
}

export function createPacket(
  station: Station,
  input: {
    packetId: string;
    kind: string;
    title?: string;
    covers: string;
    boundary?: string;
    subject?: Record<string, string>;
    actor: string;
  },
): PacketContent {
  assertActor(input.actor);
  station.assertWritable();
  const kind: PacketKind = parseOrThrow(packetContentSchema.shape.kind, input.kind, 'kind');
  const policy = kindPolicy(kind);
  const content = parseOrThrow(
    packetContentSchema,
    {
      packetId: input.packetId,
      kind,
      title: input.title ?? policy.title,
      scope: { covers: input.covers, boundary: input.boundary ?? policy.boundary },
      claims: [],
      evidence: [],
      annotations: [],
      routing: { requiredRoles: requiredRolesOf(station, kind, policy.requiredRoles), reviewers: [] },
      subject: input.subject ?? {},
    },
    'packet',
  );
  // A derived packet names the record it is about: its register and outcome come from evaluating it.
  if (DERIVED_KINDS.has(kind)) packetSubject(content);
  if (packetExists(station.store.db, content.packetId))
    throw stationError('PACKET_EXISTS', `packet ${content.packetId} already exists`, { field: 'packetId' });
  const template = TEMPLATES[kind]?.claims ?? [];
  station.record([
    {
      kind: 'packet.created',
      actor: input.actor,
      body: {
        packetId: content.packetId,
        kind: content.kind,
        title: content.title,
        scope: content.scope,
        requiredRoles: content.routing.requiredRoles,
        subject: content.subject,
      },
    },
    // The kind's required claims: on a derived packet each is bound to the checks that support it (its
    // status is computed from their findings); elsewhere it opens as pending.
    ...template.map((c) => ({
      kind: 'packet.edited' as const,
      actor: input.actor,
      body: {
        packetId: content.packetId,
        change: {
          op: 'set-claim' as const,
          claim: DERIVED_KINDS.has(kind)
            ? { claimId: c.claimId, text: c.text, evidence: [], checks: [...(c.checks ?? [])] }
            : { claimId: c.claimId, text: c.text, evidence: [], status: 'pending' as const },
        },
      },
    })),
  ]);
  return packetDraft(station, content.packetId);
}

export interface EditResult {
  readonly content: PacketContent;
  readonly seq: number;
  /** Set when the edit brought evidence that stops the packet. */
  readonly stopped: StopNotice | null;
}

const STOP_NOTICE =
  'Packet assembly stopped: evidence indicates key compromise, unauthorised signing or a supply-chain incident. Escalate to incident response and release security governance now; do not continue this packet as routine work.';

/**
 * Applies one op: validated and applied in memory first (a refused op writes nothing), then journaled.
 * Evidence carrying stop indicators is recorded (it is the evidence of the incident) together with a
 * `packet.stopped` escalation notice in the same transaction; after that the packet accepts no edits.
 */
export function editPacket(station: Station, packetId: string, op: unknown, actor: string): EditResult {
  assertActor(actor);
  station.assertWritable();
  const r = row(station, packetId);
  if (r.stoppedSeq !== null)
    throw stationError('PACKET_STOPPED', `packet ${packetId} was stopped at seq ${r.stoppedSeq}`, {
      field: 'packetId',
    });
  const change: PacketOp = parseOrThrow(packetOpSchema, op, 'change');
  const content = applyOp(r.draft, change);
  const findings =
    change.op === 'add-evidence' && !INCIDENT_KINDS.has(r.kind)
      ? change.evidence.indicators.map((i) => ({ evidenceId: change.evidence.evidenceId, ...i }))
      : [];
  const appended = station.record([
    { kind: 'packet.edited', actor, body: { packetId, change } },
    ...(findings.length > 0
      ? [{ kind: 'packet.stopped' as const, actor, body: { packetId, findings, notice: STOP_NOTICE } }]
      : []),
  ]);
  return {
    content,
    seq: appended.lastSeq,
    stopped: findings.length > 0 ? (openStops(station, packetId).at(-1) ?? null) : null,
  };
}

interface EvidenceMeta {
  readonly evidenceId: string;
  readonly title: string;
  readonly system: string;
  readonly recordId?: string;
  readonly effectiveAt: string | null;
  readonly freshnessDays: number | null;
  readonly sensitive?: boolean;
}

function evidenceItem(
  station: Station,
  meta: EvidenceMeta,
  rest: Pick<Evidence, 'origin' | 'sha256' | 'mediaType' | 'sizeBytes' | 'attestedBy' | 'excerpt'> & {
    recordId: string;
    importedBy: string;
    findings: readonly StopFinding[];
    certificates?: Evidence['certificates'];
  },
): Evidence {
  return parseOrThrow(
    evidenceSchema,
    {
      evidenceId: meta.evidenceId,
      title: meta.title,
      origin: rest.origin,
      source: { system: meta.system, recordId: meta.recordId ?? rest.recordId },
      sha256: rest.sha256,
      mediaType: rest.mediaType,
      sizeBytes: rest.sizeBytes,
      effectiveAt: meta.effectiveAt,
      receivedAt: now(station),
      importedBy: rest.importedBy,
      attestedBy: rest.attestedBy,
      freshnessDays: meta.freshnessDays,
      sensitive: meta.sensitive ?? false,
      excerpt: rest.excerpt.slice(0, 2000),
      certificates: rest.certificates ?? [],
      // Sensitive evidence keeps which indicators its text holds, never the text around them.
      indicators: rest.findings.map((f) => ({
        indicator: f.indicator,
        detail: meta.sensitive ? '(sensitive: detail withheld)' : f.detail.slice(0, 500),
      })),
    },
    'evidence',
  );
}

/**
 * A file from removable media: copied into private staging (no links, bounded), its digest taken from the
 * copy, its type read from its content and parsed where known (JSON, CSV, PDF, text), scanned by the stop
 * rules, kept content-addressed, and added to the evidence index.
 */
export async function importEvidenceFile(
  station: Station,
  input: EvidenceMeta & { packetId: string; path: string; actor: string },
): Promise<EditResult & { evidence: Evidence; summary: string }> {
  assertActor(input.actor);
  parseOrThrow(itemIdSchema, input.evidenceId, 'evidenceId');
  station.assertWritable();
  assertNotStopped(station, input.packetId);
  const staged = await stageCopy(station, input.path, MAX_EVIDENCE_BYTES);
  try {
    let reading;
    try {
      reading = await readEvidence(staged.path, basename(input.path), staged.size);
    } catch (e) {
      if (e instanceof EvidenceUnreadable)
        throw stationError('EVIDENCE_UNREADABLE', `${basename(input.path)}: ${e.message}`, { field: 'path' });
      throw e;
    }
    const evidence = evidenceItem(station, input, {
      origin: 'media-file',
      sha256: staged.sha256,
      mediaType: reading.mediaType,
      sizeBytes: staged.size,
      attestedBy: null,
      excerpt: input.sensitive
        ? `(sensitive: content withheld; ${reading.mediaType})`
        : `${reading.summary}\n${reading.excerpt}`,
      recordId: basename(input.path),
      importedBy: input.actor,
      findings: detectStopIndicators(reading.text, STOP_RULES),
      certificates: [...reading.certificates],
    });
    declaredRecord(reading, basename(input.path));
    // Everything is checked again after the awaits, synchronously, before the file enters the object
    // store; then it is kept and recorded with nothing in between.
    station.assertWritable();
    assertNotStopped(station, input.packetId);
    applyOp(packetDraft(station, input.packetId), { op: 'add-evidence', evidence });
    keepObject(station, staged.sha256, staged.path);
    const result = editPacket(station, input.packetId, { op: 'add-evidence', evidence }, input.actor);
    return { ...result, evidence, summary: reading.summary };
  } finally {
    rmSync(staged.dir, { recursive: true, force: true });
  }
}

/** A typed-in attestation by a named person, marked as such; its text is the evidence. */
export function addAttestation(
  station: Station,
  input: EvidenceMeta & { packetId: string; text: string; attestedBy: string; actor: string },
): EditResult & { evidence: Evidence } {
  assertActor(input.actor);
  station.assertWritable();
  assertNotStopped(station, input.packetId);
  const bytes = Buffer.from(input.text, 'utf8');
  if (input.text.trim() === '')
    throw stationError('INVALID_INPUT', 'the attestation text is empty', { field: 'text' });
  const sha = sha256hex(bytes);
  const evidence = evidenceItem(station, input, {
    origin: 'attestation',
    sha256: sha,
    mediaType: 'text/plain; attestation',
    sizeBytes: bytes.length,
    attestedBy: input.attestedBy,
    excerpt: input.sensitive ? '(sensitive attestation: text withheld from exports)' : input.text,
    // Whose words they are is what the operator says; who typed them in is the signed-in person.
    recordId: `typed in by ${input.actor} for ${input.attestedBy}`,
    importedBy: input.actor,
    findings: detectStopIndicators(input.text, STOP_RULES),
  });
  applyOp(packetDraft(station, input.packetId), { op: 'add-evidence', evidence });
  const dir = join(station.dataDir, 'staging');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = join(dir, `attestation-${sha}`);
  try {
    writeFileSync(tmp, bytes, { mode: 0o600 });
    keepObject(station, sha, tmp);
  } finally {
    rmSync(tmp, { force: true });
  }
  return { ...editPacket(station, input.packetId, { op: 'add-evidence', evidence }, input.actor), evidence };
}

/**
 * A first-hand station record: one journal entry (by seq), cited by its chained hash, so anyone with the
 * journal can check that the cited fact is the recorded one.
 */
export function addJournalEvidence(
  station: Station,
  input: EvidenceMeta & { packetId: string; seq: number; actor: string },
): EditResult & { evidence: Evidence } {
  const evidence = journalEvidence(station, input);
  return { ...editPacket(station, input.packetId, { op: 'add-evidence', evidence }, input.actor), evidence };
}

/** The evidence item for one journal entry, without recording it (callers batch it into one append). */
export function journalEvidence(
  station: Station,
  input: EvidenceMeta & { seq: number; actor: string },
): Evidence {
  const entry = station.journal.get(input.seq);
  if (!entry) throw stationError('INVALID_INPUT', `the journal has no entry ${input.seq}`, { field: 'seq' });
  const body = Buffer.from(entry.body).toString('utf8');
  return evidenceItem(
    station,
    { ...input, effectiveAt: input.effectiveAt ?? entry.at },
    {
      origin: 'station-record',
      sha256: Buffer.from(entry.hash).toString('hex'),
      mediaType: 'application/vnd.ceremony-station.journal-entry+json',
      sizeBytes: entry.body.length,
      attestedBy: null,
      excerpt: input.sensitive ? `${entry.kind} (sensitive: body withheld)` : `${entry.kind} ${body}`,
      recordId: `journal seq ${entry.seq} (${entry.kind})`,
      importedBy: input.actor,
      findings: [],
    },
  );
}

/** Refuses a packet that evidence has stopped (every path that changes a packet checks this first). */
export function assertNotStopped(station: Station, packetId: string): void {
  const r = row(station, packetId);
  if (r.stoppedSeq !== null)
    throw stationError('PACKET_STOPPED', `packet ${packetId} was stopped at seq ${r.stoppedSeq}`, {
      field: 'packetId',
    });
}

// ---------------------------------------------------------------------------------------------------
// Versions, diff, handoff

export interface PacketVersion {
  readonly version: number;
  readonly digest: string;
  readonly parentDigest: string | null;
  readonly gate: string;
  readonly failedChecks: readonly string[];
  readonly at: string;
  readonly seq: number;
  readonly content: PacketContent;
}

export function packetVersions(station: Station, packetId: string): PacketVersion[] {
  row(station, packetId);
  return packetVersionRows(station.store.db, packetId);
}

export function packetVersion(station: Station, packetId: string, version?: number): PacketVersion {
  const all = packetVersions(station, packetId);
  const v = version === undefined ? all.at(-1) : all.find((x) => x.version === version);
  if (!v)
    throw stationError(
      'PACKET_VERSION_NOT_FOUND',
      version === undefined
        ? `packet ${packetId} has no recorded version yet`
        : `packet ${packetId} has no version ${version}`,
      { field: 'version' },
    );
  return v;
}

/**
 * What recording a version would derive now, for its preview (services/acts): the version number, the
 * draft's digest and the gate with its failing checks. Read-only.
 */
export function versionPreviewFacts(
  station: Station,
  packetId: string,
): { version: number; digest: string; gate: string; failedChecks: string[] } {
  const r = row(station, packetId);
  const last = packetVersions(station, packetId).at(-1) ?? null;
  const c = completenessNow(station, r.draft, clearedStops(station, packetId));
  return {
    version: (last?.version ?? 0) + 1,
    digest: sha256hex(canonicalBytes(r.draft)),
    gate: c.gate,
    failedChecks: c.checks.filter((x) => !x.pass).map((x) => x.id),
  };
}

/**
 * What a handoff would bind now, for its preview (services/acts): the version, its digest, the reviewers
 * and the boundary it hands them. Read-only; the completeness is re-computed when the act runs.
 */
export function handoffPreviewFacts(
  station: Station,
  packetId: string,
  version?: number,
): { version: number; digest: string; reviewers: { role: string; name: string }[]; boundary: string } {
  const v = packetVersion(station, packetId, version);
  return {
    version: v.version,
    digest: v.digest,
    reviewers: v.content.routing.reviewers.map((r) => ({ role: r.role, name: r.name })),
    boundary: v.content.scope.boundary,
  };
}

/** Freezes the draft as the next version (append-only), with its digest and the gate at this moment. */
export function recordVersion(station: Station, packetId: string, actor: string): PacketVersion {
  assertActor(actor);
  const r = row(station, packetId);
  if (r.stoppedSeq !== null)
    throw stationError('PACKET_STOPPED', `packet ${packetId} was stopped at seq ${r.stoppedSeq}`, {
      field: 'packetId',
    });
  const content = r.draft;
  const digest = sha256hex(canonicalBytes(content));
  const last = packetVersions(station, packetId).at(-1) ?? null;
  if (last?.digest === digest)
    throw stationError('INVALID_INPUT', `nothing changed since version ${last.version}`, {
      field: 'packetId',
    });
  const c = completenessNow(station, content, clearedStops(station, packetId));
  const version = (last?.version ?? 0) + 1;
  station.record([
    {
      kind: 'packet.version-recorded',
      actor,
      body: {
        packetId,
        version,
        digest,
        parentDigest: last?.digest ?? null,
        content,
        gate: c.gate,
        failedChecks: c.checks.filter((x) => !x.pass).map((x) => x.id),
      },
    },
  ]);
  return packetVersion(station, packetId, version);
}

export function diffVersions(
  station: Station,
  input: { packetId: string; from: number; to: number },
): PacketChange[] {
  return diffPackets(
    packetVersion(station, input.packetId, input.from).content,
    packetVersion(station, input.packetId, input.to).content,
  );
}

/**
 * Evaluates a derived packet's subject (workflow `deferral`, the deferral-request record id) as of
 * `asOf` (default now): an `evaluation.recorded` entry under the actor. The packet's register, claims and
 * outcome read the latest such evaluation.
 */
export function evaluatePacket(
  station: Station,
  input: { packetId: string; asOf?: string | undefined; actor: string },
): DerivedPacket {
  const r = row(station, input.packetId);
  if (!DERIVED_KINDS.has(r.kind))
    throw stationError(
      'INVALID_INPUT',
      `${input.packetId} is a ${r.kind} packet: its register is not derived`,
      {
        field: 'packetId',
      },
    );
  assertNotStopped(station, input.packetId);
  evaluateWorkflow(station, {
    workflow: workflowOfKind(r.kind),
    subject: packetSubject(r.draft),
    asOf: input.asOf,
    actor: input.actor,
  });
  const d = derivedPacket(station, r.draft);
  if (!d) throw stationError('INTERNAL', 'the evaluation was not recorded', {});
  return d;
}

export type HandoffRecord = EventBody<'packet.handoff-recorded'> & {
  readonly seq: number;
  readonly at: string;
};

const trimBlockers = (blockers: readonly string[]) =>
  blockers.length <= 200
    ? blockers.map((b) => b.slice(0, 600))
    : [...blockers.slice(0, 199).map((b) => b.slice(0, 600)), `… and ${blockers.length - 199} more`];

/**
 * Hands one recorded version to its named reviewers. Refused while stopped.
 *
 * A derived packet (rotation-deferral) is handed off on its latest evaluation: refused while there is
 * none, while it is STALE (PACKET_EVALUATION_STALE: evaluate again) and while its outcome is stop or a
 * hold (PACKET_NOT_READY naming the outcome and the deciding findings). A handoff with exceptions needs
 * the person to acknowledge each blocking finding, only of the categories the policy lets a handoff
 * carry; the record binds the evaluation's seq and digests and names every acknowledged finding.
 *
 * Other packets: scope and routing failures refuse it; while source checks fail it needs the person's
 * explicit acknowledgement, and the record lists every unresolved blocker. The completeness is
 * re-computed now, not copied from the version.
 */
export function recordHandoff(
  station: Station,
  input: {
    packetId: string;
    version?: number | undefined;
    acknowledgeBlockers?: boolean | undefined;
    acknowledge?: readonly FindingKey[] | undefined;
    actor: string;
  },
): HandoffRecord {
  // The person handing off is the one signed in (never a typed name).
  const recordedBy = input.actor;
  const refuseIfStopped = () => {
    if (openStops(station, input.packetId).length > 0)
      throw stationError('PACKET_STOPPED', `packet ${input.packetId} is stopped: escalate, do not hand off`, {
        field: 'packetId',
      });
  };
  refuseIfStopped();
  const v = packetVersion(station, input.packetId, input.version);
  if (v.content.routing.reviewers.length === 0)
    throw stationError(
      'PACKET_NOT_READY',
      `version ${v.version} names no reviewer to hand it to: name them (station packet reviewers) and record a version`,
      { field: 'reviewers' },
    );
  const derived = derivedPacket(station, v.content);
  const base = {
    packetId: input.packetId,
    version: v.version,
    digest: v.digest,
    reviewers: v.content.routing.reviewers.map((r) => ({ ...r })),
    boundary: v.content.scope.boundary,
    recordedBy,
  };
  let body: EventBody<'packet.handoff-recorded'>;
  if (derived) {
    const e = derived.evaluation;
    if (e === null)
      throw stationError(
        'PACKET_NOT_READY',
        `${derived.subject} has not been evaluated: station packet evaluate ${input.packetId}, then hand off`,
        { field: 'evaluation' },
      );
    if (e.status === 'STALE')
      throw stationError('PACKET_EVALUATION_STALE', `${e.sentence}: evaluate again before handing off`, {
        field: 'evaluation',
      });
    const c = completeness(
      v.content,
      now(station),
      clearedStops(station, input.packetId),
      derivedState(derived),
    );
    if (c.gate !== 'READY')
      throw stationError(
        'PACKET_NOT_READY',
        `version ${v.version} cannot be handed off: outcome ${e.outcome} (evaluation ${e.seq}) — ${e.reason}${c.checks.some((x) => !x.pass && x.id !== 'PKT-OUTCOME') ? ` ${c.blockers.filter((b) => !b.startsWith('PKT-OUTCOME')).join('; ')}` : ''}`,
        { field: 'version' },
      );
    const acknowledged = acknowledgedFindings(
      derived.findings,
      derived.handoffExceptionCategories,
      input.acknowledge ?? [],
    );
    body = {
      ...base,
      gate: 'READY',
      blockers: trimBlockers(acknowledged.map((f) => `${findingName(f)} (${f.category}): ${f.sentence}`)),
      blockersAcknowledged: acknowledged.length > 0,
      evaluation: {
        seq: e.seq,
        workflow: derived.workflow,
        subject: derived.subject,
        asOf: e.asOf,
        outcome: e.outcome,
        policyVersion: e.policy.version,
        policyDigest: e.policyDigest,
        recordsDigest: e.recordsDigest,
        findingsDigest: e.findingsDigest,
      },
      acknowledged: acknowledged.map((f) => ({
        checkId: f.checkId,
        subject: f.subject,
        category: f.category,
        sentence: f.sentence,
      })),
    };
  } else {
    const c = completeness(v.content, now(station), clearedStops(station, input.packetId));
    // Scope and routing are never waivable at handoff: the record must name who reviews what.
    const unroutable = c.checks.filter((x) => x.group !== 'source' && !x.pass);
    if (unroutable.length > 0)
      throw stationError(
        'PACKET_NOT_READY',
        `version ${v.version} cannot be handed off: ${unroutable.flatMap((x) => x.findings.map((f) => `${x.id}: ${f}`)).join('; ')}`,
        { field: 'version' },
      );
    const gate = c.gate === 'READY' ? 'READY' : 'HOLD-SOURCE';
    if (gate === 'HOLD-SOURCE' && input.acknowledgeBlockers !== true)
      throw stationError(
        'PACKET_NOT_READY',
        `version ${v.version} holds for source completion (${c.failed} checks fail); hand off only with the blockers acknowledged`,
        { field: 'acknowledgeBlockers' },
      );
    body = {
      ...base,
      gate,
      blockers: trimBlockers(c.blockers),
      blockersAcknowledged: gate === 'HOLD-SOURCE',
    };
  }
  // Again under the write lock: a stop, a newer version or a newer evaluation recorded meanwhile (by
  // another process on this database) must not be handed over by a decision made on older facts.
  const appended = station.record([{ kind: 'packet.handoff-recorded', actor: input.actor, body }], () => {
    refuseIfStopped();
    if (packetVersion(station, input.packetId, input.version).digest !== v.digest)
      throw stationError(
        'JOURNAL_CONFLICT',
        `a newer version of ${input.packetId} was recorded meanwhile: review it and hand off again`,
        { field: 'version' },
      );
    if (body.evaluation) {
      const latest = derivedPacket(station, v.content)?.evaluation;
      if (latest?.seq !== body.evaluation.seq || latest.status !== 'FRESH')
        throw stationError(
          'PACKET_EVALUATION_STALE',
          `the evaluation of ${body.evaluation.subject} changed meanwhile: review it and hand off again`,
          { field: 'evaluation' },
        );
    }
  });
  return { ...body, seq: appended.lastSeq, at: now(station) };
}

export function handoffs(station: Station, packetId: string): HandoffRecord[] {
  return packetHandoffRows(station.store.db, packetId);
}

/** What a packet bundle carries besides the journal pair: the packet, its completeness and handoff, evidence. */
export interface PacketBundlePlan {
  readonly packetId: string;
  readonly version: number;
  readonly title: string;
  readonly requiredRoles: readonly string[];
  readonly sources: readonly BundleSource[];
}

/**
 * The parts of a packet version's bundle for the board: packet.json (the version's content exactly as
 * digested; sensitive evidence has no text in it), completeness.json (checks at export time), handoff.json (the latest handoff of this version:
 * required), and each non-sensitive evidence file or attestation from the object store. Journal entries
 * cited as evidence travel in the journal segment itself.
 */
export function packetBundlePlan(station: Station, packetId: string, version?: number): PacketBundlePlan {
  const v = packetVersion(station, packetId, version);
  if (openStops(station, packetId).length > 0)
    throw stationError('PACKET_STOPPED', `packet ${packetId} is stopped: escalate, do not export it`, {
      field: 'packetId',
    });
  const handoff = handoffs(station, packetId)
    .filter((h) => h.version === v.version)
    .at(-1);
  if (!handoff)
    throw stationError(
      'PACKET_NOT_READY',
      `version ${v.version} has no handoff record: record the handoff to named reviewers before exporting`,
      { field: 'version' },
    );
  const json = (name: string, value: unknown): BundleSource => {
    const bytes = Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8');
    return { name, source: { bytes }, size: bytes.length };
  };
  const files: BundleSource[] = [
    json('packet/packet.json', {
      version: v.version,
      digest: v.digest,
      parentDigest: v.parentDigest,
      // Exactly the content the version digest is over (RFC 8785): sensitive evidence was recorded
      // without its text (excerpt and indicator detail withheld at record time), so nothing is rewritten
      // here and a reviewer recomputes the digest from this file (docs/verify.md).
      content: v.content,
    }),
    json('packet/completeness.json', {
      at: now(station),
      ...completenessNow(station, v.content, clearedStops(station, packetId)),
      // A derived packet: the evaluation, outcome and register the handoff was decided on.
      derived: derivedPacket(station, v.content),
    }),
    json('packet/handoff.json', handoff),
  ];
  for (const e of v.content.evidence) {
    if (e.sensitive || e.origin === 'station-record') continue;
    const path = objectPath(station, e.sha256);
    let size: number;
    try {
      size = statSync(path).size;
    } catch {
      throw stationError('PACKET_NOT_READY', `evidence ${e.evidenceId} is missing from the object store`, {
        field: 'evidence',
      });
    }
    const ext = EXTENSIONS[e.mediaType.split(';')[0] ?? ''] ?? '.bin';
    files.push({ name: `evidence/${e.evidenceId}${ext}`, source: { path }, size });
  }
  return {
    packetId,
    version: v.version,
    title: v.content.title,
    requiredRoles: v.content.routing.requiredRoles,
    sources: files,
  };
}

const EXTENSIONS: Record<string, string> = {
  'application/json': '.json',
  'text/csv': '.csv',
  'application/pdf': '.pdf',
  'text/plain': '.txt',
  'application/pkix-cert': '.pem',
};

/**
 * A JSON file that declares one of the attestation record schemas must follow it: refused at import
 * (EVIDENCE_UNREADABLE naming the field) rather than discovered at evaluation.
 */
function declaredRecord(reading: { mediaType: string; text: string }, name: string): void {
  if (reading.mediaType !== 'application/json') return;
  let json: unknown;
  try {
    json = JSON.parse(reading.text);
  } catch {
    return;
  }
  const declared = (json as { schema?: unknown } | null)?.schema;
  if (typeof declared !== 'string' || !(declared in RECORD_SCHEMAS)) return;
  const r = RECORD_SCHEMAS[declared as keyof typeof RECORD_SCHEMAS].safeParse(json);
  if (!r.success) {
    const { field, message } = firstIssue(r.error);
    throw stationError('EVIDENCE_UNREADABLE', `${name} declares ${declared} but ${field} ${message}`, {
      field: 'path',
    });
  }
}
