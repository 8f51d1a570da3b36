import type { z } from 'zod';
import type { RuleContext } from '../../engine';
import { FAMILIES, type FamilyName } from '../../families/catalogue';
import type { SourceRecord } from '../../model';
import { RecordSet } from '../../records';
import { DEFAULT_DEFERRAL_POLICY, type DeferralPolicy } from '../../policy/deferral';

/**
 * Unit-test support for the deferral rules: records validated by their family schema with plain
 * provenance, and a rule context over them. (Digests are placeholders: rules never read them.)
 */
export function rec<N extends FamilyName>(
  family: N,
  content: z.input<(typeof FAMILIES)[N]['schema']>,
  exportedAt = '2026-11-30T00:00:00.000Z',
  system = 'test-system',
): SourceRecord {
  const f = FAMILIES[family];
  const parsed = f.schema.parse(content) as Record<string, unknown>;
  return {
    family,
    familyVersion: f.version,
    provenance: {
      system,
      recordId: String(parsed[f.idField]),
      exportedAt,
      fileSha256: '0'.repeat(64),
      firstHand: false,
    },
    content: parsed,
    digest: '0'.repeat(64),
  };
}

export function ctxOf(
  records: readonly SourceRecord[],
  opts: { asOf?: string; subject?: string; policy?: Partial<DeferralPolicy> } = {},
): RuleContext<DeferralPolicy> {
  return {
    records: new RecordSet(records),
    policy: { ...DEFAULT_DEFERRAL_POLICY, ...opts.policy },
    asOf: opts.asOf ?? '2026-12-01T00:00:00.000Z',
    subject: opts.subject ?? 'DR-1',
  };
}

/** A baseline request for key K-1 (window 2027-01-01..2027-03-15, due 2027-01-01). */
export const request = (over: Partial<z.input<(typeof FAMILIES)['deferral-request']['schema']>> = {}) =>
  rec('deferral-request', {
    requestId: 'DR-1',
    keyId: 'K-1',
    requestedBy: 'pm.alvarez',
    requestedAt: '2026-11-20',
    rotationDueAt: '2027-01-01',
    windowStart: '2027-01-01',
    windowEnd: '2027-03-15',
    reason: 'HSM firmware attestation mismatch blocks the rotation ceremony',
    scope: ['K-1'],
    routeTo: ['board-reviewer', 'cryptography-engineering-manager'],
    ...over,
  });

export const inventory = (over: Partial<z.input<(typeof FAMILIES)['hsm-key-inventory']['schema']>> = {}) =>
  rec('hsm-key-inventory', {
    entryId: 'INV-1',
    keyId: 'K-1',
    label: 'release-intermediate-2025',
    hsmSerial: 'HSM-A',
    residency: 'hsm-resident',
    production: true,
    purpose: 'artifact signing intermediate',
    observedAt: '2026-11-29',
    ...over,
  });

/** Check IDs and subjects of findings, for compact assertions. */
export const ids = (fs: readonly { checkId: string; subject: string; category: string }[]) =>
  fs.map((f) => `${f.checkId} ${f.category} ${f.subject}`);
