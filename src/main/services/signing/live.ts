import { CodedError } from '../../../core/errors';
import { stationError } from '../../errors';
import type { SigningProgress, SigningResult } from './sign';

/**
 * Runs going on in this process, for the UI: started in the background, polled for progress (rate and
 * ETA), cancelled through an AbortSignal the batch checks between chunks. The journal stays the truth
 * for what was signed; this only says what this process is doing right now.
 */
export interface LiveRun {
  readonly declarationId: string;
  state: 'running' | 'done' | 'failed' | 'cancelled';
  progress: SigningProgress | null;
  result: SigningResult | null;
  error: { code: string; message: string } | null;
  readonly controller: AbortController;
}

const live = new Map<string, LiveRun>();

export function liveRun(declarationId: string): LiveRun | null {
  return live.get(declarationId) ?? null;
}

/** Starts `work` for a declaration unless one is already running here. */
export function startLive(
  declarationId: string,
  work: (onProgress: (p: SigningProgress) => void, signal: AbortSignal) => Promise<SigningResult>,
): LiveRun {
  const current = live.get(declarationId);
  if (current?.state === 'running')
    throw stationError('SIGNING_RUN_OPEN', `a signing run of ${declarationId} is running in this station`, {
      field: 'declarationId',
    });
  const run: LiveRun = {
    declarationId,
    state: 'running',
    progress: null,
    result: null,
    error: null,
    controller: new AbortController(),
  };
  live.set(declarationId, run);
  void work((p) => (run.progress = p), run.controller.signal).then(
    (result) => {
      run.state = 'done';
      run.result = result;
    },
    (e: unknown) => {
      const coded = e instanceof CodedError ? e : null;
      run.state = coded?.code === 'SIGNING_CANCELLED' ? 'cancelled' : 'failed';
      run.error = coded
        ? { code: coded.code, message: coded.message }
        : { code: 'INTERNAL', message: 'An unexpected fault occurred; it has been logged.' };
    },
  );
  return run;
}

/** Asks the running batch of a declaration to stop after its current chunk. */
export function cancelLive(declarationId: string): boolean {
  const run = live.get(declarationId);
  if (run?.state !== 'running') return false;
  run.controller.abort();
  return true;
}
