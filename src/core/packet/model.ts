import { z } from 'zod';
import { isoTime, packetIdSchema, roleSchema, sha256Hex, subjectKey } from '../schema';

/**
 * A governance packet: what it covers and where the station stops (scope), the consequential statements
 * it makes (claims, bound to the checks that support them), the evidence behind them with provenance
 * (evidence index), people's annotations on the station's findings (the exception register itself is
 * derived from the latest evaluation, never stored here) and who reviews it (routing). The draft is changed only by ops (see ops.ts), each one a
 * journal event; a recorded version freezes the draft's canonical JSON under its digest.
 */
export const PACKET_KINDS = [
  'rotation-deferral',
  'custody-attestation',
  'compromise-authority',
  'activation-gate',
  'portal-issuance',
] as const;
export type PacketKind = (typeof PACKET_KINDS)[number];

export const EVIDENCE_ORIGINS = ['media-file', 'station-record', 'attestation'] as const;
export const STOP_INDICATORS = ['key-compromise', 'unauthorised-signing', 'supply-chain-incident'] as const;
export type StopIndicator = (typeof STOP_INDICATORS)[number];
export const CLAIM_STATUSES = ['supported', 'pending', 'disputed', 'unsupported'] as const;
export type ClaimStatus = (typeof CLAIM_STATUSES)[number];
/** A check ID a claim is bound to (a rule of the findings engine, e.g. DEF-CUSTODY-FRESH). */
export const checkIdSchema = z
  .string()
  .regex(/^[A-Z]{2,5}(-[A-Z0-9]+)+$/, 'a check ID such as DEF-CUSTODY-FRESH');

const sha256 = sha256Hex;
export const itemIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,47}$/, 'lowercase letters, digits and dashes, e.g. ev-hsm-audit');
const person = z.string().trim().min(1).max(80);
const text = (max: number) => z.string().trim().min(1).max(max);

export const evidenceSchema = z.strictObject({
  evidenceId: itemIdSchema,
  title: text(200),
  origin: z.enum(EVIDENCE_ORIGINS),
  /** Where it came from: the source system and its own record id (a file name, a journal seq…). */
  source: z.strictObject({ system: text(120), recordId: text(200) }),
  /** Digest of the file, the station record's canonical JSON, or the typed attestation text. */
  sha256,
  mediaType: text(100),
  sizeBytes: z.number().int().min(0),
  /** When the fact it shows was true (null when the source does not say). */
  effectiveAt: isoTime.nullable(),
  /** When the station received it. */
  receivedAt: isoTime,
  importedBy: person,
  /** A typed-in attestation names the person attesting; null for records and files. */
  attestedBy: person.nullable(),
  /** Freshness rule: the fact must be at most this many days old when the packet is checked. */
  freshnessDays: z.number().int().min(1).max(3650).nullable(),
  /** Sensitive evidence is excerpted minimally (digest and title only) in exported packets. */
  sensitive: z.boolean(),
  /** What a reviewer sees of the content (parsed where the type is known), bounded. */
  excerpt: z.string().max(2000),
  /** X.509 certificates the evidence carries (parsed on import): what the validity runway draws. */
  certificates: z
    .array(
      z.strictObject({
        subject: z.string().max(500),
        issuer: z.string().max(500),
        serial: z.string().max(100),
        notBefore: isoTime,
        notAfter: isoTime,
        sha256,
      }),
    )
    .max(20),
  /** Signs that the evidence shows a compromise or incident: any one stops the packet. */
  indicators: z.array(z.strictObject({ indicator: z.enum(STOP_INDICATORS), detail: text(500) })).max(20),
});
export type Evidence = z.infer<typeof evidenceSchema>;

export const claimSchema = z.strictObject({
  claimId: itemIdSchema,
  text: text(1000),
  evidence: z.array(itemIdSchema).max(50),
  /**
   * The checks that support it: on a derived packet (rotation-deferral) its status is computed from their
   * findings, never typed; a claim with no check is shown as asserted and not checked.
   */
  checks: z.array(checkIdSchema).max(20).optional(),
  /** Set by a workflow service on packets whose status is not derived yet (custody attestation); absent on derived packets. */
  status: z.enum(CLAIM_STATUSES).optional(),
});
export type Claim = z.infer<typeof claimSchema>;

/**
 * What a person adds to a station finding (the finding is named by check ID and subject): a note, an
 * owner, a due date — never its category, whether it blocks or whether it may be waived. Each one is a
 * journaled act under its actor; a finding closes only when a later evaluation no longer finds it.
 */
export const findingKeySchema = z.strictObject({
  checkId: checkIdSchema,
  subject: z.string().min(1).max(200),
});
export type FindingKey = z.infer<typeof findingKeySchema>;
export const annotationSchema = findingKeySchema.extend({
  note: z.string().trim().min(1).max(1000).nullable(),
  owner: person.nullable(),
  dueAt: isoTime.nullable(),
});
export type Annotation = z.infer<typeof annotationSchema>;

export const reviewerSchema = z.strictObject({ role: roleSchema, name: person });
export type Reviewer = z.infer<typeof reviewerSchema>;

export const packetContentSchema = z.strictObject({
  packetId: packetIdSchema,
  kind: z.enum(PACKET_KINDS),
  title: text(200),
  scope: z.strictObject({
    /** What the packet covers. */
    covers: z.string().trim().max(2000),
    /** The explicit boundary where the station stops and human review begins. */
    boundary: z.string().trim().max(2000),
  }),
  claims: z.array(claimSchema).max(500),
  evidence: z.array(evidenceSchema).max(2000),
  /** People's notes, owners and due dates on station findings, in the order they were recorded. */
  annotations: z.array(annotationSchema).max(2000),
  routing: z.strictObject({
    requiredRoles: z.array(roleSchema).max(10),
    reviewers: z.array(reviewerSchema).max(20),
  }),
  /** Workflow-specific facts (e.g. the deferral's key and requested window), validated by the workflow. */
  subject: z.record(subjectKey, z.string().max(500)),
});
export type PacketContent = z.infer<typeof packetContentSchema>;
