import { z } from 'zod';
import type { CsrRequestInput } from '../core/hsm/csr-request';
import type { KeySpecInput } from '../core/hsm/key-spec';
import type { JournalVerdict } from '../core/journal/verify';
import type { PacketContent } from '../core/packet/model';
import type { Result } from './errors';

/**
 * The one typed contract between main, preload and renderer. Each channel declares its request and
 * response schema; main registers exactly these handlers (src/main/ipc), preload exposes exactly these
 * methods, and the renderer sees them as `window.station` (or the browser-mode host's equivalent).
 *
 * Values are JSON-safe (bytes travel as hex) so the same contract serves Electron IPC and the
 * browser-mode host's WebSocket.
 */

const hex32 = z.string().regex(/^[0-9a-f]{64}$/);
const seq = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
const empty = z.strictObject({});
/** A token PIN: never echoed, logged or stored; PKCS#11 tokens accept 4 to 255 characters. */
const pin = z.string().min(4).max(255);

const checkpointRef = z.strictObject({
  n: z.number().int(),
  size: z.number().int(),
  at: z.string(),
  /** Seq of the checkpoint's chained event (the journal is anchored through it); null for legacy. */
  eventSeq: z.number().int().nullable(),
});

/** What the station token's journal high-water mark said (docs/journal-format.md). */
const markState = z.strictObject({
  status: z.enum(['CONFIRMED', 'BEHIND', 'NOT CHECKED']),
  n: z.number().int().nullable(),
  reason: z.string(),
});

export const journalVerdictSchema = z.discriminatedUnion('status', [
  z.strictObject({
    status: z.literal('VERIFIED'),
    entries: z.number().int(),
    headHash: hex32.nullable(),
    checkpoint: checkpointRef,
    mark: markState,
  }),
  z.strictObject({
    status: z.literal('UNANCHORED'),
    check: z.literal('JNL-ANCHOR'),
    entries: z.number().int(),
    headHash: hex32.nullable(),
    checkpoint: checkpointRef.nullable(),
    unanchoredFromSeq: z.number().int().nullable(),
    reason: z.string(),
    mark: markState,
  }),
  z.strictObject({
    status: z.literal('TAMPERED'),
    check: z.enum([
      'JNL-SEQ',
      'JNL-ROW',
      'JNL-LINK',
      'JNL-HASH',
      'JNL-CKPT-ORDER',
      'JNL-CKPT-SIG',
      'JNL-CKPT-HEAD',
      'JNL-CKPT-TRUNC',
      'JNL-CKPT-EVENT',
      'JNL-ROLLBACK',
      'JNL-MARK',
      'JNL-IDENTITY',
    ]),
    entries: z.number().int(),
    firstBadSeq: z.number().int().nullable(),
    lastPossibleSeq: z.number().int().nullable(),
    checkpointN: z.number().int().nullable(),
    reason: z.string(),
  }),
]) satisfies z.ZodType<JournalVerdict>;

export const storeStateSchema = z.strictObject({
  path: z.string(),
  schemaVersion: z.number().int(),
  readOnly: z.boolean(),
  /** Why the store is read-only (e.g. the quick_check findings), null when writable. */
  readOnlyReason: z.string().nullable(),
});

export const stationInfoSchema = z.strictObject({
  stationId: z.string(),
  name: z.string(),
  mode: z.enum(['offline', 'online']),
  demo: z.boolean(),
  createdAt: z.string(),
  /** Identity key fingerprint (SHA-256 of its SubjectPublicKeyInfo), null until the identity key exists. */
  identity: z
    .strictObject({ fingerprint: hex32, words: z.array(z.string()), tokenSerial: z.string() })
    .nullable(),
  store: storeStateSchema,
  /**
   * The journal's length and its unsigned tail: entries after the latest checkpoint's own event, which
   * anyone with write access to the file could still change or cut undetected (not a verification);
   * null when a damaged store cannot be read that far.
   */
  journal: z
    .strictObject({
      entries: z.number().int().min(0),
      checkpoint: z.number().int().nullable(),
      unsigned: z.number().int().min(0),
    })
    .nullable(),
  /** The station token holding the identity key, and whether it answers right now. */
  hsm: z
    .strictObject({
      tokenSerial: z.string(),
      tokenLabel: z.string(),
      /** BUSY: an operation holds the token now (one at a time per token); the next waits or is refused. */
      status: z.enum(['PRESENT', 'BUSY', 'ABSENT', 'ERROR']),
      /**
       * The serial; for BUSY also what holds it and since when; for ERROR the code and message (e.g. a
       * library that changed since registration).
       */
      detail: z.string(),
    })
    .nullable(),
  /** Which shell serves this UI. */
  host: z.enum(['electron', 'browser']),
});

export const journalSummarySchema = z.strictObject({
  seq,
  at: z.string(),
  actor: z.string(),
  kind: z.string(),
  /** A one-line preview of the body (truncated canonical JSON). */
  preview: z.string(),
});

export const journalEntrySchema = z.strictObject({
  seq,
  at: z.string(),
  actor: z.string(),
  kind: z.string(),
  /** The stored canonical JSON, exactly as hashed. */
  bodyText: z.string(),
  prevHash: z.string(),
  hash: z.string(),
});

export const checkpointSchema = z.strictObject({
  n: z.number().int(),
  size: z.number().int(),
  headHash: z.string(),
  at: z.string(),
  keyId: z.string(),
  alg: z.string(),
  /** Seq of the checkpoint's chained `journal.checkpoint` event; null for a legacy checkpoint. */
  eventSeq: z.number().int().nullable(),
});

/** A warning on an act that succeeded and is recorded: something after it did not complete. */
const actWarning = z.strictObject({ code: z.string(), message: z.string() });

/**
 * How an act on the station token was anchored in its own login (docs/journal-format.md): the
 * checkpoint that covers its record, or null with a JOURNAL_NOT_ANCHORED warning when anchoring failed
 * after the act succeeded (the act is recorded: never repeat it). Null for any other token.
 */
const anchoringSchema = z.strictObject({
  checkpoint: z.number().int().nullable(),
  warnings: z.array(actWarning),
});

const errorPayload = z.strictObject({
  code: z.string(),
  message: z.string(),
  data: z.record(z.string(), z.unknown()),
});

export const tokenViewSchema = z.strictObject({
  serial: z.string(),
  label: z.string(),
  manufacturer: z.string(),
  model: z.string(),
  firmware: z.string(),
  hardware: z.string(),
  /** Names of the token flags that are set (loginRequired, userPinFinalTry, …). */
  flags: z.array(z.string()),
  /** What the flags mean for the operator before a login attempt. */
  warnings: z.array(z.string()),
  /** The operation holding the token right now (token busy), or null when it is free. */
  busy: z
    .strictObject({
      purpose: z.string(),
      loggedIn: z.boolean(),
      since: z.string(),
      waiting: z.number().int().min(0),
    })
    .nullable(),
});

export const moduleViewSchema = z.strictObject({
  moduleId: z.string(),
  profile: z.string(),
  path: z.string(),
  librarySha256: hex32,
  library: z.string().nullable(),
  cryptoki: z.string().nullable(),
  tokens: z.array(tokenViewSchema),
  /** Why the module could not be opened, when it could not. */
  error: errorPayload.nullable(),
});

const bool = z.boolean().nullable();
export const keyViewSchema = z.strictObject({
  label: z.string(),
  id: z.string(),
  keyType: z.enum(['EC', 'RSA', 'EdDSA', 'other']),
  size: z.string(),
  hasPrivate: z.boolean(),
  hasPublic: z.boolean(),
  spkiSha256: hex32.nullable(),
  spkiWords: z.array(z.string()).nullable(),
  attributes: z
    .strictObject({
      token: bool,
      private: bool,
      sensitive: bool,
      extractable: bool,
      alwaysSensitive: bool,
      neverExtractable: bool,
      local: bool,
      sign: bool,
      decrypt: bool,
      unwrap: bool,
      derive: bool,
      modifiable: bool,
      copyable: bool,
      signRecover: bool,
    })
    .nullable(),
  residency: z
    .strictObject({
      verdict: z.enum(['RESIDENT', 'EXPOSABLE', 'UNPROTECTED', 'IMPORTED', 'SESSION-ONLY', 'UNKNOWN']),
      failed: z.array(z.string()),
      unknown: z.array(z.string()),
    })
    .nullable(),
});

const attributeList = z.array(z.strictObject({ attribute: z.string(), value: z.string() }));
export const recipeSchema = z.strictObject({
  mechanism: z.string(),
  publicKey: attributeList,
  privateKey: attributeList,
});

/** Who records an act, e.g. operator:alice (validated by the journal's actor grammar). */
const actor = z.string().min(1).max(100);
const tokenRef = { moduleId: z.string().min(1).max(64), serial: z.string().min(1).max(32) };
// Key specs and CSR requests are validated strictly by src/core (named field paths); the contract
// carries their types only, since src/shared may not import core at run time.
const keySpec = z.custom<KeySpecInput>(
  (v) => typeof v === 'object' && v !== null,
  'must be a key specification',
);
const csrRequest = z.custom<CsrRequestInput>((v) => typeof v === 'object' && v !== null, 'must be a request');

const iso = z.string();
export const rosterEntrySchema = z.strictObject({
  custodianId: z.string(),
  name: z.string(),
  roles: z.array(z.string()),
  spki: z.string(),
  fingerprint: hex32,
  algorithm: z.string(),
  validFrom: iso,
  validUntil: iso,
  revokedAt: iso.nullable(),
  status: z.enum(['VALID', 'NOT-YET-VALID', 'EXPIRED', 'REVOKED']),
  words: z.array(z.string()),
});

export const quorumSessionSummarySchema = z.strictObject({
  sessionId: z.string(),
  operation: z.string(),
  ceremonyId: z.string(),
  step: z.string(),
  openedAt: iso,
  expiresAt: iso,
  closedReason: z.string().nullable(),
});

export const quorumSessionViewSchema = z.strictObject({
  session: z.strictObject({
    sessionId: z.string(),
    stationId: z.string(),
    operation: z.string(),
    ceremonyId: z.string(),
    step: z.string(),
    threshold: z.number().int(),
    nonce: z.string(),
    openedAt: iso,
    expiresAt: iso,
  }),
  closed: z.boolean(),
  closedReason: z.string().nullable(),
  state: z.strictObject({
    threshold: z.number().int(),
    reached: z.boolean(),
    checkedIn: z.array(z.strictObject({ custodianId: z.string(), fingerprint: z.string(), at: iso })),
  }),
  challenge: z.strictObject({ text: z.string(), sha256: hex32, words: z.array(z.string()) }),
  /** Custodians who could check in now (valid on the roster). */
  seats: z.array(z.strictObject({ custodianId: z.string(), name: z.string() })),
  refusals: z.array(
    z.strictObject({
      seq,
      code: z.string(),
      custodianId: z.string().nullable(),
      reason: z.string(),
      at: iso,
    }),
  ),
});

const custodyEventSchema = z.record(z.string(), z.unknown());
export const custodyItemSchema = z.strictObject({
  itemId: z.string(),
  itemKind: z.string().nullable(),
  description: z.string().nullable(),
  sealed: z.boolean(),
  bagSerial: z.string().nullable(),
  location: z.string().nullable(),
  holder: z.string().nullable(),
  lastInspection: z.strictObject({ seq: z.number().int(), at: iso }).nullable(),
  lastMediaReplacement: z.strictObject({ seq: z.number().int(), at: iso }).nullable(),
  inspection: z.strictObject({
    status: z.enum(['SATISFIED', 'STALE', 'MISSING']),
    check: z.literal('CUST-INSPECTION-FRESH'),
    reason: z.string(),
  }),
  breaks: z.array(
    z.strictObject({
      seq: z.number().int(),
      at: iso,
      check: z.enum(['CUST-SEAL-MATCH', 'CUST-SEAL-INTACT']),
      expected: z.string().nullable(),
      observed: z.string(),
      message: z.string(),
    }),
  ),
  status: z.enum(['READY', 'HOLD', 'BLOCKED']),
  events: z.array(custodyEventSchema),
});

const person = z.string().trim().min(1).max(80);
export const custodyActSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('sealed'),
    bagSerial: z.string(),
    location: z.string(),
    holder: person,
    witnesses: z.array(person),
  }),
  z.strictObject({
    type: z.literal('unsealed'),
    bagSerialObserved: z.string(),
    reason: z.string(),
    holder: person,
  }),
  z.strictObject({
    type: z.literal('transferred'),
    bagSerialObserved: z.string(),
    from: person,
    to: person,
    location: z.string(),
  }),
  z.strictObject({
    type: z.literal('inspected'),
    bagSerialObserved: z.string(),
    sealIntact: z.boolean(),
    inspector: person,
    note: z.string(),
  }),
  z.strictObject({ type: z.literal('media-replaced'), note: z.string() }),
]);

export const coverageSchema = z.strictObject({
  threshold: z.number().int(),
  cells: z.array(
    z.strictObject({
      date: z.string(),
      shift: z.string(),
      available: z.array(z.string()),
      covered: z.boolean(),
    }),
  ),
});

// ---- Bundles, trust store and approvals -------------------------------------------------------
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
const mediaViewSchema = z.strictObject({
  state: z.enum(['no-device', 'several-devices', 'read-only', 'not-enough-space', 'ready']),
  volumes: z.array(volumeSchema),
});
const exportKind = z.enum(['journal-segment', 'custody-report', 'evidence', 'identity', 'packet']);
const fileDigest = z.strictObject({ name: z.string(), sha256: hex32, size: z.number().int() });
const exportResultSchema = z.strictObject({
  packetId: z.string(),
  version: z.number().int(),
  digest: hex32,
  words: z.array(z.string()),
  path: z.string(),
  fileSha256: hex32,
  sizeBytes: z.number().int(),
  files: z.array(fileDigest),
  requiredRoles: z.array(z.string()),
  seq,
});
const errorPayloadSchema = z.strictObject({
  code: z.string(),
  message: z.string(),
  data: z.record(z.string(), z.unknown()),
});
const jobViewSchema = z.strictObject({
  jobId: z.string().uuid(),
  kind: z.string(),
  state: z.enum(['running', 'done', 'failed', 'cancelled']),
  phase: z.string(),
  done: z.number(),
  total: z.number(),
  result: exportResultSchema.nullable(),
  error: errorPayloadSchema.nullable(),
});
const decision = z.enum(['approve', 'reject', 'request-changes']);
const approvalSchema = z.strictObject({
  seq,
  packetId: z.string(),
  packetVersion: z.number().int(),
  role: z.string(),
  decision,
  sequence: z.number().int(),
  signerFingerprint: hex32,
  trustId: z.string(),
  reviewer: z.string(),
  comment: z.string(),
  expiresAt: z.string(),
  expired: z.boolean(),
});
const issuedSchema = z.strictObject({
  packetId: z.string(),
  version: z.number().int(),
  digest: hex32,
  requiredRoles: z.array(z.string()),
  bundleKind: z.string(),
  title: z.string(),
  words: z.array(z.string()),
  fileName: z.string(),
  at: z.string(),
  current: z.boolean(),
  status: z.strictObject({
    approvals: z.array(approvalSchema),
    satisfiedRoles: z.array(z.string()),
    missingRoles: z.array(z.string()),
    objections: z.array(z.string()),
  }),
});
const importedSchema = z.strictObject({
  seq,
  bundleKind: z.string(),
  packetId: z.string(),
  version: z.number().int(),
  title: z.string(),
  digest: hex32,
  words: z.array(z.string()),
  signer: z.string(),
  signerFingerprint: hex32,
  files: z.array(fileDigest),
});
const trustEntrySchema = z.strictObject({
  trustId: z.string(),
  name: z.string(),
  entryKind: z.enum(['reviewer', 'station']),
  roles: z.array(z.string()),
  fingerprint: hex32,
  words: z.array(z.string()),
  algorithm: z.string(),
  validFrom: z.string(),
  validUntil: z.string(),
  revokedAt: z.string().nullable(),
  status: z.enum(['VALID', 'EXPIRED', 'NOT YET VALID', 'REVOKED']),
});
const refusalSchema = z.strictObject({
  seq,
  code: z.string(),
  check: z.string().nullable(),
  fileName: z.string(),
  detail: z.string(),
  at: z.string(),
});
const mediaPath = z.string().startsWith('/').max(4096);
const isoDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, 'an ISO 8601 UTC time')
  .refine(
    (v) => !Number.isNaN(Date.parse(v)) && new Date(Date.parse(v)).toISOString() === v,
    'a real calendar date and time',
  );

// ---------------------------------------------------------------------------------------------------
// Governance packets (wire shapes; `satisfies` keeps them equal to the core model)

const itemId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,47}$/, 'lowercase letters, digits and dashes');
const packetId = z.string().regex(/^[a-z0-9][a-z0-9.-]{0,79}$/, 'lowercase letters, digits, dots and dashes');
const isoTime = isoDay;
const role = z.string().regex(/^[a-z][a-z-]{1,40}$/);
const gate = z.enum(['STOPPED', 'HOLD-SOURCE', 'HOLD-ROUTING', 'READY']);
const packetKind = z.enum([
  'rotation-deferral',
  'custody-attestation',
  'compromise-authority',
  'activation-gate',
  'portal-issuance',
]);
const claimWire = z.strictObject({
  claimId: itemId,
  text: z.string().trim().min(1).max(1000),
  evidence: z.array(itemId).max(50),
  status: z.enum(['supported', 'pending', 'disputed', 'unsupported']),
});
const exceptionWire = z.strictObject({
  exceptionId: itemId,
  kind: z.enum(['stale', 'missing', 'disputed', 'partial', 'exception-backed']),
  title: z.string().trim().min(1).max(300),
  owner: person,
  dueAt: isoTime,
  status: z.enum(['open', 'resolved']),
  blocking: z.boolean(),
  claims: z.array(itemId).max(50),
  evidence: z.array(itemId).max(50),
  resolution: z.string().max(1000).nullable(),
});
const reviewerWire = z.strictObject({ role, name: person });
const evidenceWire = z.strictObject({
  evidenceId: itemId,
  title: z.string(),
  origin: z.enum(['media-file', 'station-record', 'attestation']),
  source: z.strictObject({ system: z.string(), recordId: z.string() }),
  sha256: hex32,
  mediaType: z.string(),
  sizeBytes: z.number().int(),
  effectiveAt: isoTime.nullable(),
  receivedAt: isoTime,
  importedBy: z.string(),
  attestedBy: z.string().nullable(),
  freshnessDays: z.number().int().nullable(),
  sensitive: z.boolean(),
  excerpt: z.string(),
  certificates: z.array(
    z.strictObject({
      subject: z.string(),
      issuer: z.string(),
      serial: z.string(),
      notBefore: isoTime,
      notAfter: isoTime,
      sha256: hex32,
    }),
  ),
  indicators: z.array(
    z.strictObject({
      indicator: z.enum(['key-compromise', 'unauthorised-signing', 'supply-chain-incident']),
      detail: z.string(),
    }),
  ),
});
const packetContentWire = z.strictObject({
  packetId,
  kind: packetKind,
  title: z.string(),
  scope: z.strictObject({ covers: z.string(), boundary: z.string() }),
  claims: z.array(claimWire),
  evidence: z.array(evidenceWire),
  exceptions: z.array(exceptionWire),
  routing: z.strictObject({ requiredRoles: z.array(z.string()), reviewers: z.array(reviewerWire) }),
  subject: z.record(z.string(), z.string()),
}) satisfies z.ZodType<PacketContent>;
const packetCheckWire = z.strictObject({
  id: z.string(),
  title: z.string(),
  group: z.enum(['stop', 'source', 'routing']),
  pass: z.boolean(),
  findings: z.array(z.string()),
  refs: z.array(z.string()),
});
const stopNoticeWire = z.strictObject({
  seq,
  at: z.string(),
  notice: z.string(),
  findings: z.array(z.strictObject({ evidenceId: z.string(), indicator: z.string(), detail: z.string() })),
  /** Set when a custodian quorum reviewed the stop and cleared it (the stop stays on record). */
  cleared: z
    .strictObject({ seq, quorumSessionId: z.string(), reason: z.string(), clearedBy: z.string() })
    .nullable(),
});
const handoffWire = z.strictObject({
  packetId,
  version: z.number().int(),
  digest: hex32,
  gate: z.enum(['HOLD-SOURCE', 'READY']),
  blockers: z.array(z.string()),
  reviewers: z.array(reviewerWire),
  boundary: z.string(),
  recordedBy: z.string(),
  blockersAcknowledged: z.boolean(),
  seq,
  at: z.string(),
});
const packetSummaryWire = z.strictObject({
  packetId,
  kind: packetKind,
  title: z.string(),
  stopped: z.boolean(),
  versions: z.number().int(),
  gate,
  failed: z.number().int(),
  updatedSeq: seq,
});
const editResultWire = z.strictObject({ seq, stopped: stopNoticeWire.nullable() });
const evidenceMetaInput = {
  packetId,
  evidenceId: itemId,
  title: z.string().trim().min(1).max(200),
  system: z.string().trim().min(1).max(120),
  effectiveAt: isoTime.nullable(),
  freshnessDays: z.number().int().min(1).max(3650).nullable(),
  sensitive: z.boolean(),
  actor,
};

const requirementWire = z.strictObject({
  id: z.string(),
  text: z.string(),
  waivable: z.boolean(),
  status: z.enum(['satisfied', 'partial', 'stale', 'missing', 'exception-backed']),
  rationale: z.string(),
  findings: z.array(
    z.strictObject({
      kind: z.enum(['stale', 'missing', 'mismatch', 'escalation']),
      text: z.string(),
      refs: z.array(z.string()),
    }),
  ),
  refs: z.array(z.string()),
});
const evaluationWire = z.strictObject({
  seq,
  at: z.string(),
  recommendation: z.enum(['approvable', 'remediate', 'escalate']),
  because: z.array(z.string()),
  libraryVersion: z.number().int(),
  requirements: z.array(requirementWire),
});
const decisionWire = z.strictObject({
  seq,
  at: z.string(),
  evaluationSeq: seq,
  decision: z.enum(['approve', 'remediate', 'escalate']),
  comment: z.string(),
  decidedBy: z.string(),
  trustId: z.string(),
  followsRecommendation: z.boolean(),
});

export const contract = {
  stationInfo: { input: empty, output: stationInfoSchema },
  journalPage: {
    input: z.strictObject({ fromSeq: seq, limit: z.number().int().min(1).max(500) }),
    output: z.strictObject({ entries: z.array(journalSummarySchema), total: z.number().int() }),
  },
  journalEntry: { input: z.strictObject({ seq }), output: journalEntrySchema },
  journalVerify: {
    input: empty,
    output: z.strictObject({
      verdict: journalVerdictSchema,
      /** The identity key the checkpoints were checked with, and whether the station token confirms it. */
      identity: z
        .strictObject({
          fingerprint: hex32,
          tokenSerial: z.string(),
          token: z.strictObject({
            status: z.enum(['CONFIRMED', 'MISMATCH', 'UNAVAILABLE']),
            reason: z.string(),
          }),
          /** The station token's module: the registration it is loaded from, and later ones ignored. */
          module: z.strictObject({
            moduleId: z.string(),
            registeredAt: z.number().int().nullable(),
            ignored: z.array(z.number().int()),
          }),
        })
        .nullable(),
      /** The mark the verdict judged: the public copy, or (with the PIN, CLI) the PIN-protected mark. */
      markChecked: z.enum(['public', 'private']),
      /** Seqs where the journal mark was re-established (`journal repair-mark --reset`). */
      markResets: z.array(z.number().int()),
    }),
  },
  journalCheckpoints: { input: empty, output: z.array(checkpointSchema) },
  /** Sign a checkpoint with the station identity key; the PIN is used for this one login only. */
  /** Signs only if the head is still the one the operator was shown (else JOURNAL_CONFLICT). */
  journalCheckpoint: {
    input: z.strictObject({ pin: pin, expectedSize: z.number().int().min(0) }),
    output: checkpointSchema.extend({ warnings: z.array(actWarning) }),
  },
  rosterList: {
    input: empty,
    output: z.strictObject({ quorum: z.number().int().nullable(), custodians: z.array(rosterEntrySchema) }),
  },
  quorumSessions: { input: empty, output: z.array(quorumSessionSummarySchema) },
  quorumSession: { input: z.strictObject({ sessionId: z.string().uuid() }), output: quorumSessionViewSchema },
  quorumOpen: {
    input: z.strictObject({
      operation: z.string().min(3).max(220),
      ceremonyId: z.string().trim().min(1).max(80),
      step: z.string().trim().min(1).max(80),
      ttlMinutes: z
        .number()
        .int()
        .min(1)
        .max(24 * 60),
      actor,
    }),
    output: z.strictObject({ sessionId: z.string() }),
  },
  quorumCheckIn: {
    input: z.strictObject({ sessionId: z.string().uuid(), ...tokenRef, pin, actor }),
    output: z.strictObject({
      ok: z.boolean(),
      custodianId: z.string().nullable(),
      code: z.string().nullable(),
      reason: z.string().nullable(),
    }),
  },
  sharesList: {
    input: empty,
    output: z.array(
      z.strictObject({
        splitId: z.string(),
        moduleId: z.string(),
        tokenSerial: z.string(),
        threshold: z.number().int(),
        total: z.number().int(),
        holders: z.array(z.strictObject({ position: z.number().int(), custodianId: z.string() })),
      }),
    ),
  },
  /** Share health: checks one share against its commitment; nothing is reconstructed or kept. */
  sharesVerify: {
    input: z.strictObject({
      splitId: z.string().regex(/^[0-9a-f]{32}$/),
      custodianId: z.string(),
      shareText: z.string().max(2000),
      actor,
    }),
    output: z.strictObject({
      ok: z.boolean(),
      position: z.number().int(),
      code: z.string().nullable(),
      message: z.string(),
    }),
  },
  /** The exact operation a quorum must be opened for, to generate this key on the ceremony token. */
  ceremonyKeygenOperation: {
    input: z.strictObject({ splitId: z.string().regex(/^[0-9a-f]{32}$/), key: keySpec }),
    output: z.strictObject({ operation: z.string() }),
  },
  ceremonyKeygen: {
    input: z.strictObject({
      splitId: z.string().regex(/^[0-9a-f]{32}$/),
      quorumSessionId: z.string().uuid(),
      key: keySpec,
      shares: z
        .array(z.strictObject({ text: z.string().max(2000), enteredBy: z.string().max(40) }))
        .min(1)
        .max(32),
      actor,
    }),
    output: keyViewSchema,
  },
  custodyList: { input: empty, output: z.array(custodyItemSchema) },
  custodyRecord: {
    input: z.strictObject({ itemId: z.string().min(1).max(40), act: custodyActSchema, actor }),
    output: custodyItemSchema,
  },
  coverageGrid: {
    input: z.strictObject({
      from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
      days: z.number().int().min(1).max(62),
      shifts: z
        .array(z.string().regex(/^[a-z][a-z0-9-]{0,15}$/))
        .min(1)
        .max(6),
    }),
    output: coverageSchema,
  },
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
    output: z.array(
      z.strictObject({
        volume: z.string(),
        path: z.string(),
        name: z.string(),
        size: z.number().int(),
        type: z.enum(['bundle', 'approval']),
      }),
    ),
  },
  bundleExportPreview: {
    input: z.strictObject({ kind: exportKind, packetId: packetId.optional() }),
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
    input: z.strictObject({ kind: exportKind, packetId: packetId.optional(), volume: mediaPath, pin, actor }),
    output: z.strictObject({ jobId: z.string().uuid() }),
  },
  jobStatus: { input: z.strictObject({ jobId: z.string().uuid() }), output: jobViewSchema },
  jobCancel: { input: z.strictObject({ jobId: z.string().uuid() }), output: jobViewSchema },
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
          decision,
          reviewer: z.string(),
          status: issuedSchema.shape.status,
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
      fingerprint: hex32,
      words: z.array(z.string()),
      algorithm: z.string(),
      digest: hex32,
      alreadyRegistered: z.string().nullable(),
    }),
  },
  /** Registers the key only if the fingerprint the person read back (hex or words) matches. */
  trustRegister: {
    input: z.strictObject({
      path: mediaPath,
      trustId: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'lowercase letters, digits and dashes'),
      roles: z.array(z.string().regex(/^[a-z][a-z-]{1,40}$/)).max(10),
      validUntil: isoDay,
      confirmFingerprint: z.string().min(8).max(400),
      confirmedBy: z.string().trim().min(1).max(80),
      actor,
    }),
    output: trustEntrySchema,
  },
  trustRevoke: {
    input: z.strictObject({ trustId: z.string().max(40), reason: z.string().trim().min(1).max(500), actor }),
    output: trustEntrySchema,
  },
  devicesModules: { input: empty, output: z.array(moduleViewSchema) },
  devicesKeys: { input: z.strictObject({ ...tokenRef, pin }), output: z.array(keyViewSchema) },
  devicesRecordInventory: {
    input: z.strictObject({ ...tokenRef, pin, actor }),
    output: z.strictObject({
      seq,
      digest: hex32,
      keys: z.number().int(),
      anchoring: anchoringSchema.nullable(),
    }),
  },
  devicesPreviewKey: {
    input: z.strictObject({ moduleId: tokenRef.moduleId, key: keySpec }),
    output: recipeSchema.extend({ digest: hex32 }),
  },
  /** Generation runs only with the digest of the template the operator was shown (devicesPreviewKey). */
  devicesGenerateKey: {
    input: z.strictObject({ ...tokenRef, pin, key: keySpec, confirmedRecipe: hex32, actor }),
    output: keyViewSchema.extend({ anchoring: anchoringSchema.nullable() }),
  },
  devicesCsr: {
    input: z.strictObject({
      ...tokenRef,
      pin,
      keyId: z.string().regex(/^(?:[0-9a-f]{2}){1,64}$/),
      request: csrRequest,
      actor,
    }),
    output: z.strictObject({
      pem: z.string(),
      sha256: hex32,
      words: z.array(z.string()),
      seq,
      anchoring: anchoringSchema.nullable(),
    }),
  },
  packetList: { input: empty, output: z.array(packetSummaryWire) },
  /** One packet: its draft, completeness now, stop notices, versions, handoffs. */
  packetGet: {
    input: z.strictObject({ packetId }),
    output: z.strictObject({
      draft: packetContentWire,
      completeness: z.strictObject({
        gate,
        checks: z.array(packetCheckWire),
        passed: z.number().int(),
        failed: z.number().int(),
        blockers: z.array(z.string()),
      }),
      stops: z.array(stopNoticeWire),
      versions: z.array(
        z.strictObject({
          version: z.number().int(),
          digest: hex32,
          words: z.array(z.string()),
          parentDigest: hex32.nullable(),
          gate: z.string(),
          failedChecks: z.array(z.string()),
          at: z.string(),
          seq,
        }),
      ),
      handoffs: z.array(handoffWire),
      /** Each evidence item's freshness verdict now (null: the item has no freshness rule). */
      freshness: z.record(
        z.string(),
        z.strictObject({ fresh: z.boolean(), ageDays: z.number().int().nullable() }).nullable(),
      ),
    }),
  },
  packetCreate: {
    input: z.strictObject({
      packetId,
      kind: packetKind,
      covers: z.string().trim().min(1).max(2000),
      subject: z.record(z.string().regex(/^[a-zA-Z][a-zA-Z0-9]{0,39}$/), z.string().max(500)),
      actor,
    }),
    output: packetSummaryWire,
  },
  packetSetClaim: { input: z.strictObject({ packetId, claim: claimWire, actor }), output: editResultWire },
  packetSetException: {
    input: z.strictObject({ packetId, exception: exceptionWire, actor }),
    output: editResultWire,
  },
  packetSetReviewers: {
    input: z.strictObject({ packetId, reviewers: z.array(reviewerWire).max(20), actor }),
    output: editResultWire,
  },
  /** Files on the listed volumes that can be evidence (JSON, CSV, PDF, text, certificates). */
  packetEvidenceFiles: {
    input: empty,
    output: z.array(
      z.strictObject({ volume: z.string(), path: z.string(), name: z.string(), size: z.number().int() }),
    ),
  },
  packetImportEvidence: {
    input: z.strictObject({ ...evidenceMetaInput, path: mediaPath, importedBy: person }),
    output: editResultWire.extend({ summary: z.string() }),
  },
  packetAttest: {
    input: z.strictObject({
      ...evidenceMetaInput,
      text: z.string().trim().min(1).max(4000),
      attestedBy: person,
    }),
    output: editResultWire,
  },
  packetRecordVersion: {
    input: z.strictObject({ packetId, actor }),
    output: z.strictObject({ version: z.number().int(), digest: hex32, gate: z.string() }),
  },
  packetDiff: {
    input: z.strictObject({ packetId, from: z.number().int().min(1), to: z.number().int().min(1) }),
    output: z.array(
      z.strictObject({
        section: z.enum(['scope', 'subject', 'routing', 'claims', 'evidence', 'exceptions']),
        id: z.string(),
        change: z.enum(['added', 'removed', 'changed']),
        fields: z.array(z.string()),
      }),
    ),
  },
  packetHandoff: {
    input: z.strictObject({
      packetId,
      version: z.number().int().min(1).optional(),
      recordedBy: person,
      acknowledgeBlockers: z.boolean(),
      actor,
    }),
    output: handoffWire,
  },
  /** A printable PDF of one version (digest words on every page, space for initials). */
  packetPrint: {
    input: z.strictObject({ packetId, version: z.number().int().min(1).optional() }),
    output: z.strictObject({ path: z.string(), sha256: hex32, pages: z.number().int().nullable() }),
  },
  /** The latest control-library evaluation of a custody attestation packet, and the owner's decisions. */
  attestStatus: {
    input: z.strictObject({ packetId }),
    output: z.strictObject({ latest: evaluationWire.nullable(), decisions: z.array(decisionWire) }),
  },
  attestEvaluate: { input: z.strictObject({ packetId, actor }), output: evaluationWire },
  /**
   * The owner's decision, signed on the owner's own token plugged into the station (one login; the
   * station verifies the signature against the trust store and never signs it itself).
   */
  attestDecideWithToken: {
    input: z.strictObject({
      packetId,
      ...tokenRef,
      keyId: z.string().regex(/^(?:[0-9a-f]{2}){1,64}$/, 'the CKA_ID in lowercase hex'),
      pin,
      decision: z.enum(['approve', 'remediate', 'escalate']),
      comment: z.string().max(4000),
      decidedBy: person,
      actor,
    }),
    output: decisionWire,
  },
} as const satisfies Record<string, { input: z.ZodType; output: z.ZodType }>;

export type Contract = typeof contract;
export type Method = keyof Contract;
export type Input<M extends Method> = z.input<Contract[M]['input']>;
export type ParsedInput<M extends Method> = z.output<Contract[M]['input']>;
export type Output<M extends Method> = z.output<Contract[M]['output']>;

export type StationInfo = Output<'stationInfo'>;
export type Anchoring = z.output<typeof anchoringSchema>;
export type JournalSummary = z.output<typeof journalSummarySchema>;
export type JournalEntry = Output<'journalEntry'>;
export type CheckpointInfo = z.output<typeof checkpointSchema>;
export type TokenView = z.output<typeof tokenViewSchema>;
export type ModuleView = z.output<typeof moduleViewSchema>;
export type KeyView = z.output<typeof keyViewSchema>;
export type KeyRecipe = z.output<typeof recipeSchema>;
export type RosterEntryView = z.output<typeof rosterEntrySchema>;
export type QuorumSessionView = z.output<typeof quorumSessionViewSchema>;
export type CustodyItemView = z.output<typeof custodyItemSchema>;
export type CustodyActInput = z.input<typeof custodyActSchema>;
export type CoverageView = z.output<typeof coverageSchema>;
export type JobView = z.output<typeof jobViewSchema>;
export type MediaView = z.output<typeof mediaViewSchema>;
export type IssuedView = z.output<typeof issuedSchema>;
export type TrustEntryView = z.output<typeof trustEntrySchema>;
export type PacketView = Output<'packetGet'>;
export type AttestStatusView = Output<'attestStatus'>;
export type PacketSummaryView = z.output<typeof packetSummaryWire>;

export const METHODS = Object.keys(contract) as Method[];

export function isMethod(name: string): name is Method {
  return Object.hasOwn(contract, name);
}

/** What `window.station` is: one async method per channel, each returning the result envelope. */
export type StationApi = { readonly [M in Method]: (input: Input<M>) => Promise<Result<Output<M>>> };

/** Electron IPC channel name for a method. */
export const ipcChannel = (method: Method): string => `station:${method}`;

/**
 * Builds the station API from a transport. Preload passes ipcRenderer.invoke, the browser-mode bridge
 * passes its WebSocket client: both expose exactly the contract's methods and nothing generic.
 */
export function createStationApi(invoke: (method: Method, input: unknown) => Promise<unknown>): StationApi {
  const api: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const method of METHODS) api[method] = (input: unknown) => invoke(method, input);
  return Object.freeze(api) as StationApi;
}
