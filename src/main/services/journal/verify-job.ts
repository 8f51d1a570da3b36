import { CodedError, type ErrorData } from '../../../core/errors';
import type { SegmentResult } from '../../../core/journal/verify';
import type { CancelledVerification } from '../../../shared/contract';
import { stationError } from '../../errors';
import type { Station } from '../../station/station';
import { verifySegment } from '../../workers/segment';
import type { JobProgress, JobRegistry } from '../jobs';
import {
  ANCHOR_KINDS,
  judgeJournal,
  startVerification,
  type JournalReport,
  type VerificationStart,
} from './queries';

/**
 * Verification as a job (docs/journal-format.md, "Verification as a job"): the chain is walked in steps
 * of STEP entries on the main thread, yielding to the event loop between steps so the station keeps
 * answering; each step reports the entries checked, and a cancel is honoured between steps. The steps
 * are contiguous segments judged exactly as the one-call verification judges its segments
 * (assembleVerdict; the verdict does not depend on how the walk is cut). A cancelled walk judges
 * nothing: its outcome is CANCELLED at the first seq not checked, never a verdict.
 */
export const STEP = 1024;

export type VerifyStepsOutcome =
  | { readonly state: 'complete'; readonly report: JournalReport }
  | { readonly state: 'cancelled'; readonly verdict: CancelledVerification };

export async function verifyJournalInSteps(
  station: Station,
  progress: JobProgress,
  signal: AbortSignal,
  step = STEP,
): Promise<VerifyStepsOutcome> {
  const start = startVerification(station, undefined);
  progress.phase('checking entries', start.top);
  const walked = await walk(station, start, progress, signal, step);
  if ('cancelledAtSeq' in walked) return { state: 'cancelled', verdict: walked };
  return { state: 'complete', report: judgeJournal(station, start, walked) };
}

async function walk(
  station: Station,
  start: VerificationStart,
  progress: JobProgress,
  signal: AbortSignal,
  step: number,
): Promise<SegmentResult[] | CancelledVerification> {
  const segments: SegmentResult[] = [];
  let from = 1;
  // At least one segment, even over an empty journal: seq 1..0 still reads rows a tamper put below 1.
  do {
    if (signal.aborted) return cancelled(from, start.top);
    const to = Math.min(start.top, from + step - 1);
    const seg = verifySegment(
      station.journal.reader,
      station.deps.sha256,
      from,
      to,
      start.watch,
      ANCHOR_KINDS,
    );
    segments.push(seg);
    progress.add(seg.verified);
    if (seg.failure) break;
    from = to + 1;
    if (from <= start.top) await new Promise((resolve) => setImmediate(resolve));
  } while (from <= start.top);
  return segments;
}

function cancelled(atSeq: number, total: number): CancelledVerification {
  const checked = atSeq - 1;
  return {
    status: 'CANCELLED',
    entries: checked,
    total,
    cancelledAtSeq: atSeq,
    reason:
      checked === 0
        ? `verification was cancelled before any entry was checked: not verified`
        : `verification was cancelled at seq ${atSeq}: seq 1..${checked} of ${total} were checked, nothing after them and no checkpoint: not verified`,
  };
}

/** Outcomes of verification jobs, by the registry that runs them and the job id (the last few kept). */
const outcomes = new WeakMap<JobRegistry, Map<string, { outcome: VerifyStepsOutcome | null }>>();
const KEPT = 20;

/** Starts a verification job; progress and cancel through jobStatus/jobCancel. */
export function startJournalVerify(station: Station, jobs: JobRegistry): { jobId: string } {
  const slot: { outcome: VerifyStepsOutcome | null } = { outcome: null };
  const jobId = jobs.start('journal-verify', async (progress, signal) => {
    const outcome = await verifyJournalInSteps(station, progress, signal);
    slot.outcome = outcome;
    // A cancelled walk is a cancelled job (never "done"): its outcome says where it stopped.
    if (outcome.state === 'cancelled')
      throw stationError('JOURNAL_VERIFY_CANCELLED', outcome.verdict.reason, {
        cancelledAtSeq: outcome.verdict.cancelledAtSeq,
      });
    return null;
  });
  const mine = outcomes.get(jobs) ?? new Map<string, { outcome: VerifyStepsOutcome | null }>();
  outcomes.set(jobs, mine);
  mine.set(jobId, slot);
  for (const old of [...mine.keys()].slice(0, Math.max(0, mine.size - KEPT))) mine.delete(old);
  return { jobId };
}

/** What a verification job came to: running (entries checked of total), its report, or cancelled. */
export function journalVerifyOutcome(
  jobs: JobRegistry,
  { jobId }: { jobId: string },
): VerifyStepsOutcome | { state: 'running'; done: number; total: number } {
  const slot = outcomes.get(jobs)?.get(jobId);
  if (!slot) throw stationError('NOT_FOUND', `no journal verification job ${jobId}`, { field: 'jobId' });
  const view = jobs.status(jobId);
  if (slot.outcome) return slot.outcome;
  if (view.state === 'running') return { state: 'running', done: view.done, total: view.total };
  // The job failed (an unexpected fault, already logged): its error, not an outcome.
  const e = view.error;
  throw e
    ? new CodedError(e.code, e.message, e.data as ErrorData)
    : stationError('INTERNAL', `job ${jobId} ended without an outcome`);
}
