import { z } from 'zod';
import { evaluationInputsSchema, findingSchema } from '../../core/findings/model';
import { ATTESTATION_OUTCOMES, REQUIREMENT_STATUSES } from '../../core/findings/workflows/attestation';
import { EVENT_BODIES } from '../../core/journal/events';
import { actor, isoTime, keyId, pin, seq, sha256Hex, tokenRef, type Channels } from './common';
import { policyInForceSchema } from './records';

/**
 * Custody attestation (services/attest): the 'attestation' workflow of the findings engine over
 * imported and first-hand records, its recommendation and requirement statuses derived from the
 * findings, and the owner's decision signed with the owner's own key, bound to one FRESH evaluation.
 */

const decided = EVENT_BODIES['attestation.decision-recorded'];
const recorded = EVENT_BODIES['evaluation.recorded'];
const subject = decided.shape.subject;

export const attestationEvaluationSchema = z.strictObject({
  /** The journal seq of its evaluation.recorded entry. */
  seq,
  subject,
  asOf: isoTime,
  recommendation: z.enum(ATTESTATION_OUTCOMES),
  /** The workflow's reason: remediation items, and escalation items even when remediation wins. */
  reason: z.string(),
  /** The control library it was judged under: name, version, digest, where it came from. */
  policy: policyInForceSchema.omit({ content: true }).extend({ library: z.string() }),
  /** The inputs as recomputed now for its instant (equal to `recorded` while FRESH). */
  inputs: evaluationInputsSchema,
  /** The digests the journal recorded for it. */
  recorded: recorded.pick({
    recordsDigest: true,
    policyDigest: true,
    findingsDigest: true,
    recordCount: true,
  }),
  findingsDigest: sha256Hex,
  /** Whether the recomputed findings and outcome still digest to what was recorded. */
  matchesRecord: z.boolean(),
  status: z.strictObject({
    status: z.enum(['FRESH', 'STALE']),
    changed: z.array(z.enum(['records', 'policy'])),
    sentence: z.string(),
  }),
  requirements: z.array(
    z.strictObject({
      id: z.string(),
      text: z.string(),
      waivable: z.boolean(),
      status: z.enum(REQUIREMENT_STATUSES),
      /** The check IDs with findings on it (the findings themselves are in `findings`). */
      checks: z.array(z.string()),
    }),
  ),
  findings: z.array(findingSchema),
});
export const decisionSchema = decided.omit({ signerFingerprint: true, envelope: true }).extend({
  seq,
  at: z.string(),
});

export const attestChannels = {
  /** The latest attestation evaluation of a subject with FRESH/STALE, the owner's decisions, the records read. */
  attestStatus: {
    input: z.strictObject({ subject }),
    output: z.strictObject({
      subject,
      latest: attestationEvaluationSchema.nullable(),
      decisions: z.array(decisionSchema),
      /** Records of each attestation family the evaluation reads: imported and the station's first-hand. */
      records: z.array(
        z.strictObject({ family: z.string(), imported: z.number().int(), firstHand: z.number().int() }),
      ),
    }),
  },
  attestEvaluate: {
    input: z.strictObject({ subject, asOf: isoTime.optional(), actor }),
    output: attestationEvaluationSchema,
  },
  /**
   * The owner's decision, signed on the owner's own token plugged into the station (one login; the
   * station verifies the signature against the trust store and never signs it itself). Refused on a
   * STALE evaluation (EVALUATION_STALE).
   */
  attestDecideWithToken: {
    input: z.strictObject({
      subject,
      ...tokenRef,
      keyId,
      pin,
      decision: decided.shape.decision,
      comment: decided.shape.comment,
      decidedBy: decided.shape.decidedBy,
      actor,
    }),
    output: decisionSchema,
  },
} as const satisfies Channels;

export type AttestStatusView = z.output<(typeof attestChannels)['attestStatus']['output']>;
export type AttestationEvaluationView = z.output<typeof attestationEvaluationSchema>;
