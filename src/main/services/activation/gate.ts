import { canonicalBytes } from '../../../core/canonical';
import { CodedError } from '../../../core/errors';
import { type ActivationLedgerView, activationLedgerSchema } from '../../../core/activation/model';
import { assertActor, journalTime, type EventBody } from '../../../core/journal/events';
import { activationGatePolicySchema } from '../../../core/findings/policy/activation-gate';
import { WORKFLOWS } from '../../../core/findings/workflows';
import { holdKindOf } from '../../../core/findings/workflows/activation';
import type { Finding } from '../../../core/findings/model';
import { journalEvents } from '../../adapters/store/repos/events';
import { stationError } from '../../errors';
import type { Station } from '../../station/station';
import { GATE_STATE_WORDS } from '../../../shared/contract/activation';
import { issuedPackets, trustEntries } from '../bundles';
import { computeEvaluation, evaluateWorkflow, evaluationStatus } from '../findings';
import {
  editPacket,
  listPackets,
  packetDraft,
  packetVersions,
  recordVersion,
  type PacketVersion,
} from '../packets';
import { policyAt, policyBefore, readBackKeyName, sha256hex, storedRecordsBefore } from '../records/queries';

/**
 * The offline-signing continuity activation gate (issue #15, workflow 003). The station derives the
 * readiness ledger and the hold register from records (never typed); a packet version binds one
 * evaluation's ledger by digest; the named approval owner's approval of exactly that version opens the
 * gate. Any ledger change needs a new version, and a new version leaves every earlier approval behind
 * (listed as invalidated, with what changed). Nothing here signs, publishes or notifies.
 */
export const ACTIVATION_WORKFLOW = 'activation-gate';
export const ACTIVATION_KIND = 'activation-gate';

/** The gate's states, as the contract names them (one list). */
export const GATE_STATES = GATE_STATE_WORDS;
export type GateState = (typeof GATE_STATES)[number];

export interface GateHold {
  readonly checkId: string;
  readonly kind: string;
  readonly category: Finding['category'];
  readonly subject: string;
  readonly waivable: boolean;
  readonly blocking: boolean;
  readonly sentence: string;
  readonly records: Finding['records'];
}

export interface GateApproval {
  readonly version: number;
  readonly reviewer: string;
  readonly role: string;
  readonly decision: string;
  readonly expiresAt: string;
  readonly expired: boolean;
  readonly seq: number;
  /** valid: bound to the current version and counts; otherwise why it does not. */
  readonly standing: 'valid' | 'invalidated' | 'expired' | 'key-revoked' | 'not-the-owner' | 'wrong-role';
  readonly why: string;
}

export interface GateVersion {
  readonly version: number;
  readonly digest: string;
  readonly ledgerDigest: string | null;
  readonly evaluationSeq: number | null;
  readonly at: string;
  readonly seq: number;
  readonly current: boolean;
}

export interface GateView {
  readonly packetId: string;
  readonly declarationId: string;
  readonly state: GateState;
  readonly sentence: string;
  readonly evaluation: {
    readonly seq: number;
    readonly asOf: string;
    readonly status: 'FRESH' | 'STALE';
    readonly sentence: string;
    readonly outcome: string;
    readonly reason: string;
    readonly policyDigest: string;
    readonly ledgerDigest: string;
  } | null;
  readonly ledger: ActivationLedgerView | null;
  readonly holds: readonly GateHold[];
  readonly quarantine: readonly GateHold[];
  readonly versions: readonly GateVersion[];
  readonly approvals: readonly GateApproval[];
  readonly approvalRole: string;
  readonly approvalOwner: string | null;
}

const fold = (s: string) => s.trim().toLowerCase();

/**
 * The ledger digest a version binds: the policy and every ledger line with its facts and state, and
 * every finding by check, subject, category and waivability. Not the evaluation's seq or the records
 * digest, so evaluating again on unchanged facts (or importing a record that changes none) needs no new
 * version; any change of a line, a fact or a hold does.
 */
export function ledgerDigest(e: {
  policyDigest: string;
  ledger: ActivationLedgerView;
  findings: readonly Pick<Finding, 'checkId' | 'subject' | 'category' | 'waivable' | 'blocking'>[];
}): string {
  return sha256hex(
    canonicalBytes({
      policyDigest: e.policyDigest,
      ledger: e.ledger,
      holds: e.findings.map((f) => ({
        checkId: f.checkId,
        subject: f.subject,
        category: f.category,
        waivable: f.waivable,
        blocking: f.blocking,
      })),
    }),
  );
}

/** The activation-gate packet of a declaration (the latest created), or PACKET_NOT_FOUND. */
export function gatePacketOf(station: Station, declarationId: string): string {
  const found = listPackets(station)
    .filter((p) => p.kind === ACTIVATION_KIND)
    .filter((p) => packetDraft(station, p.packetId).subject.declarationId === declarationId)
    .sort((a, b) => a.updatedSeq - b.updatedSeq)
    .at(-1);
  if (!found)
    throw stationError(
      'PACKET_NOT_FOUND',
      `no activation-gate packet names declaration ${declarationId}: create one (kind activation-gate, subject declarationId=${declarationId})`,
      { field: 'declarationId' },
    );
  return found.packetId;
}

function declarationOf(station: Station, packetId: string): string {
  const d = packetDraft(station, packetId);
  if (d.kind !== ACTIVATION_KIND)
    throw stationError('INVALID_INPUT', `${packetId} is a ${d.kind} packet, not an activation-gate packet`, {
      field: 'packetId',
    });
  const id = d.subject.declarationId?.trim() ?? '';
  if (id === '')
    throw stationError('INVALID_INPUT', `${packetId} names no declaration: set subject declarationId`, {
      field: 'subject.declarationId',
    });
  return id;
}

type Recorded = { seq: number; at: string; body: EventBody<'evaluation.recorded'> };

function evaluations(station: Station, declarationId: string): Recorded[] {
  return journalEvents(station.store.db, ['evaluation.recorded'])
    .filter((e) => e.body.workflow === ACTIVATION_WORKFLOW && e.body.subject === declarationId)
    .map((e) => ({ seq: e.seq, at: e.at, body: e.body }));
}

/**
 * A recorded evaluation recomputed from the records and policy the station held at its seq (so a
 * version's ledger is what it bound, whatever was imported later); null if it does not reproduce.
 */
export function ledgerAt(
  station: Station,
  e: Recorded,
): { ledger: ActivationLedgerView; findings: readonly Finding[] } | null {
  const w = WORKFLOWS[ACTIVATION_WORKFLOW];
  if (!w) return null;
  const policy = policyBefore(station, w.policy, e.body.asOf, e.seq);
  const ev = w.evaluate({
    records: storedRecordsBefore(station, w.families, e.seq),
    policy: policy.content,
    policyDigest: policy.digest,
    asOf: e.body.asOf,
    subject: e.body.subject,
    sha256: sha256hex,
  });
  if (ev.findingsDigest !== e.body.findingsDigest || ev.inputs.recordsDigest !== e.body.recordsDigest)
    return null;
  return { ledger: activationLedgerSchema.parse(ev.derived), findings: ev.findings };
}

/** The ledger digest of the facts as they stand at `asOf` (computed, not recorded). */
function ledgerDigestAt(station: Station, declarationId: string, asOf: string): string | null {
  const view = computeEvaluation(station, { workflow: ACTIVATION_WORKFLOW, subject: declarationId, asOf });
  if (!view.ledger) return null;
  return ledgerDigest({
    policyDigest: view.policy.digest,
    ledger: activationLedgerSchema.parse(view.ledger),
    findings: view.findings,
  });
}

const gateVersions = (versions: readonly PacketVersion[]): GateVersion[] =>
  versions.map((v, i) => ({
    version: v.version,
    digest: v.digest,
    ledgerDigest: v.content.subject.ledgerDigest ?? null,
    evaluationSeq: v.content.subject.evaluationSeq ? Number(v.content.subject.evaluationSeq) : null,
    at: v.at,
    seq: v.seq,
    current: i === versions.length - 1,
  }));

/** The gate as the station finds it now: state, ledger, holds, versions and approvals. */
export function gateView(station: Station, packetId: string): GateView {
  const declarationId = declarationOf(station, packetId);
  const now = journalTime(station.deps.clock());
  const latest = evaluations(station, declarationId).at(-1) ?? null;
  const versions = gateVersions(packetVersions(station, packetId));
  const current = versions.at(-1) ?? null;
  const policyNow = activationGatePolicySchema.parse(policyAt(station, 'activation-gate', now).content);
  let evaluation: GateView['evaluation'] = null;
  let ledger: ActivationLedgerView | null = null;
  let findings: readonly Finding[] = [];
  let approvalRole = policyNow.approvalRole;
  if (latest) {
    const status = evaluationStatus(station, { seq: latest.seq });
    const view = computeEvaluation(station, {
      workflow: ACTIVATION_WORKFLOW,
      subject: declarationId,
      asOf: latest.body.asOf,
    });
    ledger = view.ledger ? activationLedgerSchema.parse(view.ledger) : null;
    findings = view.findings.map((f) => ({ ...f, records: f.records.map((r) => ({ ...r })) }));
    approvalRole = activationGatePolicySchema.parse(
      policyAt(station, 'activation-gate', latest.body.asOf).content,
    ).approvalRole;
    evaluation = {
      seq: latest.seq,
      asOf: latest.body.asOf,
      status: status.status,
      sentence: status.sentence,
      outcome: view.outcome,
      reason: view.reason,
      policyDigest: latest.body.policyDigest,
      ledgerDigest: ledger ? ledgerDigest({ policyDigest: latest.body.policyDigest, ledger, findings }) : '',
    };
  }
  // The gate stands on the facts as of now, not as of whatever instant was evaluated: an evaluation as
  // of a past instant, or one that time has overtaken (a confirmation aged out, the window closed),
  // gives a different ledger now and is STALE until evaluated again.
  let overtaken = false;
  if (evaluation && evaluation.status === 'FRESH' && ledger)
    overtaken = ledgerDigestAt(station, declarationId, now) !== evaluation.ledgerDigest;
  const toHold = (f: Finding): GateHold => ({
    checkId: f.checkId,
    kind: holdKindOf(f.checkId),
    category: f.category,
    subject: f.subject,
    waivable: f.waivable,
    blocking: f.blocking,
    sentence: f.sentence,
    records: f.records,
  });
  const holds = findings.filter((f) => f.blocking).map(toHold);
  const quarantine = findings.filter((f) => f.checkId === 'ACT-QUARANTINE').map(toHold);
  const owner = ledger?.approvalOwner ?? null;
  const approvals = approvalsOf(station, packetId, current, approvalRole, owner, now);
  const asks = packetDraft(station, packetId).routing.requiredRoles;
  const { state, sentence } = stateOf({
    evaluation,
    overtaken,
    current,
    approvals,
    approvalRole,
    asks,
    owner,
    holds,
  });
  return {
    packetId,
    declarationId,
    state,
    sentence,
    evaluation,
    ledger,
    holds,
    quarantine,
    versions,
    approvals,
    approvalRole,
    approvalOwner: owner,
  };
}

function approvalsOf(
  station: Station,
  packetId: string,
  current: GateVersion | null,
  role: string,
  owner: string | null,
  now: string,
): GateApproval[] {
  // Who signed is the trust entry the signature verified against (its registered name), never the name
  // the approval statement carries.
  const trust = new Map(trustEntries(station).map((t) => [t.trustId, t]));
  const out: GateApproval[] = [];
  for (const issued of issuedPackets(station).filter((v) => v.packetId === packetId)) {
    for (const a of issued.status.approvals) {
      const entry = trust.get(a.trustId);
      const signer = entry?.name ?? a.reviewer;
      const base = {
        version: issued.version,
        reviewer: signer,
        role: a.role,
        decision: a.decision,
        expiresAt: a.expiresAt,
        expired: a.expiresAt <= now,
        seq: a.seq,
      };
      let standing: GateApproval['standing'] = 'valid';
      let why = `bound to version ${issued.version}, the current one`;
      // A packet version's content and digest never change once recorded: the export of version N
      // carried exactly that version, so an approval of (packet, N) binds it.
      if (!current || issued.version !== current.version) {
        standing = 'invalidated';
        why = `bound to version ${issued.version}; version ${current?.version ?? '?'} is current (the ledger changed), so it no longer counts`;
      } else if (a.expiresAt <= now) {
        standing = 'expired';
        why = `expired at ${a.expiresAt}`;
      } else if (!entry || entry.status !== 'VALID') {
        // The key that signed it was revoked (or its registration lapsed) since: it speaks for nobody now.
        standing = 'key-revoked';
        why = entry
          ? `the key registered to ${entry.name} is ${entry.status}${entry.revokedAt ? ` since ${entry.revokedAt}` : ''}`
          : 'the key that signed it is no longer in the trust store';
      } else if (a.role !== role) {
        standing = 'wrong-role';
        why = `given as ${a.role}; the gate needs ${role}`;
      } else if (owner === null || fold(signer) !== fold(owner)) {
        standing = 'not-the-owner';
        why = `signed with the key registered to ${signer}${a.reviewer !== signer ? ` (the statement names ${a.reviewer})` : ''}, not the named approval owner ${owner ?? '(none named)'}`;
      }
      out.push({ ...base, standing, why });
    }
  }
  return out.sort((x, y) => x.seq - y.seq);
}

function stateOf(g: {
  evaluation: GateView['evaluation'];
  overtaken: boolean;
  /** The roles the packet's bundle asks to approve it. */
  asks: readonly string[];
  current: GateVersion | null;
  approvals: readonly GateApproval[];
  approvalRole: string;
  owner: string | null;
  holds: readonly GateHold[];
}): { state: GateState; sentence: string } {
  const e = g.evaluation;
  if (!e) return { state: 'NOT-EVALUATED', sentence: 'The declaration has not been evaluated: evaluate it.' };
  if (e.status === 'STALE') return { state: 'STALE', sentence: `${e.sentence}: evaluate again.` };
  if (g.overtaken)
    return {
      state: 'STALE',
      sentence: `evaluation ${e.seq} was judged as of ${e.asOf}; the facts as of now give a different ledger (time has passed or the instant was not now): evaluate again.`,
    };
  if (e.outcome === 'escalate-mismatch') return { state: 'ESCALATE', sentence: e.reason };
  if (e.outcome === 'hold') return { state: 'HOLD', sentence: e.reason };
  if (!g.current || g.current.ledgerDigest !== e.ledgerDigest)
    return {
      state: 'VERSION-NEEDED',
      sentence: g.current
        ? `The ledger changed since version ${g.current.version}: record a new version for the approval owner.`
        : 'No version binds this ledger yet: record version 1 for the approval owner.',
    };
  const live = g.approvals.filter((a) => a.standing === 'valid');
  const objection = live.find((a) => a.decision !== 'approve');
  if (objection)
    return {
      state: 'REFUSED',
      sentence: `${objection.reviewer} (${objection.role}) answered ${objection.decision} on version ${objection.version}.`,
    };
  const approved = live.find((a) => a.decision === 'approve');
  if (approved)
    return {
      state: 'OPEN',
      sentence: `${approved.reviewer} (${approved.role}) approved version ${approved.version}, bound to this ledger and policy${g.holds.length ? `, accepting ${g.holds.length} waivable hold${g.holds.length === 1 ? '' : 's'}` : ''}.`,
    };
  if (!g.asks.includes(g.approvalRole))
    return {
      state: 'AWAITING-APPROVAL',
      sentence: `Version ${g.current.version} cannot be approved here: this packet asks for ${g.asks.join(', ') || 'no role'}, but the policy in force names ${g.approvalRole} as the approval role (it changed after the packet was made); make a new activation-gate packet for the declaration.`,
    };
  return {
    state: 'AWAITING-APPROVAL',
    sentence: `Version ${g.current.version} awaits the approval of ${g.owner ?? 'the named owner'} (${g.approvalRole}): hand it off, export the bundle and import the signed approval.`,
  };
}

/** Evaluates the declaration now (or as of `asOf`) and returns the gate. */
export function evaluateGate(
  station: Station,
  input: { packetId: string; asOf?: string | undefined; actor: string },
): GateView {
  const declarationId = declarationOf(station, input.packetId);
  evaluateWorkflow(station, {
    workflow: ACTIVATION_WORKFLOW,
    subject: declarationId,
    asOf: input.asOf,
    actor: input.actor,
  });
  return gateView(station, input.packetId);
}

/**
 * Records the next packet version bound to the latest evaluation's ledger (subject ledgerDigest and
 * evaluationSeq). Refused while the evaluation is missing or STALE, and when nothing changed.
 */
export function recordGateVersion(station: Station, input: { packetId: string; actor: string }): GateView {
  assertActor(input.actor);
  station.assertWritable();
  const g = gateView(station, input.packetId);
  if (!g.evaluation)
    throw stationError(
      'PACKET_NOT_READY',
      `evaluate declaration ${g.declarationId} before recording a version`,
      {
        field: 'packetId',
      },
    );
  if (g.state === 'STALE' || g.evaluation.status === 'STALE')
    throw stationError('PACKET_EVALUATION_STALE', `${g.sentence}`, { field: 'packetId' });
  const bound = g.versions.at(-1);
  if (bound && bound.ledgerDigest === g.evaluation.ledgerDigest)
    throw stationError(
      'INVALID_INPUT',
      `version ${bound.version} already binds this ledger (nothing in it changed): no new version is needed`,
      { field: 'packetId' },
    );
  const draft = packetDraft(station, input.packetId);
  if (draft.subject.ledgerDigest !== g.evaluation.ledgerDigest)
    editPacket(
      station,
      input.packetId,
      { op: 'set-subject', key: 'ledgerDigest', value: g.evaluation.ledgerDigest },
      input.actor,
    );
  if (draft.subject.evaluationSeq !== String(g.evaluation.seq))
    editPacket(
      station,
      input.packetId,
      { op: 'set-subject', key: 'evaluationSeq', value: String(g.evaluation.seq) },
      input.actor,
    );
  recordVersion(station, input.packetId, input.actor);
  return gateView(station, input.packetId);
}

export interface LineageStep {
  readonly version: number;
  readonly at: string;
  readonly evaluationSeq: number | null;
  readonly reproduced: boolean;
  /** Lines added, removed or changed since the previous version: area, item, and the facts that moved. */
  readonly changes: readonly {
    readonly area: string;
    readonly item: string;
    readonly change: 'added' | 'removed' | 'changed';
    readonly facts: readonly { readonly fact: string; readonly before: string; readonly after: string }[];
  }[];
  /** Holds opened and cleared since the previous version (check and subject). */
  readonly holdsOpened: readonly string[];
  readonly holdsCleared: readonly string[];
}

const show = (v: unknown): string =>
  v === undefined ? '—' : Array.isArray(v) ? v.join(', ') || '—' : String(v);

/**
 * Append-only lineage: for each version, the ledger it bound (recomputed from its evaluation's seq) and
 * exactly what changed from the previous one — manifest references, signer commitments, enclave checks,
 * rollback custody, safeguards — and which holds opened or cleared.
 */
export function gateLineage(station: Station, packetId: string): LineageStep[] {
  const declarationId = declarationOf(station, packetId);
  const evs = new Map(evaluations(station, declarationId).map((e) => [e.seq, e]));
  let prev: ActivationLedgerView | null = null;
  let prevFindings: readonly Finding[] | null = null;
  const out: LineageStep[] = [];
  for (const v of gateVersions(packetVersions(station, packetId))) {
    const e = v.evaluationSeq === null ? undefined : evs.get(v.evaluationSeq);
    const at = e ? ledgerAt(station, e) : null;
    const ledger = at?.ledger ?? null;
    const key = (l: { area: string; item: string }) => `${l.area}\u0000${l.item}`;
    const before = new Map((prev?.lines ?? []).map((l) => [key(l), l]));
    const after = new Map((ledger?.lines ?? []).map((l) => [key(l), l]));
    const changes: LineageStep['changes'][number][] = [];
    for (const [k, l] of after) {
      const b = before.get(k);
      if (!b) {
        if (prev) changes.push({ area: l.area, item: l.item, change: 'added', facts: [] });
        continue;
      }
      const facts = [...new Set([...Object.keys(b.facts), ...Object.keys(l.facts), 'state'])]
        .map((f) => ({
          fact: f,
          before: show(f === 'state' ? b.state : b.facts[f]),
          after: show(f === 'state' ? l.state : l.facts[f]),
        }))
        .filter((x) => x.before !== x.after);
      if (facts.length > 0) changes.push({ area: l.area, item: l.item, change: 'changed', facts });
    }
    for (const [k, b] of before)
      if (!after.has(k)) changes.push({ area: b.area, item: b.item, change: 'removed', facts: [] });
    // Holds by check and subject, from the findings (some holds — a window no shift covers, no
    // rollback scope — sit on no single line).
    const held = (fs: readonly Finding[] | null) =>
      new Set((fs ?? []).filter((f) => f.blocking).map((f) => `${f.checkId} ${f.subject}`));
    const h0 = held(prevFindings);
    const h1 = held(at?.findings ?? null);
    out.push({
      version: v.version,
      at: v.at,
      evaluationSeq: v.evaluationSeq,
      reproduced: ledger !== null,
      changes,
      holdsOpened: [...h1].filter((x) => !h0.has(x)).sort(),
      holdsCleared: [...h0].filter((x) => !h1.has(x)).sort(),
    });
    prev = ledger;
    prevFindings = at?.findings ?? null;
  }
  return out;
}

export interface OpenGate {
  readonly declarationId: string;
  readonly packetId: string;
  readonly version: number;
  readonly packetDigest: string;
  readonly approvalSeq: number;
  readonly policyDigest: string;
  readonly ledgerDigest: string;
  readonly manifest: {
    readonly manifestId: string;
    readonly manifestVersion: number;
    readonly artifacts: readonly { artifact: string; sha256: string; sizeBytes: number | null }[];
  };
  /**
   * The key the gate was judged on: token serial, CKA_ID, and the SHA-256 of its SubjectPublicKeyInfo as
   * the latest reading saw it (null when that reading did not carry it); a signer must find that key.
   */
  readonly signingKey: {
    readonly tokenSerial: string;
    readonly keyId: string;
    readonly spkiSha256: string | null;
  };
}

/** The open gate of a declaration, or GATE_NOT_OPEN naming its state and why. */
export function openGateForSigning(station: Station, declarationId: string): OpenGate {
  let packetId: string;
  try {
    packetId = gatePacketOf(station, declarationId);
  } catch (e) {
    if (e instanceof CodedError && e.code === 'PACKET_NOT_FOUND')
      throw stationError(
        'GATE_NOT_OPEN',
        `the activation gate of ${declarationId} does not exist: ${e.message}`,
        {
          field: 'declarationId',
          state: 'NO-PACKET',
        },
      );
    throw e;
  }
  const g = gateView(station, packetId);
  const approval = g.approvals.find((a) => a.standing === 'valid' && a.decision === 'approve');
  const v = g.versions.at(-1);
  // gateView judged the facts as of now against the evaluation (STALE otherwise); the version must bind
  // exactly that ledger.
  if (v && g.evaluation && v.ledgerDigest !== g.evaluation.ledgerDigest && g.state === 'OPEN')
    throw stationError(
      'GATE_NOT_OPEN',
      `the activation gate of ${declarationId}: version ${v.version} does not bind the ledger as it stands now`,
      {
        field: 'declarationId',
        state: 'VERSION-NEEDED',
      },
    );
  if (g.state !== 'OPEN' || !approval || !v || !g.evaluation || !g.ledger?.manifest || !g.ledger.signingKey)
    throw stationError(
      'GATE_NOT_OPEN',
      `the activation gate of ${declarationId} is ${g.state}: ${g.sentence}`,
      {
        field: 'declarationId',
        state: g.state,
      },
    );
  return {
    declarationId,
    packetId: g.packetId,
    version: v.version,
    packetDigest: v.digest,
    approvalSeq: approval.seq,
    policyDigest: g.evaluation.policyDigest,
    ledgerDigest: g.evaluation.ledgerDigest,
    manifest: g.ledger.manifest,
    signingKey: {
      tokenSerial: g.ledger.signingKey.hsmSerial,
      keyId: ckaIdOf(station, g.ledger.signingKey.hsmSerial, g.ledger.signingKey.keyId),
      spkiSha256: spkiOf(g.ledger),
    },
  };
}

/** The key material the enclave line was judged on (the latest reading's SPKI digest). */
function spkiOf(ledger: ActivationLedgerView): string | null {
  const v = ledger.lines.find((l) => l.area === 'enclave')?.facts.spkiSha256;
  return typeof v === 'string' ? v : null;
}

/**
 * The CKA_ID of the key a declaration names (organisations name keys by label; an unlabelled key by its
 * CKA_ID), from the station's latest first-hand read-back of that token: the key the enclave line was
 * judged on. GATE_NOT_OPEN when the station never read it back (the ledger would not have been READY).
 */
function ckaIdOf(station: Station, tokenSerial: string, keyId: string): string {
  const read = journalEvents(station.store.db, ['hsm.inventory-recorded'])
    .filter((e) => e.body.token.serial === tokenSerial)
    .at(-1);
  const keys = (read?.body.keys ?? []).filter((k) => k.hasPrivate && readBackKeyName(k) === keyId);
  if (keys.length > 1)
    throw stationError(
      'GATE_NOT_OPEN',
      `key ${keyId} names ${keys.length} private keys on token ${tokenSerial} (CKA_IDs ${keys.map((k) => k.id).join(', ')}): the declaration must name one key`,
      { field: 'declarationId' },
    );
  const key = keys[0];
  if (!key)
    throw stationError(
      'GATE_NOT_OPEN',
      `the station has no read-back of key ${keyId} on token ${tokenSerial}: record the token's inventory`,
      { field: 'declarationId' },
    );
  return key.id;
}
