import type { z } from 'zod';
import { canonicalJson } from '../../../core/canonical';
import { toHex } from '../../../core/bytes';
import { digestWords } from '../../../core/words';
import { escapeForDisplay } from '../../../core/names';
import {
  CONFIRMED_ACTS,
  PREVIEW_REDACTED_FIELDS,
  contract,
  type ActPreview,
  type Confirmation,
  type ConfirmedMethod,
} from '../../../shared/contract';
import { firstIssue } from '../../../core/validate';
import { stationError } from '../../errors';
import { Station } from '../../station/station';
import { redirectPreviewFacts } from '../authority';
import { inspectRegistration } from '../bundles';
import { handoffPreviewFacts, versionPreviewFacts } from '../packets';

/**
 * Previews of irreversible acts (contract/acts.ts, docs/operators.md "Previews"): the statement of what
 * the act will record, its digest, and the check that an act runs only on the preview the operator saw.
 */

export const ACT_PREVIEW_STATEMENT = 'ceremony-station/act-preview/v1';

/** The channel's input schema without the fields a preview never holds (a PIN, a passphrase). */
function previewSchema(method: ConfirmedMethod): z.ZodType {
  const input = contract[method].input as z.ZodObject;
  const mask: Record<string, true> = {};
  for (const f of PREVIEW_REDACTED_FIELDS) if (f in input.shape) mask[f] = true;
  return Object.keys(mask).length ? input.omit(mask) : input;
}

function redacted(input: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) if (!PREVIEW_REDACTED_FIELDS.includes(k)) out[k] = v;
  return out;
}

/**
 * One line per leaf value: `claim.evidence[0]` → `"E-1"`; what the operator reads before confirming.
 * Invisible and direction-changing characters are shown escaped, never rendered (the statement keeps
 * them exactly: it is what the digest is over).
 */
function flatten(value: unknown, path: string, out: { path: string; value: string }[]): void {
  if (Array.isArray(value)) {
    if (value.length === 0) out.push({ path, value: '(none)' });
    value.forEach((v, i) => flatten(v, `${path}[${i}]`, out));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      flatten(v, path ? `${path}.${k}` : k, out);
  } else out.push({ path, value: escapeForDisplay(canonicalJson(value ?? null)) });
}

type Derive = (station: Station, input: Readonly<Record<string, unknown>>) => unknown;

/** A redirect's input as its act reads it (already parsed by the act's schema). */
const redirectInput = (i: Readonly<Record<string, unknown>>) => ({
  incidentId: String(i.incidentId),
  evaluationSeq: Number(i.evaluationSeq),
  toLane: String(i.toLane),
  reason: String(i.reason),
  restrictedNote: typeof i.restrictedNote === 'string' ? i.restrictedNote : undefined,
});

/** Per act, what the station derives at the act from the input and the records it holds (read-only). */
const DERIVED: Partial<Record<ConfirmedMethod, Derive>> = {
  packetRecordVersion: (station, i) => versionPreviewFacts(station, String(i.packetId)),
  packetHandoff: (station, i) =>
    handoffPreviewFacts(station, String(i.packetId), typeof i.version === 'number' ? i.version : undefined),
  authorityRedirect: (station, i) => redirectPreviewFacts(station, redirectInput(i)),
  authorityRedirectWithToken: (station, i) => redirectPreviewFacts(station, redirectInput(i)),
  trustRegister: async (station, i) => {
    const r = await inspectRegistration(station, { path: String(i.path) });
    return { holder: r.holder, organisation: r.organisation, kind: r.bundleKind, fingerprint: r.fingerprint };
  },
};

/**
 * The preview of `method` with `input` (the act's input as it would run: actor filled in, PIN left
 * out), against the journal head now. Refuses an input the act itself would refuse, naming the field.
 */
export async function composeActPreview(
  station: Station,
  method: ConfirmedMethod,
  input: Readonly<Record<string, unknown>>,
): Promise<ActPreview> {
  const parsed = previewSchema(method).safeParse(redacted(input));
  if (!parsed.success) {
    const { field, message } = firstIssue(parsed.error, 'input');
    throw stationError('INVALID_INPUT', `${field}: ${message}`, { field, method });
  }
  const fields = redacted(parsed.data as Record<string, unknown>);
  const { actor, ...rest } = fields;
  const head = station.journal.head();
  const basedOn = { seq: head.seq, hash: head.seq === 0 ? null : toHex(head.hash) };
  const spec = CONFIRMED_ACTS[method];
  const typeToConfirm = spec.typeToConfirm(fields);
  // What the station will derive and record beside the input (a version's digest and gate, the
  // reviewers a handoff binds, the holder a registration names): shown and digested too.
  const derive = DERIVED[method];
  const derived = derive ? await derive(station, rest) : null;
  const statement = canonicalJson({
    statement: ACT_PREVIEW_STATEMENT,
    act: method,
    actor,
    input: rest,
    ...(derived ? { derived } : {}),
    basedOn,
    typeToConfirm,
  });
  const digest = station.deps.sha256(new TextEncoder().encode(statement));
  const lines: { path: string; value: string }[] = [];
  flatten(rest, '', lines);
  if (derived) flatten(derived, 'station derives', lines);
  return {
    method,
    title: spec.title,
    actor: String(actor),
    fields: lines,
    basedOn,
    statement,
    digest: toHex(digest),
    words: digestWords(digest),
    typeToConfirm,
    nextSeq: head.seq + 1,
  };
}

/**
 * Refuses a confirmed act unless it carries the digest of its preview composed now (PREVIEW_REQUIRED,
 * PREVIEW_STALE) and, for a destructive act, the typed value (CONFIRM_TYPED_MISMATCH).
 */
export async function checkActConfirmation(
  station: Station,
  method: ConfirmedMethod,
  input: Readonly<Record<string, unknown>>,
  confirm: Confirmation | undefined,
): Promise<ActPreview> {
  if (!confirm)
    throw stationError(
      'PREVIEW_REQUIRED',
      `${CONFIRMED_ACTS[method].title}: the act runs only after its preview has been shown and confirmed`,
      { field: 'confirm', method },
    );
  const now = await composeActPreview(station, method, input);
  if (now.digest !== confirm.digest)
    throw stationError(
      'PREVIEW_STALE',
      `${now.title}: what would be recorded is not what the preview showed (preview ${confirm.digest.slice(0, 12)}…, now ${now.digest.slice(0, 12)}… against journal seq ${now.basedOn.seq}) — a field, the signed-in person or the journal changed`,
      { field: 'confirm', method, basedOnSeq: now.basedOn.seq },
    );
  if (now.typeToConfirm && (confirm.typed ?? '').trim() !== now.typeToConfirm.value)
    throw stationError(
      'CONFIRM_TYPED_MISMATCH',
      `${now.title}: type the ${now.typeToConfirm.label} "${now.typeToConfirm.value}" exactly to confirm`,
      { field: 'confirm.typed', method },
    );
  return now;
}

/** The dispatcher's confirmation check for one station (src/main/ipc/dispatcher.ts `ConfirmCheck`). */
export const confirmFor =
  (station: Station) =>
  async (
    method: ConfirmedMethod,
    input: Readonly<Record<string, unknown>>,
    confirm: Confirmation | undefined,
  ) => {
    const { basedOn } = await checkActConfirmation(station, method, input, confirm);
    // The act's first record lands right after the head the operator confirmed, or not at all.
    return <T>(run: () => T): T => Station.onHead(basedOn, run);
  };

/**
 * The preview of an act as the console's dispatcher would run it: under its signed-in operator (the
 * window never names the actor; a session that cannot act refuses the preview as it would the act).
 */
export function previewForConsole(
  station: Station,
  operator: { actor(): string },
  request: { method: ConfirmedMethod; input: Readonly<Record<string, unknown>> },
): Promise<ActPreview> {
  if (Object.hasOwn(request.input, 'actor'))
    throw stationError(
      'OPERATOR_ACTOR_MISMATCH',
      `${request.method}: the window may not name the actor; the act is recorded under the signed-in operator`,
      { field: 'input.actor', method: request.method },
    );
  return composeActPreview(station, request.method, { ...request.input, actor: operator.actor() });
}
