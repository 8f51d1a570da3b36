import { z } from 'zod';
import { checkId as checkIdOf } from '../../schema';
import { role } from '../families/common';
import { FINDING_CATEGORIES, type FindingCategory } from '../model';

/**
 * The key-rotation deferral policy an organisation owns (issue #12, workflow 000): rotation interval,
 * deferral limits, certificate runway, freshness per evidence family, reviewer seats, which finding
 * categories a handoff may carry as acknowledged exceptions, and which incident indicators stop the
 * packet. Rules read every number from here; resources/policy/deferral.json holds the default,
 * and an imported policy record replaces it (its digest is bound to the evaluation).
 */
const days = z.number().int().min(1).max(36_500);
const checkId = checkIdOf('DEF-');

export const STOP_INDICATORS = [
  'key-compromise',
  'unauthorised-signing',
  'supply-chain-incident',
  'validity-shortened',
  'other',
] as const;

export const deferralPolicySchema = z.strictObject({
  /** The mandatory rotation interval of a production signing key. */
  rotationIntervalDays: days,
  /** How long one deferral may postpone the rotation past its due date. */
  maxDeferralDays: days,
  /** At most `count` deferrals of one key (this request included) within any `windowDays`. */
  maxDeferrals: z.strictObject({ count: z.number().int().min(1).max(100), windowDays: days }),
  /** Every valid certificate of the key must stay valid this many days beyond the deferral's end. */
  certificateRunwayMarginDays: z.number().int().min(0).max(36_500),
  /** How old the latest record of each evidence family may be at the as-of instant. */
  freshnessDays: z.strictObject({
    custodyAttestation: days,
    sealInspection: days,
    signerAvailability: days,
    readiness: days,
    hsmAttestation: days,
    buildEnrollment: days,
    keyInventory: days,
  }),
  /** Reviewer seats (roles) a deferral packet must be routed to, each with a seated holder. */
  requiredReviewerSeats: z.array(role).min(1).max(20),
  /** Roster roles a holder of a backup token or HSM card must hold while holding it. */
  custodyRoles: z.array(role).min(1).max(20),
  /** Finding categories a handoff may carry as acknowledged open exceptions (these are waivable). */
  handoffExceptionCategories: z.array(z.enum(FINDING_CATEGORIES)).max(FINDING_CATEGORIES.length),
  /** Checks whose findings are never waivable, whatever their category. */
  nonWaivableChecks: z.array(checkId).max(100).default([]),
  /** Checks whose findings are advisory (shown, not blocking). */
  advisoryChecks: z.array(checkId).max(100).default([]),
  /** Incident indicators that, open for the key (or for no key in particular), stop the packet. */
  stopIndicators: z.array(z.enum(STOP_INDICATORS)).min(1).max(STOP_INDICATORS.length),
});
export type DeferralPolicy = z.output<typeof deferralPolicySchema>;

/** The default (mirrors resources/policy/deferral.json; a test holds the two equal). */
export const DEFAULT_DEFERRAL_POLICY: DeferralPolicy = {
  rotationIntervalDays: 730,
  maxDeferralDays: 90,
  maxDeferrals: { count: 1, windowDays: 730 },
  certificateRunwayMarginDays: 30,
  freshnessDays: {
    custodyAttestation: 90,
    sealInspection: 180,
    signerAvailability: 30,
    readiness: 14,
    hsmAttestation: 30,
    buildEnrollment: 14,
    keyInventory: 7,
  },
  requiredReviewerSeats: ['board-reviewer', 'cryptography-engineering-manager'],
  custodyRoles: ['key-custodian'],
  handoffExceptionCategories: ['stale', 'partial', 'carryover', 'expired', 'policy-criterion-unmet'],
  nonWaivableChecks: [],
  advisoryChecks: [],
  stopIndicators: ['key-compromise', 'unauthorised-signing', 'supply-chain-incident', 'validity-shortened'],
};

/** A policy record as a scenario or import carries it: `{ policy: "deferral", version, content }`. */
export const deferralPolicyRecordSchema = z.strictObject({
  policy: z.literal('deferral'),
  version: z.number().int().min(1),
  content: deferralPolicySchema,
});

/** Whether a finding of this check and category blocks, and whether policy lets a person waive it. */
export function treatment(
  policy: DeferralPolicy,
  checkId: string,
  category: FindingCategory,
): { blocking: boolean; waivable: boolean } {
  return {
    blocking: !policy.advisoryChecks.includes(checkId),
    waivable:
      policy.handoffExceptionCategories.includes(category) && !policy.nonWaivableChecks.includes(checkId),
  };
}
