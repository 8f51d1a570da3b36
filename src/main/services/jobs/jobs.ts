import { randomUUID } from 'node:crypto';
import { CodedError } from '../../../core/errors';
import type { JobView } from '../../../shared/contract';
import { stationError, toErrorPayload } from '../../errors';

export interface JobProgress {
  phase(name: string, total: number): void;
  add(n: number): void;
}

interface Job {
  view: JobView;
  controller: AbortController;
}

/**
 * Long work (export, verification of large bundles) runs as a job: the caller gets an id at once and
 * polls its progress; cancel aborts it through an AbortSignal, and the work itself guarantees that a
 * cancelled run leaves nothing behind. Finished jobs are kept for a while so the UI can read the result.
 */
export class JobRegistry {
  private readonly jobs = new Map<string, Job>();

  /**
   * `log` is required: a job that fails unexpectedly tells the operator "it has been logged", so the
   * fault must really reach the station's log.
   */
  constructor(private readonly log: (msg: string, err: unknown) => void) {}

  start(kind: string, work: (progress: JobProgress, signal: AbortSignal) => Promise<unknown>): string {
    const id = randomUUID();
    const controller = new AbortController();
    const job: Job = {
      controller,
      view: {
        jobId: id,
        kind,
        state: 'running',
        phase: 'starting',
        done: 0,
        total: 0,
        result: null,
        error: null,
      },
    };
    this.jobs.set(id, job);
    const progress: JobProgress = {
      phase: (name, total) => {
        job.view = { ...job.view, phase: name, done: 0, total };
      },
      add: (n) => {
        job.view = { ...job.view, done: job.view.done + n };
      },
    };
    void work(progress, controller.signal).then(
      (result) => {
        job.view = { ...job.view, state: 'done', result: result as JobView['result'] };
      },
      (e: unknown) => {
        const cancelled =
          e instanceof CodedError && (e.code === 'BUNDLE_CANCELLED' || e.code === 'JOURNAL_VERIFY_CANCELLED');
        job.view = {
          ...job.view,
          state: cancelled ? 'cancelled' : 'failed',
          error: toErrorPayload(e, this.log),
        };
      },
    );
    this.prune();
    return id;
  }

  status(jobId: string): JobView {
    const job = this.jobs.get(jobId);
    if (!job) throw stationError('NOT_FOUND', `no job ${jobId}`, { field: 'jobId' });
    return job.view;
  }

  cancel(jobId: string): JobView {
    const job = this.jobs.get(jobId);
    if (!job) throw stationError('NOT_FOUND', `no job ${jobId}`, { field: 'jobId' });
    job.controller.abort();
    return job.view;
  }

  private prune(): void {
    const finished = [...this.jobs.values()].filter((j) => j.view.state !== 'running');
    for (const j of finished.slice(0, Math.max(0, finished.length - 50))) this.jobs.delete(j.view.jobId);
  }
}
