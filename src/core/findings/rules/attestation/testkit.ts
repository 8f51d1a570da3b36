import type { Rule } from '../../engine';
import type { FamilyName } from '../../families/catalogue';
import { FAMILIES } from '../../families/catalogue';
import type { Finding, SourceRecord } from '../../model';
import type { AttestationPolicy } from '../../policy/attestation';
import { DEFAULT_ATTESTATION_POLICY } from '../../policy/attestation';
import { RecordSet } from '../../records';

/**
 * Test support for the attestation rules (imported by *.test.ts only): a small, clean world — every
 * requirement satisfied or exception-backed — that each test changes in one place to plant a gap or its
 * look-alike. Records go through their family schemas, so a test cannot build a record an import refuses.
 */

export type World = Partial<Record<FamilyName, Record<string, unknown>[]>>;

export const AS_OF = '2026-07-10T12:00:00.000Z';
export const SUBJECT = 'ATT-2026-H1';

export function cleanWorld(): World {
  const roster = (entryId: string, person: string, roles: string[], extra: Record<string, unknown> = {}) => ({
    entryId,
    person,
    roles,
    validFrom: '2025-01-01',
    validUntil: null,
    status: 'active',
    snapshotAt: '2026-07-01',
    ...extra,
  });
  return {
    'attestation-scope': [
      {
        attestationId: SUBJECT,
        periodStart: '2026-01-01',
        periodEnd: '2026-06-30',
        keys: ['K1', 'K2'],
        owner: 'rso',
      },
    ],
    'hsm-key-inventory': ['K1', 'K2'].map((keyId) => ({
      entryId: `inv-${keyId}`,
      keyId,
      label: `release ${keyId}`,
      hsmSerial: 'HSM-A',
      residency: 'hsm-resident',
      production: true,
      purpose: 'release signing',
      observedAt: '2026-07-01',
    })),
    'hsm-attestation': [
      {
        attestationId: 'fw-1',
        hsmSerial: 'HSM-A',
        firmwareVersion: '7.8.1',
        expectedFirmware: '7.8.1',
        result: 'pass',
        checkedAt: '2026-06-01',
      },
    ],
    'roster-snapshot': [
      roster('r-alice', 'Alice Moreau', ['hsm-operator']),
      roster('r-bob', 'bob.tan', ['hsm-operator', 'key-custodian']),
      roster('r-carol', 'carol', ['key-custodian']),
      roster('r-dan', 'dan', ['ceremony-witness']),
    ],
    'ceremony-log': [
      {
        ceremonyId: 'C1',
        at: '2026-03-10T10:00:00.000Z',
        kind: 'quorum-change',
        keyId: 'K1',
        participants: [
          { person: 'alice moreau', role: 'hsm-operator', act: 'operator' },
          { person: 'Bob.Tan', role: 'hsm-operator', act: 'operator' },
          { person: 'dan', role: 'ceremony-witness', act: 'witness' },
        ],
        changeRef: 'CHG-1',
        outcome: 'completed',
      },
    ],
    'hsm-audit-log': [
      {
        entryId: 'a-1',
        hsmSerial: 'HSM-A',
        sequence: 1001,
        at: '2026-03-10T10:05:00.000Z',
        event: 'quorum-change',
        keyId: 'K1',
        operator: 'alice',
        result: 'success',
        reference: 'C1',
      },
    ],
    'custody-registry': [
      { holdingId: 'h-1', itemId: 'M1', itemKind: 'escrow-media', holder: 'carol', since: '2026-01-15' },
    ],
    'media-lifecycle': [
      { eventId: 'ml-1', mediaId: 'M1', event: 'sealed', bagSerial: 'BAG-1', at: '2026-01-15' },
    ],
    'seal-inspection': [
      {
        inspectionId: 'si-1',
        mediaId: 'M1',
        bagSerial: 'BAG-1',
        inspector: 'dan',
        at: '2026-06-20',
        result: 'intact',
      },
    ],
    'signing-path': [
      {
        pathId: 'P1',
        keyId: 'K1',
        via: 'ci-release',
        viaKind: 'pipeline',
        purpose: 'release builds',
        addedAt: '2025-06-01',
      },
      {
        pathId: 'P2',
        keyId: 'K2',
        via: 'notary-bridge',
        viaKind: 'bridge',
        purpose: 'legacy notarization',
        addedAt: '2025-10-01',
      },
    ],
    'exception-record': [
      {
        exceptionId: 'E1',
        control: 'ATT-EXCEPTION-BOUNDARY',
        scope: ['P2'],
        status: 'approved',
        validFrom: '2025-11-01',
        validUntil: '2026-12-31',
      },
    ],
  };
}

/** The world's records through their schemas, exported (by default) the day before as-of. */
export function recordsOf(world: World, exportedAt = '2026-07-09T00:00:00.000Z'): SourceRecord[] {
  return Object.entries(world).flatMap(([name, list]) => {
    const family = FAMILIES[name as FamilyName];
    return (list ?? []).map((raw) => {
      const content = family.schema.parse(raw) as Record<string, unknown>;
      const recordId = String(content[family.idField]);
      return {
        family: name,
        familyVersion: family.version,
        provenance: { system: 'test', recordId, exportedAt, fileSha256: '0'.repeat(64), firstHand: false },
        content,
        digest: `${name}:${recordId}`,
      };
    });
  });
}

export function runRule(
  rule: Rule<AttestationPolicy>,
  world: World,
  opts: { asOf?: string; policy?: AttestationPolicy } = {},
): Finding[] {
  const asOf = opts.asOf ?? AS_OF;
  return [
    ...rule.run({
      records: new RecordSet(recordsOf(world).filter((r) => r.provenance.exportedAt <= asOf)),
      policy: opts.policy ?? DEFAULT_ATTESTATION_POLICY,
      asOf,
      subject: SUBJECT,
    }),
  ];
}

/** A short form for assertions: check ID, subject and category of each finding. */
export const brief = (fs: readonly Finding[]) => fs.map((f) => `${f.checkId} ${f.subject} ${f.category}`);
