import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LaneView } from '../../../core/authority/model';
import type { DeepReadonly } from '../../../shared/contract';
import { STATEMENT_TYPE } from '../../../core/bundle/statement';
import { canonicalBytes } from '../../../core/canonical';
import { authorityMatrixSchema, type AuthorityMatrix } from '../../../core/findings/policy/authority-matrix';
import { assertActor, journalTime, type EventBody } from '../../../core/journal/events';
import { textSchema } from '../../../core/names';
import { parseOrThrow } from '../../../core/validate';
import { RESTRICTED_NOTE_MAX, type View } from '../../../shared/contract';
import { keepObject } from '../../adapters/fs/staging';
import { journalEvents, parseEventBody } from '../../adapters/store/repos/events';
import { stationError } from '../../errors';
import type { Station } from '../../station/station';
import {
  loadKeyFile,
  matchSigner,
  parseEnvelope,
  signEnvelope,
  softwareSigner,
  trustAnchors,
  withSessionSigner,
  type ReviewerSigner,
  type TrustAnchor,
} from '../bundles';
import { assertNotShareActivated } from '../custodians/queries';
import { computeEvaluation, evaluationStatus } from '../findings';
import { policyAt, sha256hex } from '../records/queries';

/**
 * Redirects of a compromise-authority recommendation (workflow 002, docs/journal-format.md "Authority
 * redirects"): a person holding one of the matrix's redirect roles sends the case to another lane than
 * the one the station computed, with reasons. The act is a DSSE statement signed with the person's own
 * key (a key file or their token; the station never signs it) that binds one FRESH evaluation — its seq,
 * instant and digests — the lane the station computed and the target lane's computed status. A blocked
 * or not-required target is never refused: the station never overrules a person, it records what it
 * computed beside what they decided. The reason is for a broad audience; the restricted note is kept in
 * the object store, content-addressed, and only its SHA-256 enters the statement and the journal.
 */
export const WORKFLOW = 'compromise-authority';
export const REDIRECT_PREDICATE = 'https://ceremony-station.example/predicate/authority-redirect/v1';
const MATRIX_POLICY = 'authority-matrix';

type RedirectBody = EventBody<'authority.redirect-recorded'>;
export type RedirectView = View<'authorityRedirects'>['redirects'][number];

export interface RedirectRequest {
  readonly incidentId: string;
  /** The journal seq of the compromise-authority evaluation the person redirects. */
  readonly evaluationSeq: number;
  readonly toLane: string;
  /** Plain words for a broad audience (≤ 2000 characters). */
  readonly reason: string;
  /** Detail for the approved channel only: kept content-addressed, never journaled. */
  readonly restrictedNote?: string | undefined;
  readonly actor: string;
}

/** What the station computed for a FRESH evaluation and a target lane: read-only, what a preview shows. */
export interface RedirectFacts {
  readonly evaluation: EventBody<'evaluation.recorded'> & { seq: number };
  readonly matrix: AuthorityMatrix;
  readonly computedLane: string | null;
  readonly target: DeepReadonly<LaneView>;
  readonly reason: string;
  readonly restrictedNote: string | null;
  readonly restrictedNoteSha256: string | null;
}

/** The compromise-authority evaluations recorded for an incident, oldest first. */
function recordedEvaluations(station: Station, incidentId: string) {
  return journalEvents(station.store.db, ['evaluation.recorded']).filter(
    (e) => e.body.workflow === WORKFLOW && e.body.subject === incidentId,
  );
}

/**
 * Checks everything a redirect needs that does not need the signer — the evaluation is one of this
 * incident's compromise-authority evaluations, FRESH and the latest; the lane is the matrix's; the reason
 * and note are plain text — and answers with what the station computed. Throws a coded error naming the
 * field; reads only.
 */
export function redirectFacts(station: Station, input: Omit<RedirectRequest, 'actor'>): RedirectFacts {
  const reason = parseOrThrow(
    textSchema(2000).trim().min(1, 'say why, in plain words'),
    input.reason,
    'reason',
  );
  const note =
    input.restrictedNote === undefined || input.restrictedNote.trim() === ''
      ? null
      : parseOrThrow(textSchema(RESTRICTED_NOTE_MAX), input.restrictedNote, 'restrictedNote');
  const seq = input.evaluationSeq;
  const row = station.journal.get(seq);
  const recorded =
    row?.kind === 'evaluation.recorded' ? parseEventBody('evaluation.recorded', row.body, seq) : null;
  if (recorded?.workflow !== WORKFLOW || recorded.subject !== input.incidentId)
    throw stationError(
      'EVALUATION_NOT_FOUND',
      `journal seq ${seq} is not a compromise-authority evaluation of ${input.incidentId}: evaluate first (station evaluate ${WORKFLOW} ${input.incidentId})`,
      { field: 'evaluationSeq', seq },
    );
  const status = evaluationStatus(station, { seq });
  if (status.status === 'STALE')
    throw stationError(
      'EVALUATION_STALE',
      `evaluation ${seq} of ${input.incidentId} is STALE (${status.sentence}): evaluate again and redirect on the new one`,
      { field: 'evaluationSeq', seq },
    );
  const latest = recordedEvaluations(station, input.incidentId).at(-1);
  if (latest && latest.seq !== seq)
    throw stationError(
      'EVALUATION_STALE',
      `evaluation ${seq} of ${input.incidentId} is superseded by evaluation ${latest.seq}: redirect on the latest`,
      { field: 'evaluationSeq', seq, latest: latest.seq },
    );
  const matrix = authorityMatrixSchema.parse(policyAt(station, MATRIX_POLICY, recorded.asOf).content);
  if (!matrix.lanes.some((l) => l.laneId === input.toLane))
    throw stationError(
      'AUTHORITY_LANE_UNKNOWN',
      `${input.toLane} is not a lane of the authority matrix in force (${matrix.lanes.map((l) => l.laneId).join(', ')})`,
      { field: 'toLane' },
    );
  // FRESH: the records and policy it read are unchanged, so its lanes recompute from what is held now.
  const e = computeEvaluation(station, {
    workflow: WORKFLOW,
    subject: input.incidentId,
    asOf: recorded.asOf,
  });
  if (e.findingsDigest !== recorded.findingsDigest || !e.authority)
    throw stationError(
      'EVALUATION_STALE',
      `evaluation ${seq} of ${input.incidentId} no longer reproduces (its findings digest differently now): evaluate again`,
      { field: 'evaluationSeq', seq },
    );
  const target = e.authority.lanes.find((l) => l.laneId === input.toLane);
  if (!target)
    throw stationError('INTERNAL', `evaluation ${seq} computed no status for lane ${input.toLane}`, {});
  return {
    evaluation: { ...recorded, seq },
    matrix,
    computedLane: e.authority.recommended,
    target,
    reason,
    restrictedNote: note,
    restrictedNoteSha256: note === null ? null : sha256hex(Buffer.from(note, 'utf8')),
  };
}

/** What a redirect's preview shows beside its input: what the station computed, and the note's digest. */
export function redirectPreviewFacts(station: Station, input: Omit<RedirectRequest, 'actor'>) {
  const f = redirectFacts(station, input);
  return {
    evaluation: {
      seq: f.evaluation.seq,
      asOf: f.evaluation.asOf,
      status: 'FRESH',
      outcome: f.evaluation.outcome,
    },
    computedLane: f.computedLane,
    targetComputedStatus: f.target.status,
    restrictedNoteSha256: f.restrictedNoteSha256,
  };
}

/**
 * The trust entry that may sign a redirect now with this key: registered, valid, not revoked, holding
 * one of the matrix's redirect roles (APPROVAL_SIGNER_UNKNOWN, APPROVAL_SIGNER_NOT_VALID,
 * APPROVAL_ROLE_NOT_HELD — field `key`). Checked before the key signs anything.
 */
function redirector(
  anchors: readonly TrustAnchor[],
  fingerprint: string,
  roles: readonly string[],
  now: string,
): { anchor: TrustAnchor; role: string } {
  const mine = anchors.filter((a) => a.info.fingerprint === fingerprint);
  const first = mine[0];
  if (!first)
    throw stationError(
      'APPROVAL_SIGNER_UNKNOWN',
      `the key ${fingerprint.slice(0, 16)}… is not in the trust store: register it first`,
      { field: 'key' },
    );
  const valid = mine.filter(
    (a) => (a.revokedAt === null || a.revokedAt > now) && now >= a.validFrom && now < a.validUntil,
  );
  if (valid.length === 0)
    throw stationError(
      'APPROVAL_SIGNER_NOT_VALID',
      first.revokedAt !== null && first.revokedAt <= now
        ? `the key of ${first.name} was revoked at ${first.revokedAt}`
        : `the key of ${first.name} is valid ${first.validFrom} → ${first.validUntil}`,
      { field: 'key' },
    );
  for (const anchor of valid) {
    const role = roles.find((r) => anchor.roles.includes(r));
    if (role) return { anchor, role };
  }
  throw stationError(
    'APPROVAL_ROLE_NOT_HELD',
    `${valid[0]?.name ?? first.name} holds none of the matrix's redirect roles (${roles.join(', ')}) in the trust store`,
    { field: 'key' },
  );
}

const viewOf = (seq: number, at: string, actor: string, body: RedirectBody): RedirectView => {
  const { envelope: _envelope, ...rest } = body;
  return { ...rest, seq, at, actor };
};

/** Keeps the restricted note in the object store under its SHA-256 (never in the journal). */
function keepNote(station: Station, note: string, sha: string): void {
  const dir = join(station.dataDir, 'staging');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = join(dir, `restricted-note-${sha}`);
  try {
    writeFileSync(tmp, note, { encoding: 'utf8', mode: 0o600 });
    keepObject(station, sha, tmp);
  } finally {
    rmSync(tmp, { force: true });
  }
}

/**
 * CMP-REDIRECT — records a person's redirect of an evaluation to a lane, signed with their own key
 * (`signer`: a key file or their token). Refused, with nothing written, on an evaluation that is not
 * this incident's compromise-authority evaluation (EVALUATION_NOT_FOUND), that is STALE or superseded
 * (EVALUATION_STALE), on a lane the matrix lacks (AUTHORITY_LANE_UNKNOWN), an empty reason
 * (INVALID_INPUT), or a signer without a redirect role (APPROVAL_ROLE_NOT_HELD). Never refused for the
 * target's computed status.
 */
export async function recordRedirect(
  station: Station,
  input: RedirectRequest & { signer: ReviewerSigner },
): Promise<RedirectView> {
  assertActor(input.actor);
  station.assertWritable();
  const f = redirectFacts(station, input);
  const signedAt = journalTime(station.deps.clock());
  const anchors = trustAnchors(station, { includeSelf: false });
  const { anchor, role } = redirector(
    anchors,
    input.signer.info.fingerprint,
    f.matrix.redirectRoles,
    signedAt,
  );
  const r = f.evaluation;
  const bound = {
    subject: input.incidentId,
    evaluationSeq: r.seq,
    asOf: r.asOf,
    recordsDigest: r.recordsDigest,
    policyDigest: r.policyDigest,
    findingsDigest: r.findingsDigest,
    computedLane: f.computedLane,
    targetComputedStatus: f.target.status,
    toLane: input.toLane,
    reason: f.reason,
    restrictedNoteSha256: f.restrictedNoteSha256,
    redirectedBy: anchor.name,
    role,
  };
  const { seq: _seq, ...evaluation } = r;
  const statement = {
    _type: STATEMENT_TYPE,
    subject: [
      {
        name: `${input.incidentId}@evaluation-${r.seq}`,
        digest: { sha256: sha256hex(canonicalBytes(evaluation)) },
      },
    ],
    predicateType: REDIRECT_PREDICATE,
    predicate: { ...bound, signedAt },
  };
  const envelopeBytes = canonicalBytes(
    await signEnvelope(canonicalBytes(statement), input.signer.info.fingerprint, input.signer.sign),
  );
  const parsed = parseEnvelope(envelopeBytes);
  if (!parsed.ok) throw stationError('APPROVAL_MALFORMED', parsed.message, {});
  const match = matchSigner([anchor], parsed.envelope, parsed.payload);
  if (match === 'unknown' || match === 'invalid')
    throw stationError('APPROVAL_SIGNATURE_INVALID', 'the redirect signature does not verify', {
      field: 'key',
    });
  const body: RedirectBody = {
    ...bound,
    trustId: match.trustId,
    signerFingerprint: match.info.fingerprint,
    envelope: Buffer.from(envelopeBytes).toString('base64'),
  };
  // The note's bytes are kept before the entry that cites its digest (a refused append leaves at most
  // an uncited object, never a journal naming a note that is not there).
  if (f.restrictedNote !== null && f.restrictedNoteSha256 !== null)
    keepNote(station, f.restrictedNote, f.restrictedNoteSha256);
  const appended = station.record([{ kind: 'authority.redirect-recorded', actor: input.actor, body }]);
  return viewOf(appended.lastSeq, signedAt, input.actor, body);
}

/**
 * The redirects recorded for an incident, in journal order: the last is the one in force on screen;
 * every one stays in the lineage, each with the lane the station computed beside it.
 */
export function listRedirects(station: Station, incidentId: string): View<'authorityRedirects'> {
  const redirects = journalEvents(station.store.db, ['authority.redirect-recorded'])
    .filter((e) => e.body.subject === incidentId)
    .map((e) => viewOf(e.seq, e.at, e.actor, e.body));
  return { incidentId, redirects, inForce: redirects.at(-1) ?? null };
}

/** A redirect signed with the person's passphrase-protected reviewer key file (its text, as chosen). */
export function redirectWithKeyFile(
  station: Station,
  input: RedirectRequest & { keyFile: string; passphrase: string },
): Promise<RedirectView> {
  const { keyFile, passphrase, ...request } = input;
  // Refused before the key file is opened: scrypt is not spent on an act that cannot be recorded.
  redirectFacts(station, request);
  return recordRedirect(station, { ...request, signer: softwareSigner(loadKeyFile(keyFile, passphrase)) });
}

/**
 * A redirect signed on the person's own token plugged into the station: one login (never to a
 * share-activated ceremony token), the signature verified against the trust store before anything is
 * recorded.
 */
export function redirectWithToken(
  station: Station,
  input: RedirectRequest & { moduleId: string; serial: string; keyId: string; pin: string },
): Promise<RedirectView> {
  const { moduleId, serial, keyId, pin, ...request } = input;
  assertNotShareActivated(station, serial);
  redirectFacts(station, request);
  return withSessionSigner(station.hsm.module(moduleId), { serial, keyId, pin }, (signer) =>
    recordRedirect(station, { ...request, signer }),
  );
}
