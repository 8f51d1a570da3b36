import { describe, expect, it } from 'vitest';
import {
  audit,
  baseline,
  checks,
  evidence,
  impact,
  incident,
  lineage,
  register,
  run,
  signature,
  statuses,
} from '../rules/compromise/testkit';

describe('workflow 002 — compromise authority', () => {
  it('baseline: internal only, suspected → platform security recommended, executive viable, legal not required', () => {
    const e = run(baseline());
    expect(checks(e)).toEqual([]);
    expect(statuses(e)).toEqual({
      'platform-security-command': 'recommended',
      'executive-cyber-command': 'viable',
      'legal-trust-office': 'not_required',
    });
    expect(e.outcome).toBe('recommend');
    expect(e.derived?.lanes[0]?.holder).toMatchObject({ person: 'Priya Raman', via: 'holder' });
  });

  it('shipped to customers: platform security blocked (limit, floor, cover), executive recommended', () => {
    const recs = baseline().map((r) =>
      r.family === 'artifact-lineage' && r.provenance.recordId === 'L-3'
        ? lineage(3, { audience: 'external-customer', product: 'desktop-agent' })
        : r,
    );
    const e = run([
      ...recs,
      impact({ product: 'desktop-agent' }),
      register({ entryId: 'DR-2', product: 'desktop-agent' }),
    ]);
    expect(statuses(e)).toEqual({
      'platform-security-command': 'blocked',
      'executive-cyber-command': 'recommended',
      'legal-trust-office': 'not_required',
    });
    expect(checks(e)).toEqual(
      expect.arrayContaining([
        'CMP-LIMIT policy-criterion-unmet platform-security-command/PSC-L1',
        'CMP-FLOOR policy-criterion-unmet platform-security-command',
        'CMP-COVER policy-criterion-unmet platform-security-command/REQ-2',
      ]),
    );
    expect(e.outcome).toBe('recommend');
  });

  it('an open contractual notice sends it to the legal and trust office', () => {
    const e = run([...baseline(), register({ entryId: 'DR-9', obligation: 'contractual-notice' })]);
    expect(statuses(e)['legal-trust-office']).toBe('recommended');
    expect(statuses(e)['executive-cyber-command']).toBe('blocked');
    expect(statuses(e)['platform-security-command']).toBe('blocked');
  });

  it('an untraced signature makes distribution unknown: platform security cannot show its limit, gaps named', () => {
    const e = run([...baseline(), signature(99, { artifactDigest: null })]);
    expect(checks(e)).toContain('CMP-LINEAGE partial K-1');
    expect(checks(e)).toContain('CMP-DISCLOSURE partial INC-1');
    expect(statuses(e)['platform-security-command']).toBe('blocked');
    expect(e.outcome).toBe('recommend-with-gaps');
    // Where it shipped, and so whether a notice or a hold applies, is unknown: the executive lane cannot
    // show its legal-hold limit, and only the legal and trust office takes every decision that may be due.
    expect(statuses(e)['executive-cyber-command']).toBe('blocked');
    expect(statuses(e)['legal-trust-office']).toBe('recommended');
  });

  it('a downgraded incident holds scope; a sequence gap in the audit is disputed', () => {
    expect(
      run([...baseline(), incident({ status: 'downgraded', declaredAt: '2026-12-01T05:00:00.000Z' })])
        .outcome,
    ).toBe('hold-scope');
    const gap = baseline().filter((r) => !(r.family === 'hsm-audit-log' && r.provenance.recordId === 'A-65'));
    expect(checks(run(gap))).toContain('CMP-AUDIT disputed HSM-A');
    expect(checks(run([...baseline(), audit(71, { event: 'audit-cleared', keyId: null })]))).toContain(
      'CMP-AUDIT disputed HSM-A',
    );
  });

  it('ruled out by a later forensic finding, the exposure falls; evidence that disagrees after it is disputed', () => {
    const ruled = run([
      ...baseline(),
      evidence({
        evidenceId: 'CE-2',
        kind: 'forensic-finding',
        conclusion: 'ruled-out',
        observedAt: '2026-12-01T05:00:00.000Z',
      }),
    ]);
    expect(ruled.derived?.facts.find((f) => f.fact === 'custodyExposure')?.value).toBe('ruled-out');
    const disputed = run([
      ...baseline(),
      evidence({
        evidenceId: 'CE-2',
        kind: 'forensic-finding',
        conclusion: 'ruled-out',
        observedAt: '2026-12-01T03:00:00.000Z',
      }),
    ]);
    expect(checks(disputed)).toContain('CMP-CUSTODY disputed K-1');
    expect(disputed.derived?.facts.find((f) => f.fact === 'custodyExposure')?.value).toBe('suspected');
  });
});

describe('workflow 002 — nothing looks routed before the incident is', () => {
  it('a downgraded incident: hold-scope, nothing recommended, the lane that would be shows viable', () => {
    const e = run([
      ...baseline(),
      incident({ status: 'downgraded', declaredAt: '2026-12-01T05:00:00.000Z' }),
    ]);
    expect(e.outcome).toBe('hold-scope');
    expect(e.derived?.recommended).toBeNull();
    expect(statuses(e)['platform-security-command']).toBe('viable');
    expect(Object.values(statuses(e))).not.toContain('recommended');
  });
});
