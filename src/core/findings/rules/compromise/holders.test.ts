import { describe, expect, it } from 'vitest';
import matrixJson from '../../../../../resources/policy/authority-matrix.json';
import { authorityMatrixSchema, type Lane } from '../../policy/authority-matrix';
import { resolveHolder, type DelegationRecord } from './holders';

const MATRIX = authorityMatrixSchema.parse(matrixJson);
const lane = (id: string): Lane => MATRIX.lanes.find((l) => l.laneId === id)!;
const ECC = lane('executive-cyber-command');
const PSC = lane('platform-security-command');
const AS_OF = '2026-12-07T12:00:00.000Z';
const at = (h: number) => new Date(Date.parse(AS_OF) + h * 3_600_000).toISOString();
const record = (
  r: Partial<DelegationRecord> & Pick<DelegationRecord, 'recordId' | 'kind'>,
): DelegationRecord => ({
  laneId: ECC.laneId,
  from: 'Daniel Mercer',
  to: null,
  decisions: [],
  validFrom: at(-2),
  validUntil: at(10),
  revokes: null,
  grantedBy: 'Daniel Mercer',
  ...r,
});
const away = record({ recordId: 'UA-1', kind: 'unavailability' });
const delegation = record({
  recordId: 'ED-031',
  kind: 'delegation',
  to: 'Hannah Lindqvist',
  decisions: ['limited-revocation', 'release-freeze'],
});

describe('who holds a lane at the as-of instant (CMP-DELEGATION, succession, recusal)', () => {
  it('the holder, when nothing is in force', () => {
    expect(resolveHolder(ECC, [], AS_OF, new Set())).toEqual({
      holder: { person: 'Daniel Mercer', via: 'holder', scope: null },
      skipped: [],
      findings: [],
    });
  });

  it('a delegation the matrix allows: the delegate acts, with exactly the delegated decisions', () => {
    const r = resolveHolder(ECC, [away, delegation], AS_OF, new Set());
    expect(r.holder).toEqual({
      person: 'Hannah Lindqvist',
      via: 'delegation',
      scope: ['limited-revocation', 'release-freeze'],
    });
    expect(r.findings).toEqual([]);
    // The holder's own state is said beside the delegate (the records show it; no reason is kept).
    expect(r.skipped).toEqual([{ person: 'Daniel Mercer', why: 'unavailable (UA-1)' }]);
    expect(resolveHolder(ECC, [delegation], AS_OF, new Set()).skipped).toEqual([]);
  });

  it('a delegation longer than the matrix allows is a finding and is ignored; succession needs its invocation', () => {
    const long = { ...delegation, validFrom: at(-1), validUntil: at(5 * 24) };
    const r = resolveHolder(ECC, [away, long], AS_OF, new Set());
    expect(r.findings).toMatchObject([
      { category: 'invalid', recordId: 'ED-031', reason: expect.stringContaining('72 h') },
    ]);
    expect(r.holder).toBeNull();
    expect(r.skipped.map((s) => [s.person, s.why])).toEqual([
      ['Daniel Mercer', 'unavailable (UA-1)'],
      ['Hannah Lindqvist', 'succession not invoked for them'],
      ['Rafael Ortiz', 'succession not invoked for them'],
    ]);
    const invoked = record({ recordId: 'SI-4', kind: 'succession-invoked', to: 'Hannah Lindqvist' });
    expect(resolveHolder(ECC, [away, long, invoked], AS_OF, new Set()).holder).toEqual({
      person: 'Hannah Lindqvist',
      via: 'succession',
      scope: null,
    });
  });

  it('a delegation outside the lane’s delegable decisions, or by someone else, is refused', () => {
    const broad = { ...delegation, decisions: ['broad-invalidation'] };
    expect(resolveHolder(ECC, [broad], AS_OF, new Set()).findings[0]!.reason).toContain(
      'broad-invalidation may not be delegated',
    );
    const forged = { ...delegation, grantedBy: 'Hannah Lindqvist' };
    expect(resolveHolder(ECC, [forged], AS_OF, new Set()).findings[0]!.reason).toContain(
      'granted by its holder',
    );
  });

  it('a recused holder is skipped: the automatic successor holds the lane', () => {
    const r = resolveHolder(PSC, [], AS_OF, new Set(['Priya Raman']));
    expect(r.holder).toEqual({ person: 'Tomasz Wójcik', via: 'succession', scope: null });
    expect(r.skipped).toEqual([
      { person: 'Priya Raman', why: 'recused: operated an incident key in the window' },
    ]);
  });

  it('look-alikes: an expired, a future and a revoked delegation change nothing; two in force are disputed', () => {
    const expired = { ...delegation, recordId: 'ED-1', validFrom: at(-30), validUntil: at(-1) };
    const future = { ...delegation, recordId: 'ED-2', validFrom: at(1), validUntil: at(20) };
    const revoked = { ...delegation, recordId: 'ED-3' };
    const revocation = record({ recordId: 'RV-1', kind: 'revocation', revokes: 'ED-3' });
    const r = resolveHolder(ECC, [expired, future, revoked, revocation], AS_OF, new Set());
    expect(r).toEqual({
      holder: { person: 'Daniel Mercer', via: 'holder', scope: null },
      skipped: [],
      findings: [],
    });
    const two = resolveHolder(ECC, [delegation, { ...delegation, recordId: 'ED-032' }], AS_OF, new Set());
    expect(two.findings.map((f) => [f.category, f.recordId])).toEqual([
      ['disputed', 'ED-031'],
      ['disputed', 'ED-032'],
    ]);
    expect(two.holder).toEqual({ person: 'Daniel Mercer', via: 'holder', scope: null });
  });

  it('the roster spells people its own way: unavailability, delegation and invocation match case-folded', () => {
    // Before: an unavailable "daniel mercer" was not Daniel Mercer, so an unavailable holder held the lane.
    const lower = record({ recordId: 'UA-2', kind: 'unavailability', from: ' daniel MERCER ' });
    expect(resolveHolder(ECC, [lower], AS_OF, new Set()).skipped[0]).toEqual({
      person: 'Daniel Mercer',
      why: 'unavailable (UA-2)',
    });
    const loose = {
      ...delegation,
      recordId: 'ED-040',
      from: 'DANIEL MERCER',
      grantedBy: 'daniel mercer',
      to: 'hannah lindqvist',
    };
    const d = resolveHolder(ECC, [lower, loose], AS_OF, new Set());
    expect(d.findings).toEqual([]);
    expect(d.holder).toEqual({
      person: 'Hannah Lindqvist',
      via: 'delegation',
      scope: ['limited-revocation', 'release-freeze'],
    });
    const invoked = record({ recordId: 'SI-1', kind: 'succession-invoked', to: 'HANNAH LINDQVIST' });
    expect(resolveHolder(ECC, [lower, invoked], AS_OF, new Set()).holder).toEqual({
      person: 'Hannah Lindqvist',
      via: 'succession',
      scope: null,
    });
    // A recused delegate is skipped even when the roster spells them differently.
    const r = resolveHolder(ECC, [lower, loose], AS_OF, new Set(['Hannah Lindqvist']));
    expect(r.skipped[0]).toEqual({
      person: 'Hannah Lindqvist',
      why: 'recused: operated an incident key in the window',
    });
  });
});
