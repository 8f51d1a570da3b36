import { z } from 'zod';
import type { RecordFamily } from '../records';
import { sha256Hex } from '../../schema';
import { id, instant, person, role, text } from './common';
import { CONTINUITY_FAMILIES } from './continuity';
import { ISSUANCE_FAMILIES } from './issuance';

/**
 * The record families the station imports (docs/records.md), one schema each. A family is versioned:
 * a changed shape is a new version, and old records stay readable under the version they came in.
 * Field names are the station's; an import maps a source's columns to them (resources/records/).
 */
const family = <S extends z.ZodType>(f: RecordFamily<S>): RecordFamily<S> => f;

// --- HSM administration, key inventory, audit -------------------------------------------------------

export const hsmKeyInventory = family({
  name: 'hsm-key-inventory',
  version: 1,
  title: 'HSM key inventory',
  systems: 'HSM administration / key-inventory system; the station’s own read-back (first-hand)',
  idField: 'entryId',
  timeField: 'observedAt',
  signature: ['keyId', 'hsmSerial', 'residency'],
  schema: z.strictObject({
    entryId: id,
    keyId: id,
    label: text(200),
    hsmSerial: id,
    /** hsm-resident: generated and held non-extractable in the HSM; anything else is not HSM-backed. */
    residency: z.enum(['hsm-resident', 'hsm-wrapped-export', 'software', 'cloud-kms', 'unknown']),
    production: z.boolean(),
    purpose: text(200),
    /** When rotation is due under policy (the scheduled rotation milestone), if the system tracks it. */
    rotationDueAt: instant.nullable().default(null),
    observedAt: instant,
  }),
});

export const hsmAuditLog = family({
  name: 'hsm-audit-log',
  version: 1,
  title: 'HSM audit-log entry',
  systems: 'HSM audit-log export (per HSM, sequence-numbered)',
  idField: 'entryId',
  timeField: 'at',
  signature: ['sequence', 'event', 'result'],
  schema: z.strictObject({
    entryId: id,
    hsmSerial: id,
    /** The HSM's own monotonically increasing sequence number (a gap is a finding). */
    sequence: z.number().int().min(0),
    at: instant,
    event: z.enum([
      'sign',
      'key-generate',
      'key-import',
      'key-export',
      'key-delete',
      'policy-change',
      'quorum-change',
      'login',
      'login-failed',
      'firmware-update',
      'audit-cleared',
      'other',
    ]),
    keyId: id.nullable(),
    operator: person.nullable(),
    result: z.enum(['success', 'failure', 'denied']),
    /** The ceremony or change the HSM tagged the act with, when it does. */
    reference: id.nullable().default(null),
  }),
});

export const hsmAttestation = family({
  name: 'hsm-attestation',
  version: 1,
  title: 'HSM firmware / attestation result',
  systems: 'HSM administration (vendor attestation check)',
  idField: 'attestationId',
  timeField: 'checkedAt',
  signature: ['firmwareVersion', 'expectedFirmware'],
  schema: z.strictObject({
    attestationId: id,
    hsmSerial: id,
    firmwareVersion: text(80),
    expectedFirmware: text(80),
    result: z.enum(['pass', 'mismatch', 'fail', 'inconclusive']),
    checkedAt: instant,
    note: z.string().max(1000).default(''),
  }),
});

// --- Ceremonies ------------------------------------------------------------------------------------

export const ceremonyPlan = family({
  name: 'ceremony-plan',
  version: 1,
  title: 'Ceremony plan',
  systems: 'ceremony-planning system',
  idField: 'ceremonyId',
  timeField: 'plannedAt',
  signature: ['ceremonyId', 'plannedAt', 'requiredRoles'],
  schema: z.strictObject({
    ceremonyId: id,
    purpose: z.enum([
      'key-rotation',
      'key-generation',
      'quorum-change',
      'key-policy-change',
      'signing',
      'other',
    ]),
    keyId: id.nullable(),
    hsmSerial: id.nullable(),
    plannedAt: instant,
    requiredRoles: z.array(z.strictObject({ role, count: z.number().int().min(1).max(20) })).max(20),
    status: z.enum(['planned', 'blocked', 'held', 'cancelled', 'completed']),
    changeRef: id.nullable().default(null),
  }),
});

export const readinessResult = family({
  name: 'readiness-result',
  version: 1,
  title: 'Ceremony readiness result',
  systems: 'ceremony-planning system (dry runs, pre-checks)',
  idField: 'resultId',
  timeField: 'checkedAt',
  signature: ['ceremonyId', 'check', 'result'],
  schema: z.strictObject({
    resultId: id,
    ceremonyId: id,
    check: text(200),
    result: z.enum(['ready', 'not-ready', 'waived']),
    checkedAt: instant,
    participants: z.array(z.strictObject({ person, role })).max(50).default([]),
  }),
});

export const ceremonyLog = family({
  name: 'ceremony-log',
  version: 1,
  title: 'Ceremony log',
  systems: 'key-ceremony record store (witness logs, role assignments)',
  idField: 'ceremonyId',
  timeField: 'at',
  signature: ['ceremonyId', 'participants', 'kind'],
  schema: z.strictObject({
    ceremonyId: id,
    at: instant,
    kind: z.enum([
      'key-generation',
      'key-rotation',
      'quorum-change',
      'key-policy-change',
      'signing',
      'inspection',
      'other',
    ]),
    keyId: id.nullable().default(null),
    /** Everyone present, with the role each acted in. */
    participants: z
      .array(z.strictObject({ person, role, act: z.enum(['operator', 'witness', 'custodian', 'approver']) }))
      .min(1)
      .max(50),
    /** The approved change this ceremony carried out, if any. */
    changeRef: id.nullable().default(null),
    outcome: z.enum(['completed', 'aborted', 'partial']),
  }),
});

export const changeRecord = family({
  name: 'change-record',
  version: 1,
  title: 'Change record',
  systems: 'change management (approval reference, scheduled or emergency)',
  idField: 'changeId',
  timeField: 'approvedAt',
  signature: ['changeId', 'changeType', 'approvedBy'],
  schema: z.strictObject({
    changeId: id,
    changeType: z.enum(['scheduled', 'emergency', 'standard']),
    summary: text(500),
    approvedBy: z.array(person).max(10),
    approvedAt: instant.nullable(),
    windowStart: instant.nullable().default(null),
    windowEnd: instant.nullable().default(null),
    status: z.enum(['requested', 'approved', 'rejected', 'implemented', 'cancelled']),
  }),
});

export const changeCalendar = family({
  name: 'change-calendar',
  version: 1,
  title: 'Change calendar entry (freeze, blackout)',
  systems: 'change management calendar',
  idField: 'entryId',
  timeField: 'from',
  signature: ['entryId', 'kind', 'from', 'until'],
  schema: z.strictObject({
    entryId: id,
    kind: z.enum(['freeze', 'blackout', 'maintenance']),
    from: instant,
    until: instant,
    scope: text(300),
  }),
});

// --- People ----------------------------------------------------------------------------------------

export const rosterSnapshot = family({
  name: 'roster-snapshot',
  version: 1,
  title: 'Custodian / operator roster entry',
  systems: 'identity and access governance (approved roster)',
  idField: 'entryId',
  timeField: 'snapshotAt',
  signature: ['person', 'roles', 'validFrom', 'validUntil'],
  schema: z.strictObject({
    entryId: id,
    person,
    roles: z.array(role).min(1).max(20),
    validFrom: instant,
    validUntil: instant.nullable(),
    /** temporary: an on-call or cover assignment, approved for its window only. */
    status: z.enum(['active', 'temporary', 'suspended', 'revoked']),
    snapshotAt: instant,
  }),
});

export const signerAvailability = family({
  name: 'signer-availability',
  version: 1,
  title: 'Signer availability confirmation',
  systems: 'ceremony planning / on-call scheduling',
  idField: 'confirmationId',
  timeField: 'recordedAt',
  signature: ['person', 'role', 'availableFrom', 'confirmed'],
  schema: z.strictObject({
    confirmationId: id,
    person,
    role,
    ceremonyId: id.nullable().default(null),
    availableFrom: instant,
    availableUntil: instant,
    confirmed: z.boolean(),
    recordedAt: instant,
  }),
});

export const reviewBoardSeat = family({
  name: 'review-board-seat',
  version: 1,
  title: 'Review-board seat and term',
  systems: 'engineering governance repository (board membership)',
  idField: 'seatId',
  timeField: 'termFrom',
  signature: ['seatId', 'holder', 'termFrom', 'termUntil'],
  schema: z.strictObject({
    seatId: id,
    /** The reviewer role the seat fills, matched against the policy's required seats. */
    role,
    holder: person.nullable(),
    termFrom: instant,
    termUntil: instant.nullable(),
  }),
});

// --- Custody ---------------------------------------------------------------------------------------

export const custodyRegistry = family({
  name: 'custody-registry',
  version: 1,
  title: 'Custody holding',
  systems: 'token-custody registry (who holds which card, key or token)',
  idField: 'holdingId',
  timeField: 'since',
  signature: ['itemId', 'holder', 'since'],
  schema: z.strictObject({
    holdingId: id,
    itemId: id,
    itemKind: z.enum([
      'backup-token',
      'operator-card',
      'custodian-card',
      'escrow-envelope',
      'escrow-media',
      'physical-key',
      'other',
    ]),
    holder: person,
    since: instant,
    until: instant.nullable().default(null),
    /** The HSM the token or card unlocks or backs up, when it belongs to one (joins custody to keys). */
    hsmSerial: id.nullable().default(null),
  }),
});

export const custodyAttestation = family({
  name: 'custody-attestation',
  version: 1,
  title: 'Custody attestation (holder confirms possession)',
  systems: 'access governance / secure-storage records',
  idField: 'attestationId',
  timeField: 'attestedAt',
  signature: ['itemId', 'attestedBy', 'attestedAt'],
  schema: z.strictObject({
    attestationId: id,
    itemId: id,
    attestedBy: person,
    attestedAt: instant,
    result: z.enum(['in-possession', 'not-found', 'seal-broken']),
  }),
});

export const mediaLifecycle = family({
  name: 'media-lifecycle',
  version: 1,
  title: 'Escrow media lifecycle event',
  systems: 'secure-storage records',
  idField: 'eventId',
  timeField: 'at',
  signature: ['mediaId', 'event', 'bagSerial'],
  schema: z.strictObject({
    eventId: id,
    mediaId: id,
    event: z.enum(['issued', 'sealed', 'replaced', 'resealed', 'retired']),
    bagSerial: id.nullable(),
    at: instant,
  }),
});

export const sealInspection = family({
  name: 'seal-inspection',
  version: 1,
  title: 'Seal inspection',
  systems: 'secure-storage records (inspection proof)',
  idField: 'inspectionId',
  timeField: 'at',
  signature: ['mediaId', 'bagSerial', 'inspector', 'result'],
  schema: z.strictObject({
    inspectionId: id,
    mediaId: id,
    bagSerial: id,
    inspector: person,
    at: instant,
    result: z.enum(['intact', 'tampered', 'missing']),
  }),
});

// --- Signing paths, exceptions, certificates, builds ------------------------------------------------

export const signingPath = family({
  name: 'signing-path',
  version: 1,
  title: 'Signing-path inventory entry',
  systems: 'release engineering pipeline configuration / bridge documentation',
  idField: 'pathId',
  timeField: 'addedAt',
  signature: ['pathId', 'keyId', 'via'],
  schema: z.strictObject({
    pathId: id,
    keyId: id,
    /** What invokes the key: a pipeline, or a bridge system (e.g. a legacy notarization bridge). */
    via: id,
    viaKind: z.enum(['pipeline', 'bridge', 'manual']),
    purpose: text(200),
    addedAt: instant,
    removedAt: instant.nullable().default(null),
  }),
});

export const exceptionRecord = family({
  name: 'exception-record',
  version: 1,
  title: 'Exception register entry',
  systems: 'exception register (controls library)',
  idField: 'exceptionId',
  timeField: 'validFrom',
  signature: ['exceptionId', 'scope', 'validUntil'],
  schema: z.strictObject({
    exceptionId: id,
    /** The control or requirement it excepts from. */
    control: id,
    /** What it covers: ids of signing paths, keys or systems. */
    scope: z.array(id).max(200),
    /** A scope described in words only (no ids) cannot be checked: scope-unclear. */
    scopeText: z.string().max(1000).default(''),
    status: z.enum(['approved', 'requested', 'expired', 'revoked', 'superseded']),
    validFrom: instant,
    validUntil: instant.nullable(),
    supersededBy: id.nullable().default(null),
    renews: id.nullable().default(null),
    approvedBy: z.array(person).max(10).default([]),
  }),
});

export const certificateRecord = family({
  name: 'certificate',
  version: 1,
  title: 'Certificate inventory entry',
  systems: 'certificate inventory / PKI',
  idField: 'serial',
  timeField: 'notBefore',
  signature: ['serial', 'notAfter', 'keyId'],
  schema: z.strictObject({
    serial: id,
    subject: text(300),
    keyId: id,
    issuer: text(300),
    notBefore: instant,
    notAfter: instant,
    status: z.enum(['valid', 'revoked', 'superseded']),
  }),
});

export const issuanceLedger = family({
  name: 'issuance-ledger',
  version: 1,
  title: 'Issuance ledger entry',
  systems: 'PKI issuance ledger',
  idField: 'issuanceId',
  timeField: 'issuedAt',
  signature: ['issuanceId', 'serial', 'issuedAt'],
  schema: z.strictObject({
    issuanceId: id,
    serial: id,
    keyId: id,
    issuedAt: instant,
    /** The ceremony or approved request that accounts for it. */
    ceremonyId: id.nullable(),
    requestRef: id.nullable().default(null),
  }),
});

export const buildEnrollment = family({
  name: 'build-enrollment',
  version: 1,
  title: 'Build-signing enrollment / verification status',
  systems: 'build-signing and artifact-provenance platforms',
  idField: 'enrollmentId',
  timeField: 'reportedAt',
  signature: ['system', 'keyId', 'enrollment'],
  schema: z.strictObject({
    enrollmentId: id,
    system: id,
    keyId: id,
    enrollment: z.enum(['enrolled', 'pending', 'failed', 'disputed']),
    trustChainDistributed: z.boolean(),
    verificationFailures: z.number().int().min(0),
    reportedAt: instant,
  }),
});

// --- Deferral and attestation subjects --------------------------------------------------------------

export const deferralRequest = family({
  name: 'deferral-request',
  version: 1,
  title: 'Key-rotation deferral request',
  systems: 'release-integrity exception workspace',
  idField: 'requestId',
  timeField: 'requestedAt',
  signature: ['requestId', 'keyId', 'windowEnd'],
  schema: z.strictObject({
    requestId: id,
    keyId: id,
    requestedBy: person,
    requestedAt: instant,
    rotationDueAt: instant,
    windowStart: instant,
    windowEnd: instant,
    reason: text(2000),
    /** Keys, systems or paths the deferral covers (its packet boundary). Empty means unclear scope. */
    scope: z.array(id).max(100),
    /** The review seats (roles) the requester routes it to. */
    routeTo: z.array(role).max(20),
    /** Interim monitoring and access constraints the request commits to. */
    interimControls: z.array(text(300)).max(20).default([]),
  }),
});

export const priorDeferral = family({
  name: 'prior-deferral',
  version: 1,
  title: 'Prior deferral and its conditions',
  systems: 'release-integrity exception workspace (history)',
  idField: 'deferralId',
  timeField: 'decidedAt',
  signature: ['deferralId', 'keyId', 'conditions'],
  schema: z.strictObject({
    deferralId: id,
    keyId: id,
    decidedAt: instant,
    decision: z.enum(['granted', 'refused', 'withdrawn']),
    windowStart: instant,
    windowEnd: instant,
    renews: id.nullable().default(null),
    conditions: z
      .array(z.strictObject({ conditionId: id, text: text(500), status: z.enum(['open', 'met', 'waived']) }))
      .max(50),
  }),
});

export const attestationScope = family({
  name: 'attestation-scope',
  version: 1,
  title: 'Attestation scope and period',
  systems: 'security controls library (attestation cycle)',
  idField: 'attestationId',
  timeField: 'periodStart',
  signature: ['attestationId', 'periodStart', 'periodEnd', 'keys'],
  schema: z.strictObject({
    attestationId: id,
    periodStart: instant,
    periodEnd: instant,
    /** Production signing keys in scope. */
    keys: z.array(id).min(1).max(500),
    owner: person,
  }),
});

export const incidentNotice = family({
  name: 'incident-notice',
  version: 1,
  title: 'Security incident / compromise notice',
  systems: 'incident handling / security operations',
  idField: 'noticeId',
  timeField: 'reportedAt',
  signature: ['noticeId', 'indicator'],
  schema: z.strictObject({
    noticeId: id,
    indicator: z.enum([
      'key-compromise',
      'unauthorised-signing',
      'supply-chain-incident',
      'validity-shortened',
      'other',
    ]),
    keyId: id.nullable(),
    reportedAt: instant,
    status: z.enum(['open', 'closed-false-positive', 'closed-resolved']),
    summary: text(1000),
  }),
});

// --- Compromise authority (workflow 002) -------------------------------------------------------------
// Custody, exposure and disclosure detail is restricted: only each family's `broadFields` may go to a
// broader audience (the broad bundle), and an authority matrix may narrow that further, never widen it.

const CUSTODY_CONCLUSIONS = ['ruled-out', 'unconfirmed', 'suspected', 'confirmed'] as const;

export const incidentScope = family({
  name: 'incident-scope',
  version: 1,
  title: 'Declared incident scope',
  systems: 'incident command / security leadership (the declaration and its revisions)',
  idField: 'incidentId',
  timeField: 'declaredAt',
  signature: ['incidentId', 'severity', 'exposureFrom'],
  broadFields: ['incidentId', 'title', 'severity', 'status', 'declaredBy', 'declaredAt', 'keyIds'],
  schema: z.strictObject({
    incidentId: id,
    title: text(200),
    severity: z.enum(['sev1', 'sev2', 'sev3', 'sev4']),
    /** declared and contained are open incidents; downgraded and closed end the compromise track. */
    status: z.enum(['declared', 'contained', 'downgraded', 'closed']),
    declaredBy: person,
    declaredAt: instant,
    /** Production signing keys that may have left the HSM boundary. */
    keyIds: z.array(id).min(1).max(50),
    /** From when the keys may have been exposed (the window telemetry, audit and lineage must cover). */
    exposureFrom: instant,
    scopeNote: z.string().max(2000).default(''),
  }),
});

export const custodyEvidence = family({
  name: 'custody-evidence',
  version: 1,
  title: 'Key custody evidence (residency, backups, forensics)',
  systems: 'HSM administration, custody registry, forensics (each says what it concluded)',
  idField: 'evidenceId',
  timeField: 'observedAt',
  signature: ['evidenceId', 'conclusion'],
  broadFields: ['evidenceId', 'kind', 'observedAt'],
  schema: z.strictObject({
    evidenceId: id,
    keyId: id,
    hsmSerial: id.nullable().default(null),
    kind: z.enum([
      'residency-check',
      'backup-accounted',
      'backup-missing',
      'wrapped-copy-found',
      'operator-statement',
      'forensic-finding',
    ]),
    /** Whether the key may have left the boundary, as this evidence concludes. */
    conclusion: z.enum(CUSTODY_CONCLUSIONS),
    location: text(300),
    detail: z.string().max(2000).default(''),
    observedBy: person,
    observedAt: instant,
  }),
});

export const signingTelemetry = family({
  name: 'signing-telemetry',
  version: 1,
  title: 'Signing-service telemetry event',
  systems: 'signing services (pipeline signer, bridge, manual console), sequence-numbered per service',
  idField: 'eventId',
  timeField: 'signedAt',
  signature: ['eventId', 'serviceSequence'],
  broadFields: ['eventId', 'service', 'signedAt'],
  schema: z.strictObject({
    eventId: id,
    keyId: id,
    service: id,
    /** The service's own sequence number (a gap is a finding). */
    serviceSequence: z.number().int().min(0),
    signedAt: instant,
    origin: z.enum(['pipeline', 'bridge', 'manual', 'unknown']),
    anomaly: z.enum(['none', 'off-hours', 'unknown-client', 'unexpected-payload', 'rate-spike']),
    /** What was signed, when the service records it (the join to artifact lineage). */
    artifactDigest: id.nullable().default(null),
    clientId: id,
  }),
});

export const artifactLineage = family({
  name: 'artifact-lineage',
  version: 1,
  title: 'Artifact lineage (what a key signed and where it shipped)',
  systems: 'release management / artifact repository',
  idField: 'lineageId',
  timeField: 'publishedAt',
  signature: ['lineageId', 'artifactDigest', 'audience'],
  broadFields: [],
  schema: z.strictObject({
    lineageId: id,
    artifactDigest: id,
    artifactName: text(300),
    product: id,
    signedByKeyId: id,
    signedAt: instant,
    publishedAt: instant,
    channel: text(120),
    audience: z.enum(['internal', 'partner', 'external-customer', 'public']),
    status: z.enum(['staged', 'published', 'withdrawn']),
  }),
});

export const customerImpact = family({
  name: 'customer-impact',
  version: 1,
  title: 'Customer-impact estimate',
  systems: 'customer success / account management',
  idField: 'estimateId',
  timeField: 'estimatedAt',
  signature: ['estimateId', 'customersHigh'],
  broadFields: [],
  schema: z.strictObject({
    estimateId: id,
    product: id,
    customersLow: z.number().int().min(0),
    customersHigh: z.number().int().min(0),
    contractualSla: z.boolean(),
    supportObligation: z.string().max(500).default(''),
    basis: text(1000),
    estimatedAt: instant,
  }),
});

export const disclosureRegister = family({
  name: 'disclosure-register',
  version: 1,
  title: 'Disclosure register entry (legal)',
  systems: 'legal / trust office disclosure register',
  idField: 'entryId',
  timeField: 'recordedAt',
  signature: ['entryId', 'obligation', 'constraint'],
  broadFields: [],
  schema: z.strictObject({
    entryId: id,
    product: id,
    obligation: z.enum(['contractual-notice', 'regulatory-notice', 'public-advisory', 'none']),
    deadlineAt: instant.nullable().default(null),
    constraint: z.enum(['none', 'legal-hold', 'embargo', 'approved-wording-only']),
    constraintText: z.string().max(2000).default(''),
    counterparty: z.string().max(200).default(''),
    status: z.enum(['open', 'met', 'withdrawn']),
    recordedAt: instant,
  }),
});

export const emergencyDelegation = family({
  name: 'emergency-delegation',
  version: 1,
  title: 'Emergency delegation, unavailability or succession record',
  systems: 'incident command roster (delegations of authority, out-of-office, invocations)',
  idField: 'recordId',
  timeField: 'recordedAt',
  signature: ['recordId', 'laneId', 'validFrom'],
  // Deliberately no reason field: why someone is unavailable is nobody's business in a packet.
  broadFields: [
    'recordId',
    'laneId',
    'kind',
    'from',
    'to',
    'decisions',
    'validFrom',
    'validUntil',
    'revokes',
    'grantedBy',
    'recordedAt',
  ],
  schema: z.strictObject({
    recordId: id,
    laneId: id,
    kind: z.enum(['delegation', 'unavailability', 'succession-invoked', 'revocation']),
    /** The holder delegating, or the person unavailable. */
    from: person,
    /** The delegate, or the successor invoked. */
    to: person.nullable().default(null),
    decisions: z.array(id).max(20).default([]),
    validFrom: instant,
    validUntil: instant.nullable().default(null),
    /** A revocation names the record it ends. */
    revokes: id.nullable().default(null),
    grantedBy: person,
    recordedAt: instant,
  }),
});

export const priorRecommendation = family({
  name: 'prior-recommendation',
  version: 1,
  title: 'Prior authority recommendation packet',
  systems: 'earlier recommendation packets (this station or another), as issued',
  idField: 'packetRef',
  timeField: 'issuedAt',
  signature: ['packetRef', 'recommendedLane'],
  broadFields: [
    'packetRef',
    'incidentId',
    'version',
    'recommendedLane',
    'matrixVersion',
    'issuedBy',
    'issuedAt',
  ],
  schema: z.strictObject({
    packetRef: id,
    incidentId: id,
    version: z.number().int().min(1),
    recommendedLane: id,
    /** The matrix title and version it was computed under. */
    matrixVersion: text(200),
    /** The source records it rested on, by digest of their content as it stood. */
    basis: z.array(z.strictObject({ family: id, system: id, recordId: id, digest: sha256Hex })).max(500),
    issuedBy: person,
    issuedAt: instant,
  }),
});

export const runbookOption = family({
  name: 'runbook-option',
  version: 1,
  title: 'Response runbook option',
  systems: 'incident response runbooks (reviewed options, each with its effects)',
  idField: 'optionId',
  timeField: 'reviewedAt',
  signature: ['optionId', 'runbookId', 'effects'],
  broadFields: ['optionId', 'runbookId', 'title', 'keyIds', 'decisions', 'status', 'reviewedAt'],
  schema: z.strictObject({
    optionId: id,
    runbookId: id,
    title: text(200),
    keyIds: z.array(id).min(1).max(50),
    /** The matrix decisions taking this option requires. */
    decisions: z.array(id).min(1).max(10),
    effects: z
      .array(
        z.strictObject({
          effect: z.enum([
            'key-revocation',
            'release-freeze',
            'artifact-invalidation',
            'customer-notification',
            'public-disclosure',
            'key-rotation',
          ]),
          scope: z.enum(['internal', 'external', 'all']),
          reversibility: z.enum(['reversible', 'partly-reversible', 'irreversible']),
          note: z.string().max(1000).default(''),
        }),
      )
      .min(1)
      .max(10),
    status: z.enum(['approved', 'draft', 'retired']),
    reviewedAt: instant,
  }),
});

/** Every family, by name. A new family (or version) is added here and in resources/records. */
export const FAMILIES = {
  'hsm-key-inventory': hsmKeyInventory,
  'hsm-audit-log': hsmAuditLog,
  'hsm-attestation': hsmAttestation,
  'ceremony-plan': ceremonyPlan,
  'readiness-result': readinessResult,
  'ceremony-log': ceremonyLog,
  'change-record': changeRecord,
  'change-calendar': changeCalendar,
  'roster-snapshot': rosterSnapshot,
  'signer-availability': signerAvailability,
  'review-board-seat': reviewBoardSeat,
  'custody-registry': custodyRegistry,
  'custody-attestation': custodyAttestation,
  'media-lifecycle': mediaLifecycle,
  'seal-inspection': sealInspection,
  'signing-path': signingPath,
  'exception-record': exceptionRecord,
  certificate: certificateRecord,
  'issuance-ledger': issuanceLedger,
  'build-enrollment': buildEnrollment,
  'deferral-request': deferralRequest,
  'prior-deferral': priorDeferral,
  'attestation-scope': attestationScope,
  'incident-notice': incidentNotice,
  'incident-scope': incidentScope,
  'custody-evidence': custodyEvidence,
  'signing-telemetry': signingTelemetry,
  'artifact-lineage': artifactLineage,
  'customer-impact': customerImpact,
  'disclosure-register': disclosureRegister,
  'emergency-delegation': emergencyDelegation,
  'prior-recommendation': priorRecommendation,
  'runbook-option': runbookOption,
  ...CONTINUITY_FAMILIES,
  ...ISSUANCE_FAMILIES,
} as const satisfies Readonly<Record<string, RecordFamily>>;
export type FamilyName = keyof typeof FAMILIES;

export function isFamilyName(name: string): name is FamilyName {
  return Object.hasOwn(FAMILIES, name);
}
