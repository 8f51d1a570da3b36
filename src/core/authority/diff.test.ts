import { describe, expect, it } from 'vitest';
import {
  baseline,
  delegation,
  evidence,
  lineage,
  MATRIX,
  option,
  register,
  run,
} from '../findings/rules/compromise/testkit';
import type { SourceRecord } from '../findings/model';
import { authorityDiffSchema, diffAuthority, inWindow, type AuthoritySide } from './diff';

/** One side of a diff from the testkit's evaluation of `records`. */
function side(
  records: readonly SourceRecord[],
  opts: { asOf?: string; digest?: string } = {},
): AuthoritySide {
  const e = run(records, opts.asOf === undefined ? {} : { asOf: opts.asOf });
  if (!e.derived) throw new Error('workflow 002 derives a lane view');
  return {
    view: e.derived,
    findings: e.findings,
    asOf: e.inputs.asOf,
    policyDigest: opts.digest ?? '0'.repeat(64),
  };
}

const CONTRACTUAL = register({
  entryId: 'DR-9',
  obligation: 'contractual-notice',
  recordedAt: '2026-12-01T05:30:00.000Z',
});

describe('diffAuthority', () => {
  it('the same side twice: nothing changed, and the output fits its schema', () => {
    const a = side(baseline());
    const d = diffAuthority(a, a);
    expect(authorityDiffSchema.parse(d)).toEqual(d);
    expect(d).toMatchObject({
      changed: false,
      lanes: [],
      requirements: [],
      options: [],
      matrix: null,
      recommended: null,
      floor: null,
    });
    expect(d.findings).toEqual({ appeared: [], resolved: [] });
  });

  it('a contractual notice: executive blocked, legal recommended; each lane’s why is exactly its flips', () => {
    const d = diffAuthority(side(baseline()), side([...baseline(), CONTRACTUAL]));
    expect(authorityDiffSchema.parse(d)).toEqual(d);
    expect(d.changed).toBe(true);
    expect(d.recommended).toMatchObject({ from: 'platform-security-command', to: 'legal-trust-office' });
    expect(d.floor).toMatchObject({ from: 1, to: 3 });
    const byId = Object.fromEntries(d.lanes.map((l) => [l.laneId, l]));
    expect(d.lanes.map((l) => l.laneId)).toEqual([
      'platform-security-command',
      'executive-cyber-command',
      'legal-trust-office',
    ]);
    expect(byId['executive-cyber-command']?.status).toEqual({ from: 'viable', to: 'blocked' });
    expect(byId['legal-trust-office']?.status).toEqual({ from: 'not_required', to: 'recommended' });
    expect(byId['platform-security-command']?.status).toEqual({ from: 'recommended', to: 'blocked' });

    const why = (id: string) =>
      (byId[id]?.why ?? []).map(
        (y) =>
          `${y.kind} ${y.laneId ?? '-'} ${'id' in y ? y.id : ''} ${'id' in y ? `${y.from}→${y.to}` : ''}`,
      );
    // Legal: its own trigger fired; nothing else is claimed.
    expect(why('legal-trust-office')).toEqual(['trigger legal-trust-office LTO-T1 does-not-hold→holds']);
    // Executive: REQ-3 (contractual disclosure) is not its decision, and a higher lane's trigger set the floor.
    expect(why('executive-cyber-command')).toEqual([
      'requirement - REQ-3 does-not-hold→holds',
      'trigger legal-trust-office LTO-T1 does-not-hold→holds',
    ]);
    // Platform security: its own limit on notices, the requirement, the floor.
    expect(why('platform-security-command')).toEqual([
      'limit platform-security-command PSC-L3 does-not-hold→holds',
      'requirement - REQ-3 does-not-hold→holds',
      'trigger legal-trust-office LTO-T1 does-not-hold→holds',
    ]);
    expect(byId['executive-cyber-command']?.blocks.added).toEqual([
      { checkId: 'CMP-COVER', ruleId: 'REQ-3' },
      { checkId: 'CMP-FLOOR', ruleId: null },
    ]);
    expect(d.requirements.map((r) => `${r.id} ${r.from}→${r.to}`)).toEqual(['REQ-3 does-not-hold→holds']);
    // Findings keyed by check ID and subject: the lanes now blocked are findings of their own.
    expect(d.findings.resolved).toEqual([]);
    expect(d.findings.appeared.map((f) => `${f.checkId} ${f.subject}`)).toEqual(
      expect.arrayContaining([
        'CMP-FLOOR executive-cyber-command',
        'CMP-COVER executive-cyber-command/REQ-3',
      ]),
    );
    expect(d.matrix).toBeNull();
  });

  it('the reverse direction: the same lanes, from and to swapped, findings resolved instead of appeared', () => {
    const a = side(baseline());
    const b = side([...baseline(), CONTRACTUAL]);
    const forth = diffAuthority(a, b);
    const back = diffAuthority(b, a);
    expect(back.lanes.map((l) => [l.laneId, l.status.to, l.status.from])).toEqual(
      forth.lanes.map((l) => [l.laneId, l.status.from, l.status.to]),
    );
    expect(back.findings.resolved.map((f) => f.checkId)).toEqual(
      forth.findings.appeared.map((f) => f.checkId),
    );
    expect(back.findings.appeared).toEqual([]);
  });

  it('a delegation in force: the executive lane’s holder changes, and its why is that holder change', () => {
    const before = side(baseline());
    const after = side([...baseline(), delegation()]);
    const ecc = diffAuthority(before, after).lanes.find((l) => l.laneId === 'executive-cyber-command');
    expect(ecc?.holder).toMatchObject({
      from: { person: 'Daniel Mercer', via: 'holder', record: null },
      to: {
        person: 'Hannah Lindqvist',
        via: 'delegation',
        record: 'ED-1',
        until: '2026-12-02T00:00:00.000Z',
      },
    });
    expect(ecc?.why.map((y) => `${y.kind} ${y.laneId ?? '-'}`)).toEqual(['holder executive-cyber-command']);
    expect(ecc?.statusChanged).toBe(false);
  });

  it('options added, removed and changed by id, with the fields that changed', () => {
    const a = side([
      ...baseline(),
      option({ optionId: 'OPT-2', title: 'Freeze releases', decisions: ['release-freeze'] }),
    ]);
    const b = side(
      baseline()
        .map((r) =>
          r.family === 'runbook-option'
            ? option({
                effects: [
                  {
                    effect: 'key-revocation',
                    scope: 'internal',
                    reversibility: 'irreversible',
                    note: 'gone',
                  },
                ],
              })
            : r,
        )
        .concat([option({ optionId: 'OPT-3', title: 'Rotate', decisions: ['limited-revocation'] })]),
    );
    const d = diffAuthority(a, b);
    expect(d.options.map((o) => [o.optionId, o.change])).toEqual([
      ['OPT-1', 'changed'],
      ['OPT-2', 'removed'],
      ['OPT-3', 'added'],
    ]);
    expect(d.options[0]?.fields).toEqual(['effects', 'worst']);
  });

  it('a new matrix digest is a matrix change even with the same lanes', () => {
    const d = diffAuthority(side(baseline()), side(baseline(), { digest: 'f'.repeat(64) }));
    expect(d.matrix).toMatchObject({
      from: { matrix: MATRIX.matrix, policyDigest: '0'.repeat(64) },
      to: { policyDigest: 'f'.repeat(64) },
    });
    expect(d.lanes).toEqual([]);
    expect(d.changed).toBe(true);
  });

  it('marks changes inside the critical window by the later instant, and not after it', () => {
    // Declared 2026-12-01T00:00Z; the window closes criticalWindowHours later.
    const inside = side([...baseline(), CONTRACTUAL]);
    const end = inside.view.windowEnd;
    expect(end).not.toBeNull();
    const d = diffAuthority(side(baseline()), inside);
    expect(d.inCriticalWindow).toBe(inWindow(inside.asOf, end));
    expect(d.inCriticalWindow).toBe(true);
    expect(d.lanes.every((l) => l.inCriticalWindow && l.why.every((y) => y.inCriticalWindow))).toBe(true);
    const lateAsOf = new Date(Date.parse(end ?? '') + 60_000).toISOString();
    const late = side([...baseline(), CONTRACTUAL], { asOf: lateAsOf });
    const d2 = diffAuthority(side(baseline()), late);
    expect(d2.inCriticalWindow).toBe(false);
    expect([...d2.lanes, ...d2.requirements, ...d2.findings.appeared].some((c) => c.inCriticalWindow)).toBe(
      false,
    );
    expect(inWindow(end ?? '', end)).toBe(true);
    expect(inWindow('2026-12-01T00:00:00.000Z', null)).toBe(false);
  });

  it('is deterministic: record order does not change the diff', () => {
    const recs = [
      ...baseline(),
      CONTRACTUAL,
      lineage(41, { audience: 'external-customer', product: 'desktop-agent' }),
    ];
    const d1 = diffAuthority(side(baseline()), side(recs));
    const d2 = diffAuthority(side([...baseline()].reverse()), side([...recs].reverse()));
    expect(JSON.stringify(d2)).toBe(JSON.stringify(d1));
  });
});

describe('diffAuthority — a subject that gains a category', () => {
  it('custody stale, then stale and disputed: the disputed finding appears', () => {
    const old = baseline().map((r) =>
      r.family === 'custody-evidence' ? evidence({ observedAt: '2026-11-29T00:00:00.000Z' }) : r,
    );
    const split = evidence({
      evidenceId: 'CE-2',
      kind: 'backup-accounted',
      conclusion: 'ruled-out',
      observedAt: '2026-11-28T00:00:00.000Z',
    });
    const a = run(old);
    const b = run([...old, split]);
    const side = (e: ReturnType<typeof run>) => ({
      view: e.derived!,
      findings: e.findings,
      asOf: e.inputs.asOf,
      policyDigest: e.inputs.policyDigest,
    });
    const d = diffAuthority(side(a), side(b));
    expect(d.findings.appeared.map((f) => `${f.checkId} ${f.subject} ${f.category}`)).toEqual([
      'CMP-CUSTODY K-1 disputed',
    ]);
    expect(d.findings.resolved).toEqual([]);
  });
});
