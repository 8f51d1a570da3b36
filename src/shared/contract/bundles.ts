import { z } from 'zod';
import { DECISIONS } from '../../core/bundle/statement';
import { packetIdSchema, roleSchema } from '../../core/schema';
import { EVENT_BODIES } from '../../core/journal/events';
import { actor, empty, isoTime, mediaPath, pin, seq, sha256Hex, words, type Channels } from './common';

/**
 * Removable media, signed bundles, approvals and the trust store (services/bundles). The renderer may
 * name only files the station itself listed on a volume (`mediaFiles`, `packetEvidenceFiles`).
 */

const volumeSchema = z.strictObject({
  path: z.string(),
  label: z.string(),
  source: z.enum(['device', 'configured']),
  device: z.string().nullable(),
  state: z.enum(['ready', 'read-only', 'not-enough-space', 'unavailable']),
  freeBytes: z.number(),
  totalBytes: z.number(),
  detail: z.string(),
});
export const mediaViewSchema = z.strictObject({
  state: z.enum(['no-device', 'several-devices', 'read-only', 'not-enough-space', 'ready']),
  volumes: z.array(volumeSchema),
});
const exportKind = z.enum([
  'journal-segment',
  'custody-report',
  'evidence',
  'identity',
  'packet',
  'packet-broad',
  'ceremony-transcript',
]);
const fileDigest = z.strictObject({ name: z.string(), sha256: sha256Hex, size: z.number().int() });
export const exportResultSchema = z.strictObject({
  packetId: z.string(),
  version: z.number().int(),
  digest: sha256Hex,
  words,
  path: z.string(),
  fileSha256: sha256Hex,
  sizeBytes: z.number().int(),
  files: z.array(fileDigest),
  requiredRoles: z.array(z.string()),
  seq,
});

const accepted = EVENT_BODIES['approval.accepted'];
/** An accepted approval as the journal recorded it, and whether it has expired by now. */
const approvalSchema = accepted
  .pick({
    packetId: true,
    packetVersion: true,
    role: true,
    decision: true,
    sequence: true,
    signerFingerprint: true,
    trustId: true,
    reviewer: true,
    comment: true,
    expiresAt: true,
  })
  .extend({ seq, expired: z.boolean() });
const approvalStatusSchema = z.strictObject({
  approvals: z.array(approvalSchema),
  satisfiedRoles: z.array(z.string()),
  missingRoles: z.array(z.string()),
  objections: z.array(z.string()),
});
export const issuedSchema = z.strictObject({
  packetId: z.string(),
  version: z.number().int(),
  digest: sha256Hex,
  requiredRoles: z.array(z.string()),
  bundleKind: z.string(),
  title: z.string(),
  words,
  fileName: z.string(),
  at: z.string(),
  current: z.boolean(),
  status: approvalStatusSchema,
});
const importedSchema = z.strictObject({
  seq,
  bundleKind: z.string(),
  packetId: z.string(),
  version: z.number().int(),
  title: z.string(),
  digest: sha256Hex,
  words,
  signer: z.string(),
  signerFingerprint: sha256Hex,
  files: z.array(fileDigest),
});
export const trustEntrySchema = z.strictObject({
  trustId: z.string(),
  name: z.string(),
  entryKind: z.enum(['reviewer', 'station']),
  roles: z.array(z.string()),
  fingerprint: sha256Hex,
  words,
  algorithm: z.string(),
  validFrom: z.string(),
  validUntil: z.string(),
  revokedAt: z.string().nullable(),
  status: z.enum(['VALID', 'EXPIRED', 'NOT-YET-VALID', 'REVOKED']),
});
const refusalSchema = z.strictObject({
  seq,
  code: z.string(),
  check: z.string().nullable(),
  fileName: z.string(),
  detail: z.string(),
  at: z.string(),
});
const mediaFile = z.strictObject({
  volume: z.string(),
  path: z.string(),
  name: z.string(),
  size: z.number().int(),
});
const trustRegistered = EVENT_BODIES['trust.registered'].shape;
const trustRevoked = EVENT_BODIES['trust.revoked'].shape;

export const bundlesChannels = {
  /** Removable volumes and their states (no device / several / read-only / not enough space / ready). */
  mediaVolumes: {
    input: z.strictObject({ neededBytes: z.number().int().min(0).optional() }),
    /** The scan also removes this station's own interrupted-export fragments and lists them here. */
    output: mediaViewSchema.extend({
      removedPartials: z.array(
        z.strictObject({ volume: z.string(), name: z.string(), size: z.number().int().min(0) }),
      ),
    }),
  },
  /** Bundle and approval files on the listed volumes: the only paths the UI can import from. */
  mediaFiles: {
    input: empty,
    output: z.array(mediaFile.extend({ type: z.enum(['bundle', 'approval']) })),
  },
  /** Files on the listed volumes that can be packet evidence (JSON, CSV, PDF, text, certificates). */
  packetEvidenceFiles: { input: empty, output: z.array(mediaFile) },
  bundleExportPreview: {
    input: z.strictObject({
      kind: exportKind,
      packetId: packetIdSchema.optional(),
      /** For packet-broad: the compromise-authority evaluation whose broad view it carries. */
      evaluationSeq: seq.optional(),
      /** For ceremony-transcript: the ceremony run whose transcript it carries. */
      runId: z.string().uuid().optional(),
    }),
    output: z.strictObject({
      packetId: z.string(),
      version: z.number().int(),
      title: z.string(),
      fileName: z.string(),
      files: z.array(z.strictObject({ name: z.string(), size: z.number().int() })),
      requiredRoles: z.array(z.string()),
      estimateBytes: z.number().int(),
      media: mediaViewSchema,
    }),
  },
  /** Starts an export job (one login: checkpoint + signature); poll jobStatus for progress and the result. */
  bundleExportStart: {
    input: z.strictObject({
      kind: exportKind,
      packetId: packetIdSchema.optional(),
      evaluationSeq: seq.optional(),
      runId: z.string().uuid().optional(),
      volume: mediaPath,
      pin,
      actor,
    }),
    output: z.strictObject({ jobId: z.string().uuid() }),
  },
  bundleIssued: { input: empty, output: z.array(issuedSchema) },
  bundleImported: { input: empty, output: z.array(importedSchema) },
  mediaRefusals: {
    input: empty,
    output: z.strictObject({
      bundles: z.array(refusalSchema),
      approvals: z.array(refusalSchema.omit({ fileName: true }).extend({ packetId: z.string().nullable() })),
    }),
  },
  /** Imports a listed bundle or approval file (staged copy, verified before anything is used). */
  mediaImport: {
    input: z.strictObject({ path: mediaPath, actor }),
    output: z.discriminatedUnion('type', [
      z.strictObject({ type: z.literal('bundle'), bundle: importedSchema }),
      z.strictObject({
        type: z.literal('approval'),
        approval: z.strictObject({
          seq,
          packetId: z.string(),
          packetVersion: z.number().int(),
          role: z.string(),
          decision: z.enum(DECISIONS),
          reviewer: z.string(),
          status: approvalStatusSchema,
        }),
      }),
    ]),
  },
  trustList: { input: empty, output: z.array(trustEntrySchema) },
  /** Proves the carried key signed a registration bundle and shows its fingerprint; records nothing. */
  trustInspect: {
    input: z.strictObject({ path: mediaPath }),
    output: z.strictObject({
      fileName: z.string(),
      bundleKind: z.string(),
      holder: z.string(),
      organisation: z.string(),
      fingerprint: sha256Hex,
      words,
      algorithm: z.string(),
      digest: sha256Hex,
      alreadyRegistered: z.string().nullable(),
    }),
  },
  /** Registers the key only if the fingerprint the person read back (hex or words) matches. */
  trustRegister: {
    input: z.strictObject({
      path: mediaPath,
      trustId: trustRegistered.trustId,
      roles: z.array(roleSchema).max(10),
      validUntil: isoTime,
      confirmFingerprint: z.string().min(8).max(400),
      actor,
    }),
    output: trustEntrySchema,
  },
  trustRevoke: {
    input: z.strictObject({ trustId: trustRevoked.trustId, reason: trustRevoked.reason, actor }),
    output: trustEntrySchema,
  },
} as const satisfies Channels;

export type MediaView = z.output<typeof mediaViewSchema>;
export type IssuedView = z.output<typeof issuedSchema>;
export type TrustEntryView = z.output<typeof trustEntrySchema>;
