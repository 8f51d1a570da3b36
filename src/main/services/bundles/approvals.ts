import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import {
  approvalStatus,
  evaluateApproval,
  type AcceptedApproval,
  type ApprovalStatus,
  type IssuedVersion,
} from '../../../core/bundle/approval';
import { INTOTO_PAYLOAD_TYPE } from '../../../core/bundle/dsse';
import {
  approvalStatementSchema,
  approvalSubjectName,
  type ApprovalPredicate,
  type Decision,
} from '../../../core/bundle/statement';
import { CodedError } from '../../../core/errors';
import { assertActor, journalTime } from '../../../core/journal/events';
import { digestWords } from '../../../core/words';
import type { ErrorCode } from '../../../shared/errors';
import { stationError } from '../../errors';
import { matchSigner } from './verify';
import { trustAnchors } from './bundles';
import { stageCopy } from '../../adapters/fs/staging';
import { approvalRefusalRows, approvalRows, issuedRows } from '../../adapters/store/repos/bundles';
import { parseEnvelope } from './dsse';
import { readFileSync, rmSync } from 'node:fs';
import type { Station } from '../../station/station';

/**
 * Reviewer approvals arriving on media: a DSSE envelope over an in-toto statement whose predicate
 * names one exact packet version. Accepted only after the signature verifies with a trust-store key
 * and every APR-* check in src/core/bundle/approval.ts passes; a refusal is journaled with its code.
 */
const MAX_APPROVAL_BYTES = 64 * 1024;

export interface IssuedView extends IssuedVersion {
  readonly bundleKind: string;
  readonly title: string;
  readonly words: readonly string[];
  readonly fileName: string;
  readonly at: string;
  readonly current: boolean;
  readonly status: ApprovalStatus;
}

function issuedVersions(
  station: Station,
): (IssuedVersion & { bundleKind: string; title: string; fileName: string; at: string })[] {
  return issuedRows(station.store.db);
}

function acceptedApprovals(station: Station): AcceptedApproval[] {
  return approvalRows(station.store.db);
}

/** Every issued packet version with its approvals and the roles still missing. */
export function issuedPackets(station: Station): IssuedView[] {
  const now = journalTime(station.deps.clock());
  const issued = issuedVersions(station);
  const accepted = acceptedApprovals(station);
  const latest = new Map<string, number>();
  for (const v of issued) latest.set(v.packetId, Math.max(latest.get(v.packetId) ?? 0, v.version));
  return issued
    .map((v) => ({
      ...v,
      words: digestWords(Buffer.from(v.digest, 'hex')),
      current: latest.get(v.packetId) === v.version,
      status: approvalStatus(v, accepted, now),
    }))
    .reverse();
}

export function approvalRefusals(station: Station): {
  seq: number;
  code: string;
  check: string | null;
  packetId: string | null;
  detail: string;
  at: string;
}[] {
  return approvalRefusalRows(station.store.db, 200);
}

export interface AcceptedView {
  readonly seq: number;
  readonly packetId: string;
  readonly packetVersion: number;
  readonly role: string;
  readonly decision: Decision;
  readonly reviewer: string;
  readonly status: ApprovalStatus;
}

type ApprovalCode = ErrorCode & `APPROVAL_${string}`;

/** Journals one refusal (`approval.refused`, with its code and check ID) and throws it. */
function refuseApproval(
  station: Station,
  actor: string,
  r: {
    code: ApprovalCode;
    check: string;
    detail: string;
    packetId: string | null;
    signerFingerprint: string | null;
    envelopeSha256: string | null;
  },
): never {
  const { code, check, packetId, signerFingerprint, envelopeSha256 } = r;
  const detail = r.detail.slice(0, 1000);
  station.record([
    {
      kind: 'approval.refused',
      actor,
      body: { code, check, packetId, signerFingerprint, envelopeSha256, detail },
    },
  ]);
  throw stationError(code, detail, { check });
}

/**
 * Reads an approval file from media (via a staged copy), checks it and records the outcome. APR-FILE: the
 * file itself must be a regular file (no link, device, FIFO or directory) of at most 64 KiB that can be
 * read; such a refusal is journaled like every other (its envelope digest is null: nothing was read),
 * also when a link is swapped in after the check. Only a file that is not there at all is a usage slip,
 * not journaled. `opts.beforeOpen` is a test seam (see stageCopy).
 */
export async function importApproval(
  station: Station,
  path: string,
  actor: string,
  opts: { readonly beforeOpen?: () => void } = {},
): Promise<AcceptedView> {
  assertActor(actor);
  station.assertWritable();
  const staged = await stageCopy(station, path, MAX_APPROVAL_BYTES, opts).catch((e: unknown) => {
    if (!(e instanceof CodedError)) throw e;
    const code: ApprovalCode | null =
      e.code === 'BUNDLE_TOO_LARGE'
        ? 'APPROVAL_TOO_LARGE'
        : e.code === 'BUNDLE_SYMLINK' || e.code === 'BUNDLE_SPECIAL_FILE'
          ? 'APPROVAL_NOT_REGULAR_FILE'
          : e.code === 'BUNDLE_UNREADABLE'
            ? 'APPROVAL_UNREADABLE'
            : null;
    if (!code) throw e;
    return refuseApproval(station, actor, {
      code,
      check: 'APR-FILE',
      detail:
        code === 'APPROVAL_TOO_LARGE'
          ? `${basename(path)} is larger than any approval (${MAX_APPROVAL_BYTES} bytes)`
          : code === 'APPROVAL_UNREADABLE'
            ? `${basename(path)} cannot be read: ${e.message}`
            : `${basename(path)} is not a regular file: ${e.message}`,
      packetId: null,
      signerFingerprint: null,
      envelopeSha256: null,
    });
  });
  try {
    const bytes = readFileSync(staged.path);
    return acceptApprovalBytes(station, bytes, actor);
  } finally {
    rmSync(staged.dir, { recursive: true, force: true });
  }
}

export function acceptApprovalBytes(station: Station, bytes: Buffer, actor: string): AcceptedView {
  const envelopeSha256 = createHash('sha256').update(bytes).digest('hex');
  let packetId: string | null = null;
  let signerFingerprint: string | null = null;
  const refuse = (code: ApprovalCode, check: string, detail: string): never =>
    refuseApproval(station, actor, { code, check, detail, packetId, signerFingerprint, envelopeSha256 });
  const parsed = parseEnvelope(bytes);
  if (!parsed.ok) return refuse('APPROVAL_MALFORMED', 'APR-ENVELOPE', parsed.message);
  const { envelope, payload } = parsed;
  if (envelope.payloadType !== INTOTO_PAYLOAD_TYPE)
    refuse('APPROVAL_MALFORMED', 'APR-ENVELOPE', `payloadType is not ${INTOTO_PAYLOAD_TYPE}`);
  // Reviewers only: the station's own identity never approves its own packets.
  const match = matchSigner(trustAnchors(station, { includeSelf: false }), envelope, payload);
  if (match === 'unknown')
    return refuse(
      'APPROVAL_SIGNER_UNKNOWN',
      'APR-SIGNER',
      'the approval is signed by a key that is not in the trust store',
    );
  if (match === 'invalid')
    return refuse(
      'APPROVAL_SIGNATURE_INVALID',
      'APR-SIGNER',
      'the approval signature does not verify with the key it names',
    );
  signerFingerprint = match.info.fingerprint;
  let predicate: ApprovalPredicate;
  try {
    const st = approvalStatementSchema.parse(JSON.parse(payload.toString('utf8')));
    predicate = st.predicate;
    packetId = predicate.packetId;
    const subject = st.subject[0];
    if (
      st.subject.length !== 1 ||
      subject?.name !== approvalSubjectName(predicate.packetId, predicate.packetVersion) ||
      subject.digest.sha256 !== predicate.packetDigest
    )
      throw new Error('the subject does not name the packet version the predicate decides on');
  } catch (e) {
    return refuse(
      'APPROVAL_MALFORMED',
      'APR-STATEMENT',
      `the signed approval statement is not valid: ${(e as Error).message.slice(0, 300)}`,
    );
  }
  const now = journalTime(station.deps.clock());
  const signer = match;
  const evaluate = () =>
    evaluateApproval({
      signer: {
        trustId: signer.trustId,
        name: signer.name,
        kind: signer.entryKind,
        fingerprint: signer.info.fingerprint,
        roles: signer.roles,
        validFrom: signer.validFrom,
        validUntil: signer.validUntil,
        revokedAt: signer.revokedAt,
      },
      approval: predicate,
      issued: issuedVersions(station),
      accepted: acceptedApprovals(station),
      now,
    });
  const refusal = evaluate();
  if (refusal) return refuse(refusal.code, refusal.check, refusal.message);
  // Evaluated again inside the write transaction: the same approval imported at the same moment by
  // another process (or a newer sequence from this key) must not both land (APR-REPLAY).
  const late: { refusal: ReturnType<typeof evaluateApproval> } = { refusal: null };
  let appended;
  try {
    appended = station.record(
      [
        {
          kind: 'approval.accepted',
          actor,
          body: {
            packetId: predicate.packetId,
            packetVersion: predicate.packetVersion,
            packetDigest: predicate.packetDigest,
            role: predicate.role,
            decision: predicate.decision,
            comment: predicate.comment,
            expiresAt: predicate.expiresAt,
            sequence: predicate.sequence,
            reviewer: predicate.reviewer.name,
            trustId: signer.trustId,
            signerFingerprint: signer.info.fingerprint,
            envelopeSha256,
            envelope: bytes.toString('base64'),
          },
        },
      ],
      () => {
        late.refusal = evaluate();
        if (late.refusal) throw stationError(late.refusal.code, late.refusal.message, {});
      },
    );
  } catch (e) {
    if (late.refusal) return refuse(late.refusal.code, late.refusal.check, late.refusal.message);
    throw e;
  }
  const version = issuedPackets(station).find(
    (v) => v.packetId === predicate.packetId && v.version === predicate.packetVersion,
  );
  return {
    seq: appended.lastSeq,
    packetId: predicate.packetId,
    packetVersion: predicate.packetVersion,
    role: predicate.role,
    decision: predicate.decision,
    reviewer: predicate.reviewer.name,
    status: version?.status ?? { approvals: [], satisfiedRoles: [], missingRoles: [], objections: [] },
  };
}
