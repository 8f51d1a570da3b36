import { z } from 'zod';
import { EVENT_BODIES } from '../../core/journal/events';
import { packetContentSchema } from '../../core/packet/model';
import { actor, keyId, pin, seq, tokenRef, type Channels } from './common';

/**
 * Custody attestation (services/attest): the control library evaluated against first-hand records, and
 * the owner's decision signed with the owner's own key. Both are what the journal recorded, at their seq.
 */

const packetId = packetContentSchema.shape.packetId;
const evaluated = EVENT_BODIES['attestation.evaluated'];
const decided = EVENT_BODIES['attestation.decided'];

/** A requirement's recorded result, with the library's text for it and whether it may be waived. */
const requirementSchema = evaluated.shape.requirements.element.extend({
  text: z.string(),
  waivable: z.boolean(),
});
export const evaluationSchema = evaluated
  .pick({ recommendation: true, because: true, libraryVersion: true })
  .extend({ seq, at: z.string(), requirements: z.array(requirementSchema) });
export const decisionSchema = decided
  .omit({ packetId: true, signerFingerprint: true, envelope: true })
  .extend({ seq, at: z.string() });

export const attestChannels = {
  /** The latest control-library evaluation of a custody attestation packet, and the owner's decisions. */
  attestStatus: {
    input: z.strictObject({ packetId }),
    output: z.strictObject({ latest: evaluationSchema.nullable(), decisions: z.array(decisionSchema) }),
  },
  attestEvaluate: { input: z.strictObject({ packetId, actor }), output: evaluationSchema },
  /**
   * The owner's decision, signed on the owner's own token plugged into the station (one login; the
   * station verifies the signature against the trust store and never signs it itself).
   */
  attestDecideWithToken: {
    input: z.strictObject({
      packetId,
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
