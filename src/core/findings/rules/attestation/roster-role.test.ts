import { describe, expect, it } from 'vitest';
import { attRosterRole } from './roster-role';
import { brief, cleanWorld, runRule } from './testkit';

const ceremony = (
  ceremonyId: string,
  at: string,
  participants: { person: string; role: string; act: string }[],
) => ({
  ceremonyId,
  at,
  kind: 'signing',
  participants,
  outcome: 'completed',
});

describe('ATT-ROSTER-ROLE', () => {
  it('ATT-ROSTER-ROLE: clean participants (names case-folded) give nothing', () => {
    expect(runRule(attRosterRole, cleanWorld())).toEqual([]);
  });

  it('ATT-ROSTER-ROLE: not on the roster, on it in another role, and a role the policy does not count for the act', () => {
    const w = cleanWorld();
    w['ceremony-log']!.push(
      ceremony('C5', '2026-05-01', [
        { person: 'mallory', role: 'ceremony-witness', act: 'witness' },
        { person: 'carol', role: 'hsm-operator', act: 'operator' },
        { person: 'dan', role: 'ceremony-witness', act: 'operator' },
      ]),
    );
    expect(brief(runRule(attRosterRole, w))).toEqual([
      'ATT-ROSTER-ROLE C5/mallory invalid',
      'ATT-ROSTER-ROLE C5/carol invalid',
      'ATT-ROSTER-ROLE C5/dan invalid',
    ]);
  });

  it('ATT-ROSTER-ROLE: an entry revoked in a later snapshot no longer counts after its end', () => {
    const w = cleanWorld();
    w['roster-snapshot']!.push({
      entryId: 'r-dan',
      person: 'dan',
      roles: ['ceremony-witness'],
      validFrom: '2025-01-01',
      validUntil: '2026-04-01',
      status: 'revoked',
      snapshotAt: '2026-07-05',
    });
    w['ceremony-log']!.push(
      ceremony('C6', '2026-05-01', [{ person: 'dan', role: 'ceremony-witness', act: 'witness' }]),
    );
    // C1 (2026-03-10) is before the revocation's end; C6 is after it.
    expect(brief(runRule(attRosterRole, w))).toEqual(['ATT-ROSTER-ROLE C6/dan invalid']);
  });

  it('ATT-ROSTER-ROLE look-alike: a ceremony outside the period naming an ex-custodian is not judged', () => {
    const w = cleanWorld();
    w['roster-snapshot']!.push({
      entryId: 'r-frank',
      person: 'frank',
      roles: ['key-custodian'],
      validFrom: '2024-01-01',
      validUntil: '2025-06-30',
      status: 'active',
      snapshotAt: '2026-07-01',
    });
    w['ceremony-log']!.push(
      ceremony('C-2025', '2025-11-20', [{ person: 'frank', role: 'key-custodian', act: 'custodian' }]),
    );
    expect(runRule(attRosterRole, w)).toEqual([]);
    w['ceremony-log']!.push(
      ceremony('C-2026', '2026-01-20', [{ person: 'frank', role: 'key-custodian', act: 'custodian' }]),
    );
    expect(brief(runRule(attRosterRole, w))).toEqual(['ATT-ROSTER-ROLE C-2026/frank invalid']);
  });
});
