import { describe, expect, it } from 'vitest';
import { attQuorumOutOfBand } from './quorum-oob';
import { brief, cleanWorld, runRule } from './testkit';

const audit = (entryId: string, at: string, extra: Record<string, unknown> = {}) => ({
  entryId,
  hsmSerial: 'HSM-A',
  sequence: 2000 + Number(entryId.replace(/\D/g, '')),
  at,
  event: 'quorum-change',
  keyId: 'K2',
  operator: 'bob.tan',
  result: 'success',
  reference: null,
  ...extra,
});

describe('ATT-QUORUM-OOB', () => {
  it('ATT-QUORUM-OOB: an audit-log quorum change no ceremony log accounts for is disputed (escalation)', () => {
    const w = cleanWorld();
    w['hsm-audit-log']!.push(audit('a-7', '2026-05-05T22:14:00.000Z'));
    const f = runRule(attQuorumOutOfBand, w);
    expect(brief(f)).toEqual(['ATT-QUORUM-OOB a-7 disputed']);
    expect(f[0]!.waivable).toBe(false);
  });

  it('ATT-QUORUM-OOB: a reference to a ceremony that is not a change does not account for it', () => {
    const w = cleanWorld();
    w['ceremony-log']!.push({
      ceremonyId: 'C-sign',
      at: '2026-05-05',
      kind: 'signing',
      participants: [{ person: 'carol', role: 'key-custodian', act: 'custodian' }],
      outcome: 'completed',
    });
    w['hsm-audit-log']!.push(
      audit('a-8', '2026-05-05T10:00:00.000Z', { reference: 'C-sign', event: 'policy-change' }),
    );
    expect(brief(runRule(attQuorumOutOfBand, w))).toEqual(['ATT-QUORUM-OOB a-8 disputed']);
  });

  it('ATT-QUORUM-OOB look-alike: matched by reference, by change ref, or by same key and day; failures and out-of-period events ignored', () => {
    const w = cleanWorld();
    w['hsm-audit-log']!.push(
      audit('a-2', '2026-03-10T11:00:00.000Z', { keyId: 'K9', reference: 'CHG-1' }),
      audit('a-3', '2026-03-10T18:00:00.000Z', { keyId: 'K1' }),
      audit('a-4', '2026-05-05T10:00:00.000Z', { result: 'denied' }),
      audit('a-5', '2025-12-01T10:00:00.000Z'),
      audit('a-6', '2026-05-05T10:00:00.000Z', { event: 'sign' }),
    );
    expect(runRule(attQuorumOutOfBand, w)).toEqual([]);
  });
});
