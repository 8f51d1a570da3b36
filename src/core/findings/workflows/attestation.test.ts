import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalBytes } from '../../canonical';
import { evaluate } from '../engine';
import { DEFAULT_ATTESTATION_POLICY } from '../policy/attestation';
import type { World } from '../rules/attestation/testkit';
import { AS_OF, SUBJECT, brief, cleanWorld, recordsOf } from '../rules/attestation/testkit';
import { attestationWorkflow, requirementStatuses } from './attestation';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const run = (world: World, policy = DEFAULT_ATTESTATION_POLICY, asOf = AS_OF) =>
  evaluate(attestationWorkflow, {
    records: recordsOf(world),
    policy,
    policyDigest: sha256(canonicalBytes(policy)),
    asOf,
    subject: SUBJECT,
    sha256,
  });
const statusOf = (world: World, policy = DEFAULT_ATTESTATION_POLICY) =>
  Object.fromEntries(requirementStatuses(run(world, policy).findings, policy).map((r) => [r.id, r.status]));

/** The seed's three planted problems, each on its own. */
const temporaryOperator = (w: World) => {
  w['roster-snapshot']!.push({
    entryId: 'r-erin',
    person: 'erin',
    roles: ['hsm-operator'],
    validFrom: '2026-04-01',
    validUntil: '2026-04-15',
    status: 'temporary',
    snapshotAt: '2026-07-01',
  });
  w['ceremony-log']![0]!.participants = [
    { person: 'Alice Moreau', role: 'hsm-operator', act: 'operator' },
    { person: 'erin', role: 'hsm-operator', act: 'operator' },
  ];
};
const replacedMedia = (w: World) => {
  w['media-lifecycle']!.push({
    eventId: 'ml-2',
    mediaId: 'M1',
    event: 'replaced',
    bagSerial: 'BAG-2',
    at: '2026-06-25',
  });
};
const newHotfixPath = (w: World) => {
  w['signing-path']!.push({
    pathId: 'P3',
    keyId: 'K2',
    via: 'notary-bridge',
    viaKind: 'bridge',
    purpose: 'hotfix',
    addedAt: '2026-05-12',
  });
};

describe('attestation workflow (001): outcome and requirement statuses', () => {
  it('a clean packet is approvable, with the exception-backed requirement named', () => {
    const e = run(cleanWorld());
    expect(e.outcome).toBe('approvable');
    expect(e.reason).toContain('ATT-EXCEPTION-BACKED P2');
    expect(statusOf(cleanWorld())).toEqual({
      'ATT-HSM-BACKED': 'satisfied',
      'ATT-HSM-ATTESTED': 'satisfied',
      'ATT-DUAL-CONTROL': 'satisfied',
      'ATT-ROSTER-MATCH': 'satisfied',
      'ATT-ESCROW-SEALED': 'satisfied',
      'ATT-EXCEPTION-BOUNDARY': 'exception-backed',
    });
  });

  it('remediate wins over escalate, and the reason keeps the escalation items', () => {
    const w = cleanWorld();
    temporaryOperator(w);
    replacedMedia(w);
    newHotfixPath(w);
    const e = run(w);
    expect(e.outcome).toBe('remediate');
    expect(e.reason).toMatch(/Remediate.*ATT-DUAL-OPERATOR C1.*ATT-ESCROW-INSPECTION M1/s);
    expect(e.reason).toMatch(/Also for escalation.*ATT-EXCEPTION-NEW-PATH P3/s);
    expect(statusOf(w)).toMatchObject({
      'ATT-DUAL-CONTROL': 'partial',
      'ATT-ROSTER-MATCH': 'partial',
      'ATT-ESCROW-SEALED': 'stale',
      'ATT-EXCEPTION-BOUNDARY': 'partial',
    });
  });

  it('a new path outside the exception alone escalates; the seed problems alone each remediate', () => {
    const a = cleanWorld();
    newHotfixPath(a);
    expect(run(a).outcome).toBe('escalate');
    for (const plant of [temporaryOperator, replacedMedia]) {
      const w = cleanWorld();
      plant(w);
      expect(run(w).outcome).toBe('remediate');
    }
  });

  it('a waivable requirement’s gap leaves the packet approvable but named; made non-waivable by policy it remediates', () => {
    const w = cleanWorld();
    w['hsm-attestation']![0]!.result = 'mismatch';
    const e = run(w);
    expect(e.outcome).toBe('approvable');
    expect(e.reason).toMatch(/Open waivable findings.*ATT-HSM-FIRMWARE HSM-A/s);
    const strict = structuredClone(DEFAULT_ATTESTATION_POLICY);
    strict.requirements.find((r) => r.id === 'ATT-HSM-ATTESTED')!.waivable = false;
    expect(run(w, strict).outcome).toBe('remediate');
  });

  it('requirementStatuses: missing over stale over partial, and a missing scope leaves every requirement missing', () => {
    const w = cleanWorld();
    w['seal-inspection'] = [];
    w['hsm-key-inventory']![0]!.observedAt = '2026-01-01';
    expect(statusOf(w)).toMatchObject({ 'ATT-ESCROW-SEALED': 'missing', 'ATT-HSM-BACKED': 'stale' });
    const none = { ...cleanWorld(), 'attestation-scope': [] };
    expect(new Set(Object.values(statusOf(none)))).toEqual(new Set(['missing']));
    expect(brief(run(none).findings)).toEqual(['ATT-SCOPE ATT-2026-H1 missing']);
  });

  it('the same inputs give byte-identical findings; an earlier as-of does not see later records', () => {
    const w = cleanWorld();
    replacedMedia(w);
    expect(canonicalBytes(run(w).findings)).toEqual(canonicalBytes(run(w).findings));
    expect(run(w).findingsDigest).toBe(run(w).findingsDigest);
    // Exported 2026-07-09: as of 2026-07-01 the station knows none of it.
    expect(brief(run(w, DEFAULT_ATTESTATION_POLICY, '2026-07-01T00:00:00.000Z').findings)).toEqual([
      'ATT-SCOPE ATT-2026-H1 missing',
    ]);
  });
});
