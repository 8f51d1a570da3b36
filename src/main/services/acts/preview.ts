import type { z } from 'zod';
import { canonicalJson } from '../../../core/canonical';
import { toHex } from '../../../core/bytes';
import { digestWords } from '../../../core/words';
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
import type { Station } from '../../station/station';

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

/** One line per leaf value: `claim.evidence[0]` → `"E-1"`; what the operator reads before confirming. */
function flatten(value: unknown, path: string, out: { path: string; value: string }[]): void {
  if (Array.isArray(value)) {
    if (value.length === 0) out.push({ path, value: '(none)' });
    value.forEach((v, i) => flatten(v, `${path}[${i}]`, out));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      flatten(v, path ? `${path}.${k}` : k, out);
  } else out.push({ path, value: canonicalJson(value ?? null) });
}

/**
 * The preview of `method` with `input` (the act's input as it would run: actor filled in, PIN left
 * out), against the journal head now. Refuses an input the act itself would refuse, naming the field.
 */
export function composeActPreview(
  station: Station,
  method: ConfirmedMethod,
  input: Readonly<Record<string, unknown>>,
): ActPreview {
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
  const statement = canonicalJson({
    statement: ACT_PREVIEW_STATEMENT,
    act: method,
    actor,
    input: rest,
    basedOn,
    typeToConfirm,
  });
  const digest = station.deps.sha256(new TextEncoder().encode(statement));
  const lines: { path: string; value: string }[] = [];
  flatten(rest, '', lines);
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
export function checkActConfirmation(
  station: Station,
  method: ConfirmedMethod,
  input: Readonly<Record<string, unknown>>,
  confirm: Confirmation | undefined,
): void {
  if (!confirm)
    throw stationError(
      'PREVIEW_REQUIRED',
      `${CONFIRMED_ACTS[method].title}: the act runs only after its preview has been shown and confirmed`,
      { field: 'confirm', method },
    );
  const now = composeActPreview(station, method, input);
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
}

/** The dispatcher's confirmation check for one station (src/main/ipc/dispatcher.ts `ConfirmCheck`). */
export const confirmFor =
  (station: Station) =>
  (
    method: ConfirmedMethod,
    input: Readonly<Record<string, unknown>>,
    confirm: Confirmation | undefined,
  ): void =>
    checkActConfirmation(station, method, input, confirm);
