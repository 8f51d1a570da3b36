import { z } from 'zod';
import { role } from '../families/common';

/**
 * The portal-issuance policy (issue #16, workflow 004): which roles must approve an issuance request
 * (each a different person, none of them the request's owner or requester), how old a key-custody
 * attestation may be, and how close a trust deadline may come to the issuance window before it is
 * worth saying. Rules read every number from here; resources/policy/portal-issuance.json holds the
 * default, and an imported policy record replaces it (its digest is bound to the evaluation).
 *
 * Every ISS pre-check blocks entry into the portal and none is waivable: a policy can require more
 * roles, never fewer than the three issue #16 names.
 */
export const PROTECTED_APPROVAL_ROLES: readonly string[] = [
  'release-integrity-owner',
  'cryptography-engineering-manager',
  'ca-delegate',
];

export const portalIssuancePolicySchema = z
  .strictObject({
    /** Each role must have approved this request's digest, unexpired, each by a different person. */
    approvalRoles: z.array(role).min(1).max(10),
    /** A key-custody attestation older than this is stale (even before its own validUntil). */
    custodyFreshnessDays: z.number().int().min(1).max(3650),
    /** A trust deadline this many days or fewer after the window closes is reported (informational). */
    trustDeadlineNoticeDays: z.number().int().min(0).max(3650),
  })
  .superRefine((p, ctx) => {
    const missing = PROTECTED_APPROVAL_ROLES.filter((r) => !p.approvalRoles.includes(r));
    if (missing.length > 0)
      ctx.addIssue({
        code: 'custom',
        path: ['approvalRoles'],
        message: `must include the roles issue #16 requires (${missing.join(', ')} missing): a policy can add approval roles, never remove these`,
      });
    if (new Set(p.approvalRoles).size !== p.approvalRoles.length)
      ctx.addIssue({ code: 'custom', path: ['approvalRoles'], message: 'names a role twice' });
  });
export type PortalIssuancePolicy = z.output<typeof portalIssuancePolicySchema>;

/** The default (mirrors resources/policy/portal-issuance.json; a test holds the two equal). */
export const DEFAULT_PORTAL_ISSUANCE_POLICY: PortalIssuancePolicy = {
  approvalRoles: ['release-integrity-owner', 'cryptography-engineering-manager', 'ca-delegate'],
  custodyFreshnessDays: 30,
  trustDeadlineNoticeDays: 30,
};
