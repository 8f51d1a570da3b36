import { z } from 'zod';
import { provenanceSchema } from '../../core/findings/model';
import { EVENT_BODIES } from '../../core/journal/events';
import { actor, isoTime, mediaPath, seq, sha256Hex, type Channels } from './common';

/**
 * Source records and policy records (services/records; docs/records.md): imports of exports the station
 * listed on media, what the station holds, and the policy in force. Evaluations: contract/findings.ts.
 */

const imported = EVENT_BODIES['records.imported'];
const family = imported.shape.family;
const recordId = provenanceSchema.shape.recordId;

export const recordsImportSchema = imported.extend({
  seq,
  /** True when every record of the file was already held (the same file again: nothing new). */
  alreadyHeld: z.boolean(),
});

export const recordSummarySchema = z.strictObject({
  family,
  system: provenanceSchema.shape.system,
  recordId,
  exportedAt: isoTime,
  digest: sha256Hex,
  /** How many versions of this record the station holds (a changed record in a later export is one more). */
  versions: z.number().int().min(1),
});

export const recordVersionSchema = z.strictObject({
  family,
  familyVersion: z.number().int().min(1),
  provenance: provenanceSchema,
  content: z.record(z.string(), z.unknown()),
  digest: sha256Hex,
  importSeq: seq,
});

export const policyInForceSchema = z.strictObject({
  policy: z.string(),
  version: z.number().int().min(1),
  digest: sha256Hex,
  /** `default`: the station's resources/policy file; `imported`: a policy record (seq, provenance). */
  source: z.enum(['default', 'imported']),
  seq: seq.nullable(),
  system: z.string().nullable(),
  exportedAt: isoTime.nullable(),
  fileName: z.string().nullable(),
  content: z.unknown(),
});

export const recordsChannels = {
  /** Imports one export file the station listed on removable media (JSON envelope or CSV). */
  recordsImport: {
    input: z.strictObject({
      path: mediaPath,
      family: family.optional(),
      system: imported.shape.system.optional(),
      exportedAt: isoTime.optional(),
      actor,
    }),
    output: recordsImportSchema,
  },
  /** Imports so far, records per family; with a family, its records (latest version of each). */
  recordsList: {
    input: z.strictObject({ family: family.optional() }),
    output: z.strictObject({
      imports: z.array(recordsImportSchema.omit({ alreadyHeld: true })),
      families: z.array(z.strictObject({ family, records: z.number().int().min(0) })),
      records: z.array(recordSummarySchema),
      truncated: z.boolean(),
    }),
  },
  /** Every version of one record with its provenance and content. */
  recordsShow: {
    input: z.strictObject({ family, system: provenanceSchema.shape.system, recordId }),
    output: z.strictObject({ versions: z.array(recordVersionSchema) }),
  },
  /** The policy in force now for every policy the station knows, and every imported version. */
  policyShow: {
    input: z.strictObject({}),
    output: z.strictObject({
      inForce: z.array(policyInForceSchema),
      imported: z.array(policyInForceSchema.omit({ content: true })),
    }),
  },
} as const satisfies Channels;
