import { z } from 'zod';
import { activationChannels } from './activation';
import { attestChannels } from './attest';
import { authorityRedirectChannels } from './authority-redirect';
import { bundlesChannels } from './bundles';
import { ceremoniesChannels } from './ceremonies';
import { seq, sha256Hex, words, type Channel, type Channels } from './common';
import { custodiansChannels } from './custodians';
import { custodyChannels } from './custody';
import { packetsChannels } from './packets';
import { signingChannels } from './signing';
import { portalChannels } from './portal';

/**
 * Previews of irreversible acts (docs/operators.md, "Previews"). Before one of these acts runs, the
 * window asks `actPreview` for exactly what will be recorded: the act, the signed-in person it will be
 * recorded under, its fields and the journal head it is based on, as canonical JSON with its SHA-256
 * (hex and words). The act then carries `confirm: { digest }`; the dispatcher composes the preview again
 * from the act as sent and refuses it (PREVIEW_STALE) unless the digest is the same — so nothing that
 * changed since the operator read the preview (a field, the person, any new journal entry) is recorded
 * under their confirmation. A destructive act also needs the named value typed (`confirm.typed`).
 */

/** What a confirmed act asks of the operator. */
export interface ConfirmedAct {
  /** The act in plain words, as the preview heads it. */
  readonly title: string;
  /**
   * For a destructive act, the value the operator must type to confirm (e.g. the trust id being
   * revoked); null when a look at the preview is confirmation enough. Reads the act's input.
   */
  readonly typeToConfirm: (
    input: Readonly<Record<string, unknown>>,
  ) => { label: string; value: string } | null;
}

const noTyping = () => null;

/** The irreversible acts: each runs only with the digest of its preview. */
export const CONFIRMED_ACTS = {
  packetSetClaim: { title: 'Set a claim of the packet', typeToConfirm: noTyping },
  packetAnnotate: { title: 'Record a decision on a finding (exception)', typeToConfirm: noTyping },
  packetAttest: { title: 'Record a typed-in attestation as evidence', typeToConfirm: noTyping },
  packetRecordVersion: { title: 'Record a version of the packet', typeToConfirm: noTyping },
  gateRecordVersion: {
    title: 'Record a version of the activation-gate packet (binds the current ledger)',
    typeToConfirm: noTyping,
  },
  packetHandoff: { title: 'Record the handoff of a version to its reviewers', typeToConfirm: noTyping },
  custodyRecord: {
    title: 'Record a custody event',
    // Opening a seal or replacing the media cannot be taken back: the item id is typed.
    typeToConfirm: (input) => {
      const act = input.act as { type?: unknown } | undefined;
      return act?.type === 'unsealed' || act?.type === 'media-replaced'
        ? { label: 'item id', value: String(input.itemId) }
        : null;
    },
  },
  custodyRegister: { title: 'Register a custody item and its first seal', typeToConfirm: noTyping },
  coverageSet: { title: "Set a signer's availability for a shift", typeToConfirm: noTyping },
  attestDecideWithToken: { title: "Sign and record the owner's decision", typeToConfirm: noTyping },
  trustRegister: { title: 'Register a key in the trust store', typeToConfirm: noTyping },
  trustRevoke: {
    title: 'Revoke a key in the trust store',
    typeToConfirm: (input) => ({ label: 'trust id', value: String(input.trustId) }),
  },
  quorumOpen: { title: 'Open a quorum session for one operation', typeToConfirm: noTyping },
  rosterAdd: { title: 'Add a custodian to the roster (under quorum)', typeToConfirm: noTyping },
  rosterRevoke: {
    title: 'Revoke a custodian from the roster (under quorum)',
    typeToConfirm: (input) => ({ label: 'custodian id', value: String(input.custodianId) }),
  },
  rosterSetCredentials: {
    title: "Change a custodian's sign-in credentials (under quorum)",
    typeToConfirm: noTyping,
  },
  sharesSplit: {
    title: 'Set a random PIN on a ceremony token and split it among custodians',
    // The token's PIN changes for good: only the shares open it afterwards.
    typeToConfirm: (input) => ({ label: 'token serial', value: String(input.serial) }),
  },
  ceremonySign: { title: 'Sign a file with a ceremony key (under quorum)', typeToConfirm: noTyping },
  authorityRedirect: {
    title: 'Sign and record a redirect of the authority recommendation (key file)',
    typeToConfirm: noTyping,
  },
  authorityRedirectWithToken: {
    title: 'Sign and record a redirect of the authority recommendation (token)',
    typeToConfirm: noTyping,
  },
  // Gated signing (docs/gated-signing.md): the batch claims the quorum session and signs on the HSM.
  signingStart: {
    title: 'Sign exactly the frozen manifest on the HSM (claims the quorum session)',
    typeToConfirm: noTyping,
  },
  signingResume: {
    title: 'Resume the open signing run (what was counted is never signed again)',
    typeToConfirm: noTyping,
  },
  // Portal submission (docs/portal-submission.md): the request may land in the portal's issuance queue.
  portalSubmit: {
    title:
      'Submit the approved issuance request to the PKI portal (pre-check, enter and read back, pre-check again, submit once)',
    // The request goes into a production issuance queue: its id is typed.
    typeToConfirm: (input) => ({ label: 'request id', value: String(input.requestId) }),
  },
  portalReconcile: {
    title: 'Search the portal for the run’s request and record what is found (never submits)',
    typeToConfirm: noTyping,
  },
  portalEvidence: {
    title:
      'Export the signed evidence bundle of a portal run (run, approval trace, masked screenshots, journal) with the station token',
    typeToConfirm: noTyping,
  },
  // Ceremony runs (docs/ceremonies.md): each step's check, act, check-off and decision is recorded.
  ceremonyStart: {
    title: 'Start a run of the ceremony file',
    // Production acts on the real HSM token: the word is typed.
    typeToConfirm: (input) => (input.mode === 'production' ? { label: 'mode', value: 'production' } : null),
  },
  ceremonyCheck: { title: "Check the step's preconditions and record them", typeToConfirm: noTyping },
  ceremonyAct: { title: "Perform the step's act and record it", typeToConfirm: noTyping },
  ceremonyWitness: { title: 'Check the step off as a witness (your token signs)', typeToConfirm: noTyping },
  ceremonyDeviation: { title: 'Report a deviation (the run halts)', typeToConfirm: noTyping },
  ceremonyDecide: {
    title: 'Decide on the deviation as master of ceremonies',
    // An abort ends the run for good: the word is typed.
    typeToConfirm: (input) => (input.decision === 'abort' ? { label: 'decision', value: 'abort' } : null),
  },
} as const satisfies Record<string, ConfirmedAct>;

export type ConfirmedMethod = keyof typeof CONFIRMED_ACTS;
export const CONFIRMED_METHODS = Object.keys(CONFIRMED_ACTS) as ConfirmedMethod[];

export function isConfirmedMethod(method: string): method is ConfirmedMethod {
  return Object.hasOwn(CONFIRMED_ACTS, method);
}

/**
 * Fields that are never part of a preview (they are secrets, or typed after it): a PIN, a passphrase, the
 * activation shares custodians type in, a sealed key file (chosen with its passphrase, after the preview).
 */
export const PREVIEW_REDACTED_FIELDS: readonly string[] = [
  'pin',
  // A ceremony act's other PINs (the escrow token's user PIN, the HSM token's SO PIN).
  'escrowPin',
  'soPin',
  'passphrase',
  'shares',
  'keyFile',
  'password',
];

/** What a confirmed act carries beside its input (the window sends it; the dispatcher takes it off). */
export const confirmationSchema = z.strictObject({
  digest: sha256Hex,
  typed: z.string().max(200).optional(),
});
export type Confirmation = z.output<typeof confirmationSchema>;

export const actPreviewSchema = z.strictObject({
  method: z.string(),
  title: z.string(),
  /** Who the act will be recorded under (the console's signed-in operator). */
  actor: z.string(),
  /** The act's fields as recorded, one line each (path → canonical value), secrets left out. */
  fields: z.array(z.strictObject({ path: z.string(), value: z.string() })),
  /** The journal head the preview was made against: any new entry makes it stale. */
  basedOn: z.strictObject({ seq: z.number().int().min(0), hash: sha256Hex.nullable() }),
  /** The canonical JSON statement the digest is over. */
  statement: z.string(),
  digest: sha256Hex,
  words,
  /** For a destructive act: what must be typed to confirm it. */
  typeToConfirm: z.strictObject({ label: z.string(), value: z.string() }).nullable(),
  /** Where the act's record will land if nothing else is recorded first. */
  nextSeq: seq,
});
export type ActPreview = z.output<typeof actPreviewSchema>;

/** The channels of the confirmed acts, from the domain files that declare them. */
const ACT_CHANNELS: Readonly<Record<string, Channel>> = {
  ...packetsChannels,
  ...custodyChannels,
  ...attestChannels,
  ...bundlesChannels,
  ...custodiansChannels,
  ...authorityRedirectChannels,
  ...activationChannels,
  ...signingChannels,
  ...portalChannels,
  ...ceremoniesChannels,
};

/**
 * What a preview is asked with, per act: the act's own input schema, field by field, without the actor
 * (the station fills it) and without the fields a preview never holds (a PIN, a passphrase, shares).
 */
function previewRequest(method: ConfirmedMethod) {
  const input = ACT_CHANNELS[method]?.input;
  if (!(input instanceof z.ZodObject))
    throw new Error(`confirmed act "${method}" has no object input in the contract`);
  const mask: Record<string, true> = {};
  for (const f of ['actor', ...PREVIEW_REDACTED_FIELDS]) if (f in input.shape) mask[f] = true;
  return z.strictObject({ method: z.literal(method), input: input.omit(mask) });
}

export const actsChannels = {
  /** The preview of an irreversible act (CONFIRMED_ACTS): its input as the act would be sent, no secret. */
  actPreview: {
    // Checked per act at run time; typed loosely (the act's draft) for the callers.
    input: z.discriminatedUnion(
      'method',
      CONFIRMED_METHODS.map(previewRequest) as unknown as [
        ReturnType<typeof previewRequest>,
        ...ReturnType<typeof previewRequest>[],
      ],
    ) as unknown as z.ZodType<{ method: ConfirmedMethod; input: Record<string, unknown> }>,
    output: actPreviewSchema,
  },
} as const satisfies Channels;
