import { describe, expect, it } from 'vitest';
import { attCustodyHolder } from './custody-holder';
import { brief, cleanWorld, runRule } from './testkit';

describe('ATT-CUSTODY-HOLDER', () => {
  it('ATT-CUSTODY-HOLDER: a holder whose custodian entry expired last week is invalid today', () => {
    const w = cleanWorld();
    w['roster-snapshot']![2] = { ...w['roster-snapshot']![2]!, validUntil: '2026-07-03' };
    const f = runRule(attCustodyHolder, w);
    expect(brief(f)).toEqual(['ATT-CUSTODY-HOLDER M1 invalid']);
    expect(f[0]!.records.map((r) => r.recordId)).toEqual(['h-1', 'r-carol']);
  });

  it('ATT-CUSTODY-HOLDER: a holder on the roster only as an operator is invalid', () => {
    const w = cleanWorld();
    w['custody-registry']!.push({
      holdingId: 'h-2',
      itemId: 'BT-7',
      itemKind: 'backup-token',
      holder: 'alice moreau',
      since: '2026-02-01',
    });
    expect(brief(runRule(attCustodyHolder, w))).toEqual(['ATT-CUSTODY-HOLDER BT-7 invalid']);
  });

  it('ATT-CUSTODY-HOLDER look-alike: an ended holding, a non-escrow item, and a holding from after as-of are not judged', () => {
    const w = cleanWorld();
    w['custody-registry']!.push(
      {
        holdingId: 'h-3',
        itemId: 'BT-8',
        itemKind: 'backup-token',
        holder: 'mallory',
        since: '2025-02-01',
        until: '2026-01-10',
      },
      {
        holdingId: 'h-4',
        itemId: 'OC-1',
        itemKind: 'operator-card',
        holder: 'alice moreau',
        since: '2026-02-01',
      },
      { holdingId: 'h-5', itemId: 'BT-9', itemKind: 'backup-token', holder: 'mallory', since: '2026-07-20' },
    );
    expect(runRule(attCustodyHolder, w)).toEqual([]);
  });
});
