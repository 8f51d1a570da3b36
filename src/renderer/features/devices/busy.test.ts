import { describe, expect, it } from 'vitest';
import { busyDetail } from './busy';

describe('token busy detail', () => {
  it('names what holds the token, whether it is logged in, since when, and who waits', () => {
    expect(
      busyDetail({
        purpose: 'key generation',
        loggedIn: true,
        since: '2026-03-01T10:00:00.000Z',
        waiting: 2,
      }),
    ).toBe('key generation (logged in) since 2026-03-01T10:00:00.000Z, 2 waiting');
    expect(
      busyDetail({ purpose: 'a token read', loggedIn: false, since: '2026-03-01T10:00:00.000Z', waiting: 0 }),
    ).toBe('a token read since 2026-03-01T10:00:00.000Z');
  });
});
