import { z } from 'zod';
import { actWarning, empty, pin, sha256Hex, words, type Channels } from './common';
import { checkpointSchema } from './journal';

/** The station's identity (services/identity): who it is, its store and token, and checkpoint signing. */

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
  identity: z.strictObject({ fingerprint: sha256Hex, words, tokenSerial: z.string() }).nullable(),
  store: storeStateSchema,
  /**
   * Quorum as the banner shows it: M (the roster's quorum) of N (custodians valid now), and the newest
   * open quorum session's check-ins against its threshold; null before a roster exists.
   */
  quorum: z
    .strictObject({
      threshold: z.number().int(),
      custodians: z.number().int(),
      open: z
        .strictObject({
          sessionId: z.string(),
          operation: z.string(),
          checkedIn: z.number().int(),
          threshold: z.number().int(),
          expiresAt: z.string(),
        })
        .nullable(),
    })
    .nullable(),
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

export const identityChannels = {
  stationInfo: { input: empty, output: stationInfoSchema },
  /**
   * `station journal checkpoint`: the identity key signs the journal head (signCheckpoint), with the PIN
   * for this one login only, and only if the head is still the one the operator was shown (else
   * JOURNAL_CONFLICT).
   */
  journalCheckpoint: {
    input: z.strictObject({ pin, expectedSize: z.number().int().min(0) }),
    output: checkpointSchema.extend({ warnings: z.array(actWarning) }),
  },
} as const satisfies Channels;

export type StationInfo = z.output<typeof stationInfoSchema>;
