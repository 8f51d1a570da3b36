import type { CeremonyStep, LoadedCeremony } from '../../../core/ceremony';
import {
  foldRun,
  groupRuns,
  RUN_EVENT_KINDS,
  stepQuorumPurpose,
  type RunEvent,
  type RunState,
} from '../../../core/ceremony/run';
import { encodeOperation, type QuorumOperation } from '../../../core/custody/operation';
import { loadCeremonyFile } from '../../adapters/ceremony';
import { sharesReissueOperation } from '../custodians/queries';
import { CodedError } from '../../../core/errors';
import { stationError } from '../../errors';
import type { Station } from '../../station/station';
import { rosterApplyOperation } from './roster-acts';

/**
 * Read models of ceremony runs (docs/ceremonies.md): a run is its journal events folded against its
 * ceremony file, re-read from the path it started with and refused if its bytes changed.
 */

/**
 * The quorum operation that proves a step's custodians present (quorum-satisfied): bound to exactly this
 * run and step, so a check-in for one step never counts for another.
 */
export const stepPresence = (runId: string, stepId: string): QuorumOperation => ({
  kind: 'ceremony-presence',
  purpose: stepQuorumPurpose(runId, stepId),
});

/**
 * The operation a step's quorum session must be opened for. A step whose act changes what the station's
 * quorum guards binds that act's own operation, so the check-ins authorise exactly that change and the
 * act spends the session; every other step binds presence for this run and step (stepPresence).
 */
export function stepOperation(station: Station, run: OpenedRun, step: CeremonyStep): QuorumOperation {
  switch (step.act.kind) {
    // Production binds exactly the file's compound change; a rehearsal changes no roster (presence only).
    case 'roster-apply':
      if (run.state.started.mode === 'production') return rosterApplyOperation(run.ceremony.file);
      return stepPresence(run.state.runId, step.id);
    // The re-issue of the run's token's current split: in a rehearsal the scratch token's, so a
    // rehearsal's session can never authorise a production re-issue.
    case 'shares-reissue':
      return sharesReissueOperation(station, runTokenSerial(station, run, step.act.token));
    default:
      return stepPresence(run.state.runId, step.id);
  }
}

/**
 * The serial of the token the file names `label` in this run: the run's target (a rehearsal's scratch
 * token, or in production the one token with the file's label on its module, found now).
 */
function runTokenSerial(station: Station, run: OpenedRun, label: string): string {
  const target = run.state.started.target;
  const serial =
    target && label === target.fileToken
      ? (target.tokenSerial ??
        (() => {
          const found = station.hsm
            .module(target.moduleId)
            .tokens()
            .filter((t) => t.label === target.tokenLabel);
          return found.length === 1 ? (found[0]?.serial ?? null) : null;
        })())
      : null;
  if (!serial)
    throw stationError('TOKEN_NOT_FOUND', `token ${label} of this run is not present`, {
      field: 'token',
      label,
    });
  return serial;
}

/** Its text, as `station quorum open --operation` takes it. */
export function stepQuorumOperation(station: Station, run: OpenedRun, step: CeremonyStep): string {
  return encodeOperation(stepOperation(station, run, step));
}

/**
 * For a view: the operation the step's session must be opened for, or why there is none to open now
 * (e.g. a share re-issue whose token has no current split): a view shows the refusal, it does not fail.
 */
export function viewQuorumOperation(
  station: Station,
  run: OpenedRun,
  step: CeremonyStep | undefined,
): { quorumOperation: string | null; quorumOperationRefused: string | null } {
  if (!step?.quorum) return { quorumOperation: null, quorumOperationRefused: null };
  try {
    return { quorumOperation: stepQuorumOperation(station, run, step), quorumOperationRefused: null };
  } catch (e) {
    if (!(e instanceof CodedError)) throw e;
    return { quorumOperation: null, quorumOperationRefused: `${e.code}: ${e.message}` };
  }
}

/** Every ceremony-run event in the journal, in seq order. */
export function runEvents(station: Station): RunEvent[] {
  // eventsOfKind parses each body by its own kind's schema, so each row is the member of RunEvent it names.
  return station.journal.eventsOfKind(...RUN_EVENT_KINDS) as unknown as RunEvent[];
}

/** A run, its ceremony file (the same bytes it started with) and its state. */
export interface OpenedRun {
  readonly ceremony: LoadedCeremony;
  readonly events: readonly RunEvent[];
  readonly state: RunState;
}

export function openRun(station: Station, runId: string): OpenedRun {
  const events = groupRuns(runEvents(station)).get(runId);
  const start = events?.[0];
  if (!events || start?.kind !== 'ceremony.run-started')
    throw stationError('CEREMONY_RUN_NOT_FOUND', `no ceremony run ${runId}`, { field: 'runId', runId });
  const ceremony = loadCeremonyFile(start.body.source);
  if (ceremony.digest.sha256 !== start.body.fileDigest) {
    throw stationError(
      'CEREMONY_FILE_CHANGED',
      `${start.body.source} now has SHA-256 ${ceremony.digest.sha256}; run ${runId} started with ${start.body.fileDigest}`,
      { field: 'file', runId, expected: start.body.fileDigest, found: ceremony.digest.sha256 },
    );
  }
  return { ceremony, events, state: foldRun(ceremony.file, events) };
}

/** What `ceremony step status` shows: the run's state with each step's title and act. */
export function runView(station: Station, { runId }: { runId: string }) {
  const run = openRun(station, runId);
  const { ceremony, state } = run;
  const f = ceremony.file;
  return {
    runId,
    ceremonyId: f.id,
    title: f.title,
    mode: state.started.mode,
    fileDigest: state.started.fileDigest,
    words: ceremony.digest.words,
    target: state.started.target,
    status: state.status,
    current: state.current,
    /** The quorum operation the current step's session must be opened for, when the step binds a quorum. */
    ...viewQuorumOperation(station, run, state.current ? f.steps[state.current.index] : undefined),
    openDeviation: state.openDeviation,
    deviations: state.deviations,
    steps: state.steps.map((s, i) => {
      const step = f.steps[i];
      return { ...s, title: step?.title ?? '', by: step?.by ?? null, actKind: step?.act.kind ?? null };
    }),
  };
}
export type RunView = ReturnType<typeof runView>;

/** Every run: id, file, mode and how it ended (without re-reading the files). */
export function listRuns(station: Station) {
  return [...groupRuns(runEvents(station)).values()].flatMap((run) => {
    const start = run[0];
    if (start?.kind !== 'ceremony.run-started') return [];
    const end = run.find((e) => e.kind === 'ceremony.run-completed' || e.kind === 'ceremony.run-aborted');
    return [
      {
        runId: start.body.runId,
        ceremonyId: start.body.ceremonyId,
        mode: start.body.mode,
        fileDigest: start.body.fileDigest,
        startedAt: start.at,
        startedBy: start.actor,
        ended: end
          ? end.kind === 'ceremony.run-completed'
            ? ('completed' as const)
            : ('aborted' as const)
          : null,
      },
    ];
  });
}
