import { journalTime } from '../../../core/journal/events';
import type { View } from '../../../shared/contract';
import type { Station } from '../../station/station';
import { gateView } from '../activation';
import { attestationStatus } from '../attest';
import { listQuorumSessions, quorumSessionView } from '../custodians';
import { incidentEvaluations, listRedirects } from '../authority';
import { computeEvaluation, evaluationStatus, findingsSubjects } from '../findings';
import { storedRecords } from '../records/queries';
import { originOf } from '../../../core/findings/batch';
import { handoffs, listPackets, packetView } from '../packets';

type Pending = View<'decisionsPending'>[number];

/** Past a deadline: a due date given as a day (stored at its midnight) runs to the end of that day. */
function overdue(by: string, now: string): boolean {
  const end = by.endsWith('T00:00:00.000Z') ? new Date(Date.parse(by) + 86_400_000).toISOString() : by;
  return end <= now;
}

/**
 * Every decision the station is waiting on a person for, derived from what it holds (never typed in):
 * - a packet stopped by a stop indicator: a custodian quorum clears it or it goes to incident handling;
 * - a derived packet not evaluated, or whose evaluation went STALE: the operator evaluates (again);
 * - a packet whose FRESH outcome is stop-and-escalate: incident handling;
 * - a packet at gate READY whose recorded version names reviewers and was not handed off: those reviewers;
 * - a register finding a person took on (owner, due date): that owner, by that date;
 * - an attestation evaluation that went STALE: the operator evaluates again;
 * - a FRESH attestation evaluation with no owner's decision on it: the release-security owner;
 * - an open quorum session that has not reached quorum: the custodians, before it expires;
 * - a declared incident with no authority evaluation, or whose latest went STALE: the operator evaluates,
 *   by the end of the critical window; a FRESH routing-unclear one without a redirect: security
 *   leadership redirects it;
 * - an activation gate whose ledger no version binds (the operator records one), whose current version
 *   awaits the named approval owner, or whose declaration or manifest binding must be escalated.
 * Sorted with deadlines first (earliest first), then by when it became pending.
 */
export function pendingDecisions(station: Station): Pending[] {
  const now = journalTime(station.deps.clock());
  const out: Pending[] = [];
  const add = (p: Omit<Pending, 'overdue'>) =>
    out.push({ ...p, overdue: p.by !== null && overdue(p.by, now) });

  for (const summary of listPackets(station)) {
    const view =
      summary.kind === 'custody-attestation'
        ? 'attestation'
        : summary.kind === 'compromise-authority'
          ? 'authority'
          : summary.kind === 'activation-gate'
            ? 'activation'
            : 'deferral';
    let p: ReturnType<typeof packetView>;
    try {
      p = packetView(station, { packetId: summary.packetId });
    } catch (e) {
      // One packet that cannot be read is itself a decision to make, never a reason to hide the others.
      add({
        kind: 'packet-evaluate',
        subject: summary.packetId,
        what: `Packet ${summary.packetId} cannot be read as it stands: ${e instanceof Error ? e.message : String(e)}`,
        who: 'signed-in operator',
        by: null,
        since: null,
        view,
      });
      continue;
    }
    const uncleared = p.stops.filter((s) => s.cleared === null);
    for (const s of uncleared)
      add({
        kind: 'packet-stop',
        subject: p.draft.packetId,
        what: `Packet ${p.draft.packetId} stopped: ${s.notice} — a custodian quorum bound to this stop clears it, or it goes to incident handling.`,
        who: 'custodian quorum',
        by: null,
        since: s.at,
        view,
      });
    const e = p.derived?.evaluation;
    if (e && e.status === 'FRESH' && e.holds === 'stop')
      add({
        kind: 'packet-stop',
        subject: p.draft.packetId,
        what: `Packet ${p.draft.packetId}: the outcome is ${e.outcome} (${e.reason}) — stop and escalate to incident handling.`,
        who: 'incident owner',
        by: null,
        since: null,
        view,
      });
    const latest = p.versions.at(-1);
    const handedOff = latest !== undefined && p.handoffs.some((h) => h.version === latest.version);
    // Evaluating is refused while a stop stands, and a version handed off is decided: neither waits on it.
    if (p.derived && uncleared.length === 0 && !handedOff) {
      if (e === null)
        add({
          kind: 'packet-evaluate',
          subject: p.draft.packetId,
          what: `Packet ${p.draft.packetId}: ${p.derived.subject} has not been evaluated; nothing about it can be handed off yet.`,
          who: 'signed-in operator',
          by: null,
          since: null,
          view,
        });
      else if (e && e.status === 'STALE')
        add({
          kind: 'packet-evaluate',
          subject: p.draft.packetId,
          what: `Packet ${p.draft.packetId}: evaluation ${e.seq} is STALE (${e.sentence}); evaluate again before any handoff.`,
          who: 'signed-in operator',
          by: null,
          since: null,
          view,
        });
    }
    // A handoff waits only where the station would record it: gate READY (the outcome allows it for a
    // derived packet), a recorded version naming its reviewers, not yet handed off.
    const reviewers = p.draft.routing.reviewers;
    if (
      uncleared.length === 0 &&
      p.completeness.gate === 'READY' &&
      (!p.derived || (e?.status === 'FRESH' && e.holds === null)) &&
      latest !== undefined &&
      !handedOff &&
      reviewers.length > 0
    )
      add({
        kind: 'packet-handoff',
        subject: p.draft.packetId,
        what: `Packet ${p.draft.packetId}: version ${latest.version} is READY and waits for its handoff to ${reviewers.map((r) => `${r.name} (${r.role})`).join(', ')}.`,
        who: reviewers.map((r) => r.name).join(', '),
        by: null,
        since: latest.at,
        view,
      });
    for (const r of p.derived?.register ?? [])
      if (r.owner !== null)
        add({
          kind: 'finding-owner',
          subject: p.draft.packetId,
          what: `${r.finding.checkId} ${r.finding.subject}: ${r.finding.sentence}`,
          who: r.owner,
          by: r.dueAt,
          since: null,
          view,
        });
  }

  for (const subject of findingsSubjects(station, { workflow: 'attestation' }).subjects) {
    const a = attestationStatus(station, { subject });
    const latest = a.latest;
    // A subject nobody has evaluated here is no decision yet (an attestation scope is opened by
    // evaluating it); one whose evaluation went STALE waits for the operator to evaluate again.
    if (!latest) continue;
    if (latest.status.status !== 'FRESH') {
      add({
        kind: 'attestation-evaluate',
        subject,
        what: `Attestation ${subject}: evaluation ${latest.seq} is STALE (${latest.status.sentence}); evaluate again before the owner decides.`,
        who: 'signed-in operator',
        by: null,
        since: null,
        view: 'attestation',
      });
      continue;
    }
    if (a.decisions.some((d) => d.evaluationSeq === latest.seq)) continue;
    add({
      kind: 'attestation-decision',
      subject,
      what: `Attestation ${subject}: decide on evaluation ${latest.seq} (the station recommends ${latest.recommendation}; the owner decides and signs).`,
      who: 'release-security-owner',
      by: null,
      since: latest.asOf,
      view: 'attestation',
    });
  }

  for (const subject of openIncidents(station)) {
    const latest = incidentEvaluations(station, subject).at(-1);
    if (!latest) {
      add({
        kind: 'authority-evaluate',
        subject,
        what: `Incident ${subject}: declared, and no authority recommendation has been evaluated for it yet.`,
        who: 'signed-in operator',
        by: null,
        since: null,
        view: 'authority',
      });
      continue;
    }
    const status = evaluationStatus(station, { seq: latest.seq });
    // The critical window runs from the declaration: the recommendation is due inside it.
    const windowEnd = computeEvaluation(station, {
      workflow: 'compromise-authority',
      subject,
      asOf: latest.body.asOf,
    }).authority?.windowEnd;
    const by = windowEnd ?? null;
    if (status.status !== 'FRESH') {
      add({
        kind: 'authority-evaluate',
        subject,
        what: `Incident ${subject}: evaluation ${latest.seq} is STALE (${status.sentence}); evaluate again — the lanes may have moved.`,
        who: 'signed-in operator',
        by,
        since: null,
        view: 'authority',
      });
      continue;
    }
    if (latest.body.outcome === 'hold-scope') {
      add({
        kind: 'authority-evaluate',
        subject,
        what: `Incident ${subject}: its scope does not stand (evaluation ${latest.seq}: a key the inventory does not know, or the declaration); incident command completes the scope, then evaluate again.`,
        who: 'incident command',
        by,
        since: latest.body.asOf,
        view: 'authority',
      });
      continue;
    }
    if (
      latest.body.outcome === 'routing-unclear' &&
      !listRedirects(station, subject).redirects.some((r) => r.evaluationSeq === latest.seq)
    )
      add({
        kind: 'authority-redirect',
        subject,
        what: `Incident ${subject}: no lane of the matrix can own the decision (evaluation ${latest.seq}); a person with a redirect role decides where it goes.`,
        who: 'security-leadership',
        by,
        since: latest.body.asOf,
        view: 'authority',
      });
  }

  // Activation gates: a ledger no version binds yet (the operator records one), a version awaiting the
  // named approval owner, a mismatch to escalate — each by the shipment deadline the declaration names.
  for (const summary of listPackets(station).filter((x) => x.kind === 'activation-gate')) {
    let g: ReturnType<typeof gateView>;
    try {
      g = gateView(station, summary.packetId);
    } catch {
      continue; // an unreadable packet is already listed above as one to look at
    }
    const decl = g.ledger?.lines.find((l) => l.area === 'declaration')?.facts;
    const by = typeof decl?.shipmentDeadline === 'string' ? decl.shipmentDeadline : null;
    const current = g.versions.at(-1);
    if (g.state === 'VERSION-NEEDED')
      add({
        kind: 'gate-version',
        subject: g.packetId,
        what: `Activation gate ${g.packetId} (${g.declarationId}): ${g.sentence}`,
        who: 'signed-in operator',
        by,
        since: g.evaluation?.asOf ?? null,
        view: 'activation',
      });
    // Before its handoff, the version waits on the handoff (listed above), not on the owner yet.
    else if (
      g.state === 'AWAITING-APPROVAL' &&
      current !== undefined &&
      handoffs(station, g.packetId).some((h) => h.version === current.version)
    )
      add({
        kind: 'gate-approval',
        subject: g.packetId,
        what: `Activation gate ${g.packetId} (${g.declarationId}): version ${current?.version ?? '?'} awaits the approval owner's decision on exactly that version.`,
        who: `${g.approvalOwner ?? 'the named approval owner'} (${g.approvalRole})`,
        by,
        since: current?.at ?? null,
        view: 'activation',
      });
    else if (g.state === 'ESCALATE')
      add({
        kind: 'gate-escalate',
        subject: g.packetId,
        what: `Activation gate ${g.packetId} (${g.declarationId}): ${g.sentence} Escalate the bounded mismatch; no version can be approved on it.`,
        who: 'release security leadership',
        by,
        since: g.evaluation?.asOf ?? null,
        view: 'activation',
      });
  }

  for (const s of listQuorumSessions(station)) {
    if (s.closedReason !== null || now >= s.expiresAt) continue;
    const v = quorumSessionView(station, { sessionId: s.sessionId });
    if (v.state.reached) continue;
    add({
      kind: 'quorum-check-in',
      subject: s.sessionId,
      what: `Quorum session for ${s.operation} (${s.ceremonyId}, step ${s.step}): ${v.state.checkedIn.length} of ${v.state.threshold} custodians checked in.`,
      who:
        v.seats
          .filter((c) => !v.state.checkedIn.some((k) => k.custodianId === c.custodianId))
          .map((c) => c.name)
          .join(', ') || 'the custodians',
      by: s.expiresAt,
      since: s.openedAt,
      view: 'custodians',
    });
  }

  const key = (p: Pending) => `${p.by === null ? '1' : `0${p.by}`}\u0000${p.since ?? '~'}\u0000${p.subject}`;
  return out.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** Incidents declared and still open (declared or contained) as their latest declaration says. */
function openIncidents(station: Station): string[] {
  const latest = new Map<string, { at: string; status: string }>();
  for (const r of storedRecords(station, ['incident-scope'])) {
    const c = r.content as { incidentId?: unknown; status?: unknown; declaredAt?: unknown };
    if (typeof c.incidentId !== 'string') continue;
    // The latest declaration: by when it was declared, then by when it was exported.
    const at = `${String(c.declaredAt ?? '')}\u0000${originOf(r).exportedAt}`;
    const prev = latest.get(c.incidentId);
    if (!prev || prev.at <= at) latest.set(c.incidentId, { at, status: String(c.status) });
  }
  return [...latest.entries()]
    .filter(([, v]) => v.status === 'declared' || v.status === 'contained')
    .map(([id]) => id)
    .sort();
}
