import type { EventBody } from '../../../core/journal/events';
import type { PortalRunState } from '../../../core/portal/model';
import type { Station } from '../../station/station';
import { portalLockHolder } from './lock';

/**
 * Portal runs read from the journal alone (the journal is the truth for what was submitted): a run is
 * a `portal.run-started` and what followed it. Whether a live process holds the run (the station's portal
 * lock, any process) only tells RUNNING from interrupted and SUBMITTING from ambiguous; after a crash or
 * restart nothing holds it, so an intent without an outcome reads HALTED-AMBIGUOUS and the next act is
 * reconciliation, never submission.
 */
export interface PortalRun {
  readonly runId: string;
  readonly requestId: string;
  readonly startedSeq: number;
  readonly startedAt: string;
  readonly actor: string;
  readonly started: EventBody<'portal.run-started'>;
  readonly state: PortalRunState;
  /** Why the run is where it is, in words. */
  readonly sentence: string;
  readonly stopped: EventBody<'portal.stopped'> | null;
  readonly halted: EventBody<'portal.halted'> | null;
  readonly intent: { seq: number; body: EventBody<'portal.submit-intent'> } | null;
  readonly submitted: EventBody<'portal.submitted'> | null;
  readonly ambiguous: EventBody<'portal.outcome-ambiguous'> | null;
  readonly reconciliations: { seq: number; actor: string; body: EventBody<'portal.reconciled'> }[];
  /** The portal's request id once known (confirmation or reconciliation). */
  readonly portalRequestId: string | null;
}

/** A run is in flight while a live process holds the station's portal lock for it (lock.ts). */
function isLive(station: Station, runId: string): boolean {
  return portalLockHolder(station)?.runId === runId;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Every run (of one request, or all: null), oldest first. */
export function portalRuns(station: Station, requestId: string | null): PortalRun[] {
  const events = station.journal.eventsOfKind(
    'portal.run-started',
    'portal.stopped',
    'portal.halted',
    'portal.submit-intent',
    'portal.submitted',
    'portal.outcome-ambiguous',
    'portal.reconciled',
  );
  const runs = new Map<string, Mutable<PortalRun>>();
  for (const e of events) {
    if (e.kind === 'portal.run-started') {
      const b = e.body as EventBody<'portal.run-started'>;
      if (requestId !== null && b.requestId !== requestId) continue;
      runs.set(b.runId, {
        runId: b.runId,
        requestId: b.requestId,
        startedSeq: e.seq,
        startedAt: e.at,
        actor: e.actor,
        started: b,
        state: 'RUNNING',
        sentence: '',
        stopped: null,
        halted: null,
        intent: null,
        submitted: null,
        ambiguous: null,
        reconciliations: [],
        portalRequestId: null,
      });
      continue;
    }
    const runId = (e.body as { runId: string | null }).runId;
    const run = runId ? runs.get(runId) : undefined;
    if (!run) continue;
    switch (e.kind) {
      case 'portal.stopped':
        run.stopped = e.body as EventBody<'portal.stopped'>;
        break;
      case 'portal.halted':
        run.halted = e.body as EventBody<'portal.halted'>;
        break;
      case 'portal.submit-intent':
        run.intent = { seq: e.seq, body: e.body as EventBody<'portal.submit-intent'> };
        break;
      case 'portal.submitted':
        run.submitted = e.body as EventBody<'portal.submitted'>;
        break;
      case 'portal.outcome-ambiguous':
        run.ambiguous = e.body as EventBody<'portal.outcome-ambiguous'>;
        break;
      case 'portal.reconciled':
        run.reconciliations.push({
          seq: e.seq,
          actor: e.actor,
          body: e.body as EventBody<'portal.reconciled'>,
        });
        break;
    }
  }
  return [...runs.values()].map((r) => settle(station, r));
}

function settle(station: Station, r: Mutable<PortalRun>): PortalRun {
  const lastReconciled = r.reconciliations.at(-1)?.body ?? null;
  if (r.submitted) {
    r.state = 'SUBMITTED';
    r.portalRequestId = r.submitted.portalRequestId;
    r.sentence = `submitted: the portal confirmed request ${r.submitted.portalRequestId}`;
  } else if (r.intent) {
    if (lastReconciled?.result === 'found') {
      r.state = 'SUBMITTED';
      r.portalRequestId = lastReconciled.portalRequestId;
      r.sentence = `submitted: reconciliation found request ${lastReconciled.portalRequestId ?? '?'} in the portal`;
    } else if (lastReconciled?.result === 'not-found') {
      r.state = 'NOT-FOUND';
      r.sentence = 'reconciliation searched the portal and found no request: a person may start a new run';
    } else if (!r.ambiguous && isLive(station, r.runId)) {
      r.state = 'SUBMITTING';
      r.sentence = 'the submit intent is journaled and the click is in flight';
    } else {
      r.state = 'HALTED-AMBIGUOUS';
      r.sentence =
        lastReconciled?.result === 'several'
          ? 'reconciliation found several matching requests: a person settles which is this run’s'
          : r.ambiguous
            ? `no positive confirmation after submit (${r.ambiguous.reason}): reconcile before anything else`
            : 'the station stopped after the submit intent and before any confirmation: reconcile before anything else';
    }
  } else if (r.stopped) {
    r.state = 'STOPPED';
    r.sentence = `stopped ${r.stopped.stage}: ${r.stopped.blockers.map((b) => b.checkId).join(', ') || r.stopped.outcome}`;
  } else if (r.halted) {
    r.state = 'HALTED';
    r.sentence = `safe halt (${r.halted.kind}${r.halted.tab ? `, tab ${r.halted.tab}` : ''}): ${r.halted.detail}`;
  } else if (isLive(station, r.runId)) {
    r.state = 'RUNNING';
    r.sentence = 'entering the portal';
  } else {
    r.state = 'HALTED';
    r.sentence =
      'interrupted before any submit intent (the station stopped while entering): nothing was submitted; a draft may remain in the portal';
  }
  return r;
}
