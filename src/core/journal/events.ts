import { z } from 'zod';
import { canonicalBytes } from '../canonical';
import {
  dsseAlgorithmSchema,
  keyTypeSchema,
  signatureAlgorithmSchema,
  tokenAlgorithmSchema,
  type KeyAlgorithm,
} from '../crypto/algorithms';
import { nameSchema, textSchema } from '../names';
import { LANE_STATUSES } from '../authority/model';
import { laneSchema } from '../findings/policy/authority-matrix';
import { BUNDLE_KINDS, DECISIONS } from '../bundle/statement';
import {
  ACTOR_PATTERN,
  bagSerial,
  base64,
  checkId,
  custodianIdSchema,
  custodyItemId,
  envVarName,
  errorCodeText,
  generatedCkaId,
  hexBytes,
  isoDate,
  isoTime,
  moduleId,
  objectCkaId,
  operationText,
  packetIdSchema,
  policyName,
  portalProfileName,
  roleSchema,
  seq,
  sha256Hex,
  shiftName,
  subjectKey,
  tokenSerial,
  uuid,
} from '../schema';
import { coreError } from '../errors';
import { checkpointEventBodySchema } from './checkpoint';
import { PACKET_KINDS, packetContentSchema, STOP_INDICATORS } from '../packet/model';
import { journaledPacketOpSchema } from '../packet/ops';
import { parseOrThrow } from '../validate';
import {
  ACT_NAMES,
  CEREMONY_TYPE_NAMES,
  POSTCONDITION_NAMES,
  PRECONDITION_NAMES,
  ROLE_NAMES,
} from '../ceremony/vocabulary';
import { artifactName } from '../signing/batch';
import { readBackAttributesSchema } from '../hsm/key-acts';
import {
  DRAFT_DISPOSITIONS,
  ENTRY_KEYS,
  HALT_KINDS,
  readBackSchema,
  screenshotRefSchema,
} from '../portal/model';

/**
 * The catalogue of journal event kinds. Every event the station records has a kind listed here and a
 * body that parses under its strict schema (unknown keys are errors), so the journal never holds a
 * shape nobody can read back. New kinds are added here, never changed: old entries must stay readable.
 */
const stationId = uuid;
const displayName = nameSchema(80);
const hex = hexBytes;
/** CKA_ID of a key the station generated (1–32 bytes; tokens may hold longer ones, see ckaId). */
const ckaId = generatedCkaId;
const operation = operationText;
/** A continuity declaration's id (the activation gate's subject), e.g. DECL-2026-0611. */
const signingDeclaration = z.string().min(1).max(120);
const person = nameSchema(80);
const place = z.string().trim().min(1).max(200);
const itemId = custodyItemId;
/** An issuance request's id (the portal-issuance workflow's subject), e.g. ISR-2026-0412. */
const issuanceRequestId = z.string().min(1).max(120);
const custodian = z.strictObject({
  custodianId: custodianIdSchema,
  name: person,
  roles: z.array(roleSchema).min(1).max(10),
  spki: base64,
  fingerprint: hex(32),
  algorithm: signatureAlgorithmSchema,
  validFrom: isoTime,
  validUntil: isoTime,
});
const keyEvidence = z.strictObject({
  label: z.string().max(256),
  id: objectCkaId,
  keyType: keyTypeSchema,
  size: z.string().max(64),
  hasPrivate: z.boolean(),
  hasPublic: z.boolean(),
  /** SHA-256 of the SubjectPublicKeyInfo, when a public key is on the token. */
  spkiSha256: hex(32).nullable(),
  attributes: readBackAttributesSchema.nullable(),
  residency: z
    .enum(['RESIDENT', 'EXPOSABLE', 'UNPROTECTED', 'IMPORTED', 'SESSION-ONLY', 'UNKNOWN'])
    .nullable(),
  failedChecks: z.array(checkId('HSM-RES-')),
});
const tokenEvidence = z.strictObject({
  serial: tokenSerial,
  label: z.string().max(32),
  manufacturer: z.string().max(32),
  model: z.string().max(16),
  firmware: z.string().max(16),
  hardware: z.string().max(16),
  /** The token flags that were set, by name. */
  flags: z.array(z.string().max(40)),
});

export const EVENT_BODIES = {
  /** The first entry of every journal: who this station is. */
  'station.initialised': z.strictObject({
    stationId,
    name: displayName,
    mode: z.enum(['offline', 'online']),
    demo: z.boolean(),
  }),
  /** A named operator wrote a free-text note into the record (e.g. a witness remark). */
  'operator.note': z.strictObject({
    text: z.string().trim().min(1).max(4000),
  }),
  /**
   * OPS-PROVEN: a roster member signed in with their own token's signature over a fresh challenge of this
   * station (src/core/custody/signin.ts); journaled under `operator:<custodianId>`. The session's secret
   * stays with whoever holds the session (the console, or the CLI's session file); only its SHA-256 is here.
   */
  'operator.signed-in': z.strictObject({
    sessionId: uuid,
    custodianId: custodianIdSchema,
    fingerprint: hexBytes(32),
    challengeId: uuid,
    nonce: hexBytes(32),
    issuedAt: isoTime,
    signature: base64,
    expiresAt: isoTime,
    idleMinutes: z.number().int().min(1).max(120),
    secretSha256: hexBytes(32),
    via: z.enum(['console', 'cli']),
    /**
     * What signed the challenge: the person's token, or their passphrase-protected key file where the
     * roster allows it (OPS-CREDENTIAL). Absent in entries made before key files existed: a token.
     */
    credential: z.enum(['token', 'key-file']).optional(),
  }),
  /** A sign-in that did not prove a roster member (journaled under operator:station: nobody was proven). */
  'operator.sign-in-refused': z.strictObject({
    code: errorCodeText('SIGNIN_'),
    custodianId: custodianIdSchema.nullable(),
    fingerprint: hexBytes(32).nullable(),
    reason: z.string().max(500),
  }),
  /** The session ends: its person signed out, or a new sign-in at the same place replaced it. */
  'operator.signed-out': z.strictObject({
    sessionId: uuid,
    reason: z.enum(['signed-out', 'replaced']),
  }),
  /** A PKCS#11 library the station may use, with the digest of the library file it loaded. */
  'hsm.module-registered': z.strictObject({
    moduleId,
    profile: z.string().min(1).max(64),
    path: z.string().startsWith('/').max(4096),
    librarySha256: hex(32),
    /** Environment the module needs (e.g. SOFTHSM2_CONF for a rehearsal token); never credentials. */
    environment: z.record(envVarName, z.string().max(4096)),
  }),
  /** A token was initialised by the station (rehearsal and demo tokens). */
  'hsm.token-initialised': z.strictObject({
    moduleId,
    tokenSerial,
    tokenLabel: z.string().min(1).max(32),
    purpose: z.string().min(1).max(200),
  }),
  /** The station identity key: generated on a station token; its self-signed certificate. */
  'station.identity-created': z
    .strictObject({
      moduleId,
      /**
       * The identity token's serial, recorded only by stations created before issue #16: newer ones keep
       * it (and the label) in their own file (table station_identity_token), so no bundle carrying the
       * journal carries a token identifier.
       */
      tokenSerial: tokenSerial.optional(),
      /** The identity token's label: like the serial, only in bodies written before issue #16. */
      tokenLabel: z.string().max(32).optional(),
      /**
       * Since issue #16: SHA-256 of "ceremony-station identity-token v1\n" + salt + "\n" + serial + "\n" +
       * label, the salt (64 hex digits) and both kept in the station file only: binds the file's record of
       * the token to the chain without naming the token.
       */
      tokenCommitment: hex(32).optional(),
      keyLabel: z.string().min(1).max(64),
      keyId: ckaId,
      algorithm: z.literal('ec-p256' satisfies KeyAlgorithm),
      /** SubjectPublicKeyInfo, DER, base64. */
      spki: base64,
      /** SHA-256 of the SubjectPublicKeyInfo. */
      fingerprint: hex(32),
      certificatePem: z.string().startsWith('-----BEGIN CERTIFICATE-----').max(8192),
    })
    // A body names its token (before issue #16) or commits to it (since), never both.
    .refine((b) => b.tokenSerial === undefined || b.tokenCommitment === undefined, {
      message: 'a station.identity-created body names its token or commits to it, not both',
      path: ['tokenCommitment'],
    }),
  /**
   * A signed checkpoint over the head just before it (seq size = this seq - 1), chained like any event
   * so removing it breaks the chain; the station token keeps the latest as its high-water mark.
   */
  'journal.checkpoint': checkpointEventBodySchema,
  /**
   * The station token's journal mark repaired by an operator with the token's PIN (docs/journal-format.md):
   * objects where the mark lives that were not valid marks of this station, recorded here (digest, size,
   * up to 4 KiB of their bytes) before they were removed from the token; and, with `reset`, a mark
   * re-established although the journal holds chained checkpoints — a rollback before this entry can
   * no longer be detected, which is why it needs its own act and a stated reason.
   */
  'journal.mark-repaired': z.strictObject({
    /** The station token repaired (always the identity token); only in entries written before issue #16. */
    tokenSerial: tokenSerial.optional(),
    removed: z
      .array(
        z.strictObject({
          visibility: z.enum(['public', 'private']),
          sha256: hex(32),
          size: z.number().int().min(0),
          value: base64.max(8192).nullable(),
        }),
      )
      .max(64),
    reset: z.boolean(),
    reason: z.string().trim().min(1).max(1000),
  }),
  /** First-hand residency evidence: a token's info and every key's attributes as read back. */
  'hsm.inventory-recorded': z.strictObject({
    moduleId,
    librarySha256: hex(32),
    token: tokenEvidence,
    keys: z.array(keyEvidence).max(10_000),
    /** SHA-256 of the canonical JSON of { token, keys }: what packets cite. */
    digest: hex(32),
  }),
  /** A key pair generated on a token by the station, with its read-back attributes. */
  'hsm.key-generated': z.strictObject({
    moduleId,
    tokenSerial,
    key: keyEvidence,
    spki: base64,
  }),
  /** A signature made on a token (a ceremony key under quorum and shares), over a digest recorded here. */
  'hsm.signed': z.strictObject({
    moduleId,
    tokenSerial,
    keyId: ckaId,
    algorithm: tokenAlgorithmSchema,
    dataSha256: hex(32),
    signature: base64,
  }),
  /** A PKCS#10 request made with a token key and verified against the key read from the token. */
  'hsm.csr-created': z.strictObject({
    moduleId,
    tokenSerial,
    keyId: ckaId,
    subject: z.string().min(1).max(1024),
    san: z.array(z.string().max(260)).max(300),
    csrSha256: hex(32),
    csrPem: z.string().startsWith('-----BEGIN CERTIFICATE REQUEST-----').max(16_384),
  }),
  /** The first approved roster (bootstrap, witnessed; only while the station has none). */
  'roster.initialised': z.strictObject({
    quorum: z.number().int().min(2).max(32),
    custodians: z.array(custodian).min(2).max(64),
    witnesses: z.array(person).min(1).max(10),
  }),
  /** A custodian added to the roster, authorised by a quorum session bound to exactly this change. */
  'roster.custodian-added': z.strictObject({ custodian, quorumSessionId: uuid }),
  /**
   * OPS-CREDENTIAL: which credentials a custodian may sign in with from now on (a token always; a
   * passphrase-protected key file only where listed), authorised by a quorum session bound to exactly
   * this change. A custodian with no such entry signs in with a token only.
   */
  'roster.credentials-set': z.strictObject({
    custodianId: custodianIdSchema,
    credentials: z.union([
      z.tuple([z.literal('token')]),
      z.tuple([z.literal('token'), z.literal('key-file')]),
    ]),
    quorumSessionId: uuid,
  }),
  'roster.custodian-revoked': z.strictObject({
    custodianId: custodianIdSchema,
    reason: z.string().trim().min(1).max(500),
    quorumSessionId: uuid,
  }),
  /**
   * The roster's quorum set anew (a ceremony's compound roster change), authorised by a quorum session
   * bound to exactly that change; the change's adds and revocations land in the same append.
   */
  'roster.quorum-set': z.strictObject({ quorum: z.number().int().min(2).max(32), quorumSessionId: uuid }),
  'quorum.session-opened': z.strictObject({
    sessionId: uuid,
    operation: operation,
    ceremonyId: z.string().trim().min(1).max(80),
    step: z.string().trim().min(1).max(80),
    threshold: z.number().int().min(1).max(32),
    nonce: hex(32),
    openedAt: isoTime,
    expiresAt: isoTime,
  }),
  'quorum.checked-in': z.strictObject({
    sessionId: uuid,
    custodianId: custodianIdSchema,
    fingerprint: hex(32),
    signature: base64,
  }),
  'quorum.check-in-refused': z.strictObject({
    sessionId: uuid,
    code: errorCodeText('QUORUM_'),
    custodianId: custodianIdSchema.nullable(),
    fingerprint: hex(32).nullable(),
    reason: z.string().max(500),
  }),
  'quorum.session-closed': z.strictObject({
    sessionId: uuid,
    reason: z.enum(['used', 'cancelled']),
    usedFor: operation.nullable(),
  }),
  /**
   * QUORUM-CLAIM: the session is taken for one act about to run on a token, before anything
   * irreversible; nothing else may use, cancel or claim it until the claim is resolved by the act's
   * result (with `quorum.session-closed` used), a release, or a spend.
   */
  'quorum.session-claimed': z.strictObject({ sessionId: uuid, operation }),
  /** The claimed act failed having changed nothing: the session is open again for a retry. */
  'quorum.session-released': z.strictObject({
    sessionId: uuid,
    claimSeq: z.number().int().min(1),
    code: errorCodeText(),
  }),
  /** The claimed act failed leaving its outcome on the token unknown (a key may exist): closed for good. */
  'quorum.session-spent': z.strictObject({
    sessionId: uuid,
    claimSeq: z.number().int().min(1),
    code: errorCodeText(),
  }),
  /** An activation secret split M-of-N: who holds which position, and commitments (never the shares). */
  'shares.split-created': z.strictObject({
    splitId: hex(16),
    moduleId,
    tokenSerial,
    threshold: z.number().int().min(2).max(255),
    total: z.number().int().min(2).max(255),
    holders: z.array(
      z.strictObject({ position: z.number().int().min(1).max(255), custodianId: custodianIdSchema }),
    ),
    shareCommitments: z.array(hex(32)),
    secretCommitment: hex(32),
    quorumSessionId: uuid.nullable(),
    /** A re-issue: the split of the same token this one replaces, void from this event on. */
    supersedes: hex(16).optional(),
  }),
  /**
   * A re-issue about to set the token's PIN (before C_SetPIN, after its quorum claim): the new split's
   * full record (commitments only, never a secret or share), the split it would replace, who contributed
   * the old shares and the claim's seq. Until a `shares.split-created` of this split or a
   * `shares.reissue-abandoned` resolves it, no login with shares of the token is tried
   * (SHARES_REISSUE_PENDING): `station shares recover` finds which secret the token holds.
   */
  'shares.reissue-pending': z.strictObject({
    splitId: hex(16),
    moduleId,
    tokenSerial,
    threshold: z.number().int().min(2).max(255),
    total: z.number().int().min(2).max(255),
    holders: z.array(
      z.strictObject({ position: z.number().int().min(1).max(255), custodianId: custodianIdSchema }),
    ),
    shareCommitments: z.array(hex(32)),
    secretCommitment: hex(32),
    quorumSessionId: uuid,
    supersedes: hex(16),
    contributors: z.array(z.strictObject({ position: z.number().int(), custodianId: custodianIdSchema })),
    claimSeq: z.number().int().min(1),
  }),
  /**
   * A pending re-issue that never changed the token: it failed before C_SetPIN, or a recovery found the
   * old split's secret still opens it. The split it would have replaced stays current.
   */
  /**
   * A recovery's secret (of split `tried`, its shares checked against their commitments) did not open the
   * token: recorded so the same split is never tried again (each try spends one of the token's PIN tries).
   */
  'shares.recovery-failed': z.strictObject({
    splitId: hex(16),
    tokenSerial,
    tried: hex(16),
  }),
  'shares.reissue-abandoned': z.strictObject({
    splitId: hex(16),
    tokenSerial,
    supersedes: hex(16),
    code: errorCodeText(),
  }),
  /** A custodian checked their share against its commitment (share health); the share is not kept. */
  'shares.share-verified': z.strictObject({
    splitId: hex(16),
    custodianId: custodianIdSchema,
    position: z.number().int().min(0).max(255),
    ok: z.boolean(),
    code: z.string().max(40).nullable(),
  }),
  /** Shares reconstructed the secret for exactly one operation; who contributed. */
  'shares.activation-used': z.strictObject({
    splitId: hex(16),
    contributors: z.array(z.strictObject({ position: z.number().int(), custodianId: custodianIdSchema })),
    operation,
    quorumSessionId: uuid,
  }),
  'shares.activation-refused': z.strictObject({
    splitId: hex(16),
    code: z.string().max(40),
    problems: z.array(
      z.strictObject({ entered: z.number().int(), holder: z.string().nullable(), code: z.string().max(40) }),
    ),
  }),
  'custody.item-registered': z.strictObject({
    itemId,
    itemKind: z.enum(['hsm', 'backup-token', 'escrow-envelope', 'share-media', 'other']),
    description: z.string().trim().min(1).max(500),
  }),
  'custody.sealed': z.strictObject({
    itemId,
    bagSerial,
    location: place,
    holder: person,
    witnesses: z.array(person).max(10),
  }),
  'custody.unsealed': z.strictObject({
    itemId,
    bagSerialObserved: bagSerial,
    reason: z.string().trim().min(1).max(500),
    holder: person,
  }),
  'custody.transferred': z.strictObject({
    itemId,
    bagSerialObserved: bagSerial,
    from: person,
    to: person,
    location: place,
  }),
  'custody.inspected': z.strictObject({
    itemId,
    bagSerialObserved: bagSerial,
    sealIntact: z.boolean(),
    inspector: person,
    note: z.string().max(500),
  }),
  'custody.media-replaced': z.strictObject({ itemId, note: z.string().trim().min(1).max(500) }),
  /** A rostered signer's availability for one shift of the coverage calendar. */
  'coverage.availability-set': z.strictObject({
    custodianId: custodianIdSchema,
    date: isoDate,
    shift: shiftName,
    available: z.boolean(),
  }),
  /** A signed bundle written to removable media and verified by reading it back. */
  'bundle.exported': z.strictObject({
    bundleKind: z.enum(BUNDLE_KINDS),
    packetId: packetIdSchema,
    version: z.number().int().min(1),
    title: z.string().trim().min(1).max(200),
    /** SHA-256 of the signed in-toto statement: what reviewers approve. */
    digest: hex(32),
    /** SHA-256 of the whole archive file as written. */
    fileSha256: hex(32),
    fileName: z.string().min(1).max(255),
    volume: z.string().startsWith('/').max(4096),
    sizeBytes: z.number().int().min(0),
    files: z
      .array(z.strictObject({ name: z.string().max(255), sha256: hex(32), size: z.number().int().min(0) }))
      .max(10_000),
    requiredRoles: z.array(roleSchema).max(10),
    journalToSeq: z.number().int().min(0),
    checkpoint: z.number().int().min(1).nullable(),
    /**
     * Recorded by the station after the fact: an export that was written, signed by this station and
     * read back whole from the media, but whose record was lost when the station stopped (BND-RECOVER).
     */
    recovered: z.literal(true).optional(),
  }),
  /** A bundle from media that passed every check; its files are kept content-addressed. */
  'bundle.imported': z.strictObject({
    bundleKind: z.enum(BUNDLE_KINDS),
    packetId: packetIdSchema,
    version: z.number().int().min(1),
    digest: hex(32),
    fileSha256: hex(32),
    fileName: z.string().min(1).max(255),
    signerFingerprint: hex(32),
    signerName: z.string().max(80),
    files: z
      .array(z.strictObject({ name: z.string().max(255), sha256: hex(32), size: z.number().int().min(0) }))
      .max(10_000),
  }),
  /** A bundle or approval from media that was refused, with the check that refused it. */
  'bundle.import-refused': z.strictObject({
    code: errorCodeText(),
    check: z.string().max(40).nullable(),
    fileName: z.string().max(255),
    fileSha256: hex(32).nullable(),
    detail: z.string().max(1000),
  }),
  /** The station's own interrupted-export fragments (`.partial`) that a media scan removed. */
  'media.partials-removed': z.strictObject({
    removed: z
      .array(
        z.strictObject({
          volume: z.string().startsWith('/').max(4096),
          name: z.string().min(1).max(255),
          size: z.number().int().min(0),
        }),
      )
      .min(1)
      .max(1000),
  }),
  /** A reviewer or station key entered the trust store after a person confirmed its fingerprint. */
  'trust.registered': z.strictObject({
    trustId: custodianIdSchema,
    name: person,
    entryKind: z.enum(['reviewer', 'station']),
    roles: z.array(roleSchema).max(10),
    spki: base64,
    fingerprint: hex(32),
    algorithm: dsseAlgorithmSchema,
    validFrom: isoTime,
    validUntil: isoTime,
    /** Digest of the registration bundle's statement (proof that the key holder signed it). */
    registrationDigest: hex(32),
    confirmedBy: person,
  }),
  'trust.revoked': z.strictObject({
    trustId: custodianIdSchema,
    reason: z.string().trim().min(1).max(500),
  }),
  /** A reviewer's signed decision, accepted after every APR-* check. */
  'approval.accepted': z.strictObject({
    packetId: packetIdSchema,
    packetVersion: z.number().int().min(1),
    packetDigest: hex(32),
    role: roleSchema,
    decision: z.enum(DECISIONS),
    comment: z.string().max(4000),
    expiresAt: isoTime,
    sequence: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    reviewer: person,
    trustId: custodianIdSchema,
    signerFingerprint: hex(32),
    envelopeSha256: hex(32),
    /** The signed envelope itself (DSSE JSON, base64), so anyone can re-verify the decision later. */
    envelope: base64.max(200_000),
  }),
  'approval.refused': z.strictObject({
    code: errorCodeText('APPROVAL_'),
    check: z.string().max(40).nullable(),
    packetId: packetIdSchema.nullable(),
    signerFingerprint: hex(32).nullable(),
    /** Null when the file itself was refused (a link, not a file, too large) before any byte was read. */
    envelopeSha256: hex(32).nullable(),
    detail: z.string().max(1000),
  }),
  /** A governance packet draft is opened: its kind, title, scope, routing and workflow subject. */
  'packet.created': z.strictObject({
    packetId: packetIdSchema,
    kind: z.enum(PACKET_KINDS),
    title: z.string().trim().min(1).max(200),
    scope: z.strictObject({ covers: z.string().max(2000), boundary: z.string().max(2000) }),
    requiredRoles: z.array(roleSchema).max(10),
    subject: z.record(subjectKey, z.string().max(500)),
  }),
  /** One change to a packet draft (evidence added, claim or exception set, scope, reviewers…). */
  'packet.edited': z.strictObject({ packetId: packetIdSchema, change: journaledPacketOpSchema }),
  /** A frozen, append-only version of a packet: its canonical content and digest. */
  'packet.version-recorded': z.strictObject({
    packetId: packetIdSchema,
    version: z.number().int().min(1),
    digest: hex(32),
    parentDigest: hex(32).nullable(),
    content: packetContentSchema,
    gate: z.enum(['STOPPED', 'HOLD-SOURCE', 'HOLD-ROUTING', 'READY']),
    failedChecks: z.array(checkId()).max(40),
  }),
  /** Evidence indicated compromise, unauthorised signing or a supply-chain incident: assembly stops. */
  'packet.stopped': z.strictObject({
    packetId: packetIdSchema,
    findings: z
      .array(
        z.strictObject({
          evidenceId: z.string().max(48),
          indicator: z.enum(STOP_INDICATORS),
          detail: z.string().max(500),
        }),
      )
      .min(1)
      .max(50),
    notice: z.string().max(1000),
  }),
  /**
   * A stop reviewed and cleared (not an incident) under a custodian quorum bound to exactly this
   * clearance; the stop and its evidence stay on record.
   */
  'packet.stop-cleared': z.strictObject({
    packetId: packetIdSchema,
    stopSeq: z.number().int().min(1),
    quorumSessionId: uuid,
    reason: z.string().trim().min(10).max(2000),
    clearedBy: person,
  }),
  /** The handoff of one version to named reviewers, with its completeness state and open blockers. */
  'packet.handoff-recorded': z.strictObject({
    packetId: packetIdSchema,
    version: z.number().int().min(1),
    digest: hex(32),
    gate: z.enum(['HOLD-SOURCE', 'READY']),
    blockers: z.array(z.string().max(600)).max(200),
    reviewers: z
      .array(z.strictObject({ role: roleSchema, name: person }))
      .min(1)
      .max(20),
    boundary: z.string().trim().min(1).max(2000),
    recordedBy: person,
    /** Handing off while source checks fail needs this explicit acknowledgement by the person handing off. */
    blockersAcknowledged: z.boolean(),
    /** A derived packet: the evaluation the handoff was decided on (its seq, outcome and digests). */
    evaluation: z
      .strictObject({
        seq: z.number().int().min(1),
        workflow: z.string().min(1).max(80),
        subject: z.string().min(1).max(200),
        asOf: isoTime,
        outcome: z.string().min(1).max(80),
        policyVersion: z.number().int().min(1),
        policyDigest: hex(32),
        recordsDigest: hex(32),
        findingsDigest: hex(32),
      })
      .optional(),
    /** A derived packet: every blocking finding the person acknowledged (handoff with exceptions). */
    acknowledged: z
      .array(
        z.strictObject({
          checkId: z.string().max(60),
          subject: z.string().max(200),
          category: z.string().max(40),
          sentence: z.string().max(1000),
        }),
      )
      .max(500)
      .optional(),
  }),
  /** The control library evaluated against first-hand data: statuses, findings and the recommendation. */
  'attestation.evaluated': z.strictObject({
    packetId: packetIdSchema,
    library: z.string().max(80),
    libraryVersion: z.number().int().min(1),
    recommendation: z.enum(['approvable', 'remediate', 'escalate']),
    because: z.array(z.string().max(1000)).max(200),
    requirements: z
      .array(
        z.strictObject({
          id: checkId('ATT-'),
          status: z.enum(['satisfied', 'partial', 'stale', 'missing', 'exception-backed']),
          rationale: z.string().max(1000),
          findings: z
            .array(
              z.strictObject({
                kind: z.enum(['stale', 'missing', 'mismatch', 'escalation']),
                text: z.string().max(1000),
                refs: z.array(z.string().max(120)).max(50),
              }),
            )
            .max(200),
          refs: z.array(z.string().max(120)).max(200),
        }),
      )
      .max(50),
    /** What it read: the imported records by evidence id and digest, and the journal head it saw. */
    inputs: z.strictObject({
      evidence: z.array(z.strictObject({ evidenceId: z.string().max(48), sha256: hex(32) })).max(50),
      journalHead: z.number().int().min(0),
    }),
  }),
  /** The owner's decision on an evaluation, signed with their own key (DSSE); the station never signs it. */
  'attestation.decided': z.strictObject({
    packetId: packetIdSchema,
    evaluationSeq: z.number().int().min(1),
    decision: z.enum(['approve', 'remediate', 'escalate']),
    comment: z.string().max(4000),
    decidedBy: person,
    trustId: custodianIdSchema,
    signerFingerprint: hex(32),
    /** Whether the decision follows the station's recommendation (recorded, never enforced). */
    followsRecommendation: z.boolean(),
    envelope: base64.max(200_000),
  }),
  /**
   * The owner's decision on a recorded attestation evaluation (workflow 'attestation'), signed with their
   * own key (DSSE); the signed statement binds the evaluation seq and its records, policy and findings
   * digests, and the station refuses it on a STALE evaluation. The station never signs it.
   */
  'attestation.decision-recorded': z.strictObject({
    subject: z.string().min(1).max(200),
    evaluationSeq: z.number().int().min(1),
    asOf: isoTime,
    recordsDigest: hex(32),
    policyDigest: hex(32),
    findingsDigest: hex(32),
    recommendation: z.enum(['approvable', 'remediate', 'escalate']),
    decision: z.enum(['approve', 'remediate', 'escalate']),
    comment: z.string().max(4000),
    decidedBy: person,
    trustId: custodianIdSchema,
    signerFingerprint: hex(32),
    /** Whether the decision follows the station's recommendation (recorded, never enforced). */
    followsRecommendation: z.boolean(),
    envelope: base64.max(200_000),
  }),
  /**
   * A source export imported (docs/records.md): one family per file, every record validated, all kept
   * or none. `newRecords` is how many were not already held (0 when the same file comes again).
   */
  'records.imported': z.strictObject({
    family: z.string().min(1).max(80),
    familyVersion: z.number().int().min(1),
    system: z.string().trim().min(1).max(80),
    exportedAt: isoTime,
    fileSha256: hex(32),
    fileName: z.string().min(1).max(255),
    count: z.number().int().min(0),
    /** SHA-256 over the sorted record digests of the file (src/core/findings/engine.ts recordsDigest). */
    recordsDigest: hex(32),
    newRecords: z.number().int().min(0),
  }),
  /** A source export refused: nothing of it was kept. `field` names the file, record and field. */
  'records.import-refused': z.strictObject({
    fileSha256: hex(32),
    fileName: z.string().min(1).max(255),
    code: errorCodeText(),
    field: z.string().max(300),
  }),
  /** A policy version imported; it is in force from `exportedAt` until a later one. */
  'policy.imported': z.strictObject({
    policy: policyName,
    version: z.number().int().min(1),
    system: z.string().trim().min(1).max(80),
    exportedAt: isoTime,
    fileSha256: hex(32),
    fileName: z.string().min(1).max(255),
    /** SHA-256 of the canonical JSON of { policy, version, content }. */
    digest: hex(32),
  }),
  /** A policy file refused; the policy in force is unchanged. */
  'policy.import-refused': z.strictObject({
    fileSha256: hex(32),
    fileName: z.string().min(1).max(255),
    code: errorCodeText(),
    field: z.string().max(300),
  }),
  /**
   * A workflow evaluated as of an instant: the digests of exactly what it read (records, policy) and of
   * the findings, so the evaluation can be re-run byte for byte and judged stale when facts change.
   */
  'evaluation.recorded': z.strictObject({
    workflow: z.string().min(1).max(80),
    subject: z.string().min(1).max(200),
    asOf: isoTime,
    policyDigest: hex(32),
    recordsDigest: hex(32),
    recordCount: z.number().int().min(0),
    findingsDigest: hex(32),
    outcome: z.string().min(1).max(80),
  }),
  /**
   * A person's redirect of a compromise-authority evaluation (workflow 'compromise-authority') to a lane
   * of the matrix, signed with their own key (DSSE, predicate …/authority-redirect/v1): the statement
   * binds the evaluation seq and its digests, the lane the station computed and the target lane's computed
   * status beside the person's choice. Never refused for a blocked or not-required target: the station
   * never overrules a person, it records what it computed next to what they decided. `reason` goes to a
   * broad audience; a restricted note is kept content-addressed in the object store and only its SHA-256
   * is here (and in the signed statement).
   */
  'authority.redirect-recorded': z.strictObject({
    subject: z.string().min(1).max(200),
    evaluationSeq: z.number().int().min(1),
    asOf: isoTime,
    recordsDigest: hex(32),
    policyDigest: hex(32),
    findingsDigest: hex(32),
    /** The lane the station recommended in that evaluation, or null (it could recommend none). */
    computedLane: laneSchema.shape.laneId.nullable(),
    /** What the station computed for the target lane in that evaluation. */
    targetComputedStatus: z.enum(LANE_STATUSES),
    toLane: laneSchema.shape.laneId,
    reason: textSchema(2000).trim().min(1),
    restrictedNoteSha256: hex(32).nullable(),
    redirectedBy: person,
    /** The redirect role of the matrix the signer holds in the trust store. */
    role: roleSchema,
    trustId: custodianIdSchema,
    signerFingerprint: hex(32),
    envelope: base64.max(200_000),
  }),
  /**
   * Gated signing (docs/gated-signing.md): a run of exactly the frozen manifest began, bound to the open
   * activation gate's facts (packet version and digest, approval, policy and ledger digests, manifest
   * digest), the signing key read from the token, and the quorum session it claimed in this same append.
   */
  'signing.run-started': z.strictObject({
    runId: uuid,
    declarationId: signingDeclaration,
    packetId: packetIdSchema,
    version: z.number().int().min(1),
    packetDigest: hex(32),
    approvalSeq: z.number().int().min(1),
    policyDigest: hex(32),
    ledgerDigest: hex(32),
    manifestId: z.string().min(1).max(120),
    manifestVersion: z.number().int().min(1),
    manifestSha256: hex(32),
    artifacts: z
      .array(
        z.strictObject({
          artifact: artifactName,
          sha256: hex(32),
          sizeBytes: z.number().int().min(0).nullable(),
        }),
      )
      .min(1)
      .max(1_000_000),
    moduleId,
    tokenSerial,
    keyId: objectCkaId,
    spkiSha256: hex(32),
    algorithm: tokenAlgorithmSchema,
    quorumSessionId: uuid,
    claimSeq: z.number().int().min(1),
    mediaDir: z.string().min(1).max(4096),
    outDir: z.string().min(1).max(4096),
    startedAt: isoTime,
    /** Set when the operator asked to sign again a manifest whose run already completed (--again). */
    again: z.boolean().optional(),
  }),
  /** SIGN-RESUME: the same run taken up again after a crash; later attempts of a run supersede earlier ones. */
  'signing.run-resumed': z.strictObject({
    runId: uuid,
    quorumSessionId: uuid,
    claimSeq: z.number().int().min(1),
  }),
  /** Written before C_Sign (SIGN-RESUME): these artifacts may have been signed from here on. */
  'signing.artifact-intent': z.strictObject({
    runId: uuid,
    artifacts: z
      .array(z.strictObject({ artifact: artifactName, sha256: hex(32) }))
      .min(1)
      .max(4096),
  }),
  /**
   * Counted: each signature verified against the token's public key and written durably and read back
   * (`adopted`: a crashed attempt's output found on resume, verified, and counted instead of signing again).
   * `signature`: the DER signature itself (base64), so a counted output lost from the disk is written
   * again from the journal, never signed again (absent in runs journaled before it was recorded).
   */
  'signing.artifact-signed': z.strictObject({
    runId: uuid,
    artifacts: z
      .array(
        z.strictObject({
          artifact: artifactName,
          sha256: hex(32),
          signatureFile: z.string().min(1).max(255),
          signatureSha256: hex(32),
          adopted: z.boolean(),
          signature: base64.max(2048).optional(),
        }),
      )
      .min(1)
      .max(4096),
  }),
  /** SIGN-MATCH: a media file refused and never signed, with both digests (null: the manifest has no such name). */
  'signing.artifact-quarantined': z.strictObject({
    declarationId: signingDeclaration,
    runId: uuid.nullable(),
    artifact: z.string().min(1).max(1024),
    mediaSha256: hex(32),
    manifestSha256: hex(32).nullable(),
    reason: z.enum(['off-manifest', 'digest-differs']),
  }),
  /** A batch that cannot complete (manifest artifacts missing or differing on the media): nothing signed. */
  'signing.run-refused': z.strictObject({
    declarationId: signingDeclaration,
    runId: uuid.nullable(),
    code: errorCodeText('SIGNING_'),
    missing: z.array(artifactName).max(1_000_000),
  }),
  /** Written before the batch envelope's C_Sign. */
  'signing.envelope-intent': z.strictObject({ runId: uuid, statementSha256: hex(32) }),
  /** Every manifest artifact counted and the batch's DSSE envelope written; the quorum closes in this append. */
  'signing.run-completed': z.strictObject({
    runId: uuid,
    signed: z.number().int().min(1),
    adopted: z.number().int().min(0),
    envelopeFile: z.string().min(1).max(255),
    envelopeSha256: hex(32),
    statementSha256: hex(32),
  }),
  /** The operator stopped the run: what was counted stays counted; the run is over (a new run needs a new quorum). */
  'signing.run-cancelled': z.strictObject({
    runId: uuid,
    signed: z.number().int().min(0),
    pending: z.number().int().min(0),
  }),
  /**
   * Portal submission (docs/portal-submission.md), online stations only. A run began: the pre-check
   * immediately before any browser entry (evaluation `evaluationSeq`) gave `ready-for-portal`, and the
   * run enters exactly the entry it derived (digest of every value, never the values).
   */
  'portal.run-started': z.strictObject({
    runId: uuid,
    requestId: issuanceRequestId,
    profile: portalProfileName,
    profileSha256: hex(32),
    origin: z.string().min(1).max(300),
    evaluationSeq: z.number().int().min(1),
    entryDigest: hex(32),
    fields: z
      .array(z.strictObject({ take: z.enum(ENTRY_KEYS), sha256: hex(32) }))
      .min(1)
      .max(40),
    /** What reconciliation searches the portal by: the subject's common name and the CSR fingerprint. */
    search: z.array(z.string().min(1).max(300)).min(1).max(5),
  }),
  /**
   * A pre-check failed (before entry, or again immediately before submit): nothing entered or submitted;
   * the blockers name their checks and the owner the request goes back to.
   */
  'portal.stopped': z.strictObject({
    runId: uuid.nullable(),
    requestId: issuanceRequestId,
    stage: z.enum(['before-entry', 'before-submit']),
    evaluationSeq: z.number().int().min(1),
    outcome: z.string().min(1).max(80),
    owner: person.nullable(),
    blockers: z.array(z.strictObject({ checkId: checkId(), sentence: z.string().min(1).max(2000) })).max(200),
  }),
  /** A safe halt before submit: the exact reason, the draft's fate, the read-back and masked screenshots. */
  'portal.halted': z.strictObject({
    runId: uuid,
    kind: z.enum(HALT_KINDS),
    tab: z.string().min(1).max(80).nullable(),
    field: z.string().min(1).max(80).nullable(),
    expectedSha256: hex(32).nullable(),
    foundSha256: hex(32).nullable(),
    detail: z.string().min(1).max(2000),
    disposition: z.enum(DRAFT_DISPOSITIONS),
    draftId: z.string().min(1).max(120).nullable(),
    readBack: z.array(readBackSchema).max(200),
    screenshots: z.array(screenshotRefSchema).max(50),
  }),
  /**
   * Written durably before the submit click, after the second pre-check (`evaluationSeq`) gave the same
   * entry: from here on the request may exist in the portal, so only a confirmation or a
   * reconciliation settles the run.
   */
  'portal.submit-intent': z.strictObject({
    runId: uuid,
    evaluationSeq: z.number().int().min(1),
    entryDigest: hex(32),
    draftId: z.string().min(1).max(120).nullable(),
    readBack: z.array(readBackSchema).max(200),
    screenshots: z.array(screenshotRefSchema).max(50),
    /**
     * The portal's requests for the same subject the station saw before entering (none of them live for
     * this key: a live one halts): reconciliation never takes one of these for the run's own.
     */
    knownBefore: z.array(z.string().min(1).max(120)).max(200),
  }),
  /** A positive confirmation with a request id. */
  'portal.submitted': z.strictObject({
    runId: uuid,
    portalRequestId: z.string().min(1).max(120),
    confirmationSha256: hex(32),
    screenshots: z.array(screenshotRefSchema).max(50),
  }),
  /** After the click, no positive confirmation: HALTED-AMBIGUOUS, never retried automatically. */
  'portal.outcome-ambiguous': z.strictObject({
    runId: uuid,
    reason: z.string().min(1).max(2000),
    screenshots: z.array(screenshotRefSchema).max(50),
  }),
  /** Reconciliation searched the portal for the run's request (never submitting) and recorded what it found. */
  'portal.reconciled': z.strictObject({
    runId: uuid,
    queries: z.array(z.string().min(1).max(300)).min(1).max(10),
    /** `several`: more than one request matches; the run stays HALTED-AMBIGUOUS for a person to settle. */
    result: z.enum(['found', 'not-found', 'several']),
    portalRequestId: z.string().min(1).max(120).nullable(),
    rows: z
      .array(
        z.strictObject({
          requestId: z.string().max(120),
          subject: z.string().max(500),
          fingerprint: z.string().max(200),
          state: z.string().max(80),
        }),
      )
      .max(200),
    screenshots: z.array(screenshotRefSchema).max(50),
  }),
  // Ceremony runs (docs/ceremonies.md, src/core/ceremony/run.ts): a ceremony file performed step by step.
  /** A run of a ceremony file at the digest of its exact bytes; a rehearsal targets a scratch token. */
  'ceremony.run-started': z.strictObject({
    runId: uuid,
    fileDigest: sha256Hex,
    ceremonyId: moduleId,
    type: z.enum(CEREMONY_TYPE_NAMES),
    mode: z.enum(['rehearsal', 'production']),
    /** The file's path as read; every later step re-reads it and refuses other bytes. */
    source: z.string().min(1).max(4096),
    /** Where the run writes its outputs (new files only). */
    outDir: z.string().min(1).max(4096),
    /** The token the run acts on: for a rehearsal, the scratch token the station made. Null: no token. */
    target: z
      .strictObject({
        moduleId,
        /** The token label the file names (hsm.token), mapped onto this token for the run. */
        fileToken: z.string().min(1).max(32),
        tokenLabel: z.string().min(1).max(32),
        tokenSerial: tokenSerial.nullable(),
      })
      .nullable(),
    /** The file's participants, each a roster custodian VALID when the run started. */
    participants: z
      .array(z.strictObject({ custodianId: custodianIdSchema, role: z.enum(ROLE_NAMES) }))
      .min(1)
      .max(100),
  }),
  /** A step's preconditions evaluated, each with what the station observed. */
  'ceremony.step-checked': z.strictObject({
    runId: uuid,
    stepId: moduleId,
    preconditions: z
      .array(
        z.strictObject({
          kind: z.enum(PRECONDITION_NAMES),
          args: z.record(z.string().max(40), z.string().max(200)),
          result: z.enum(['pass', 'fail']),
          observed: z.string().min(1).max(1000),
        }),
      )
      .max(50),
    /** The quorum session proving the step's custodians present, when the step binds a quorum. */
    quorumSessionId: uuid.nullable(),
  }),
  /** A step's act and its postconditions, with the digests of their evidence. */
  'ceremony.step-acted': z.strictObject({
    runId: uuid,
    stepId: moduleId,
    act: z.enum(ACT_NAMES),
    /** REHEARSAL: made on a scratch token; nothing it produced may be used in production. */
    marking: z.enum(['REHEARSAL', 'PRODUCTION']),
    result: z.string().min(1).max(2000),
    postconditions: z
      .array(
        z.strictObject({
          kind: z.enum(POSTCONDITION_NAMES),
          result: z.enum(['pass', 'fail']),
          observed: z.string().min(1).max(1000),
          evidenceSha256: sha256Hex.nullable(),
        }),
      )
      .max(20),
    outputs: z.array(z.strictObject({ path: z.string().min(1).max(4096), sha256: sha256Hex })).max(20),
  }),
  /** A witness checked a step off, proven by a signature of their own roster key over the statement. */
  'ceremony.step-witnessed': z.strictObject({
    runId: uuid,
    stepId: moduleId,
    custodianId: custodianIdSchema,
    role: z.enum(ROLE_NAMES),
    fingerprint: hex(32),
    statementSha256: sha256Hex,
    signature: base64,
  }),
  /** What the step expected and what happened instead: the run halts until the master of ceremonies decides. */
  'ceremony.deviation': z.strictObject({
    runId: uuid,
    stepId: moduleId,
    phase: z.enum(['precondition', 'act', 'postcondition', 'reported']),
    expected: z.string().min(1).max(2000),
    happened: z.string().min(1).max(2000),
  }),
  /** The master of ceremonies' decision on one deviation (its journal seq). */
  'ceremony.decision': z.strictObject({
    runId: uuid,
    deviationSeq: seq,
    decision: z.enum(['continue', 'abort']),
    reason: z.string().trim().min(1).max(2000),
  }),
  'ceremony.run-completed': z.strictObject({ runId: uuid, fileDigest: sha256Hex }),
  'ceremony.run-aborted': z.strictObject({
    runId: uuid,
    deviationSeq: seq.nullable(),
    reason: z.string().trim().min(1).max(2000),
  }),
  /** The demo scenario was loaded into a demo station; real stations never carry this kind. */
  'demo.scenario-loaded': z.strictObject({
    scenario: z.string().min(1).max(80),
    version: z.number().int().positive(),
  }),
} as const;

export type EventKind = keyof typeof EVENT_BODIES;
export type EventBody<K extends EventKind> = z.infer<(typeof EVENT_BODIES)[K]>;

export function isEventKind(kind: string): kind is EventKind {
  return Object.hasOwn(EVENT_BODIES, kind);
}

/** Actor grammar (src/core/schema.ts): `station`, `operator:<name>`, `cli:<user>`, `demo` … no spaces. */
const ACTOR = ACTOR_PATTERN;

/** The journal's time format (ISO 8601 UTC, milliseconds); a coded error for an invalid clock reading. */
export function journalTime(at: Date): string {
  if (Number.isNaN(at.getTime())) {
    throw coreError('JOURNAL_ENTRY_INVALID', 'event time is not a valid UTC time', { field: 'at' });
  }
  return at.toISOString();
}

/** Refuses an actor the journal would refuse, before any irreversible act is taken in its name. */
export function assertActor(actor: string): void {
  if (!ACTOR.test(actor)) {
    throw coreError(
      'JOURNAL_ENTRY_INVALID',
      `actor "${actor}" must look like "operator:<name>" (letters, digits, . _ @ + -; no spaces)`,
      {
        field: 'actor',
      },
    );
  }
}

export interface NewEvent<K extends EventKind = EventKind> {
  readonly kind: K;
  readonly actor: string;
  readonly body: EventBody<K>;
}

export interface PreparedEntry {
  readonly kind: EventKind;
  readonly actor: string;
  readonly at: string;
  /** Canonical JSON (RFC 8785) bytes: exactly what is stored and hashed. */
  readonly body: Uint8Array;
}

/**
 * Validates an event against the catalogue and turns it into stored bytes. Throws a coded error naming
 * the field that is wrong; nothing is written on failure.
 */
/**
 * Shapes the catalogue still reads (old entries must stay readable) but the station no longer writes:
 * each returns why a body is refused at write time, or null.
 */
const LEGACY_WRITE_REFUSED: Partial<Record<EventKind, (body: unknown) => string | null>> = {
  'packet.edited': (body) =>
    (body as { change: { op: string } }).change.op === 'set-exception'
      ? 'change.op "set-exception" is a typed exception from before the register was derived'
      : null,
};

export function prepareEntry(
  event: { kind: string; actor: string; body: unknown },
  at: Date | string,
): PreparedEntry {
  if (!isEventKind(event.kind)) {
    throw coreError('JOURNAL_KIND_UNKNOWN', `journal event kind "${event.kind}" is not in the catalogue`, {
      field: 'kind',
    });
  }
  assertActor(event.actor);
  const iso = typeof at === 'string' ? at : journalTime(at);
  if (!isoTime.safeParse(iso).success) {
    throw coreError('JOURNAL_ENTRY_INVALID', 'event time is not a valid UTC time', { field: 'at' });
  }
  const body: unknown = parseOrThrow(EVENT_BODIES[event.kind], event.body, 'body', 'JOURNAL_BODY_INVALID', {
    kind: event.kind,
  });
  const legacy = LEGACY_WRITE_REFUSED[event.kind]?.(body);
  if (legacy)
    throw coreError(
      'JOURNAL_BODY_INVALID',
      `body ${legacy}: old journals keep it readable, nothing records it now`,
      {
        kind: event.kind,
        field: 'body',
      },
    );
  return { kind: event.kind, actor: event.actor, at: iso, body: canonicalBytes(body) };
}
