import { describe, expect, it } from 'vitest';
import { checkPacket, freshness, type PacketCheckId } from './checks';
import { diffPackets } from './diff';
import { evidenceSchema, type Evidence, type PacketContent } from './model';
import { applyOp, packetOpSchema } from './ops';
import { acknowledgedFindings, claimStatus, registerOf } from './derived';
import type { Finding, FindingCategory } from '../findings/model';
import { detectStopIndicators, stopRulesSchema } from './stop';
import stopRulesJson from '../../../resources/policy/stop-triggers.json';

const NOW = '2026-11-25T12:00:00.000Z';

const ev = (id: string, over: Partial<Evidence> = {}): Evidence => ({
  evidenceId: id,
  title: `evidence ${id}`,
  origin: 'media-file',
  source: { system: 'hsm-audit', recordId: `${id}.json` },
  sha256: 'a'.repeat(64),
  mediaType: 'application/json',
  sizeBytes: 10,
  effectiveAt: '2026-11-20T00:00:00.000Z',
  receivedAt: '2026-11-21T00:00:00.000Z',
  importedBy: 'Pat PM',
  attestedBy: null,
  freshnessDays: 30,
  sensitive: false,
  excerpt: '',
  certificates: [],
  indicators: [],
  ...over,
});

/** A packet every check passes: the baseline each failing case changes in exactly one way. */
const complete = (): PacketContent => ({
  packetId: 'attest-2026-11',
  kind: 'custody-attestation',
  title: 'Deferral of release-signing key rotation',
  scope: {
    covers: 'release signing key RSK-2024',
    boundary: 'the board decides; the station only assembles',
  },
  claims: [
    { claimId: 'c-inventory', text: 'The key is HSM-resident', evidence: ['ev-inv'], status: 'supported' },
  ],
  evidence: [ev('ev-inv')],
  annotations: [],
  routing: {
    requiredRoles: ['board-reviewer'],
    reviewers: [{ role: 'board-reviewer', name: 'Dana Board' }],
  },
  subject: {
    key: 'RSK-2024',
    windowStart: '2026-12-01T00:00:00.000Z',
    windowEnd: '2027-02-28T00:00:00.000Z',
  },
});

const verdict = (p: PacketContent, id: PacketCheckId) => checkPacket(p, NOW).checks.find((c) => c.id === id)!;

describe('checkPacket: each check ID passes on the complete packet and fails on one planted gap', () => {
  it('the complete packet is READY with every check passing', () => {
    const r = checkPacket(complete(), NOW);
    expect(r.gate).toBe('READY');
    expect(r.failed).toBe(0);
    expect(r.checks).toHaveLength(7);
  });

  const cases: [PacketCheckId, (p: PacketContent) => PacketContent, RegExp, string][] = [
    [
      'PKT-STOP',
      (p) => ({
        ...p,
        evidence: [
          ev('ev-inv', { indicators: [{ indicator: 'key-compromise', detail: 'line 3: key compromised' }] }),
        ],
      }),
      /ev-inv indicates key-compromise/,
      'STOPPED',
    ],
    [
      'PKT-SCOPE',
      (p) => ({ ...p, scope: { ...p.scope, boundary: '' } }),
      /where human review begins/,
      'HOLD-ROUTING',
    ],
    [
      'PKT-CLAIM-EVIDENCE',
      (p) => ({ ...p, claims: [{ ...p.claims[0]!, evidence: ['ev-gone'] }] }),
      /c-inventory cites ev-gone, not in the index/,
      'HOLD-SOURCE',
    ],
    [
      'PKT-CLAIM-OPEN',
      (p) => ({
        ...p,
        claims: [
          ...p.claims,
          { claimId: 'c-avail', text: 'signers available', evidence: [], status: 'pending' },
        ],
      }),
      /c-avail is pending/,
      'HOLD-SOURCE',
    ],
    [
      'PKT-EVIDENCE-DATED',
      (p) => ({ ...p, evidence: [ev('ev-inv', { effectiveAt: '2026-11-22T00:00:00.000Z' })] }),
      /effective 2026-11-22.*after it was received/,
      'HOLD-SOURCE',
    ],
    [
      'PKT-EVIDENCE-FRESH',
      (p) => ({
        ...p,
        evidence: [ev('ev-inv', { effectiveAt: '2026-09-01T00:00:00.000Z', freshnessDays: 30 })],
      }),
      /ev-inv is 85 days old \(rule: at most 30\)/,
      'HOLD-SOURCE',
    ],
    [
      'PKT-ROUTING',
      (p) => ({ ...p, routing: { ...p.routing, reviewers: [] } }),
      /no reviewer named for board-reviewer/,
      'HOLD-ROUTING',
    ],
  ];

  for (const [id, plant, finding, gate] of cases) {
    it(`${id}: passes when complete, fails with its finding when planted`, () => {
      expect(verdict(complete(), id).pass).toBe(true);
      const planted = plant(complete());
      const c = verdict(planted, id);
      expect(c.pass).toBe(false);
      expect(c.findings.join('\n')).toMatch(finding);
      const r = checkPacket(planted, NOW);
      expect(r.gate).toBe(gate);
      // The planted gap fails only its own check.
      expect(r.checks.filter((x) => !x.pass).map((x) => x.id)).toEqual([id]);
      expect(r.blockers.every((b) => b.startsWith(`${id}: `))).toBe(true);
    });
  }

  it('PKT-STOP: a stop a quorum cleared no longer counts; other evidence with indicators still does', () => {
    const stopped: PacketContent = {
      ...complete(),
      evidence: [
        ev('ev-inv', { indicators: [{ indicator: 'unauthorised-signing', detail: 'line 1: attempts: 0' }] }),
        ev('ev-other', { indicators: [{ indicator: 'key-compromise', detail: 'line 4: key compromised' }] }),
      ],
    };
    expect(checkPacket(stopped, NOW, { clearedStops: new Set(['ev-inv']) }).checks[0]!.findings).toEqual([
      'ev-other indicates key-compromise: line 4: key compromised',
    ]);
    expect(checkPacket(stopped, NOW, { clearedStops: new Set(['ev-inv', 'ev-other']) }).checks[0]!.pass).toBe(
      true,
    );
  });

  it('PKT-CLAIM-EVIDENCE also fails a packet that makes no claims at all', () => {
    const c = verdict({ ...complete(), claims: [] }, 'PKT-CLAIM-EVIDENCE');
    expect(c.pass).toBe(false);
    expect(c.findings).toEqual(['the packet makes no claims yet']);
  });

  it('PKT-CLAIM-EVIDENCE is never green while no claim is supported (all pending, disputed or unsupported)', () => {
    const base = complete();
    for (const status of ['pending', 'disputed', 'unsupported'] as const) {
      const c = verdict(
        { ...base, claims: base.claims.map((x) => ({ ...x, status })) },
        'PKT-CLAIM-EVIDENCE',
      );
      expect([c.pass, c.findings]).toEqual([false, ['no claim is supported by evidence yet']]);
    }
    // One supported claim citing indexed evidence is enough for this check.
    expect(verdict(base, 'PKT-CLAIM-EVIDENCE').pass).toBe(true);
  });

  it('freshness: no rule → null; a rule but no effective date → not fresh', () => {
    expect(freshness({ effectiveAt: null, freshnessDays: null }, NOW)).toBeNull();
    expect(freshness({ effectiveAt: null, freshnessDays: 7 }, NOW)).toEqual({ fresh: false, ageDays: null });
    expect(freshness({ effectiveAt: '2026-11-18T12:00:00.000Z', freshnessDays: 7 }, NOW)).toEqual({
      fresh: true,
      ageDays: 7,
    });
  });
});

describe('applyOp', () => {
  it('refuses marking a claim supported without evidence, and citing unknown evidence', () => {
    const p = complete();
    expect(() =>
      applyOp(p, {
        op: 'set-claim',
        claim: { claimId: 'c-x', text: 'x', evidence: [], status: 'supported' },
      }),
    ).toThrow(expect.objectContaining({ code: 'PACKET_CLAIM_UNSUPPORTED' }));
    expect(() =>
      applyOp(p, {
        op: 'set-claim',
        claim: { claimId: 'c-x', text: 'x', evidence: ['ev-nope'], status: 'pending' },
      }),
    ).toThrow(expect.objectContaining({ code: 'PACKET_EVIDENCE_UNKNOWN' }));
    const ok = applyOp(p, {
      op: 'set-claim',
      claim: { claimId: 'c-x', text: 'x', evidence: ['ev-inv'], status: 'supported' },
    });
    expect(ok.claims.map((c) => c.claimId)).toEqual(['c-inventory', 'c-x']);
    expect(p.claims).toHaveLength(1);
  });

  it('never replaces evidence: the index is append-only', () => {
    expect(() =>
      applyOp(complete(), { op: 'add-evidence', evidence: ev('ev-inv', { title: 'other' }) }),
    ).toThrow(expect.objectContaining({ code: 'PACKET_ITEM_EXISTS' }));
  });

  it('sets a claim by id (replaces); an annotation carries a note, owner or due date and nothing else', () => {
    const p = applyOp(complete(), {
      op: 'set-claim',
      claim: { claimId: 'c-inventory', text: 'changed', evidence: ['ev-inv'], status: 'disputed' },
    });
    expect(p.claims).toEqual([
      { claimId: 'c-inventory', text: 'changed', evidence: ['ev-inv'], status: 'disputed' },
    ]);
    const a = { checkId: 'DEF-SEAL', subject: 'BAG-1', note: null, owner: 'Olu Owner', dueAt: null };
    expect(applyOp(p, { op: 'annotate-finding', annotation: a }).annotations).toEqual([a]);
    expect(() => applyOp(p, { op: 'annotate-finding', annotation: { ...a, owner: null } })).toThrow(
      /needs a note, an owner or a due date/,
    );
    // No op can make a finding non-blocking or recategorise it: the schemas are strict.
    expect(
      packetOpSchema.safeParse({ op: 'annotate-finding', annotation: { ...a, blocking: false } }).success,
    ).toBe(false);
    expect(
      packetOpSchema.safeParse({ op: 'annotate-finding', annotation: { ...a, category: 'stale' } }).success,
    ).toBe(false);
    expect(packetOpSchema.safeParse({ op: 'set-exception', exception: {} }).success).toBe(false);
  });

  it('PKT-CLAIM-DERIVED: a rotation-deferral claim status is never typed, only bound to checks', () => {
    const d: PacketContent = { ...complete(), kind: 'rotation-deferral', claims: [] };
    expect(() =>
      applyOp(d, {
        op: 'set-claim',
        claim: { claimId: 'c-x', text: 't', evidence: [], checks: ['DEF-SEAL'], status: 'supported' },
      }),
    ).toThrow(expect.objectContaining({ code: 'PACKET_CLAIM_DERIVED' }));
    const bound = applyOp(d, {
      op: 'set-claim',
      claim: { claimId: 'c-x', text: 't', evidence: [], checks: ['DEF-SEAL'] },
    });
    expect(bound.claims[0]?.checks).toEqual(['DEF-SEAL']);
  });
});

describe('stop triggers (resources/policy/stop-triggers.json)', () => {
  const rules = stopRulesSchema.parse(stopRulesJson);
  it('finds compromise, unauthorised signing and supply-chain incidents, with the line', () => {
    const found = detectStopIndicators(
      'routine audit\nHSM reports unauthorized signing by key 0x1f at 03:12\nvendor notice: supply-chain incident in build farm\n',
      rules,
    );
    expect(found).toEqual([
      {
        indicator: 'unauthorised-signing',
        detail: 'line 2: HSM reports unauthorized signing by key 0x1f at 03:12',
      },
      {
        indicator: 'supply-chain-incident',
        detail: 'line 3: vendor notice: supply-chain incident in build farm',
      },
    ]);
  });
  it('does not fire on routine ceremony text that uses the same words apart', () => {
    expect(
      detectStopIndicators(
        'firmware attestation mismatch blocks the quorum ceremony\nsigning ceremony completed with quorum 2 of 3\nno unauthorised access was found; key rotation deferred',
        rules,
      ),
    ).toEqual([]);
  });
});

describe('diffPackets', () => {
  it('names added, removed and changed items with their fields; identical versions have no diff', () => {
    const a = complete();
    expect(diffPackets(a, a)).toEqual([]);
    const b: PacketContent = {
      ...a,
      scope: { ...a.scope, covers: 'RSK-2024 and its backup' },
      claims: [{ ...a.claims[0]!, status: 'disputed' }],
      evidence: [...a.evidence, ev('ev-new')],
    };
    expect(diffPackets(a, b)).toEqual([
      { section: 'scope', id: 'scope', change: 'changed', fields: ['covers'] },
      { section: 'claims', id: 'c-inventory', change: 'changed', fields: ['status'] },
      { section: 'evidence', id: 'ev-new', change: 'added', fields: [] },
    ]);
    expect(diffPackets(b, a)).toContainEqual({
      section: 'evidence',
      id: 'ev-new',
      change: 'removed',
      fields: [],
    });
  });
});

describe('hostile and impossible input', () => {
  const rules = stopRulesSchema.parse(stopRulesJson);
  it('stop findings stop at the cap even when one line matches several rules', () => {
    const line = 'suspected compromise; unauthorized signing seen; supply chain attack confirmed';
    const found = detectStopIndicators(Array.from({ length: 10 }, () => line).join('\n'), rules);
    expect(found).toHaveLength(20);
    expect(new Set(found.map((f) => f.indicator))).toEqual(
      new Set(['key-compromise', 'unauthorised-signing', 'supply-chain-incident']),
    );
  });

  it('an impossible calendar date is refused by the model and never makes freshness NaN', () => {
    expect(evidenceSchema.safeParse(ev('ev-x', { effectiveAt: '2025-13-01T00:00:00.000Z' })).success).toBe(
      false,
    );
    expect(evidenceSchema.safeParse(ev('ev-x')).success).toBe(true);
    expect(freshness({ effectiveAt: '2025-13-01T00:00:00.000Z', freshnessDays: 7 }, NOW)).toEqual({
      fresh: false,
      ageDays: null,
    });
  });
});

describe('derived packets (rotation-deferral): register, claim statuses, acknowledgements, gate', () => {
  const f = (checkId: string, subject: string, category: FindingCategory, blocking = true): Finding => ({
    checkId,
    category,
    blocking,
    waivable: true,
    subject,
    records: [{ family: 'seal-inspection', system: 'vault', recordId: 'SI-1' }],
    sentence: `${checkId} found ${subject}`,
  });
  const claim = (checks?: string[]) => ({
    claimId: 'c-x',
    text: 't',
    evidence: [],
    ...(checks ? { checks } : {}),
  });

  it('claimStatus: supported / pending / disputed / unsupported from the bound checks, asserted when unbound', () => {
    const seal = claim(['DEF-SEAL']);
    expect(claimStatus(seal, [])).toBe('supported');
    expect(claimStatus(seal, [f('DEF-RUNWAY', 'K', 'missing')])).toBe('supported');
    expect(claimStatus(seal, [f('DEF-SEAL', 'BAG-1', 'stale', false)])).toBe('pending');
    expect(claimStatus(seal, [f('DEF-SEAL', 'BAG-1', 'disputed')])).toBe('disputed');
    expect(claimStatus(seal, [f('DEF-SEAL', 'BAG-1', 'stale')])).toBe('unsupported');
    expect(claimStatus(seal, null)).toBe('pending');
    expect(claimStatus(claim(), [])).toBe('asserted');
    expect(claimStatus(claim([]), [])).toBe('asserted');
    // No request record for the subject: the runway rule could check nothing, so nothing is supported.
    const runway = claim(['DEF-RUNWAY']);
    const noRequest = { ...f('DEF-SCOPE', 'DR-9', 'scope-unclear'), records: [] };
    expect(claimStatus(runway, [noRequest], 'DR-9')).toBe('pending');
    expect(claimStatus(runway, [noRequest], 'DR-1')).toBe('supported');
    expect(claimStatus(runway, [{ ...noRequest, blocking: false }], 'DR-9')).toBe('supported');
    // A scope finding about a request that exists (it rests on the request record) does not make claims
    // pending, and a disputed check stays disputed whatever else is found.
    expect(claimStatus(runway, [f('DEF-SCOPE', 'DR-9', 'scope-unclear')], 'DR-9')).toBe('supported');
    expect(claimStatus(runway, [noRequest, f('DEF-RUNWAY', 'K', 'disputed')], 'DR-9')).toBe('disputed');
  });

  it('registerOf: every finding with its notes, latest owner and due date; acknowledgeable only by policy', () => {
    const findings = [f('DEF-SEAL', 'BAG-1', 'stale'), f('DEF-HSM-ATTEST', 'HSM-1', 'disputed')];
    const r = registerOf(
      findings,
      [
        { checkId: 'DEF-SEAL', subject: 'BAG-1', note: 'reinspection booked', owner: 'A', dueAt: null },
        { checkId: 'DEF-SEAL', subject: 'BAG-1', note: null, owner: 'B', dueAt: '2026-12-20T00:00:00.000Z' },
        { checkId: 'DEF-SEAL', subject: 'BAG-9', note: 'other', owner: null, dueAt: null },
      ],
      ['stale'],
    );
    expect(r.map((x) => x.finding)).toEqual(findings);
    expect(r[0]).toMatchObject({ notes: ['reinspection booked'], owner: 'B', acknowledgeable: true });
    expect(r[1]).toMatchObject({ notes: [], owner: null, acknowledgeable: false });
  });

  it('acknowledgedFindings: each blocking finding of an allowed category, nothing else', () => {
    const stale = f('DEF-SEAL', 'BAG-1', 'stale');
    const advisory = f('DEF-BUILD', 'CI', 'partial', false);
    const ok = acknowledgedFindings([stale, advisory], ['stale', 'partial'], [stale]);
    expect(ok).toEqual([stale]);
    const refused = (fn: () => unknown) =>
      expect(fn).toThrow(expect.objectContaining({ code: 'PACKET_ACKNOWLEDGEMENT_REFUSED' }));
    refused(() => acknowledgedFindings([stale], ['stale'], []));
    refused(() => acknowledgedFindings([stale], ['stale'], [stale, { checkId: 'DEF-X', subject: 'nope' }]));
    refused(() => acknowledgedFindings([stale, advisory], ['stale', 'partial'], [stale, advisory]));
    refused(() => acknowledgedFindings([stale], ['partial'], [stale]));
  });

  it('PKT-EVALUATED and PKT-OUTCOME decide the gate; routing is no packet check any more', () => {
    const d: PacketContent = {
      ...complete(),
      kind: 'rotation-deferral',
      routing: { requiredRoles: ['board-reviewer'], reviewers: [] },
    };
    const ev0 = {
      seq: 9,
      status: 'FRESH' as const,
      sentence: 's',
      outcome: 'handoff-clean',
      reason: 'r',
      holds: null,
    };
    expect(checkPacket(d, NOW).gate).toBe('HOLD-SOURCE');
    expect(checkPacket(d, NOW, { derived: { evaluation: ev0 } }).gate).toBe('READY');
    expect(checkPacket(d, NOW, { derived: { evaluation: ev0 } }).checks.map((c) => c.id)).toEqual([
      'PKT-STOP',
      'PKT-SCOPE',
      'PKT-EVALUATED',
      'PKT-OUTCOME',
    ]);
    expect(checkPacket(d, NOW, { derived: { evaluation: { ...ev0, status: 'STALE' } } }).gate).toBe(
      'HOLD-SOURCE',
    );
    const hold = {
      ...ev0,
      outcome: 'hold-scope-routing',
      holds: 'routing' as const,
      reason: 'DEF-ROUTING x',
    };
    const c = checkPacket(d, NOW, { derived: { evaluation: hold } });
    expect(c.gate).toBe('HOLD-ROUTING');
    expect(c.blockers).toEqual(['PKT-OUTCOME: hold-scope-routing: DEF-ROUTING x']);
    expect(checkPacket(d, NOW, { derived: { evaluation: { ...ev0, holds: 'stop' } } }).gate).toBe('STOPPED');
    // Not evaluated: neither PKT-EVALUATED nor PKT-OUTCOME is green (no outcome is not a clean one).
    const none = checkPacket(d, NOW, { derived: { evaluation: null } });
    expect(none.checks.filter((x) => x.pass).map((x) => x.id)).not.toContain('PKT-OUTCOME');
    expect(none.blockers).toContain('PKT-OUTCOME: there is no outcome until the subject is evaluated');
  });
});
