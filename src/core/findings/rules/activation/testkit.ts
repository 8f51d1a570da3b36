import type { z } from 'zod';
import policyJson from '../../../../../resources/policy/activation-gate.json';
import { evaluate } from '../../engine';
import type { FAMILIES } from '../../families/catalogue';
import type { SourceRecord } from '../../model';
import { type ActivationGatePolicy, activationGatePolicySchema } from '../../policy/activation-gate';
import { activationWorkflow } from '../../workflows/activation';
import { testHash } from '../compromise/testkit';
import { rec } from '../deferral/testkit';

/**
 * Unit-test support for workflow 003: the default policy and one baseline declaration (DECL-1, train
 * T-1, window 2026-12-01T08:00Z–2026-12-02T08:00Z in two 12-hour shifts, key K-1 on HSM HSM-1, manifest
 * M-1 v1 of two artifacts, rollback package RB-1) with complete, fresh, consistent records; builders
 * override one field at a time. As of 2026-12-01T06:00Z.
 */
export const POLICY: ActivationGatePolicy = activationGatePolicySchema.parse(policyJson);
export const AS_OF = '2026-12-01T06:00:00.000Z';
const EXPORTED = '2026-12-01T05:00:00.000Z';
export const SHA_A = 'a'.repeat(64);
export const SHA_B = 'b'.repeat(64);
export const SHA_X = 'c'.repeat(64);

type In<N extends keyof typeof FAMILIES> = Partial<z.input<(typeof FAMILIES)[N]['schema']>>;
const r = <N extends keyof typeof FAMILIES>(
  family: N,
  content: z.input<(typeof FAMILIES)[N]['schema']>,
  at = EXPORTED,
) => rec(family, content, at);

export const declaration = (o: In<'continuity-declaration'> = {}) =>
  r('continuity-declaration', {
    declarationId: 'DECL-1',
    incidentId: 'INC-9',
    trainId: 'T-1',
    outageServices: ['online-signing', 'attestation'],
    fallbackScope: 'Offline signing of patch train T-1 only',
    declaredAt: '2026-12-01T00:00:00.000Z',
    declaredBy: 'release.security.lead',
    shipmentDeadline: '2026-12-02T12:00:00.000Z',
    windowFrom: '2026-12-01T08:00:00.000Z',
    windowUntil: '2026-12-02T08:00:00.000Z',
    approvalOwner: 'dana.approver',
    hsmSerial: 'HSM-1',
    keyId: 'K-1',
    manifestId: 'M-1',
    rollbackPackages: ['RB-1'],
    status: 'declared',
    ...o,
  });

export const manifestLine = (artifact: string, sha256: string, o: In<'frozen-manifest'> = {}) =>
  r('frozen-manifest', {
    entryId: `M-1:1:${artifact}`,
    manifestId: 'M-1',
    manifestVersion: 1,
    trainId: 'T-1',
    artifact,
    sha256,
    sizeBytes: 1024,
    branch: 'release/7.4-security',
    commit: '0123456789abcdef0123456789abcdef01234567',
    reproducibilityRefs: [`RR-${artifact}`],
    frozenAt: '2026-11-30T20:00:00.000Z',
    frozenBy: 'build.lead',
    status: 'frozen',
    ...o,
  });

export const trusted = (o: In<'trusted-source'> = {}) =>
  r('trusted-source', {
    sourceId: 'TS-1',
    trainId: 'T-1',
    branch: 'release/7.4-security',
    commit: '0123456789abcdef0123456789abcdef01234567',
    acceptedAt: '2026-11-30T18:00:00.000Z',
    status: 'accepted',
    ...o,
  });

export const repro = (artifact: string, sha256: string, o: In<'reproducibility-check'> = {}) =>
  r('reproducibility-check', {
    checkId: `RC-${artifact}`,
    ref: `RR-${artifact}`,
    trainId: 'T-1',
    artifact,
    sha256,
    result: 'match',
    checkedAt: '2026-11-30T22:00:00.000Z',
    ...o,
  });

export const confirmation = (artifact: string, sha256: string, o: In<'digest-confirmation'> = {}) =>
  r('digest-confirmation', {
    confirmationId: `DC-${artifact}`,
    trainId: 'T-1',
    artifact,
    sha256,
    confirmedBy: 'second.party',
    confirmedAt: '2026-12-01T02:00:00.000Z',
    ...o,
  });

export const attestation = (o: In<'enclave-attestation'> = {}) =>
  r('enclave-attestation', {
    attestationId: 'EA-1',
    hsmSerial: 'HSM-1',
    firmwareVersion: '2.6.1',
    keyId: 'K-1',
    sealed: true,
    result: 'pass',
    attestedAt: '2026-12-01T01:00:00.000Z',
    ...o,
  });

export const reading = (o: In<'enclave-reading'> = {}) =>
  r('enclave-reading', {
    readingId: 'ER-1',
    hsmSerial: 'HSM-1',
    present: true,
    firmwareVersion: '2.6.1',
    keyId: 'K-1',
    keyResidency: 'resident',
    readAt: '2026-12-01T04:00:00.000Z',
    ...o,
  });

export const inventory = (o: In<'hsm-key-inventory'> = {}) =>
  r('hsm-key-inventory', {
    entryId: 'INV-1',
    keyId: 'K-1',
    label: 'release-signing-2026',
    hsmSerial: 'HSM-1',
    residency: 'hsm-resident',
    production: true,
    purpose: 'release signing',
    observedAt: '2026-12-01T00:00:00.000Z',
    ...o,
  });

export const shift = (shiftId: string, from: string, until: string, o: In<'shift-calendar'> = {}) =>
  r('shift-calendar', {
    shiftId,
    trainId: 'T-1',
    from,
    until,
    label: shiftId,
    publishedAt: '2026-11-30T12:00:00.000Z',
    status: 'scheduled',
    ...o,
  });

export const commitment = (shiftId: string, person: string, o: In<'signer-commitment'> = {}) =>
  r('signer-commitment', {
    commitmentId: `SC-${shiftId}-${person}`,
    shiftId,
    person,
    role: 'release-signer',
    status: 'committed',
    recordedAt: '2026-11-30T12:00:00.000Z',
    ...o,
  });

export const roster = (person: string, o: In<'roster-snapshot'> = {}) =>
  r('roster-snapshot', {
    entryId: `RS-${person}`,
    person,
    roles: ['release-signer'],
    validFrom: '2026-01-01T00:00:00.000Z',
    validUntil: null,
    status: 'active',
    snapshotAt: '2026-11-30T00:00:00.000Z',
    ...o,
  });

export const rollbackPkg = (o: In<'rollback-package'> = {}) =>
  r('rollback-package', {
    packageId: 'RB-1',
    trainId: 'T-1',
    artifact: 'product-7.3.9.tar.gz',
    sha256: SHA_X,
    mediaId: 'MED-1',
    bagSerial: 'BAG-100',
    status: 'ready',
    recordedAt: '2026-11-30T10:00:00.000Z',
    ...o,
  });

export const inspection = (o: In<'seal-inspection'> = {}) =>
  r('seal-inspection', {
    inspectionId: 'SI-1',
    mediaId: 'MED-1',
    bagSerial: 'BAG-100',
    inspector: 'vault.keeper',
    at: '2026-11-30T09:00:00.000Z',
    result: 'intact',
    ...o,
  });

export const holding = (o: In<'custody-registry'> = {}) =>
  r('custody-registry', {
    holdingId: 'CH-1',
    itemId: 'MED-1',
    itemKind: 'escrow-media',
    holder: 'vault.keeper',
    since: '2026-11-01T00:00:00.000Z',
    until: null,
    ...o,
  });

export const safeguard = (control: string, o: In<'publication-safeguard'> = {}) =>
  r('publication-safeguard', {
    safeguardId: `PS-${control}`,
    trainId: 'T-1',
    control: control as 'registry-release-lock',
    targets: ['registry.example.internal'],
    covers: 'manifest',
    artifacts: [],
    state: 'in-force',
    recordedAt: '2026-11-30T12:00:00.000Z',
    ...o,
  });

export const candidate = (artifact: string, sha256: string, o: In<'candidate-artifact'> = {}) =>
  r('candidate-artifact', {
    entryId: `CA-${artifact}`,
    trainId: 'T-1',
    artifact,
    sha256,
    stagedAt: '2026-12-01T03:00:00.000Z',
    stagedBy: 'release.engineer',
    ...o,
  });

export const ARTIFACTS: readonly (readonly [string, string])[] = [
  ['product-7.4.1.tar.gz', SHA_A],
  ['product-7.4.1.sbom.json', SHA_B],
];

/** Everything a ready gate needs; `omit` drops records by family name. */
export function baseline(): SourceRecord[] {
  const out: SourceRecord[] = [declaration(), trusted(), attestation(), reading(), inventory()];
  for (const [name, sha] of ARTIFACTS)
    out.push(manifestLine(name, sha), repro(name, sha), confirmation(name, sha), candidate(name, sha));
  out.push(
    shift('S-DAY', '2026-12-01T08:00:00.000Z', '2026-12-01T20:00:00.000Z'),
    shift('S-NIGHT', '2026-12-01T20:00:00.000Z', '2026-12-02T08:00:00.000Z'),
  );
  for (const p of ['ana', 'ben', 'cho', 'dev']) out.push(roster(p));
  out.push(
    commitment('S-DAY', 'ana'),
    commitment('S-DAY', 'ben'),
    commitment('S-NIGHT', 'cho'),
    commitment('S-NIGHT', 'dev'),
  );
  out.push(rollbackPkg(), inspection(), holding());
  out.push(safeguard('registry-release-lock'), safeguard('mirror-promotion-hold'));
  return out;
}

/** The baseline with records replaced: same family and record id replaced, others added. */
export function withRecords(base: readonly SourceRecord[], ...changes: SourceRecord[]): SourceRecord[] {
  const key = (x: SourceRecord) => `${x.family}\u0000${x.provenance.recordId}`;
  const changed = new Set(changes.map(key));
  return [...base.filter((x) => !changed.has(key(x))), ...changes];
}

export interface RunOpts {
  asOf?: string;
  policy?: Partial<ActivationGatePolicy>;
  subject?: string;
}

export function run(records: readonly SourceRecord[], opts: RunOpts = {}) {
  return evaluate(activationWorkflow, {
    records,
    policy: { ...POLICY, ...opts.policy },
    policyDigest: '0'.repeat(64),
    asOf: opts.asOf ?? AS_OF,
    subject: opts.subject ?? 'DECL-1',
    sha256: testHash,
  });
}

export const checks = (e: ReturnType<typeof run>) =>
  e.findings.map((f) => `${f.checkId} ${f.category} ${f.subject}`);

/** The same record exported again at `at` (the latest export of a record id is the one that holds). */
export const exportedAt = (x: SourceRecord, at: string): SourceRecord => ({
  ...x,
  provenance: { ...x.provenance, exportedAt: at },
});

/** The record as the station's own first-hand observation (a live read of the token). */
export const firstHand = (x: SourceRecord): SourceRecord => ({
  ...x,
  provenance: { ...x.provenance, system: 'ceremony-station', firstHand: true },
});

/** The baseline without the records of some families. */
export const without = (base: readonly SourceRecord[], ...families: string[]): SourceRecord[] =>
  base.filter((x) => !families.includes(x.family));

/**
 * Each finding as `CHECK category subject` plus how it is treated: `non-waivable` or `waivable`, and
 * `advisory` when it does not block the gate.
 */
export const holds = (e: ReturnType<typeof run>) =>
  e.findings.map(
    (f) =>
      `${f.checkId} ${f.category} ${f.subject} ${f.waivable ? 'waivable' : 'non-waivable'}${f.blocking ? '' : ' advisory'}`,
  );

/** The ledger line of an area's item (undefined when the ledger has none). */
export const lineOf = (e: ReturnType<typeof run>, area: string, item: string) =>
  e.derived?.lines.find((l) => l.area === area && l.item === item);
