import { describe, expect, it } from 'vitest';
import type { StationInfo } from '../../../shared/contract';
import type { IdentityAnchor, JournalVerdict } from '../../app/store';
import { describeVerdict, journalHold, rowState } from './verdict';

const token = (status: NonNullable<StationInfo['hsm']>['status']): StationInfo['hsm'] => ({
  tokenSerial: 'a1',
  tokenLabel: 'Station HSM',
  status,
  detail: 'a1',
});
const anchor = (status: 'CONFIRMED' | 'MISMATCH' | 'UNAVAILABLE') =>
  ({ token: { status, reason: '' } }) as unknown as IdentityAnchor;
const verified = (mark: 'CONFIRMED' | 'BEHIND') =>
  ({ status: 'VERIFIED', mark: { status: mark } }) as unknown as JournalVerdict;

describe('journalHold: a chain that verified never shows green without the token', () => {
  it('holds when the station token does not answer now, whatever the last verify said', () => {
    for (const status of ['ABSENT', 'ERROR'] as const)
      expect(journalHold(token(status), anchor('CONFIRMED'), verified('CONFIRMED'))).toEqual({
        reason: `station token ${status.toLowerCase()}`,
        check: 'JNL-IDENTITY',
      });
  });

  it('holds when the identity key was not confirmed on the token, or its mark is behind', () => {
    expect(journalHold(token('PRESENT'), anchor('UNAVAILABLE'), verified('CONFIRMED'))).toMatchObject({
      check: 'JNL-IDENTITY',
    });
    expect(journalHold(token('PRESENT'), anchor('CONFIRMED'), verified('BEHIND'))).toEqual({
      reason: 'token mark behind',
      check: 'JNL-MARK',
    });
  });

  it('lets VERIFIED stand only with the token present (or busy) and everything confirmed', () => {
    expect(journalHold(token('PRESENT'), anchor('CONFIRMED'), verified('CONFIRMED'))).toBeNull();
    expect(journalHold(token('BUSY'), anchor('CONFIRMED'), verified('CONFIRMED'))).toBeNull();
  });
});

describe('a cancelled verification', () => {
  const cancelled: JournalVerdict = {
    status: 'CANCELLED',
    entries: 1024,
    total: 3010,
    cancelledAtSeq: 1025,
    reason: 'verification was cancelled at seq 1025',
  };

  it('is never green: NOT CHECKED, saying where it stopped', () => {
    expect(describeVerdict(cancelled)).toEqual({
      word: 'NOT CHECKED',
      detail: 'not verified — cancelled at seq 1025',
    });
  });

  it('leaves rows from the cancel point on NOT CHECKED and vouches for none before it', () => {
    expect(rowState(cancelled, 1)).toBeNull();
    expect(rowState(cancelled, 1024)).toBeNull();
    expect(rowState(cancelled, 1025)).toBe('NOT CHECKED');
    expect(rowState(cancelled, 3010)).toBe('NOT CHECKED');
  });
});
