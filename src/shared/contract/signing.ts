import { z } from 'zod';
import { actor, mediaPath, pin, type Channels } from './common';
import { moduleId } from '../../core/schema';

/**
 * Gated offline signing of exactly the frozen manifest (services/signing, docs/gated-signing.md). A run
 * starts in the background of the station process; signingStatus reads the journal's counts and what
 * this process is doing now (rate, ETA); signingCancel stops a live run between chunks, or ends an open
 * run no process is running.
 */
const declarationId = z.string().trim().min(1).max(120);
const uuid = z.string().uuid();

export const signingRunViewSchema = z.strictObject({
  runId: z.string(),
  state: z.enum(['open', 'completed', 'cancelled']),
  packetId: z.string(),
  version: z.number().int(),
  manifestSha256: z.string(),
  tokenSerial: z.string(),
  keyId: z.string(),
  quorumSessionId: z.string(),
  startedAt: z.string(),
  outDir: z.string(),
  total: z.number().int(),
  signed: z.number().int(),
  adopted: z.number().int(),
  inDoubt: z.number().int(),
  envelopeFile: z.string().nullable(),
});

export const signingStatusSchema = z.strictObject({
  declarationId: z.string(),
  runs: z.array(signingRunViewSchema),
  quarantined: z.array(
    z.strictObject({
      runId: z.string().nullable(),
      artifact: z.string(),
      mediaSha256: z.string(),
      manifestSha256: z.string().nullable(),
      reason: z.enum(['off-manifest', 'digest-differs']),
    }),
  ),
  live: z
    .strictObject({
      state: z.enum(['running', 'done', 'failed', 'cancelled']),
      phase: z.string().nullable(),
      done: z.number().int(),
      total: z.number().int(),
      perSecond: z.number().nullable(),
      etaSeconds: z.number().nullable(),
      error: z.strictObject({ code: z.string(), message: z.string() }).nullable(),
    })
    .nullable(),
});

const started = z.strictObject({ declarationId: z.string(), state: z.literal('running') });

export const signingChannels = {
  /** The gated-sign quorum operation of the open gate (the quorum session is opened for exactly it). */
  signingOperation: {
    input: z.strictObject({ declarationId }),
    output: z.strictObject({ operation: z.string(), description: z.string() }),
  },
  signingStart: {
    input: z.strictObject({
      declarationId,
      mediaDir: mediaPath,
      outDir: mediaPath,
      quorumSessionId: uuid,
      pin,
      moduleId: moduleId.optional(),
      /** Sign again a packet version whose run already completed (refused without it). */
      again: z.boolean().optional(),
      actor,
    }),
    output: started,
  },
  signingResume: {
    input: z.strictObject({
      declarationId,
      pin,
      quorumSessionId: uuid.optional(),
      moduleId: moduleId.optional(),
      actor,
    }),
    output: started,
  },
  signingCancel: {
    input: z.strictObject({ declarationId, actor }),
    output: z.strictObject({ cancelled: z.enum(['live', 'recorded']) }),
  },
  signingStatus: { input: z.strictObject({ declarationId }), output: signingStatusSchema },
} as const satisfies Channels;
