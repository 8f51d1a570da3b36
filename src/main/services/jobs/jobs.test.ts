import { describe, expect, it, vi } from 'vitest';
import { CodedError } from '../../../core/errors';
import { JobRegistry } from './jobs';

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('JobRegistry', () => {
  it('an unexpected fault in a job reaches the log the operator is told about', async () => {
    const log = vi.fn();
    const jobs = new JobRegistry(log);
    const id = jobs.start('export', async () => {
      throw new Error('disk on fire');
    });
    await settle();
    const view = jobs.status(id);
    expect(view.state).toBe('failed');
    expect(view.error).toMatchObject({ code: 'INTERNAL', message: expect.stringContaining('logged') });
    expect(log).toHaveBeenCalledWith(
      'unexpected fault',
      expect.objectContaining({ message: 'disk on fire' }),
    );
  });

  it('a coded refusal is the operator’s answer, not a fault to log', async () => {
    const log = vi.fn();
    const jobs = new JobRegistry(log);
    const id = jobs.start('export', async () => {
      throw new CodedError('PIN_INCORRECT', 'the PIN was wrong', {});
    });
    await settle();
    expect(jobs.status(id)).toMatchObject({ state: 'failed', error: { code: 'PIN_INCORRECT' } });
    expect(log).not.toHaveBeenCalled();
  });
});
