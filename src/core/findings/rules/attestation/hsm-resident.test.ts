import { describe, expect, it } from 'vitest';
import { DEFAULT_ATTESTATION_POLICY } from '../../policy/attestation';
import { attHsmResident } from './hsm-resident';
import { brief, cleanWorld, runRule } from './testkit';

const inv = (keyId: string, observedAt: string, residency = 'hsm-resident') => ({
  entryId: `inv-${keyId}-${observedAt}`,
  keyId,
  label: keyId,
  hsmSerial: 'HSM-A',
  residency,
  production: true,
  purpose: 'release signing',
  observedAt,
});

describe('ATT-HSM-RESIDENT', () => {
  it('ATT-HSM-RESIDENT: a clean inventory gives nothing', () => {
    expect(runRule(attHsmResident, cleanWorld())).toEqual([]);
  });

  it('ATT-HSM-RESIDENT: a key no inventory shows is missing, a software key invalid, an old entry stale', () => {
    const w = cleanWorld();
    w['attestation-scope']![0]!.keys = ['K1', 'K2', 'K3'];
    w['hsm-key-inventory'] = [inv('K1', '2026-07-01', 'software'), inv('K2', '2026-05-01')];
    const f = runRule(attHsmResident, w);
    expect(brief(f)).toEqual([
      'ATT-HSM-RESIDENT K1 invalid',
      'ATT-HSM-RESIDENT K2 stale',
      'ATT-HSM-RESIDENT K3 missing',
    ]);
    expect(f.every((x) => x.blocking && !x.waivable)).toBe(true);
    expect(f[1]!.records.map((r) => r.recordId)).toContain('inv-K2-2026-05-01');
  });

  it('ATT-HSM-RESIDENT look-alike: an old software entry followed by a fresh resident one is not a gap', () => {
    const w = cleanWorld();
    w['hsm-key-inventory'] = [
      inv('K1', '2026-01-01', 'software'),
      inv('K1', '2026-07-01'),
      inv('K2', '2026-07-01'),
    ];
    expect(runRule(attHsmResident, w)).toEqual([]);
  });

  it('ATT-HSM-RESIDENT: freshness comes from policy, and an entry after as-of is not seen', () => {
    const w = cleanWorld();
    w['hsm-key-inventory'] = [
      inv('K1', '2026-05-01'),
      inv('K2', '2026-05-01'),
      inv('K1', '2026-07-20', 'software'),
    ];
    const policy = structuredClone(DEFAULT_ATTESTATION_POLICY);
    policy.requirements.find((r) => r.id === 'ATT-HSM-BACKED')!.freshnessDays = 120;
    expect(runRule(attHsmResident, w, { policy })).toEqual([]);
    expect(brief(runRule(attHsmResident, w))).toEqual([
      'ATT-HSM-RESIDENT K1 stale',
      'ATT-HSM-RESIDENT K2 stale',
    ]);
  });
});
