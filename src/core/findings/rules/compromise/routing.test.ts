import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalBytes } from '../../../canonical';
import type { AuthorityMatrix } from '../../policy/authority-matrix';
import { rec } from '../deferral/testkit';
import {
  audit,
  baseline,
  checks,
  delegation,
  evidence,
  lineage,
  MATRIX,
  option,
  register,
  run,
  signature,
  statuses,
} from './testkit';

const only = (e: ReturnType<typeof run>, id: string) => checks(e).filter((c) => c.startsWith(`${id} `));
const lane = (e: ReturnType<typeof run>, id: string) => e.derived?.lanes.find((l) => l.laneId === id);
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const away = (who: string, id: string) =>
  delegation({ recordId: id, kind: 'unavailability', from: who, to: null, decisions: [], grantedBy: who });
/** External distribution with an estimate and a clean register: executive cyber command is recommended. */
const external = () => [
  ...baseline().map((r) =>
    r.family === 'artifact-lineage' && r.provenance.recordId === 'L-2'
      ? lineage(2, { audience: 'external-customer' })
      : r,
  ),
];

describe('CMP-DELEGATION and holders', () => {
  it('a valid delegation makes the delegate the acting holder with the delegated decisions only', () => {
    const e = run([...external(), away('Daniel Mercer', 'ED-0'), delegation()]);
    expect(only(e, 'CMP-DELEGATION')).toEqual([]);
    expect(lane(e, 'executive-cyber-command')?.holder).toMatchObject({
      person: 'Hannah Lindqvist',
      via: 'delegation',
      record: 'ED-1',
      until: '2026-12-02T00:00:00.000Z',
    });
    // REQ-2 (broad invalidation) is required and was not delegated: the lane is blocked under its delegate.
    expect(only(e, 'CMP-COVER')).toContain('CMP-COVER policy-criterion-unmet executive-cyber-command/REQ-2');
    expect(statuses(e)['executive-cyber-command']).toBe('blocked');
  });
  it('too long, not a listed delegate, or two at once: invalid or disputed, and not followed', () => {
    const long = run([...external(), delegation({ validUntil: '2026-12-06T00:00:00.000Z' })]);
    expect(only(long, 'CMP-DELEGATION')).toEqual(['CMP-DELEGATION invalid ED-1']);
    expect(lane(long, 'executive-cyber-command')?.holder?.person).toBe('Daniel Mercer');
    expect(only(run([...external(), delegation({ to: 'Rafael Ortiz' })]), 'CMP-DELEGATION')).toEqual([
      'CMP-DELEGATION invalid ED-1',
    ]);
    const two = run([...external(), delegation(), delegation({ recordId: 'ED-2' })]);
    expect(only(two, 'CMP-DELEGATION')).toEqual([
      'CMP-DELEGATION disputed ED-1',
      'CMP-DELEGATION disputed ED-2',
    ]);
  });
  it('look-alikes: an expired delegation and a revoked one change nothing and raise nothing', () => {
    const expired = delegation({
      validFrom: '2026-11-20T00:00:00.000Z',
      validUntil: '2026-11-21T00:00:00.000Z',
    });
    const revoked = [
      delegation({ recordId: 'ED-5' }),
      delegation({ recordId: 'ED-6', kind: 'revocation', to: null, decisions: [], revokes: 'ED-5' }),
    ];
    const e = run([...external(), expired, ...revoked]);
    expect(only(e, 'CMP-DELEGATION')).toEqual([]);
    expect(lane(e, 'executive-cyber-command')?.holder).toMatchObject({
      person: 'Daniel Mercer',
      via: 'holder',
    });
  });
  it('succession needs an invocation where the matrix says so; recusal skips who operated the key', () => {
    const noInvoke = run([...external(), away('Daniel Mercer', 'ED-0')]);
    expect(lane(noInvoke, 'executive-cyber-command')?.holder).toBeNull();
    expect(only(noInvoke, 'CMP-HOLDER')).toEqual(['CMP-HOLDER routing-unclear executive-cyber-command']);
    const invoked = run([
      ...external(),
      away('Daniel Mercer', 'ED-0'),
      delegation({
        recordId: 'ED-3',
        kind: 'succession-invoked',
        from: 'Daniel Mercer',
        decisions: [],
        grantedBy: 'ciso',
      }),
    ]);
    expect(lane(invoked, 'executive-cyber-command')?.holder).toMatchObject({
      person: 'Hannah Lindqvist',
      via: 'succession',
      scope: null,
    });
    expect(statuses(invoked)['executive-cyber-command']).toBe('recommended');
    const recused = run([...baseline(), audit(71, { operator: 'priya raman' })]);
    expect(lane(recused, 'platform-security-command')?.holder).toMatchObject({
      person: 'Tomasz Wójcik',
      via: 'succession',
    });
    // Look-alike: she signed before the window opened.
    const before = run([...baseline(), audit(5, { operator: 'Priya Raman' })]);
    expect(lane(before, 'platform-security-command')?.holder?.person).toBe('Priya Raman');
  });
});

describe('CMP-FLOOR, CMP-LIMIT, CMP-COVER, CMP-ROUTE, CMP-MATRIX', () => {
  it('internal only: nothing blocks platform security; shipped: the floor, the limit and the cover do', () => {
    const clean = run(baseline());
    expect([...only(clean, 'CMP-FLOOR'), ...only(clean, 'CMP-LIMIT'), ...only(clean, 'CMP-COVER')]).toEqual(
      [],
    );
    const shipped = run(external());
    expect(only(shipped, 'CMP-FLOOR')).toEqual([
      'CMP-FLOOR policy-criterion-unmet platform-security-command',
    ]);
    expect(only(shipped, 'CMP-LIMIT')).toEqual([
      'CMP-LIMIT policy-criterion-unmet platform-security-command/PSC-L1',
    ]);
  });
  it('a legal hold with nobody left in the legal office: no lane can be recommended', () => {
    const e = run([
      ...external(),
      register({ entryId: 'DR-7', constraint: 'legal-hold' }),
      away('Ines Carvalho', 'ED-7'),
      away('Marcus Bell', 'ED-8'),
    ]);
    expect(statuses(e)).toEqual({
      'platform-security-command': 'blocked',
      'executive-cyber-command': 'blocked',
      'legal-trust-office': 'blocked',
    });
    expect(only(e, 'CMP-ROUTE')).toEqual(['CMP-ROUTE routing-unclear INC-1']);
    expect(e.outcome).toBe('routing-unclear');
  });
  it('a required decision no lane may take is CMP-MATRIX; under a matrix that covers it, none', () => {
    const m: AuthorityMatrix = {
      ...MATRIX,
      decisions: [...MATRIX.decisions, { id: 'hsm-zeroise', title: 'Zeroise the HSM' }],
      requires: [
        ...MATRIX.requires,
        {
          id: 'REQ-9',
          title: 'Confirmed exposure: zeroise',
          decision: 'hsm-zeroise',
          match: 'all',
          when: [{ op: 'one-of', fact: 'custodyExposure', values: ['suspected', 'confirmed'] }],
        },
      ],
    };
    expect(only(run(baseline(), { matrix: m }), 'CMP-MATRIX')).toEqual(['CMP-MATRIX routing-unclear REQ-9']);
    const ruled = baseline().map((r) =>
      r.family === 'custody-evidence' ? evidence({ conclusion: 'unconfirmed' }) : r,
    );
    expect(only(run(ruled, { matrix: m }), 'CMP-MATRIX')).toEqual([]);
  });
});

describe('CMP-OPTIONS', () => {
  it('an undefined decision is invalid; an irreversible effect without a note is missing; only irreversible options are unmet', () => {
    const bad = run([...baseline(), option({ optionId: 'OPT-2', decisions: ['launch-rocket'] })]);
    expect(only(bad, 'CMP-OPTIONS')).toEqual(['CMP-OPTIONS invalid OPT-2']);
    const silent = option({
      effects: [{ effect: 'key-revocation', scope: 'all', reversibility: 'irreversible', note: '' }],
    });
    const e = run(baseline().map((r) => (r.family === 'runbook-option' ? silent : r)));
    expect(only(e, 'CMP-OPTIONS')).toEqual([
      'CMP-OPTIONS missing OPT-1',
      'CMP-OPTIONS policy-criterion-unmet platform-security-command',
    ]);
  });
  it('look-alikes: a draft or retired irreversible option, or one for another key, is not judged', () => {
    const irreversible = [
      {
        effect: 'key-revocation' as const,
        scope: 'all' as const,
        reversibility: 'irreversible' as const,
        note: '',
      },
    ];
    const e = run([
      ...baseline(),
      option({ optionId: 'OPT-3', status: 'draft', effects: irreversible }),
      option({ optionId: 'OPT-4', status: 'retired', effects: irreversible }),
      option({ optionId: 'OPT-5', keyIds: ['K-9'], effects: irreversible }),
    ]);
    expect(only(e, 'CMP-OPTIONS')).toEqual([]);
    expect(e.derived?.options.map((o) => o.optionId)).toEqual(['OPT-1']);
  });
  it('options are listed with the lanes they fit inside, never ranked', () => {
    const e = run([...baseline(), option({ optionId: 'OPT-6', decisions: ['customer-notification'] })]);
    const o6 = e.derived?.options.find((o) => o.optionId === 'OPT-6');
    expect(o6?.insideLanes).toEqual(['legal-trust-office']);
    expect(Object.keys(o6 ?? {}).sort()).toEqual(
      [
        'decisions',
        'effects',
        'insideDelegated',
        'insideLanes',
        'optionId',
        'runbookId',
        'title',
        'worst',
      ].sort(),
    );
    expect(lane(e, 'platform-security-command')?.options).toEqual(['OPT-1']);
  });
});

describe('CMP-PRIOR-STALE', () => {
  const prior = (
    basis: { family: string; system: string; recordId: string; digest: string }[],
    matrixVersion = MATRIX.matrix,
  ) =>
    rec(
      'prior-recommendation',
      {
        packetRef: 'PKT-7',
        incidentId: 'INC-1',
        version: 1,
        recommendedLane: 'platform-security-command',
        matrixVersion,
        basis,
        issuedBy: 'station',
        issuedAt: '2026-12-01T05:10:00.000Z',
      },
      '2026-12-01T05:15:00.000Z',
    );
  const ce = evidence();
  const asBasis = (r: typeof ce, digest = sha256(canonicalBytes(r.content))) => ({
    family: r.family,
    system: r.provenance.system,
    recordId: r.provenance.recordId,
    digest,
  });
  it('a basis record whose content changed, or another matrix: stale, informational', () => {
    const e = run([...baseline(), prior([asBasis(ce, '1'.repeat(64))])], { sha256 });
    expect(only(e, 'CMP-PRIOR-STALE')).toEqual(['CMP-PRIOR-STALE stale PKT-7']);
    expect(e.findings.find((f) => f.checkId === 'CMP-PRIOR-STALE')?.blocking).toBe(false);
    expect(e.outcome).toBe('recommend');
    expect(
      only(run([...baseline(), prior([asBasis(ce)], 'Old matrix v1')], { sha256 }), 'CMP-PRIOR-STALE'),
    ).toHaveLength(1);
  });
  it('look-alike: the same content exported again in a later file is not a change', () => {
    const again = rec('custody-evidence', ce.content as never, '2026-12-01T05:30:00.000Z');
    expect(only(run([...baseline(), again, prior([asBasis(ce)])], { sha256 }), 'CMP-PRIOR-STALE')).toEqual(
      [],
    );
  });
  it('new custody evidence after it was issued, or a recommendation that moved: stale', () => {
    const later = evidence({
      evidenceId: 'CE-3',
      kind: 'forensic-finding',
      conclusion: 'confirmed',
      observedAt: '2026-12-01T05:20:00.000Z',
    });
    const again = rec('custody-evidence', later.content as never, '2026-12-01T05:30:00.000Z');
    const e = run([...baseline(), again, prior([asBasis(ce)])], { sha256 });
    expect(only(e, 'CMP-PRIOR-STALE')).toEqual(['CMP-PRIOR-STALE stale PKT-7']);
    expect(e.findings.find((f) => f.checkId === 'CMP-PRIOR-STALE')?.sentence).toMatch(
      /arrived after it was issued/,
    );
    const notice = rec(
      'disclosure-register',
      register({ entryId: 'DR-9', obligation: 'contractual-notice' }).content as never,
      '2026-12-01T05:30:00.000Z',
    );
    const moved = run([...baseline(), notice, prior([asBasis(ce)])], { sha256 });
    expect(moved.findings.find((f) => f.checkId === 'CMP-PRIOR-STALE')?.sentence).toMatch(
      /now recommends legal-trust-office/,
    );
  });
  it('look-alike: a new internal build after it was issued does not make it stale', () => {
    const at = { signedAt: '2026-12-01T05:15:00.000Z' };
    const build = rec(
      'artifact-lineage',
      lineage(200, { ...at, publishedAt: '2026-12-01T05:20:00.000Z' }).content as never,
      '2026-12-01T05:30:00.000Z',
    );
    const sig = rec(
      'signing-telemetry',
      signature(200, { ...at, serviceSequence: 1040 }).content as never,
      '2026-12-01T05:30:00.000Z',
    );
    expect(
      only(run([...baseline(), build, sig, prior([asBasis(ce)])], { sha256 }), 'CMP-PRIOR-STALE'),
    ).toEqual([]);
  });
});
