import { describe, expect, it } from 'vitest';
import matrixJson from '../../../../resources/policy/authority-matrix.json';
import { firstIssue } from '../../validate';
import { authorityMatrixSchema } from './authority-matrix';

const DEFAULT = matrixJson as unknown as Record<string, unknown> & { lanes: Record<string, unknown>[] };

/** The first issue of parsing `content`, as POLICY_INVALID would name it. */
function refusal(content: unknown): { field: string; message: string } | null {
  const r = authorityMatrixSchema.safeParse(content);
  return r.success ? null : firstIssue(r.error, 'content');
}
const clone = () => structuredClone(DEFAULT);

describe('authority-matrix policy: the example default and what the schema refuses', () => {
  it('the shipped example parses: three lanes by rank, every lane decision and requirement among the decisions', () => {
    const m = authorityMatrixSchema.parse(DEFAULT);
    expect(m.lanes.map((l) => [l.laneId, l.rank])).toEqual([
      ['platform-security-command', 1],
      ['executive-cyber-command', 2],
      ['legal-trust-office', 3],
    ]);
    expect(
      m.lanes
        .flatMap((l) => [...l.triggers, ...l.limits])
        .every((r) => r.match === 'all' || r.match === 'any'),
    ).toBe(true);
  });

  it('refuses, naming the field: a lane decision the matrix does not list', () => {
    const m = clone();
    (m.lanes[0] as { decides: string[] }).decides.push('publish-advisory');
    expect(refusal(m)).toMatchObject({ field: 'content.lanes.0.decides.3' });
    expect(refusal(m)?.message).toContain("publish-advisory is not one of the matrix's decisions");
  });

  it('refuses two lanes of one rank (one lane must be recommended, never a tie) and a duplicate rule id', () => {
    const m = clone();
    (m.lanes[2] as { rank: number }).rank = 2;
    expect(refusal(m)).toMatchObject({ field: 'content.lanes.2.rank' });
    const r = clone();
    ((r.lanes[1] as { limits: { id: string }[] }).limits[0] as { id: string }).id = 'PSC-T1';
    expect(refusal(r)).toMatchObject({ field: 'content.lanes.1.limits.0.id' });
  });

  it('refuses a value a fact cannot take, a holder in their own succession, a delegation outside the lane', () => {
    const a = clone();
    const cond = (a.lanes[0] as { triggers: { when: { values?: string[] }[] }[] }).triggers[0]!.when[0]!;
    cond.values = ['sev1', 'critical'];
    expect(refusal(a)).toMatchObject({ field: 'content.lanes.0.triggers.0.when.0.values' });
    expect(refusal(a)?.message).toContain('critical is not a value of severity');
    const b = clone();
    (b.lanes[0] as { succession: string[] }).succession.push('Priya Raman');
    expect(refusal(b)).toMatchObject({ field: 'content.lanes.0.succession' });
    const c = clone();
    (c.lanes[0] as { delegation: { decisions: string[] } }).delegation.decisions.push('broad-invalidation');
    expect(refusal(c)).toMatchObject({ field: 'content.lanes.0.delegation.decisions.1' });
  });

  it('refuses a fact outside the vocabulary (the matrix routes only on what the station computes)', () => {
    const m = clone();
    (m.lanes[0] as { limits: { when: { fact: string }[] }[] }).limits[0]!.when[0]!.fact = 'ceoMood';
    expect(refusal(m)?.field).toMatch(/^content\.lanes\.0\.limits\.0\.when\.0/);
  });
});
