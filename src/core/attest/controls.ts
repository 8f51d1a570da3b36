import { z } from 'zod';
import { isoTime } from '../schema';

/**
 * What is left of the old custody-attestation engine: the four fixed JSON formats a packet's evidence
 * file may declare (`schema`), still validated on import by the packet service
 * (src/main/services/packets). The attestation itself is the findings engine's 'attestation' workflow
 * over source records (src/core/findings, src/main/services/attest); these formats are evidence files
 * only and are never evaluated. Remove this file once the packet service stops importing it.
 */

// Records the owner imports (JSON files declaring their schema), validated strictly.
export const keyRegisterSchema = z.strictObject({
  schema: z.literal('key-register/v1'),
  keys: z
    .array(
      z.strictObject({
        keyId: z.string().min(1),
        label: z.string().min(1),
        production: z.boolean(),
        location: z.enum(['hsm', 'software', 'cloud-kms']),
        tokenSerial: z.string().nullable(),
        ckaId: z.string().nullable(),
      }),
    )
    .max(1000),
});
export const ceremonyLogSchema = z.strictObject({
  schema: z.literal('ceremony-log/v1'),
  ceremonies: z
    .array(
      z.strictObject({
        ceremonyId: z.string().min(1),
        at: isoTime,
        kind: z.enum(['key-generation', 'quorum-change', 'key-policy-change', 'signing', 'inspection']),
        operators: z.array(z.string().min(1)).min(1),
        witnesses: z.array(z.string()),
        /** The station journal entry that records the change, when the station recorded it. */
        journalSeq: z.number().int().min(1).nullable(),
      }),
    )
    .max(10_000),
});
export const exceptionRecordsSchema = z.strictObject({
  schema: z.literal('exception-records/v1'),
  exceptions: z
    .array(
      z.strictObject({
        exceptionId: z.string().min(1),
        system: z.string().min(1),
        approvedBy: z.string().min(1),
        expiresAt: isoTime,
        scope: z.strictObject({ signingPaths: z.array(z.string()) }),
      }),
    )
    .max(1000),
});
export const signingPathsSchema = z.strictObject({
  schema: z.literal('signing-paths/v1'),
  paths: z
    .array(
      z.strictObject({
        pathId: z.string().min(1),
        system: z.string().min(1),
        description: z.string(),
        addedAt: isoTime,
      }),
    )
    .max(10_000),
});

/** The records an owner imports, by the schema name each JSON file declares in its `schema` field. */
export const RECORD_SCHEMAS = {
  'key-register/v1': keyRegisterSchema,
  'ceremony-log/v1': ceremonyLogSchema,
  'exception-records/v1': exceptionRecordsSchema,
  'signing-paths/v1': signingPathsSchema,
} as const;
