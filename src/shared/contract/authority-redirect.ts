import { z } from 'zod';
import { KEY_FILE_MAX_CHARS } from '../../core/custody/signin';
import { EVENT_BODIES } from '../../core/journal/events';
import { textSchema } from '../../core/names';
import { actor, keyId, pin, seq, tokenRef, type Channels } from './common';

/**
 * Redirects of a compromise-authority recommendation (services/authority/redirect.ts): a person holding
 * one of the matrix's redirect roles sends the case to another lane, signed with their own key, bound to
 * one FRESH evaluation; the station records the lane it computed and the target's computed status beside
 * it and never refuses a target for being blocked or not required. The reason is for a broad audience;
 * a restricted note is kept content-addressed and only its digest is recorded.
 */

const recorded = EVENT_BODIES['authority.redirect-recorded'];

/** A recorded redirect as shown: the journal body without its envelope, with its seq, time and actor. */
export const redirectViewSchema = recorded.omit({ envelope: true }).extend({
  seq,
  at: z.string(),
  /** The signed-in person it was recorded under (the key that signed is `trustId` / `redirectedBy`). */
  actor: z.string(),
});

/** How long a restricted note may be (it never enters the journal; it is kept as one object). */
export const RESTRICTED_NOTE_MAX = 20_000;

/** What a redirect asks for, whichever key signs it. */
const redirectRequest = {
  incidentId: recorded.shape.subject,
  /** The journal seq of the compromise-authority evaluation redirected (FRESH and the latest). */
  evaluationSeq: seq,
  toLane: recorded.shape.toLane,
  reason: recorded.shape.reason,
  /** Detail for the approved channel only: never journaled, kept content-addressed (its SHA-256 is). */
  restrictedNote: textSchema(RESTRICTED_NOTE_MAX).optional(),
  actor,
};

export const authorityRedirectChannels = {
  /** Every redirect of an incident in journal order; `inForce` is the latest (all stay in the lineage). */
  authorityRedirects: {
    input: z.strictObject({ incidentId: recorded.shape.subject }),
    output: z.strictObject({
      incidentId: z.string(),
      redirects: z.array(redirectViewSchema),
      inForce: redirectViewSchema.nullable(),
    }),
  },
  /**
   * A redirect signed with the person's passphrase-protected reviewer key file (its text as chosen; the
   * key file and passphrase are never part of the preview). Refused: EVALUATION_NOT_FOUND,
   * EVALUATION_STALE, AUTHORITY_LANE_UNKNOWN, APPROVAL_ROLE_NOT_HELD, INVALID_INPUT (empty reason).
   */
  authorityRedirect: {
    input: z.strictObject({
      ...redirectRequest,
      keyFile: z.string().min(1).max(KEY_FILE_MAX_CHARS),
      passphrase: z.string().min(1).max(1024),
    }),
    output: redirectViewSchema,
  },
  /** The same redirect signed on the person's own token plugged into the station (one login). */
  authorityRedirectWithToken: {
    input: z.strictObject({ ...redirectRequest, ...tokenRef, keyId, pin }),
    output: redirectViewSchema,
  },
} as const satisfies Channels;

export type AuthorityRedirectView = z.output<typeof redirectViewSchema>;
