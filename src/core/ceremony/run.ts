import type { EventBody } from '../journal/events';
import type { CeremonyFile, CeremonyStep } from './schema';
import type { Role } from './vocabulary';

/**
 * A ceremony run (docs/ceremonies.md) folded from its journal events: which step the run is at, what
 * that step still needs, the deviation that halts it, and whether it completed or was aborted. Pure:
 * the events and the ceremony file are passed in; the service re-reads the file at the digest the run
 * started with.
 *
 * Check IDs:
 *   RUN-ORDER      steps are performed in the file's order: check, act, witnesses, then the next step
 *   RUN-HALT       a failed precondition or postcondition, a failed act or a reported deviation halts
 *                  the run at that step until the master of ceremonies decides (continue or abort)
 *   RUN-WITNESS    a step is done when `witnesses.count` distinct participants in `witnesses.roles`
 *                  have checked it off, none of them the person who performed its act
 *   RUN-REHEARSED  a production run needs a completed rehearsal of the same file digest
 */

export type RunMode = 'rehearsal' | 'production';

/** The journal events of runs, as the store returns them. */
export type RunEventKind =
  | 'ceremony.run-started'
  | 'ceremony.step-checked'
  | 'ceremony.step-acted'
  | 'ceremony.step-witnessed'
  | 'ceremony.deviation'
  | 'ceremony.decision'
  | 'ceremony.run-completed'
  | 'ceremony.run-aborted';

export const RUN_EVENT_KINDS: readonly RunEventKind[] = [
  'ceremony.run-started',
  'ceremony.step-checked',
  'ceremony.step-acted',
  'ceremony.step-witnessed',
  'ceremony.deviation',
  'ceremony.decision',
  'ceremony.run-completed',
  'ceremony.run-aborted',
];

export type RunEvent = {
  [K in RunEventKind]: {
    readonly seq: number;
    readonly at: string;
    readonly actor: string;
    readonly kind: K;
    readonly body: EventBody<K>;
  };
}[RunEventKind];

/** What the current step waits for next. */
export type RunNeed = 'check' | 'act' | 'witness' | 'decision';

export type PhaseState = 'pending' | 'passed' | 'failed' | 'accepted';

export interface StepWitness {
  readonly custodianId: string;
  readonly role: Role;
  readonly seq: number;
}

export interface StepProgress {
  readonly stepId: string;
  /** Preconditions: none to check (passed), checked and held, failed, or failed and accepted by the MC. */
  readonly check: PhaseState;
  /** The act: pending (not yet, or failed and to be retried), passed (done). */
  readonly act: 'pending' | 'done';
  /** Who performed the act (journal actor), once done. */
  readonly actedBy: string | null;
  readonly post: PhaseState;
  readonly witnesses: readonly StepWitness[];
  readonly witnessesNeeded: number;
  readonly witnessRoles: readonly Role[];
  readonly done: boolean;
}

export interface RunDeviation {
  readonly seq: number;
  readonly stepId: string;
  readonly phase: EventBody<'ceremony.deviation'>['phase'];
  readonly expected: string;
  readonly happened: string;
  readonly decision: {
    readonly seq: number;
    readonly decision: 'continue' | 'abort';
    readonly reason: string;
    readonly actor: string;
  } | null;
}

export type RunStatus = 'open' | 'halted' | 'completed' | 'aborted';

export interface RunState {
  readonly runId: string;
  readonly startedSeq: number;
  readonly started: EventBody<'ceremony.run-started'>;
  readonly startedBy: string;
  readonly status: RunStatus;
  readonly steps: readonly StepProgress[];
  /** The step the run is at (null once every step is done, or the run closed). */
  readonly current: { readonly index: number; readonly stepId: string; readonly needs: RunNeed } | null;
  /** The deviation awaiting the master of ceremonies' decision (RUN-HALT), if any. */
  readonly openDeviation: RunDeviation | null;
  readonly deviations: readonly RunDeviation[];
}

interface MutableStep {
  check: PhaseState;
  act: 'pending' | 'done';
  actedBy: string | null;
  post: PhaseState;
  witnesses: StepWitness[];
}

const hasPost = (s: CeremonyStep) => s.postconditions.length > 0;

function stepDone(step: CeremonyStep, m: MutableStep): boolean {
  return (
    (m.check === 'passed' || m.check === 'accepted') &&
    m.act === 'done' &&
    (m.post === 'passed' || m.post === 'accepted') &&
    m.witnesses.length >= step.witnesses.count
  );
}

/** What a step that is not done waits for next, once no deviation is open. */
function stepNeed(m: MutableStep): RunNeed {
  if (m.check === 'pending') return 'check';
  if (m.act === 'pending') return 'act';
  return 'witness';
}

/**
 * Folds one run's events (in seq order, the run-started first) against its ceremony file. Events the
 * service would not have recorded (out of order) are not trusted to move the run: the fold only
 * applies an event to the step it names.
 */
export function foldRun(file: CeremonyFile, events: readonly RunEvent[]): RunState {
  const start = events[0];
  if (start?.kind !== 'ceremony.run-started') throw new Error('a run begins with ceremony.run-started');
  const runId = start.body.runId;
  const byId = new Map<string, MutableStep>();
  for (const s of file.steps) {
    byId.set(s.id, {
      check: s.preconditions.length === 0 ? 'passed' : 'pending',
      act: 'pending',
      actedBy: null,
      post: 'pending',
      witnesses: [],
    });
  }
  const deviations: RunDeviation[] = [];
  let closed: 'completed' | 'aborted' | null = null;

  for (const e of events.slice(1)) {
    if (e.body.runId !== runId) continue;
    switch (e.kind) {
      case 'ceremony.run-started':
        break;
      case 'ceremony.step-checked': {
        const m = byId.get(e.body.stepId);
        if (m) m.check = e.body.preconditions.every((p) => p.result === 'pass') ? 'passed' : 'failed';
        break;
      }
      case 'ceremony.step-acted': {
        const m = byId.get(e.body.stepId);
        const step = file.steps.find((s) => s.id === e.body.stepId);
        if (m && step) {
          m.act = 'done';
          m.actedBy = e.actor;
          const failed = e.body.postconditions.some((p) => p.result === 'fail');
          m.post = !hasPost(step) ? 'passed' : failed ? 'failed' : 'passed';
        }
        break;
      }
      case 'ceremony.step-witnessed': {
        const m = byId.get(e.body.stepId);
        if (m && !m.witnesses.some((w) => w.custodianId === e.body.custodianId))
          m.witnesses.push({ custodianId: e.body.custodianId, role: e.body.role, seq: e.seq });
        break;
      }
      case 'ceremony.deviation':
        deviations.push({
          seq: e.seq,
          stepId: e.body.stepId,
          phase: e.body.phase,
          expected: e.body.expected,
          happened: e.body.happened,
          decision: null,
        });
        break;
      case 'ceremony.decision': {
        const i = deviations.findIndex((d) => d.seq === e.body.deviationSeq && d.decision === null);
        const d = deviations[i];
        if (!d) break;
        deviations[i] = {
          ...d,
          decision: { seq: e.seq, decision: e.body.decision, reason: e.body.reason, actor: e.actor },
        };
        const m = byId.get(d.stepId);
        if (m && e.body.decision === 'continue') {
          // The MC accepts what happened: a failed check or postcondition no longer holds the step; a
          // failed act is still to be done (a retry); a reported deviation changes no phase.
          if (d.phase === 'precondition' && m.check === 'failed') m.check = 'accepted';
          if (d.phase === 'postcondition' && m.post === 'failed') m.post = 'accepted';
        }
        break;
      }
      case 'ceremony.run-completed':
        closed = 'completed';
        break;
      case 'ceremony.run-aborted':
        closed = 'aborted';
        break;
      default:
        assertNever(e);
    }
  }

  const steps: StepProgress[] = file.steps.map((s) => {
    const m = byId.get(s.id) as MutableStep;
    return {
      stepId: s.id,
      check: m.check,
      act: m.act,
      actedBy: m.actedBy,
      post: m.act === 'done' ? m.post : 'pending',
      witnesses: m.witnesses,
      witnessesNeeded: s.witnesses.count,
      witnessRoles: s.witnesses.roles,
      done: stepDone(s, m),
    };
  });
  const openDeviation = deviations.find((d) => d.decision === null) ?? null;
  const index = steps.findIndex((s) => !s.done);
  const status: RunStatus = closed ?? (openDeviation ? 'halted' : 'open');
  const currentStep = index >= 0 ? (steps[index] as StepProgress) : null;
  const current =
    closed || !currentStep
      ? null
      : {
          index,
          stepId: currentStep.stepId,
          needs: openDeviation
            ? ('decision' as const)
            : stepNeed(byId.get(currentStep.stepId) as MutableStep),
        };
  return {
    runId,
    startedSeq: start.seq,
    started: start.body,
    startedBy: start.actor,
    status,
    steps,
    current,
    openDeviation,
    deviations,
  };
}

/** Groups run events by run id, each group in seq order starting with its run-started. */
export function groupRuns(events: readonly RunEvent[]): Map<string, RunEvent[]> {
  const runs = new Map<string, RunEvent[]>();
  for (const e of [...events].sort((a, b) => a.seq - b.seq)) {
    if (e.kind === 'ceremony.run-started') runs.set(e.body.runId, [e]);
    else runs.get(e.body.runId)?.push(e);
  }
  return runs;
}

/**
 * RUN-REHEARSED: the completed rehearsal runs of exactly this file digest, from every run's events.
 * Only completion counts: a rehearsal that was aborted, or is still open, rehearsed nothing.
 */
export function completedRehearsals(events: readonly RunEvent[], fileDigest: string): string[] {
  const out: string[] = [];
  for (const [runId, run] of groupRuns(events)) {
    const start = run[0];
    if (start?.kind !== 'ceremony.run-started') continue;
    if (start.body.mode !== 'rehearsal' || start.body.fileDigest !== fileDigest) continue;
    const completed = run.some(
      (e) => e.kind === 'ceremony.run-completed' && e.body.fileDigest === fileDigest,
    );
    const aborted = run.some((e) => e.kind === 'ceremony.run-aborted');
    if (completed && !aborted) out.push(runId);
  }
  return out;
}

/**
 * The statement a witness's own roster key signs to check a step off (RUN-WITNESS), UTF-8, each line
 * ending in `\n`: anyone can rebuild it from the journal entry and the station id and verify it.
 */
export function witnessStatement(opts: {
  stationId: string;
  runId: string;
  stepId: string;
  fileDigest: string;
  custodianId: string;
}): Uint8Array {
  return new TextEncoder().encode(
    [
      'ceremony-station ceremony witness v1',
      `station: ${opts.stationId}`,
      `run: ${opts.runId}`,
      `step: ${opts.stepId}`,
      `file: ${opts.fileDigest}`,
      `witness: ${opts.custodianId}`,
      '',
    ].join('\n'),
  );
}

/** The purpose text of the quorum session that proves a step's custodians present (quorum-satisfied). */
export function stepQuorumPurpose(runId: string, stepId: string): string {
  return `run-${runId}-step-${stepId}`;
}

function assertNever(x: never): never {
  throw new Error(`unexpected ${JSON.stringify(x)}`);
}
