import { z } from 'zod';
import type { RecordFamily } from '../records';
import { sha256Hex } from '../../schema';
import { id, instant, person, role, text } from './common';

/**
 * The record families of workflow 003, the offline-signing continuity activation gate (docs/records.md):
 * the declared outage and its fallback scope, the frozen manifest and the trusted sources it must still
 * match, digest confirmations, enclave attestations and readings, the shift calendar and signer
 * commitments, rollback packages, publication safeguards and the candidate artifacts staged for signing.
 * Manifests, repository coordinates and enclave detail are restricted: only `broadFields` go broad.
 */
const family = <S extends z.ZodType>(f: RecordFamily<S>): RecordFamily<S> => f;

/** An artifact's file name as the manifest names it: no directory, no traversal. */
const artifactName = z
  .string()
  .trim()
  .min(1)
  .max(255)
  .refine((s) => !s.includes('/') && !s.includes('\\') && s !== '.' && s !== '..', {
    message: 'an artifact file name without a directory (no / or \\)',
  });
const commit = z.string().trim().min(7).max(64);

export const continuityDeclaration = family({
  name: 'continuity-declaration',
  version: 1,
  title: 'Offline-signing continuity declaration',
  systems: 'release continuity playbook / incident workspace (declared outage, fallback scope)',
  idField: 'declarationId',
  timeField: 'declaredAt',
  signature: ['declarationId', 'trainId', 'manifestId', 'shipmentDeadline'],
  broadFields: [
    'declarationId',
    'incidentId',
    'trainId',
    'outageServices',
    'declaredAt',
    'declaredBy',
    'shipmentDeadline',
    'windowFrom',
    'windowUntil',
    'approvalOwner',
    'status',
  ],
  schema: z.strictObject({
    declarationId: id,
    incidentId: id,
    /** The one critical patch train the fallback path covers. */
    trainId: id,
    /** The online services declared out (signing, attestation…). */
    outageServices: z.array(text(120)).min(1).max(20),
    fallbackScope: text(2000),
    declaredAt: instant,
    declaredBy: person,
    /** When the shipment window expires (the reason for the fallback). */
    shipmentDeadline: instant,
    /** The window in which offline signing may run: every shift in it needs a signer quorum. */
    windowFrom: instant,
    windowUntil: instant,
    /** The named release-security approval owner. */
    approvalOwner: person,
    /** The signing key: the token's serial and the key's CKA_ID (hex). */
    hsmSerial: id,
    keyId: id,
    manifestId: id,
    /** Rollback packages in scope (rollback-package ids). */
    rollbackPackages: z.array(id).max(100),
    status: z.enum(['declared', 'withdrawn', 'superseded']),
  }),
});

export const frozenManifest = family({
  name: 'frozen-manifest',
  version: 1,
  title: 'Frozen patch manifest line',
  systems: 'trusted build-lineage system (frozen artifact manifest, one line per artifact)',
  idField: 'entryId',
  timeField: 'frozenAt',
  signature: ['manifestId', 'manifestVersion', 'artifact', 'commit'],
  broadFields: ['entryId', 'manifestId', 'manifestVersion', 'trainId', 'frozenAt', 'status'],
  schema: z.strictObject({
    entryId: id,
    manifestId: id,
    manifestVersion: z.number().int().min(1),
    trainId: id,
    artifact: artifactName,
    sha256: sha256Hex,
    sizeBytes: z.number().int().min(0).nullable().default(null),
    branch: text(200),
    commit,
    reproducibilityRefs: z.array(id).max(20),
    frozenAt: instant,
    frozenBy: person,
    status: z.enum(['frozen', 'withdrawn']),
  }),
});

export const trustedSource = family({
  name: 'trusted-source',
  version: 1,
  title: 'Trusted patch source (branch and commit)',
  systems: 'release truth restoration (accepted trusted branch and commit)',
  idField: 'sourceId',
  timeField: 'acceptedAt',
  signature: ['sourceId', 'branch', 'commit', 'acceptedAt'],
  broadFields: ['sourceId', 'trainId', 'acceptedAt', 'status'],
  schema: z.strictObject({
    sourceId: id,
    trainId: id,
    branch: text(200),
    commit,
    acceptedAt: instant,
    status: z.enum(['accepted', 'revoked']),
  }),
});

export const reproducibilityCheck = family({
  name: 'reproducibility-check',
  version: 1,
  title: 'Reproducible-build check',
  systems: 'reproducible-build system (independent rebuild and digest comparison)',
  idField: 'checkId',
  timeField: 'checkedAt',
  signature: ['checkId', 'ref', 'artifact', 'result'],
  broadFields: ['checkId', 'ref', 'trainId', 'result', 'checkedAt'],
  schema: z.strictObject({
    checkId: id,
    /** The reproducibility reference a manifest line cites. */
    ref: id,
    trainId: id,
    artifact: artifactName,
    /** The digest the independent rebuild produced. */
    sha256: sha256Hex,
    result: z.enum(['match', 'mismatch', 'inconclusive']),
    checkedAt: instant,
  }),
});

export const digestConfirmation = family({
  name: 'digest-confirmation',
  version: 1,
  title: 'Artifact digest confirmation',
  systems: 'digest-confirmation service (second-party digest confirmation)',
  idField: 'confirmationId',
  timeField: 'confirmedAt',
  signature: ['confirmationId', 'artifact', 'sha256', 'confirmedBy'],
  broadFields: ['confirmationId', 'trainId', 'confirmedBy', 'confirmedAt'],
  schema: z.strictObject({
    confirmationId: id,
    trainId: id,
    artifact: artifactName,
    sha256: sha256Hex,
    confirmedBy: person,
    confirmedAt: instant,
  }),
});

export const enclaveAttestation = family({
  name: 'enclave-attestation',
  version: 1,
  title: 'Offline enclave attestation',
  systems: 'HSM / offline enclave readiness records (vendor attestation, sealed by the attesting party)',
  idField: 'attestationId',
  timeField: 'attestedAt',
  signature: ['attestationId', 'hsmSerial', 'firmwareVersion', 'sealed'],
  broadFields: ['attestationId', 'sealed', 'result', 'attestedAt'],
  schema: z.strictObject({
    attestationId: id,
    hsmSerial: id,
    firmwareVersion: text(80),
    keyId: id,
    /** Sealed: the attesting party closed and signed it; an unsealed attestation is a draft. */
    sealed: z.boolean(),
    result: z.enum(['pass', 'fail', 'inconclusive']),
    attestedAt: instant,
  }),
});

export const enclaveReading = family({
  name: 'enclave-reading',
  version: 1,
  title: 'Enclave readiness reading',
  systems: 'HSM administration readiness read; the station’s own live read of the token (first-hand)',
  idField: 'readingId',
  timeField: 'readAt',
  signature: ['readingId', 'present', 'keyResidency'],
  broadFields: ['readingId', 'present', 'readAt'],
  schema: z.strictObject({
    readingId: id,
    hsmSerial: id,
    /** Whether the token answered with this serial. */
    present: z.boolean(),
    firmwareVersion: text(80).nullable(),
    keyId: id,
    /** resident: the key is on the token, private, non-extractable (read back). */
    keyResidency: z.enum(['resident', 'exportable', 'absent', 'unknown']),
    /** SHA-256 of the key's SubjectPublicKeyInfo as read (which key material it is), when read. */
    spkiSha256: sha256Hex.nullable().default(null),
    readAt: instant,
  }),
});

export const shiftCalendar = family({
  name: 'shift-calendar',
  version: 1,
  title: 'Signing shift',
  systems: 'release security and platform engineering shift calendars',
  idField: 'shiftId',
  timeField: 'publishedAt',
  signature: ['shiftId', 'from', 'until', 'label'],
  broadFields: ['shiftId', 'trainId', 'from', 'until', 'label', 'publishedAt', 'status'],
  schema: z.strictObject({
    shiftId: id,
    trainId: id,
    from: instant,
    until: instant,
    label: text(120),
    publishedAt: instant,
    status: z.enum(['scheduled', 'cancelled']),
  }),
});

export const signerCommitment = family({
  name: 'signer-commitment',
  version: 1,
  title: 'Signer commitment to a shift',
  systems: 'signer rosters / dual-custody schedules (who is committed to which shift)',
  idField: 'commitmentId',
  timeField: 'recordedAt',
  signature: ['commitmentId', 'shiftId', 'person', 'status'],
  broadFields: ['commitmentId', 'shiftId', 'role', 'status', 'recordedAt'],
  schema: z.strictObject({
    commitmentId: id,
    shiftId: id,
    person,
    role,
    status: z.enum(['committed', 'tentative', 'withdrawn']),
    recordedAt: instant,
  }),
});

export const rollbackPackage = family({
  name: 'rollback-package',
  version: 1,
  title: 'Rollback package',
  systems: 'rollback-package system (sealed media holding the previous release)',
  idField: 'packageId',
  timeField: 'recordedAt',
  signature: ['packageId', 'mediaId', 'bagSerial', 'artifact'],
  broadFields: ['packageId', 'trainId', 'status', 'recordedAt'],
  schema: z.strictObject({
    packageId: id,
    trainId: id,
    artifact: artifactName,
    sha256: sha256Hex,
    mediaId: id,
    bagSerial: id,
    status: z.enum(['ready', 'withdrawn']),
    recordedAt: instant,
  }),
});

export const PUBLICATION_CONTROLS = [
  'registry-release-lock',
  'mirror-promotion-hold',
  'advisory-embargo',
  'other',
] as const;

export const publicationSafeguard = family({
  name: 'publication-safeguard',
  version: 1,
  title: 'Registry-publication safeguard',
  systems: 'restricted publication tooling (registry release, mirror promotion, advisory timing)',
  idField: 'safeguardId',
  timeField: 'recordedAt',
  signature: ['safeguardId', 'control', 'targets', 'covers'],
  broadFields: ['safeguardId', 'trainId', 'control', 'covers', 'state', 'recordedAt'],
  schema: z.strictObject({
    safeguardId: id,
    trainId: id,
    control: z.enum(PUBLICATION_CONTROLS),
    /** The registries or mirrors it guards. */
    targets: z.array(text(200)).max(50),
    /** manifest: every artifact of the frozen manifest; listed: only `artifacts`. */
    covers: z.enum(['manifest', 'listed']),
    artifacts: z.array(artifactName).max(500),
    state: z.enum(['in-force', 'lifted', 'unknown']),
    recordedAt: instant,
  }),
});

export const candidateArtifact = family({
  name: 'candidate-artifact',
  version: 1,
  title: 'Candidate artifact staged for signing',
  systems: 'release staging (what is offered for the offline signing batch)',
  idField: 'entryId',
  timeField: 'stagedAt',
  signature: ['entryId', 'artifact', 'sha256', 'stagedAt'],
  broadFields: ['entryId', 'trainId', 'stagedAt'],
  schema: z.strictObject({
    entryId: id,
    trainId: id,
    artifact: artifactName,
    sha256: sha256Hex,
    stagedAt: instant,
    stagedBy: person,
  }),
});

export const CONTINUITY_FAMILIES = {
  'continuity-declaration': continuityDeclaration,
  'frozen-manifest': frozenManifest,
  'trusted-source': trustedSource,
  'reproducibility-check': reproducibilityCheck,
  'digest-confirmation': digestConfirmation,
  'enclave-attestation': enclaveAttestation,
  'enclave-reading': enclaveReading,
  'shift-calendar': shiftCalendar,
  'signer-commitment': signerCommitment,
  'rollback-package': rollbackPackage,
  'publication-safeguard': publicationSafeguard,
  'candidate-artifact': candidateArtifact,
} as const;
