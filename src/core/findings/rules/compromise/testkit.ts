import type { z } from 'zod';
import matrixJson from '../../../../../resources/policy/authority-matrix.json';
import type { Sha256Hex } from '../../engine';
import { evaluate, type RuleContext } from '../../engine';
import type { FAMILIES } from '../../families/catalogue';
import type { SourceRecord } from '../../model';
import { type AuthorityMatrix, authorityMatrixSchema } from '../../policy/authority-matrix';
import { RecordSet } from '../../records';
import { compromiseWorkflow } from '../../workflows/compromise';
import { rec } from '../deferral/testkit';

/**
 * Unit-test support for workflow 002: the example matrix, one baseline incident (INC-1 on key K-1, sev1,
 * declared 2026-12-01T00:00Z, exposure from 2026-11-30T00:00Z) with complete, fresh, consistent records —
 * custody suspected, 40 internal artifacts traced, register reviewed, options approved — and builders
 * that override one field at a time. As of 2026-12-01T06:00Z.
 */
export const MATRIX: AuthorityMatrix = authorityMatrixSchema.parse(matrixJson);
export const AS_OF = '2026-12-01T06:00:00.000Z';
const EXPORTED = '2026-12-01T05:00:00.000Z';

type In<N extends keyof typeof FAMILIES> = Partial<z.input<(typeof FAMILIES)[N]['schema']>>;
const r = <N extends keyof typeof FAMILIES>(
  family: N,
  content: z.input<(typeof FAMILIES)[N]['schema']>,
  at = EXPORTED,
) => rec(family, content, at);

export const incident = (o: In<'incident-scope'> = {}) =>
  r('incident-scope', {
    incidentId: 'INC-1',
    title: 'Release signing key may have left the HSM',
    severity: 'sev1',
    status: 'declared',
    declaredBy: 'ciso.office',
    declaredAt: '2026-12-01T00:00:00.000Z',
    keyIds: ['K-1'],
    exposureFrom: '2026-11-30T00:00:00.000Z',
    ...o,
  });
export const inventory = (o: In<'hsm-key-inventory'> = {}) =>
  r('hsm-key-inventory', {
    entryId: 'INV-1',
    keyId: 'K-1',
    label: 'release signing',
    hsmSerial: 'HSM-A',
    residency: 'hsm-resident',
    production: true,
    purpose: 'release signing',
    observedAt: '2026-12-01T01:00:00.000Z',
    ...o,
  });
export const evidence = (o: In<'custody-evidence'> = {}) =>
  r('custody-evidence', {
    evidenceId: 'CE-1',
    keyId: 'K-1',
    hsmSerial: 'HSM-A',
    kind: 'residency-check',
    conclusion: 'suspected',
    location: 'RESTRICTED-VAULT-B',
    detail: 'backup token unaccounted for',
    observedBy: 'custody.lead',
    observedAt: '2026-12-01T04:00:00.000Z',
    ...o,
  });
export const audit = (seq: number, o: In<'hsm-audit-log'> = {}, exportedAt = EXPORTED) =>
  r(
    'hsm-audit-log',
    {
      entryId: `A-${seq}`,
      hsmSerial: 'HSM-A',
      sequence: seq,
      at: new Date(Date.parse('2026-11-29T23:00:00.000Z') + seq * 60_000).toISOString(),
      event: 'sign',
      keyId: 'K-1',
      operator: 'pipeline-svc',
      result: 'success',
      ...o,
    },
    exportedAt,
  );
/** A stand-in artifact digest (64 hex digits, unique per n). */
const digest = (n: number) => n.toString(16).padStart(64, 'a');
export const signature = (n: number, o: In<'signing-telemetry'> = {}) =>
  r('signing-telemetry', {
    eventId: `T-${n}`,
    keyId: 'K-1',
    service: 'pipeline-signer',
    serviceSequence: 1000 + n,
    signedAt: new Date(Date.parse('2026-11-30T01:00:00.000Z') + n * 60_000).toISOString(),
    origin: 'pipeline',
    anomaly: 'none',
    artifactDigest: digest(n),
    clientId: 'ci-runner',
    ...o,
  });
export const lineage = (n: number, o: In<'artifact-lineage'> = {}) =>
  r('artifact-lineage', {
    lineageId: `L-${n}`,
    artifactDigest: digest(n),
    artifactName: `agent-${n}.pkg`,
    product: 'build-agent',
    signedByKeyId: 'K-1',
    signedAt: new Date(Date.parse('2026-11-30T01:00:00.000Z') + n * 60_000).toISOString(),
    publishedAt: new Date(Date.parse('2026-11-30T02:00:00.000Z') + n * 60_000).toISOString(),
    channel: 'internal-mirror',
    audience: 'internal',
    status: 'published',
    ...o,
  });
export const register = (o: In<'disclosure-register'> = {}) =>
  r('disclosure-register', {
    entryId: 'DR-1',
    product: 'build-agent',
    obligation: 'none',
    constraint: 'none',
    status: 'open',
    recordedAt: '2026-12-01T03:00:00.000Z',
    ...o,
  });
export const impact = (o: In<'customer-impact'> = {}) =>
  r('customer-impact', {
    estimateId: 'CI-1',
    product: 'build-agent',
    customersLow: 10,
    customersHigh: 40,
    contractualSla: false,
    basis: 'install telemetry',
    estimatedAt: '2026-12-01T03:00:00.000Z',
    ...o,
  });
export const delegation = (o: In<'emergency-delegation'> = {}) =>
  r('emergency-delegation', {
    recordId: 'ED-1',
    laneId: 'executive-cyber-command',
    kind: 'delegation',
    from: 'Daniel Mercer',
    to: 'Hannah Lindqvist',
    decisions: ['limited-revocation', 'release-freeze'],
    validFrom: '2026-12-01T00:00:00.000Z',
    validUntil: '2026-12-02T00:00:00.000Z',
    grantedBy: 'Daniel Mercer',
    recordedAt: '2026-12-01T00:00:00.000Z',
    ...o,
  });
export const option = (o: In<'runbook-option'> = {}) =>
  r('runbook-option', {
    optionId: 'OPT-1',
    runbookId: 'RB-KEY',
    title: 'Disable the key for new signatures',
    keyIds: ['K-1'],
    decisions: ['limited-revocation'],
    effects: [
      {
        effect: 'key-revocation',
        scope: 'internal',
        reversibility: 'partly-reversible',
        note: 're-enable by ceremony',
      },
    ],
    status: 'approved',
    reviewedAt: '2026-11-01T00:00:00.000Z',
    ...o,
  });

/** The baseline: 40 internal signatures, each traced; audit unbroken; everything fresh. */
export function baseline(n = 40): SourceRecord[] {
  const out = [incident(), inventory(), evidence(), register(), option()];
  for (let i = 0; i <= 70; i++) out.push(audit(i));
  for (let i = 0; i < n; i++) out.push(signature(i), lineage(i));
  return out;
}

/**
 * A deterministic stand-in for SHA-256 (FNV-1a, widened to 64 hex digits): src/core reaches no crypto.
 * Tests that compare real digests (a prior packet's basis) pass node's own through `opts.sha256`.
 */
export const testHash: Sha256Hex = (bytes) => {
  const out: string[] = [];
  for (let lane = 0; lane < 8; lane++) {
    let h = (0x811c9dc5 ^ lane) >>> 0;
    for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
    out.push(h.toString(16).padStart(8, '0'));
  }
  return out.join('');
};

export interface RunOpts {
  asOf?: string;
  matrix?: AuthorityMatrix;
  sha256?: Sha256Hex;
}

export function ctxOf(records: readonly SourceRecord[], opts: RunOpts = {}): RuleContext<AuthorityMatrix> {
  return {
    records: new RecordSet(records),
    policy: opts.matrix ?? MATRIX,
    asOf: opts.asOf ?? AS_OF,
    subject: 'INC-1',
    sha256: opts.sha256 ?? testHash,
  };
}

export function run(records: readonly SourceRecord[], opts: RunOpts = {}) {
  return evaluate(compromiseWorkflow, {
    records,
    policy: opts.matrix ?? MATRIX,
    policyDigest: '0'.repeat(64),
    asOf: opts.asOf ?? AS_OF,
    subject: 'INC-1',
    sha256: opts.sha256 ?? testHash,
  });
}

/** Lane statuses as `laneId=status`. */
export const statuses = (e: ReturnType<typeof run>) =>
  Object.fromEntries((e.derived?.lanes ?? []).map((l) => [l.laneId, l.status]));
export const checks = (e: ReturnType<typeof run>) =>
  e.findings.map((f) => `${f.checkId} ${f.category} ${f.subject}`);
