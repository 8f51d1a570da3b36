import { z } from 'zod';
import { canonicalBytes } from '../../canonical';
import { coreError } from '../../errors';
import { isoTime, policyName } from '../../schema';
import { firstIssue } from '../../validate';
import type { Sha256Hex } from '../engine';
import { activationGatePolicySchema } from './activation-gate';
import { attestationPolicySchema } from './attestation';
import { authorityMatrixSchema } from './authority-matrix';
import { deferralPolicySchema } from './deferral';
import { portalIssuancePolicySchema } from './portal-issuance';

/**
 * Policy as data (docs/records.md, "Policy records"): the numbers and rules an organisation owns are
 * policy records, imported with provenance like source records. Each policy name has one content schema
 * here; the station's defaults (resources/policy/<name>.json) are in force until a version is imported.
 *
 * Each workflow's policy is registered here by name, with its default file resources/policy/<name>.json.
 */
export const POLICY_SCHEMAS: Readonly<Record<string, z.ZodType>> = {
  deferral: deferralPolicySchema,
  attestation: attestationPolicySchema,
  'authority-matrix': authorityMatrixSchema,
  'activation-gate': activationGatePolicySchema,
  'portal-issuance': portalIssuancePolicySchema,
};

export const policyNameSchema = policyName;

/** A policy file as exported or written (scenario folders' policy/*.json have this shape). */
export const policyFileSchema = z.strictObject({
  policy: policyNameSchema,
  version: z.number().int().min(1),
  content: z.unknown(),
  /** Who issued it and when it took effect; given on import when the file does not say. */
  system: z.string().trim().min(1).max(80).optional(),
  exportedAt: isoTime.optional(),
});
export type PolicyFile = z.output<typeof policyFileSchema>;

/** One policy version in force: its name, version, validated content and digest. */
export interface PolicyVersion {
  readonly policy: string;
  readonly version: number;
  readonly content: unknown;
  /** SHA-256 of the canonical JSON of { policy, version, content }. */
  readonly digest: string;
}

export function policyDigest(sha256: Sha256Hex, p: Omit<PolicyVersion, 'digest'>): string {
  return sha256(canonicalBytes({ policy: p.policy, version: p.version, content: p.content }));
}

/**
 * Validates a policy's content against the schema registered for its name (POLICY_UNKNOWN for a name
 * with none, POLICY_INVALID naming `<file>.content.<field>`), and returns it with its digest.
 */
export function validatePolicy(
  p: { policy: string; version: number; content: unknown },
  fileName: string,
  sha256: Sha256Hex,
  schemas: Readonly<Record<string, z.ZodType>> = POLICY_SCHEMAS,
): PolicyVersion {
  const schema = Object.hasOwn(schemas, p.policy) ? schemas[p.policy] : undefined;
  if (!schema)
    throw coreError(
      'POLICY_UNKNOWN',
      `${fileName}: "${p.policy}" is not a policy the station knows (known: ${Object.keys(schemas).sort().join(', ') || 'none'})`,
      { field: `${fileName}.policy`, policy: p.policy },
    );
  const r = schema.safeParse(p.content);
  if (!r.success) {
    const { field, message } = firstIssue(r.error, `${fileName}.content`);
    throw coreError('POLICY_INVALID', `${field} ${message}`, { field, policy: p.policy });
  }
  const version = { policy: p.policy, version: p.version, content: r.data };
  return { ...version, digest: policyDigest(sha256, version) };
}
