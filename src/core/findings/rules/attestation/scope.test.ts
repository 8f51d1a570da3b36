import { describe, expect, it } from 'vitest';
import { ATTESTATION_RULES } from '../../workflows/attestation';
import { attScope } from './scope';
import { brief, cleanWorld, runRule } from './testkit';

describe('ATT-SCOPE', () => {
  it('ATT-SCOPE: no scope record for the attestation is missing, and every other rule stays silent', () => {
    const world = { ...cleanWorld(), 'attestation-scope': [] };
    expect(brief(runRule(attScope, world))).toEqual(['ATT-SCOPE ATT-2026-H1 missing']);
    for (const rule of ATTESTATION_RULES.filter((r) => r !== attScope))
      expect(runRule(rule, world)).toEqual([]);
  });

  it('ATT-SCOPE look-alike: a scope record for another attestation does not count, the right one does', () => {
    const world = cleanWorld();
    expect(runRule(attScope, world)).toEqual([]);
    const other = {
      ...world,
      'attestation-scope': [{ ...world['attestation-scope']![0]!, attestationId: 'ATT-2025-H2' }],
    };
    expect(brief(runRule(attScope, other))).toEqual(['ATT-SCOPE ATT-2026-H1 missing']);
  });
});
