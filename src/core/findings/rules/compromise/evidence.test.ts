import { describe, expect, it } from 'vitest';
import {
  audit,
  baseline,
  checks,
  evidence,
  impact,
  incident,
  inventory,
  lineage,
  register,
  run,
  signature,
  statuses,
} from './testkit';
import { rec } from '../deferral/testkit';

/** Paired tests per fact-gap check: the gap raises it, the look-alike beside it does not. */
const only = (e: ReturnType<typeof run>, id: string) => checks(e).filter((c) => c.startsWith(`${id} `));
const replace = (
  records: ReturnType<typeof baseline>,
  family: string,
  id: string,
  by: ReturnType<typeof baseline>[number],
) => records.map((r) => (r.family === family && r.provenance.recordId === id ? by : r));

describe('CMP-SCOPE', () => {
  it('no declaration, a closed incident, a key the inventory does not know: each raises it', () => {
    expect(only(run(baseline().filter((r) => r.family !== 'incident-scope')), 'CMP-SCOPE')).toEqual([
      'CMP-SCOPE missing INC-1',
    ]);
    expect(
      only(
        run([...baseline(), incident({ status: 'closed', declaredAt: '2026-12-01T04:00:00.000Z' })]),
        'CMP-SCOPE',
      ),
    ).toEqual(['CMP-SCOPE scope-unclear INC-1']);
    expect(
      only(
        run([...baseline(), incident({ keyIds: ['K-1', 'K-9'], declaredAt: '2026-12-01T01:00:00.000Z' })]),
        'CMP-SCOPE',
      ),
    ).toEqual(['CMP-SCOPE scope-unclear INC-1']);
  });
  it('look-alikes: a contained incident is open; a declaration dated after as-of is not yet known (the earlier one stands)', () => {
    expect(
      only(
        run([...baseline(), incident({ status: 'contained', declaredAt: '2026-12-01T02:00:00.000Z' })]),
        'CMP-SCOPE',
      ),
    ).toEqual([]);
    const later = run([
      ...baseline(),
      incident({ status: 'closed', declaredAt: '2026-12-02T00:00:00.000Z' }),
    ]);
    expect(only(later, 'CMP-SCOPE')).toEqual([]);
    expect(later.outcome).toBe('recommend');
  });
});

describe('CMP-CUSTODY', () => {
  it('no evidence (missing; exposure unknown), old evidence (stale), disagreeing evidence (disputed)', () => {
    const none = run(baseline().filter((r) => r.family !== 'custody-evidence'));
    expect(only(none, 'CMP-CUSTODY')).toEqual(['CMP-CUSTODY missing K-1']);
    expect(none.derived?.facts.find((f) => f.fact === 'custodyExposure')?.value).toBeNull();
    const old = replace(
      baseline(),
      'custody-evidence',
      'CE-1',
      evidence({ observedAt: '2026-11-29T00:00:00.000Z' }),
    );
    expect(only(run(old), 'CMP-CUSTODY')).toEqual(['CMP-CUSTODY stale K-1']);
    const split = [
      ...baseline(),
      evidence({ evidenceId: 'CE-2', kind: 'backup-accounted', conclusion: 'ruled-out' }),
    ];
    expect(only(run(split), 'CMP-CUSTODY')).toEqual(['CMP-CUSTODY disputed K-1']);
  });
  it('look-alikes: evidence about another key; an older residency check superseded by a newer one of the same kind', () => {
    const other = [...baseline(), evidence({ evidenceId: 'CE-9', keyId: 'K-9', conclusion: 'confirmed' })];
    const e = run(other);
    expect(only(e, 'CMP-CUSTODY')).toEqual([]);
    expect(e.derived?.facts.find((f) => f.fact === 'custodyExposure')?.value).toBe('suspected');
    const superseded = [
      ...baseline(),
      evidence({ evidenceId: 'CE-0', conclusion: 'ruled-out', observedAt: '2026-11-30T12:00:00.000Z' }),
    ];
    expect(only(run(superseded), 'CMP-CUSTODY')).toEqual([]);
  });
  it('a successful export of the key in the window counts as at least suspected; a denied one does not', () => {
    const ruled = replace(baseline(), 'custody-evidence', 'CE-1', evidence({ conclusion: 'unconfirmed' }));
    const exported = run([...ruled, audit(71, { event: 'key-export', operator: 'someone' })]);
    expect(exported.derived?.facts.find((f) => f.fact === 'custodyExposure')?.value).toBe('suspected');
    const denied = run([...ruled, audit(71, { event: 'key-export', operator: 'someone', result: 'denied' })]);
    expect(denied.derived?.facts.find((f) => f.fact === 'custodyExposure')?.value).toBe('unconfirmed');
  });
});

describe('CMP-AUDIT', () => {
  it('no audit of an HSM holding the key is missing', () => {
    expect(only(run(baseline().filter((r) => r.family !== 'hsm-audit-log')), 'CMP-AUDIT')).toEqual([
      'CMP-AUDIT missing HSM-A',
    ]);
    expect(
      only(run([...baseline(), inventory({ entryId: 'INV-2', hsmSerial: 'HSM-B' })]), 'CMP-AUDIT'),
    ).toEqual(['CMP-AUDIT missing HSM-B']);
  });
  it('look-alike: a gap before the exposure window, and a cleared log on another HSM, do not raise it', () => {
    const early = baseline().filter(
      (r) => !(r.family === 'hsm-audit-log' && r.provenance.recordId === 'A-10'),
    );
    expect(only(run(early), 'CMP-AUDIT')).toEqual([]);
    expect(
      only(
        run([...baseline(), audit(900, { hsmSerial: 'HSM-Z', event: 'audit-cleared', keyId: null })]),
        'CMP-AUDIT',
      ),
    ).toEqual([]);
  });
});

describe('CMP-TELEMETRY', () => {
  it('a sequence gap in the window is partial; an old export is stale; no telemetry at all is missing', () => {
    const gap = baseline().filter(
      (r) => !(r.family === 'signing-telemetry' && r.provenance.recordId === 'T-20'),
    );
    // The missing event's artifact is in the lineage: the telemetry does not account for it either.
    expect(only(run(gap), 'CMP-TELEMETRY')).toEqual([
      'CMP-TELEMETRY partial INC-1',
      'CMP-TELEMETRY partial pipeline-signer',
    ]);
    expect(only(run(baseline(), { asOf: '2026-12-01T12:00:00.000Z' }), 'CMP-TELEMETRY')).toEqual([
      'CMP-TELEMETRY stale pipeline-signer',
    ]);
    expect(only(run(baseline().filter((r) => r.family !== 'signing-telemetry')), 'CMP-TELEMETRY')).toEqual([
      'CMP-TELEMETRY missing INC-1',
    ]);
  });
  it('look-alike: another service signing only other keys is not judged', () => {
    const other = [...baseline(), signature(500, { keyId: 'K-9', service: 'bridge', serviceSequence: 7 })];
    expect(only(run(other), 'CMP-TELEMETRY')).toEqual([]);
  });
});

describe('CMP-LINEAGE', () => {
  it('an untraced signature is partial and leaves distribution unknown', () => {
    const e = run([...baseline(), signature(40, { artifactDigest: null })]);
    expect(only(e, 'CMP-LINEAGE')).toEqual(['CMP-LINEAGE partial K-1']);
    expect(e.derived?.facts.find((f) => f.fact === 'externalDistribution')?.value).toBeNull();
  });
  it('look-alike: a signature before the window needs no lineage; a staged build has not shipped', () => {
    const before = [...baseline(), signature(-2000, { serviceSequence: 1, artifactDigest: null })];
    expect(only(run(before), 'CMP-LINEAGE')).toEqual([]);
    const staged = replace(
      baseline(),
      'artifact-lineage',
      'L-1',
      lineage(1, { audience: 'public', status: 'staged' }),
    );
    const e = run(staged);
    expect(e.derived?.facts.find((f) => f.fact === 'externalDistribution')?.value).toBe(false);
    expect(e.derived?.facts.find((f) => f.fact === 'artifactsAffected')?.value).toBe(40);
  });
  it('a build withdrawn after it was published to the public has shipped (copies exist)', () => {
    const withdrawn = replace(
      baseline(),
      'artifact-lineage',
      'L-1',
      lineage(1, { audience: 'public', status: 'withdrawn' }),
    );
    expect(run(withdrawn).derived?.facts.find((f) => f.fact === 'externalDistribution')?.value).toBe(true);
  });
});

describe('CMP-IMPACT and CMP-DISCLOSURE', () => {
  const external = () =>
    replace(
      baseline(),
      'artifact-lineage',
      'L-2',
      lineage(2, { product: 'desktop-agent', audience: 'external-customer' }),
    );
  it('a product shipped to customers without an estimate, or without a register review, raises each', () => {
    const e = run(external());
    expect(only(e, 'CMP-IMPACT')).toEqual(['CMP-IMPACT missing desktop-agent']);
    expect(only(e, 'CMP-DISCLOSURE')).toEqual(['CMP-DISCLOSURE missing desktop-agent']);
    expect(e.derived?.facts.find((f) => f.fact === 'customersAffected')?.value).toBeNull();
  });
  it('estimates and reviews present and fresh: neither; old ones are stale', () => {
    const ok = [
      ...external(),
      impact({ product: 'desktop-agent' }),
      register({ entryId: 'DR-2', product: 'desktop-agent' }),
    ];
    expect([...only(run(ok), 'CMP-IMPACT'), ...only(run(ok), 'CMP-DISCLOSURE')]).toEqual([]);
    expect(run(ok).derived?.facts.find((f) => f.fact === 'customersAffected')?.value).toBe(40);
    const old = [
      ...external(),
      impact({ product: 'desktop-agent', estimatedAt: '2026-11-25T00:00:00.000Z' }),
      register({ entryId: 'DR-2', product: 'desktop-agent', recordedAt: '2026-11-25T00:00:00.000Z' }),
    ];
    expect([...only(run(old), 'CMP-IMPACT'), ...only(run(old), 'CMP-DISCLOSURE')]).toEqual([
      'CMP-IMPACT stale desktop-agent',
      'CMP-DISCLOSURE stale desktop-agent',
    ]);
  });
  it('look-alike: a channel named like a partner mirror but internal is not external; nothing shipped needs no estimate', () => {
    const mirror = replace(
      baseline(),
      'artifact-lineage',
      'L-2',
      lineage(2, { channel: 'partner-mirror', audience: 'internal' }),
    );
    const e = run(mirror);
    expect(only(e, 'CMP-IMPACT')).toEqual([]);
    expect(e.derived?.facts.find((f) => f.fact === 'customersAffected')?.value).toBe(0);
  });
});

describe('coverage: partial or old telemetry and audit never read as complete', () => {
  const fact = (e: ReturnType<typeof run>, name: string) =>
    e.derived?.facts.find((f) => f.fact === name)?.value;
  it('telemetry that stops before signatures the lineage shows: partial, and distribution unknown', () => {
    const cut = baseline().filter(
      (r) => !(r.family === 'signing-telemetry' && Number(r.provenance.recordId.slice(2)) >= 30),
    );
    const e = run(cut);
    expect(only(e, 'CMP-TELEMETRY')).toEqual(['CMP-TELEMETRY partial INC-1']);
    expect(fact(e, 'externalDistribution')).toBeNull();
    expect(e.outcome).toBe('recommend-with-gaps');
  });
  it('a sequence gap or stale telemetry leaves distribution unknown (never false)', () => {
    const gap = baseline().filter(
      (r) => !(r.family === 'signing-telemetry' && r.provenance.recordId === 'T-20'),
    );
    expect(fact(run(gap), 'externalDistribution')).toBeNull();
    expect(fact(run(baseline(), { asOf: '2026-12-01T12:00:00.000Z' }), 'externalDistribution')).toBeNull();
    // Look-alike: complete, current telemetry — distribution known.
    expect(fact(run(baseline()), 'externalDistribution')).toBe(false);
  });
  it('an audit log last exported long before as-of does not cover the window: stale, gap unknown', () => {
    const old = baseline().map((r) =>
      r.family === 'hsm-audit-log'
        ? audit(Number(r.provenance.recordId.slice(2)), {}, '2026-11-30T00:30:00.000Z')
        : r,
    );
    const e = run(old);
    expect(only(e, 'CMP-AUDIT')).toEqual(['CMP-AUDIT stale HSM-A']);
    expect(fact(e, 'hsmAuditGap')).toBeNull();
  });
});

describe('register facts when the products are not all known', () => {
  const fact = (e: ReturnType<typeof run>, name: string) =>
    e.derived?.facts.find((f) => f.fact === name)?.value;
  it('no telemetry, or an untraced signature: the register facts are unknown, the gap is named, the executive lane blocked', () => {
    const blind = baseline().filter((r) => r.family !== 'signing-telemetry');
    const e = run([
      ...blind,
      register({ entryId: 'DR-8', product: 'other-product', constraint: 'legal-hold' }),
    ]);
    expect(fact(e, 'legalHold')).toBeNull();
    expect(only(e, 'CMP-DISCLOSURE')).toEqual(['CMP-DISCLOSURE partial INC-1']);
    expect(statuses(e)['executive-cyber-command']).toBe('blocked');
    // Only the declaration and the inventory: nothing is known, nothing reads as "no notice".
    const bare = run(
      baseline().filter((r) => r.family === 'incident-scope' || r.family === 'hsm-key-inventory'),
    );
    expect(fact(bare, 'contractualNotice')).toBeNull();
    expect(fact(bare, 'noticeDeadlineHours')).toBeNull();
    expect(only(bare, 'CMP-DISCLOSURE')).toEqual(['CMP-DISCLOSURE partial INC-1']);
  });
  it('look-alike: with complete lineage, an open notice for a product the keys never signed is not theirs', () => {
    const e = run([
      ...baseline(),
      register({ entryId: 'DR-8', product: 'other-product', obligation: 'contractual-notice' }),
    ]);
    expect(fact(e, 'contractualNotice')).toBe(false);
    expect(only(e, 'CMP-DISCLOSURE')).toEqual([]);
    expect(e.outcome).toBe('recommend');
  });
});

describe('second review: what must not read clean, and what must not be flagged', () => {
  const fact = (e: ReturnType<typeof run>, name: string) =>
    e.derived?.facts.find((f) => f.fact === name)?.value;
  it('an audit export that starts inside the window cannot show its first entries complete', () => {
    const late = baseline().filter(
      (r) => !(r.family === 'hsm-audit-log' && Number(r.provenance.recordId.slice(2)) < 66),
    );
    const e = run(late);
    expect(only(e, 'CMP-AUDIT')).toEqual(['CMP-AUDIT partial HSM-A']);
    expect(fact(e, 'hsmAuditGap')).toBeNull();
  });
  it('look-alike: a signing service retired long before the window is not judged stale', () => {
    const retired = rec(
      'signing-telemetry',
      signature(9000, { service: 'legacy-signer', serviceSequence: 5, signedAt: '2025-06-01T00:00:00.000Z' })
        .content as never,
      '2025-06-02T00:00:00.000Z',
    );
    const e = run([...baseline(), retired]);
    expect(only(e, 'CMP-TELEMETRY')).toEqual([]);
    expect(e.outcome).toBe('recommend');
  });
});
