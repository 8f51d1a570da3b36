import { z } from 'zod';
import { keySpecSchema } from '../../core/hsm/key-spec';
import { custodianIdSchema } from '../../core/schema';
import { KEY_FILE_MAX_CHARS } from '../../core/custody/signin';
import { operationInputSchema, operationTextSchema } from '../../core/custody/operation';
import { EVENT_BODIES } from '../../core/journal/events';
import {
  actor,
  empty,
  isoTime,
  keyId,
  mediaPath,
  pin,
  seq,
  sha256Hex,
  tokenRef,
  words,
  type Channels,
} from './common';
import { keyViewSchema } from './devices';

/**
 * The approved roster, quorum sessions, M-of-N activation shares and the ceremony acts they unlock
 * (services/custodians). A custodian, a session and a split are what the journal recorded for them
 * (src/core/journal/events.ts), plus what the station derives now (validity, status, words).
 */

const custodianRecord = EVENT_BODIES['roster.custodian-added'].shape.custodian;
const sessionOpened = EVENT_BODIES['quorum.session-opened'];
const splitCreated = EVENT_BODIES['shares.split-created'];
const sessionId = sessionOpened.shape.sessionId;
const splitId = splitCreated.shape.splitId;

/** What a custodian may sign in with (OPS-CREDENTIAL): a token always, a key file where the roster allows. */
const credentialKinds = z.array(z.enum(['token', 'key-file']));

export const rosterEntrySchema = custodianRecord.extend({
  revokedAt: z.string().nullable(),
  /** The credentials the roster accepts from this custodian now (OPS-CREDENTIAL). */
  credentials: credentialKinds,
  /** ROSTER-VALID at the station's clock now. */
  status: z.enum(['VALID', 'NOT-YET-VALID', 'EXPIRED', 'REVOKED']),
  words,
});

export const rosterViewSchema = z.strictObject({
  quorum: z.number().int().nullable(),
  custodians: z.array(rosterEntrySchema),
});

export const quorumSessionSummarySchema = z.strictObject({
  sessionId: z.string(),
  operation: z.string(),
  ceremonyId: z.string(),
  step: z.string(),
  openedAt: z.string(),
  expiresAt: z.string(),
  closedReason: z.string().nullable(),
  /** Valid check-ins so far and the threshold: REACHED only when checkedIn reaches it. */
  checkedIn: z.number().int(),
  threshold: z.number().int(),
  reached: z.boolean(),
});

/** A session as opened: the journal's record of it, on this station. */
const quorumSessionSchema = sessionOpened.extend({ stationId: z.string() });

export const quorumSessionViewSchema = z.strictObject({
  session: quorumSessionSchema,
  /** Where the session stands now (QUORUM-CLAIM: CLAIMED while an act holds it). */
  status: z.enum(['OPEN', 'CLAIMED', 'EXPIRED', 'CLOSED']),
  closed: z.boolean(),
  closedReason: z.string().nullable(),
  /** The act holding the session: its claim's journal seq, when and by whom; null when none does. */
  claim: z.strictObject({ seq, at: z.string(), actor: z.string() }).nullable(),
  state: z.strictObject({
    threshold: z.number().int(),
    reached: z.boolean(),
    checkedIn: z.array(z.strictObject({ custodianId: z.string(), fingerprint: z.string(), at: z.string() })),
  }),
  challenge: z.strictObject({ text: z.string(), sha256: sha256Hex, words }),
  /** Custodians who could check in now (valid on the roster). */
  seats: z.array(z.strictObject({ custodianId: z.string(), name: z.string() })),
  refusals: z.array(
    z.strictObject({
      seq,
      code: z.string(),
      custodianId: z.string().nullable(),
      reason: z.string(),
      at: z.string(),
    }),
  ),
});

/** A check-in's verdict: accepted (who), or refused with its code and reason (journaled either way). */
const checkInVerdictSchema = z.discriminatedUnion('ok', [
  z.strictObject({ ok: z.literal(true), custodianId: z.string() }),
  z.strictObject({
    ok: z.literal(false),
    code: z.string(),
    custodianId: z.string().nullable(),
    reason: z.string(),
  }),
]);

/** The most characters of a public key (PEM or base64 SPKI) the window may send for a new custodian. */
export const PUBLIC_KEY_MAX_CHARS = 16_384;

/** A custodian to add, as the operator enters it: the key is the PEM text pasted or read from a file. */
const custodianInputSchema = z.strictObject({
  custodianId: custodianIdSchema,
  name: custodianRecord.shape.name,
  roles: custodianRecord.shape.roles,
  validFrom: isoTime,
  validUntil: isoTime,
  publicKey: z.string().min(1).max(PUBLIC_KEY_MAX_CHARS),
});

const revocation = {
  custodianId: custodianIdSchema,
  reason: EVENT_BODIES['roster.custodian-revoked'].shape.reason,
};
const credentialsChange = {
  custodianId: custodianIdSchema,
  /** True: the custodian may also sign in with their key file; false: with their token only. */
  keyFile: z.boolean(),
};

/** Shares as custodians type them in, each with who entered it; sent once, never kept or previewed. */
const enteredShares = z
  .array(z.strictObject({ text: z.string().max(2000), enteredBy: z.string().max(40) }))
  .min(1)
  .max(32);

/** How long a session lasts, in minutes: at most one 12-hour shift. */
const sessionMinutes = z
  .number()
  .int()
  .min(1)
  .max(12 * 60)
  .optional();

/** An operator session as the banner and `station session status` show it (docs/operators.md). */
const operatorSessionSchema = z.strictObject({
  sessionId: z.string(),
  custodianId: z.string(),
  name: z.string(),
  roles: z.array(z.string()),
  actor: z.string(),
  fingerprint: sha256Hex,
  /** What signed the sign-in's challenge (OPS-CREDENTIAL). */
  credential: z.enum(['token', 'key-file']),
  via: z.enum(['console', 'cli']),
  startedAt: z.string(),
  expiresAt: z.string(),
  locksAt: z.string(),
  idleMinutes: z.number().int(),
  state: z.enum(['ACTIVE', 'LOCKED', 'EXPIRED', 'OFF-ROSTER', 'ENDED']),
  seq,
});

export const custodiansChannels = {
  /** This console's operator: whether acts need one here, and the session (any state) or none. */
  operatorSession: {
    input: empty,
    output: z.strictObject({ required: z.boolean(), session: operatorSessionSchema.nullable() }),
  },
  /**
   * Signs a roster member in at this console (OPS-PROVEN): with their own token and PIN, or — where their
   * roster entry allows it (OPS-CREDENTIAL) — with the text of their passphrase-protected key file, its
   * passphrase, and who they are.
   */
  operatorSignIn: {
    input: z.discriminatedUnion('credential', [
      z.strictObject({
        credential: z.literal('token').optional(),
        ...tokenRef,
        pin,
        minutes: sessionMinutes,
      }),
      z.strictObject({
        credential: z.literal('key-file'),
        custodianId: custodianIdSchema,
        /** The key file's PEM text as chosen (an encrypted PKCS#8 private key), bounded. */
        keyPem: z.string().min(1).max(KEY_FILE_MAX_CHARS),
        passphrase: z.string().min(1).max(1024),
        minutes: sessionMinutes,
      }),
    ]),
    output: operatorSessionSchema,
  },
  operatorSignOut: {
    input: empty,
    output: z.strictObject({ session: operatorSessionSchema.nullable() }),
  },
  rosterList: { input: empty, output: rosterViewSchema },
  quorumSessions: { input: empty, output: z.array(quorumSessionSummarySchema) },
  quorumSession: { input: z.strictObject({ sessionId }), output: quorumSessionViewSchema },
  quorumOpen: {
    input: z.strictObject({
      /**
       * Refused here unless it is an operation the station itself would write (core/custody/operation):
       * its canonical text, or the typed union (a ceremony-presence purpose as the person typed it).
       */
      operation: z.union([operationTextSchema, operationInputSchema]),
      ceremonyId: sessionOpened.shape.ceremonyId,
      step: sessionOpened.shape.step,
      ttlMinutes: z
        .number()
        .int()
        .min(1)
        .max(24 * 60),
      actor,
    }),
    output: quorumSessionSchema,
  },
  quorumCheckIn: {
    input: z.strictObject({
      sessionId,
      ...tokenRef,
      pin,
      /** Never who is recorded (the signing key's roster entry is); a different name is refused. */
      actor: actor.optional(),
    }),
    output: checkInVerdictSchema,
  },
  sharesList: {
    input: empty,
    output: z.array(
      splitCreated
        .pick({
          splitId: true,
          moduleId: true,
          tokenSerial: true,
          threshold: true,
          total: true,
          holders: true,
        })
        .extend({
          /** Set once a re-issue voided the split: the split that replaced it, and when. */
          supersededBy: z.strictObject({ splitId: z.string(), at: z.string() }).nullable(),
          /** A re-issue of it left unresolved (SHARES_REISSUE_PENDING until `station shares recover`). */
          pendingReissue: z.strictObject({ splitId: z.string(), at: z.string() }).nullable(),
        }),
    ),
  },
  /** Share health: checks one share against its commitment; nothing is reconstructed or kept. */
  sharesVerify: {
    input: z.strictObject({
      splitId,
      custodianId: EVENT_BODIES['shares.share-verified'].shape.custodianId,
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
    input: z.strictObject({ splitId, key: keySpecSchema }),
    output: z.strictObject({ operation: z.string() }),
  },
  ceremonyKeygen: {
    input: z.strictObject({
      splitId,
      quorumSessionId: sessionId,
      key: keySpecSchema,
      shares: enteredShares,
      actor,
    }),
    output: keyViewSchema,
  },
  /** The exact operation a quorum must be opened for, to add this custodian; their key's fingerprint. */
  rosterAddOperation: {
    input: z.strictObject({ custodian: custodianInputSchema }),
    output: z.strictObject({
      operation: z.string(),
      fingerprint: sha256Hex,
      words,
      algorithm: custodianRecord.shape.algorithm,
    }),
  },
  /** Adds a custodian under a quorum session bound to exactly this addition (a confirmed act). */
  rosterAdd: {
    input: z.strictObject({ custodian: custodianInputSchema, quorumSessionId: sessionId, actor }),
    output: rosterEntrySchema,
  },
  rosterRevokeOperation: {
    input: z.strictObject(revocation),
    output: z.strictObject({ operation: z.string() }),
  },
  /** Revokes a custodian under a quorum session bound to exactly this revocation and its reason. */
  rosterRevoke: {
    input: z.strictObject({ ...revocation, quorumSessionId: sessionId, actor }),
    output: z.strictObject({ custodianId: z.string(), revokedAt: z.string().nullable() }),
  },
  rosterCredentialsOperation: {
    input: z.strictObject(credentialsChange),
    output: z.strictObject({ operation: z.string() }),
  },
  /** Allows or withdraws key-file sign-in (OPS-CREDENTIAL) under a quorum bound to exactly that change. */
  rosterSetCredentials: {
    input: z.strictObject({ ...credentialsChange, quorumSessionId: sessionId, actor }),
    output: z.strictObject({ custodianId: z.string(), credentials: credentialKinds }),
  },
  /**
   * Sets a random PIN on a ceremony token and splits it among custodians (`station shares split`): share
   * texts and PDF sheets are written to a listed, ready removable volume. `pin` is the token's current PIN.
   */
  sharesSplit: {
    input: z.strictObject({
      ...tokenRef,
      pin,
      holders: z.array(custodianIdSchema).min(2).max(32),
      threshold: z.number().int().min(2).max(32),
      volume: mediaPath,
      actor,
    }),
    output: z.strictObject({
      splitId,
      volume: z.string(),
      files: z.array(z.strictObject({ name: z.string(), path: z.string() })),
    }),
  },
  /** The keys the journal records on a split's ceremony token (the token cannot be listed without quorum). */
  ceremonyKeys: {
    input: z.strictObject({ splitId }),
    output: z.array(
      z.strictObject({ id: z.string(), label: z.string(), keyType: z.string(), size: z.string() }),
    ),
  },
  /** The exact operation a quorum must be opened for, to sign this listed file with this ceremony key. */
  ceremonySignOperation: {
    input: z.strictObject({ splitId, keyId, path: mediaPath }),
    output: z.strictObject({
      operation: z.string(),
      name: z.string(),
      size: z.number().int().min(0),
      dataSha256: sha256Hex,
      words,
      /** The new file the signature will be written to, beside the signed one. */
      signatureName: z.string(),
    }),
  },
  /**
   * Signs a listed media file with a key on the share-activated ceremony token, under a quorum bound to
   * exactly this signing; the file must still have `dataSha256`. The raw signature is written beside it.
   */
  ceremonySign: {
    input: z.strictObject({
      splitId,
      keyId,
      path: mediaPath,
      dataSha256: sha256Hex,
      quorumSessionId: sessionId,
      shares: enteredShares,
      actor,
    }),
    output: z.strictObject({
      path: z.string(),
      name: z.string(),
      algorithm: z.string(),
      dataSha256: sha256Hex,
      signatureSha256: sha256Hex,
      words,
      signatureHex: z.string(),
    }),
  },
} as const satisfies Channels;

export type RosterEntryView = z.output<typeof rosterEntrySchema>;
export type QuorumSessionView = z.output<typeof quorumSessionViewSchema>;
