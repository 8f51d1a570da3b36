import { describe, expect, it } from 'vitest';
import matrixJson from '../../../../../resources/policy/authority-matrix.json';
import { authorityMatrixSchema } from '../../policy/authority-matrix';
import type { Facts } from './conditions';
import { routeLanes, type LaneHolder } from './lanes';

const MATRIX = authorityMatrixSchema.parse(matrixJson);
const KNOWN: Facts = {
  anomalousSignatures: 0,
  untracedSignatures: 0,
  artifactsAffected: 40,
  customersAffected: 0,
  noticeDeadlineHours: null,
  hsmAuditGap: false,
  externalDistribution: false,
  contractualNotice: false,
  regulatoryNotice: false,
  legalHold: false,
  severity: 'sev1',
  custodyExposure: 'suspected',
};
const PRIMARY: Record<string, LaneHolder> = {
  'platform-security-command': { person: 'Priya Raman', via: 'holder', scope: null },
  'executive-cyber-command': { person: 'Daniel Mercer', via: 'holder', scope: null },
  'legal-trust-office': { person: 'Ines Carvalho', via: 'holder', scope: null },
};
const route = (f: Partial<Facts>, holders: Record<string, LaneHolder | null> = PRIMARY) =>
  routeLanes(MATRIX, { ...KNOWN, ...f }, holders);
const statuses = (r: ReturnType<typeof route>) =>
  Object.fromEntries(r.lanes.map((l) => [l.laneId, l.status]));
const blocks = (r: ReturnType<typeof route>, lane: string) =>
  r.lanes.find((l) => l.laneId === lane)!.blocks.map((b) => `${b.checkId}${b.ruleId ? ` ${b.ruleId}` : ''}`);

describe('routing a compromise to one authority by the example matrix (CMP-FLOOR, LIMIT, COVER, HOLDER)', () => {
  it('a sev1 suspected exposure on internal packages stays with platform security; the executive lane stands by; legal is not required', () => {
    const r = route({});
    expect(r.floor).toBe(1);
    expect(statuses(r)).toEqual({
      'platform-security-command': 'recommended',
      'executive-cyber-command': 'viable',
      'legal-trust-office': 'not_required',
    });
    expect(r.requirements.filter((q) => q.state === true).map((q) => q.id)).toEqual(['REQ-1']);
  });

  it('artifacts shipped to customers: platform security is blocked by its limits, the floor and the broad invalidation it cannot take', () => {
    const r = route({ externalDistribution: true, artifactsAffected: 600, customersAffected: 900 });
    expect(r.recommended).toBe('executive-cyber-command');
    expect(blocks(r, 'platform-security-command')).toEqual([
      'CMP-FLOOR',
      'CMP-LIMIT PSC-L1',
      'CMP-LIMIT PSC-L2',
      'CMP-COVER REQ-2',
    ]);
    expect(statuses(r)['legal-trust-office']).toBe('not_required');
  });

  it('an open contractual notice routes to legal and trust; the executive lane cannot make the disclosure', () => {
    const r = route({ contractualNotice: true, noticeDeadlineHours: 60 });
    expect(r.recommended).toBe('legal-trust-office');
    expect(blocks(r, 'executive-cyber-command')).toEqual(['CMP-FLOOR', 'CMP-COVER REQ-3']);
    expect(blocks(r, 'platform-security-command')).toEqual([
      'CMP-FLOOR',
      'CMP-LIMIT PSC-L3',
      'CMP-COVER REQ-3',
    ]);
  });

  it('a legal hold blocks the executive lane; legal and trust is recommended though no trigger of its own fired', () => {
    const r = route({ externalDistribution: true, legalHold: true });
    expect(blocks(r, 'executive-cyber-command')).toEqual(['CMP-LIMIT ECC-L1']);
    expect(r.recommended).toBe('legal-trust-office');
    expect(
      r.lanes.find((l) => l.laneId === 'legal-trust-office')!.triggers.every((t) => t.state === false),
    ).toBe(true);
  });

  it('a missing fact never lowers the authority: unknown distribution blocks the lane whose limit it is, and requires what it might', () => {
    const r = route({ externalDistribution: null });
    expect(blocks(r, 'platform-security-command')).toEqual(['CMP-LIMIT PSC-L1', 'CMP-COVER REQ-2']);
    expect(r.requirements.find((q) => q.id === 'REQ-2')!.state).toBeNull();
    expect(r.recommended).toBe('executive-cyber-command');
    // With it known to be internal, the same case stays at the lowest lane.
    expect(route({ externalDistribution: false }).recommended).toBe('platform-security-command');
  });

  it('a delegate decides only what was delegated; a lane nobody holds is blocked (CMP-HOLDER)', () => {
    const delegated = {
      ...PRIMARY,
      'executive-cyber-command': {
        person: 'Hannah Lindqvist',
        via: 'delegation' as const,
        scope: ['limited-revocation', 'release-freeze', 'customer-trust-review'],
      },
    };
    const r = route({ externalDistribution: true, customersAffected: 10 }, delegated);
    expect(blocks(r, 'executive-cyber-command')).toEqual(['CMP-COVER REQ-2']);
    expect(r.lanes.find((l) => l.laneId === 'executive-cyber-command')!.blocks[0]!.reason).toContain(
      'outside what Hannah Lindqvist was delegated',
    );
    expect(r.recommended).toBe('legal-trust-office');
    const nobody = route({}, { ...PRIMARY, 'platform-security-command': null });
    expect(blocks(nobody, 'platform-security-command')).toEqual(['CMP-HOLDER']);
    expect(nobody.recommended).toBe('executive-cyber-command');
  });

  it('no lane can take it: none is recommended (the outcome is routing-unclear, for a person to settle)', () => {
    const r = route({ contractualNotice: true, legalHold: true }, { ...PRIMARY, 'legal-trust-office': null });
    expect(r.recommended).toBeNull();
    expect(Object.values(statuses(r))).toEqual(['blocked', 'blocked', 'blocked']);
  });
});
