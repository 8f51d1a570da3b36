import { journalTime } from '../../../core/journal/events';
import type { View } from '../../../shared/contract';
import type { Station } from '../../station/station';
import { attestationStatus } from '../attest';
import { listQuorumSessions, quorumSessionView } from '../custodians';
import { findingsSubjects } from '../findings';
import { listPackets, packetView } from '../packets';

type Pending = View<'decisionsPending'>[number];

/**
 * Every decision the station is waiting on a person for, derived from what it holds (never typed in):
 * - a packet stopped by a stop indicator: a custodian quorum clears it or it goes to incident handling;
 * - a derived packet not evaluated, or whose evaluation went STALE: the operator evaluates (again);
 * - a packet whose outcome allows a handoff and whose current version was not handed off: its reviewers;
 * - a register finding a person took on (owner, due date): that owner, by that date;
 * - a FRESH attestation evaluation with no owner's decision on it: the release-security owner;
 * - an open quorum session that has not reached quorum: the custodians, before it expires.
 * Sorted with deadlines first (earliest first), then by when it became pending.
 */
export function pendingDecisions(station: Station): Pending[] {
  const now = journalTime(station.deps.clock());
  const out: Pending[] = [];
  const add = (p: Omit<Pending, 'overdue'>) => out.push({ ...p, overdue: p.by !== null && p.by <= now });

  for (const summary of listPackets(station)) {
    const p = packetView(station, { packetId: summary.packetId });
    const view = p.draft.kind === 'custody-attestation' ? 'attestation' : 'deferral';
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
    if (p.derived && e === null)
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
    const latest = p.versions.at(-1);
    const handedOff = latest !== undefined && p.handoffs.some((h) => h.version === latest.version);
    if (uncleared.length === 0 && e?.status === 'FRESH' && e.holds === null && !handedOff)
      add({
        kind: 'packet-handoff',
        subject: p.draft.packetId,
        what: `Packet ${p.draft.packetId}: outcome ${e.outcome}; ${latest ? `version ${latest.version} waits for its handoff` : 'record a version and hand it off'}.`,
        who: p.draft.routing.requiredRoles.join(', ') || 'the packet’s reviewers',
        by: null,
        since: latest?.at ?? null,
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
    if (!latest || latest.status.status !== 'FRESH') continue;
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

  for (const s of listQuorumSessions(station)) {
    if (s.closedReason !== null || now >= s.expiresAt) continue;
    const v = quorumSessionView(station, { sessionId: s.sessionId });
    if (v.state.reached) continue;
    add({
      kind: 'quorum-check-in',
      subject: s.sessionId,
      what: `Quorum session for ${s.operation} (${s.ceremonyId}, step ${s.step}): ${v.state.checkedIn.length} of ${v.state.threshold} custodians checked in.`,
      who: v.seats.map((c) => c.name).join(', ') || 'the custodians',
      by: s.expiresAt,
      since: s.openedAt,
      view: 'custodians',
    });
  }

  const key = (p: Pending) => `${p.by === null ? '1' : `0${p.by}`}\u0000${p.since ?? '~'}\u0000${p.subject}`;
  return out.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
