import { describe, expect, it } from 'vitest';
import { attHsmFirmware } from './hsm-firmware';
import { brief, cleanWorld, runRule } from './testkit';

const fw = (attestationId: string, hsmSerial: string, checkedAt: string, result = 'pass') => ({
  attestationId,
  hsmSerial,
  firmwareVersion: result === 'pass' ? '7.8.1' : '7.2.0',
  expectedFirmware: '7.8.1',
  result,
  checkedAt,
});

describe('ATT-HSM-FIRMWARE', () => {
  it('ATT-HSM-FIRMWARE: a mismatch on the HSM holding a key is invalid and waivable under the default library', () => {
    const w = cleanWorld();
    w['hsm-attestation'] = [fw('fw-1', 'HSM-A', '2026-06-01', 'mismatch')];
    const f = runRule(attHsmFirmware, w);
    expect(brief(f)).toEqual(['ATT-HSM-FIRMWARE HSM-A invalid']);
    expect(f[0]!.waivable).toBe(true);
  });

  it('ATT-HSM-FIRMWARE: no result is missing, an old pass is stale', () => {
    const w = cleanWorld();
    w['hsm-attestation'] = [];
    expect(brief(runRule(attHsmFirmware, w))).toEqual(['ATT-HSM-FIRMWARE HSM-A missing']);
    w['hsm-attestation'] = [fw('fw-0', 'HSM-A', '2025-10-01')];
    expect(brief(runRule(attHsmFirmware, w))).toEqual(['ATT-HSM-FIRMWARE HSM-A stale']);
  });

  it('ATT-HSM-FIRMWARE look-alike: a failed check followed by a passing re-check, and a failing HSM holding no in-scope key', () => {
    const w = cleanWorld();
    w['hsm-attestation'] = [
      fw('fw-1', 'HSM-A', '2026-05-01', 'fail'),
      fw('fw-2', 'HSM-A', '2026-05-03'),
      fw('fw-9', 'HSM-Z', '2026-06-01', 'fail'),
    ];
    expect(runRule(attHsmFirmware, w)).toEqual([]);
  });
});
