import type { EventBody } from '../../../core/journal/events';
import type { StoredEvent } from '../../adapters/store/repos/events';
import type { Station } from '../../station/station';

/**
 * Read models of gated signing runs, straight from the journal (the journal is the truth for what was
 * signed: SIGN-RESUME). A run is open from its `signing.run-started` until `signing.run-completed` or
 * `signing.run-cancelled`.
 */
export type RunStarted = StoredEvent<'signing.run-started'>;

export interface RunRecord {
  readonly started: RunStarted;
  /** The attempt now holding the run: the seq of its run-started or latest run-resumed, and its claim. */
  readonly attempt: { readonly seq: number; readonly quorumSessionId: string; readonly claimSeq: number };
  readonly state: 'open' | 'completed' | 'cancelled';
  readonly completed: EventBody<'signing.run-completed'> | null;
  readonly intents: { artifact: string; sha256: string }[];
  readonly signed: EventBody<'signing.artifact-signed'>['artifacts'];
  readonly envelopeIntent: boolean;
  readonly quarantined: EventBody<'signing.artifact-quarantined'>[];
}

/** Every run of a declaration (all runs: null), oldest first. */
export function signingRuns(station: Station, declarationId: string | null): RunRecord[] {
  const events = station.journal.eventsOfKind(
    'signing.run-started',
    'signing.run-resumed',
    'signing.artifact-intent',
    'signing.artifact-signed',
    'signing.envelope-intent',
    'signing.run-completed',
    'signing.run-cancelled',
  );
  const runs = new Map<string, { -readonly [K in keyof RunRecord]: RunRecord[K] }>();
  for (const e of events) {
    if (e.kind === 'signing.run-started') {
      const b = e.body as EventBody<'signing.run-started'>;
      if (declarationId !== null && b.declarationId !== declarationId) continue;
      runs.set(b.runId, {
        started: e as RunStarted,
        attempt: { seq: e.seq, quorumSessionId: b.quorumSessionId, claimSeq: b.claimSeq },
        state: 'open',
        completed: null,
        intents: [],
        signed: [],
        envelopeIntent: false,
        quarantined: [],
      });
      continue;
    }
    const run = runs.get((e.body as { runId: string }).runId);
    if (!run) continue;
    switch (e.kind) {
      case 'signing.run-resumed': {
        const b = e.body as EventBody<'signing.run-resumed'>;
        run.attempt = { seq: e.seq, quorumSessionId: b.quorumSessionId, claimSeq: b.claimSeq };
        break;
      }
      case 'signing.artifact-intent':
        run.intents.push(...(e.body as EventBody<'signing.artifact-intent'>).artifacts);
        break;
      case 'signing.artifact-signed':
        run.signed = [...run.signed, ...(e.body as EventBody<'signing.artifact-signed'>).artifacts];
        break;
      case 'signing.envelope-intent':
        run.envelopeIntent = true;
        break;
      case 'signing.run-completed':
        run.state = 'completed';
        run.completed = e.body as EventBody<'signing.run-completed'>;
        break;
      case 'signing.run-cancelled':
        run.state = 'cancelled';
        break;
    }
  }
  const quarantined = station.journal
    .eventsOfKind('signing.artifact-quarantined')
    .map((e) => e.body)
    .filter((b) => declarationId === null || b.declarationId === declarationId);
  for (const q of quarantined) {
    const run = q.runId ? runs.get(q.runId) : undefined;
    if (run) run.quarantined.push(q);
  }
  return [...runs.values()];
}

/**
 * The open run (of this declaration, or of any with null), or null. A station signs one batch at a time:
 * a run is refused while another is open anywhere, which is what lets attemptCurrent read a later
 * resume, completion or cancellation as this run's.
 */
export function openRun(station: Station, declarationId: string | null): RunRecord | null {
  return signingRuns(station, declarationId).find((r) => r.state === 'open') ?? null;
}

/** Quarantines recorded for a declaration (before a run began, or during one). */
export function quarantinedFor(
  station: Station,
  declarationId: string,
): EventBody<'signing.artifact-quarantined'>[] {
  return station.journal
    .eventsOfKind('signing.artifact-quarantined')
    .map((e) => e.body)
    .filter((b) => b.declarationId === declarationId);
}

/**
 * Whether `attemptSeq` is still the attempt holding its run: no later run-resumed, completed or cancelled
 * was journaled. Cheap (indexed by kind), so every append of a run rechecks it under the write lock.
 */
export function attemptCurrent(station: Station, attemptSeq: number): boolean {
  for (const kind of ['signing.run-resumed', 'signing.run-completed', 'signing.run-cancelled'] as const) {
    const latest = station.journal.latestSeqOfKind(kind);
    if (latest !== null && latest > attemptSeq) return false;
  }
  return true;
}
