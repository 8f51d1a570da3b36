import { z } from 'zod';
import { recordRefSchema } from '../findings/model';
import { LEDGER_AREAS } from '../findings/rules/activation/assess';

/**
 * The readiness ledger of workflow 003 as views carry it (the workflow's derived output, validated at the
 * boundary): each line an area's item with its facts, the checks that judge it, READY / HOLD /
 * QUARANTINED, and the records it rests on; plus the manifest in force and the signing key it names.
 */
const ledgerValue = z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.string())]);

export const ledgerLineSchema = z.strictObject({
  area: z.enum(LEDGER_AREAS),
  item: z.string(),
  facts: z.record(z.string(), ledgerValue),
  records: z.array(recordRefSchema),
  state: z.enum(['ready', 'hold', 'quarantined']),
  checks: z.array(z.string()),
});
export type LedgerLineView = z.output<typeof ledgerLineSchema>;

export const manifestArtifactSchema = z.strictObject({
  artifact: z.string(),
  sha256: z.string(),
  sizeBytes: z.number().int().nullable(),
});

export const activationLedgerSchema = z.strictObject({
  declarationId: z.string(),
  trainId: z.string().nullable(),
  manifest: z
    .strictObject({
      manifestId: z.string(),
      manifestVersion: z.number().int(),
      artifacts: z.array(manifestArtifactSchema),
    })
    .nullable(),
  signingKey: z.strictObject({ hsmSerial: z.string(), keyId: z.string() }).nullable(),
  approvalOwner: z.string().nullable(),
  lines: z.array(ledgerLineSchema),
});
export type ActivationLedgerView = z.output<typeof activationLedgerSchema>;
