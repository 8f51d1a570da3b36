import type { StatusWordName } from '../../../shared/status';

/**
 * The status words the Ceremonies view shows (src/shared/status.ts), from the run's own states: one
 * place, so the list, the runner and the exception sheet say the same word for the same fact.
 */
export const modeWord = (mode: 'rehearsal' | 'production'): StatusWordName =>
  mode === 'rehearsal' ? 'REHEARSAL' : 'PRODUCTION';

export const runEndWord = (ended: 'completed' | 'aborted' | null): StatusWordName =>
  ended === 'completed' ? 'COMPLETED' : ended === 'aborted' ? 'ABORTED' : 'OPEN';

export function runStatusWord(status: 'open' | 'halted' | 'completed' | 'aborted'): StatusWordName {
  switch (status) {
    case 'open':
      return 'OPEN';
    case 'halted':
      return 'HALTED';
    case 'completed':
      return 'COMPLETED';
    case 'aborted':
      return 'ABORTED';
  }
}

/** A phase of the step (its preconditions or postconditions) as a whole. */
export function phaseWord(state: 'pending' | 'passed' | 'failed' | 'accepted'): StatusWordName {
  switch (state) {
    case 'pending':
      return 'NOT CHECKED';
    case 'passed':
      return 'SATISFIED';
    case 'failed':
      return 'FAILED';
    case 'accepted':
      return 'EXCEPTION-BACKED';
  }
}

/** One recorded result: pass, fail, or none yet. */
export const resultWord = (result: 'pass' | 'fail' | null): StatusWordName =>
  result === 'pass' ? 'SATISFIED' : result === 'fail' ? 'FAILED' : 'NOT CHECKED';
