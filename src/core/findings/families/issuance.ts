import { z } from 'zod';
import type { RecordFamily } from '../records';
import { countryCode, sanEntry, sha256Hex } from '../../schema';
import { id, instant, person, role, text } from './common';

/**
 * The record families of workflow 004, the approved PKI-portal issuance submission (docs/records.md):
 * the governed issuance request and its locked CSR, the approvals bound to the request's digest, the
 * subscriber identity and environment registration, the certificate-profile catalogue, the HSM custody
 * attestation of the CSR's key, the reserved issuance window, trust deadlines, the requests the portal's
 * queue is known to hold, and open compromise or revocation investigations. Roles come from the roster
 * (`roster-snapshot`). The station never issues: these records only decide whether a request may be typed
 * into the portal, and exactly what is typed.
 */
const family = <S extends z.ZodType>(f: RecordFamily<S>): RecordFamily<S> => f;

/** The kinds of subject alternative name the portal takes, each written `<type>:<value>`. */
export const SAN_TYPES = ['dns', 'uri', 'email', 'ip'] as const;
export type SanType = (typeof SAN_TYPES)[number];

export const ENVIRONMENTS = ['production', 'staging'] as const;

export const issuanceRequest = family({
  name: 'issuance-request',
  version: 1,
  title: 'Certificate issuance request (governed issuance record)',
  systems: 'certificate-governance / issuance-record system (approved request, named owner)',
  idField: 'requestId',
  timeField: 'requestedAt',
  signature: ['requestId', 'csrFingerprint', 'profileId', 'windowId'],
  schema: z.strictObject({
    requestId: id,
    /** The subscriber service the certificate is for (joins identity, registration, deadlines). */
    serviceId: id,
    subscriberId: id,
    /** The accountable certificate-operations owner: every failing pre-check returns to them. */
    owner: person,
    requestedBy: person,
    requestedAt: instant,
    /** SHA-256 (lowercase hex) of the locked CSR's DER: the CSR the approvals approved. */
    csrFingerprint: sha256Hex,
    commonName: text(64),
    organization: text(64),
    organizationalUnit: text(64).nullable().default(null),
    country: countryCode.nullable().default(null),
    environment: z.enum(ENVIRONMENTS),
    /** The subject alternative names requested, in the order they are entered. */
    sanSet: z.array(sanEntry).max(100),
    profileId: id,
    windowId: id,
    custodyAttestationId: id,
    justification: text(2000),
    status: z.enum(['approved', 'withdrawn', 'superseded']),
  }),
});

export const csrLock = family({
  name: 'csr-lock',
  version: 1,
  title: 'Locked certificate signing request (PEM as exported)',
  systems: 'approved CSR packet (certificate-governance system)',
  idField: 'lockId',
  timeField: 'lockedAt',
  signature: ['lockId', 'requestId', 'csrPem', 'lockedAt'],
  schema: z.strictObject({
    lockId: id,
    requestId: id,
    /** The PKCS#10 request as exported, PEM; the rules read its DER, subject, SANs and key themselves. */
    csrPem: z.string().min(1).max(20_000),
    lockedAt: instant,
    lockedBy: person,
  }),
});

export const subscriberIdentity = family({
  name: 'subscriber-identity',
  version: 1,
  title: 'Subscriber-service identity record',
  systems: 'subscriber-service identity record / SAN inventory',
  idField: 'subscriberId',
  timeField: 'verifiedAt',
  signature: ['subscriberId', 'serviceName', 'registeredNames'],
  schema: z.strictObject({
    subscriberId: id,
    serviceId: id,
    /** The subscriber service as the portal names it. */
    serviceName: text(200),
    organization: text(64),
    /** The names the subscriber may have certified (`dns:`, `uri:`, `email:`, `ip:`); `dns:*.x` is a wildcard. */
    registeredNames: z.array(sanEntry).max(200),
    status: z.enum(['active', 'suspended', 'retired']),
    verifiedAt: instant,
    validUntil: instant.nullable().default(null),
  }),
});

export const environmentRegistration = family({
  name: 'environment-registration',
  version: 1,
  title: 'Environment registration of a service',
  systems: 'environment registration records',
  idField: 'registrationId',
  timeField: 'registeredAt',
  signature: ['registrationId', 'serviceId', 'environment'],
  schema: z.strictObject({
    registrationId: id,
    serviceId: id,
    environment: z.enum(ENVIRONMENTS),
    status: z.enum(['active', 'suspended', 'retired']),
    registeredAt: instant,
    validUntil: instant.nullable().default(null),
  }),
});

export const certificateProfile = family({
  name: 'certificate-profile',
  version: 1,
  title: 'Certificate profile (catalogue entry)',
  systems: 'certificate profile catalogue / cryptographic policy',
  idField: 'profileId',
  timeField: 'publishedAt',
  signature: ['profileId', 'portalLabel', 'productionSigning'],
  schema: z.strictObject({
    profileId: id,
    /** The profile as the portal's profile list labels it (what is selected). */
    portalLabel: text(200),
    /** Whether cryptographic policy authorises this profile for production signing certificates. */
    productionSigning: z.boolean(),
    allowedSanTypes: z.array(z.enum(SAN_TYPES)).max(SAN_TYPES.length),
    maxSans: z.number().int().min(0).max(100),
    allowWildcard: z.boolean(),
    status: z.enum(['active', 'draft', 'retired']),
    publishedAt: instant,
  }),
});

export const keyCustodyAttestation = family({
  name: 'key-custody-attestation',
  version: 1,
  title: 'HSM custody attestation of a request key',
  systems: 'HSM custody attestation (the CSR key generated and held non-extractable in the HSM)',
  idField: 'attestationId',
  timeField: 'attestedAt',
  signature: ['attestationId', 'spkiSha256', 'hsmSerial', 'validUntil'],
  schema: z.strictObject({
    attestationId: id,
    /** SHA-256 of the attested key's SubjectPublicKeyInfo (DER): which key it speaks for. */
    spkiSha256: sha256Hex,
    hsmSerial: id,
    result: z.enum(['pass', 'fail', 'inconclusive']),
    attestedBy: person,
    attestedAt: instant,
    validUntil: instant,
  }),
});

export const issuanceWindow = family({
  name: 'issuance-window',
  version: 1,
  title: 'Issuance-window reservation',
  systems: 'issuance-window reservation (expiration calendar)',
  idField: 'windowId',
  timeField: 'reservedAt',
  signature: ['windowId', 'opensAt', 'closesAt', 'supersededBy'],
  schema: z.strictObject({
    windowId: id,
    serviceId: id,
    opensAt: instant,
    closesAt: instant,
    status: z.enum(['reserved', 'released', 'superseded']),
    /** The window that replaced it, when superseded. */
    supersededBy: id.nullable().default(null),
    reservedAt: instant,
  }),
});

export const trustDeadline = family({
  name: 'trust-deadline',
  version: 1,
  title: 'Trust-chain deadline (expiring intermediate)',
  systems: 'trust-chain inventory / expiration calendar',
  idField: 'deadlineId',
  timeField: 'recordedAt',
  signature: ['deadlineId', 'intermediate', 'expiresAt'],
  schema: z.strictObject({
    deadlineId: id,
    serviceId: id,
    /** The intermediate whose trust ends (a name, never trust-anchor detail). */
    intermediate: text(200),
    expiresAt: instant,
    recordedAt: instant,
  }),
});

export const issuanceApproval = family({
  name: 'issuance-approval',
  version: 1,
  title: 'Issuance approval (bound to the request digest)',
  systems: 'certificate-governance approval chain',
  idField: 'approvalId',
  timeField: 'approvedAt',
  signature: ['approvalId', 'requestId', 'boundDigest', 'decision'],
  schema: z.strictObject({
    approvalId: id,
    requestId: id,
    approver: person,
    /** The role the approval is given in (the roster must give the approver this role at approvedAt). */
    role,
    decision: z.enum(['approve', 'reject']),
    /** The request-content digest approved (docs/records.md, "Issuance request digest"). */
    boundDigest: sha256Hex,
    approvedAt: instant,
    expiresAt: instant,
  }),
});

export const PORTAL_REQUEST_STATES = ['pending', 'issued', 'rejected', 'cancelled'] as const;

export const portalRequest = family({
  name: 'portal-request',
  version: 1,
  title: 'Request in the PKI portal queue',
  systems: 'PKI portal queue export; the station’s own portal search (first-hand)',
  idField: 'portalRequestId',
  timeField: 'observedAt',
  signature: ['portalRequestId', 'subject', 'fingerprint', 'state'],
  schema: z.strictObject({
    portalRequestId: id,
    /** The subject common name the portal shows. */
    subject: text(300),
    /** The SHA-256 the portal shows for the request (of the CSR or of its key); compared with both. */
    fingerprint: sha256Hex.nullable().default(null),
    state: z.enum(PORTAL_REQUEST_STATES),
    observedAt: instant,
  }),
});

export const pkiInvestigation = family({
  name: 'pki-investigation',
  version: 1,
  title: 'Compromise or revocation investigation',
  systems: 'PKI operations / security operations (compromise and revocation investigations)',
  idField: 'investigationId',
  timeField: 'openedAt',
  signature: ['investigationId', 'kind', 'spkiSha256', 'subscriberId'],
  schema: z.strictObject({
    investigationId: id,
    kind: z.enum(['compromise', 'revocation']),
    /** The key it concerns (SHA-256 of its SubjectPublicKeyInfo), if a key. */
    spkiSha256: sha256Hex.nullable().default(null),
    /** The subscriber it concerns, if a subscriber. */
    subscriberId: id.nullable().default(null),
    status: z.enum(['open', 'closed']),
    openedAt: instant,
    summary: z.string().max(1000).default(''),
  }),
});

export const ISSUANCE_FAMILIES = {
  'issuance-request': issuanceRequest,
  'csr-lock': csrLock,
  'subscriber-identity': subscriberIdentity,
  'environment-registration': environmentRegistration,
  'certificate-profile': certificateProfile,
  'key-custody-attestation': keyCustodyAttestation,
  'issuance-window': issuanceWindow,
  'trust-deadline': trustDeadline,
  'issuance-approval': issuanceApproval,
  'portal-request': portalRequest,
  'pki-investigation': pkiInvestigation,
} as const;
