import { z } from 'zod';
import { empty, type Channels } from './common';

/**
 * Decisions pending across the station (services/decisions): every packet, gate, session or finding that
 * waits for a named human, what they must decide and by when. Derived from what the station holds; the
 * station finds, people decide — nothing here is decided for them.
 */
export const PENDING_KINDS = [
  'packet-stop',
  'packet-evaluate',
  'packet-handoff',
  'finding-owner',
  'attestation-evaluate',
  'attestation-decision',
  'quorum-check-in',
  'authority-evaluate',
  'authority-redirect',
  'gate-version',
  'gate-approval',
  'gate-escalate',
] as const;

export const pendingDecisionSchema = z.strictObject({
  kind: z.enum(PENDING_KINDS),
  /** The packet, attestation subject or quorum session it is about. */
  subject: z.string(),
  /** What must be decided, in one plain sentence. */
  what: z.string(),
  /** Who decides: a named person, or the role or group that must. */
  who: z.string(),
  /** The deadline when the station knows one (a finding's due date, a session's expiry), else null. */
  by: z.string().nullable(),
  /** Past its deadline now. */
  overdue: z.boolean(),
  /** When it became pending, when known. */
  since: z.string().nullable(),
  /** The workflow view that shows it. */
  view: z.enum(['deferral', 'attestation', 'authority', 'activation', 'custodians']),
});

export const decisionsChannels = {
  decisionsPending: { input: empty, output: z.array(pendingDecisionSchema) },
} as const satisfies Channels;
