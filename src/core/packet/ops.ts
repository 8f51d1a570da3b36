import { z } from 'zod';
import { coreError } from '../errors';
import { subjectKey } from '../schema';
import { annotationSchema, claimSchema, evidenceSchema, reviewerSchema, type PacketContent } from './model';

/**
 * Every change to a packet draft is one op, journaled as it is (`packet.edited`), and applied here. The
 * evidence index is append-only: evidence is added, never edited or removed (a correction is new
 * evidence plus a note). Claims, scope and routing are set by id. A station finding is never set here:
 * a person only annotates one (note, owner, due date); there is no op that carries a category, a blocking
 * or a waivable flag, so the projection refuses any event that tries (the op schemas are strict).
 */
/**
 * A typed exception as stations recorded them before the register was derived (kept only so old journals
 * stay readable: the journal never changes a kind's shape). No service, channel or command writes it, and
 * the journal refuses to record it again (LEGACY_WRITE_REFUSED in core/journal/events.ts); replaying it
 * changes nothing, because the register is the evaluation's findings.
 */
export const legacyExceptionOpSchema = z.strictObject({
  op: z.literal('set-exception'),
  exception: z.strictObject({
    exceptionId: z.string().min(1).max(48),
    kind: z.string().min(1).max(40),
    title: z.string().max(300),
    owner: z.string().max(80),
    dueAt: z.string().max(40),
    status: z.string().max(20),
    blocking: z.boolean(),
    claims: z.array(z.string().max(48)).max(50),
    evidence: z.array(z.string().max(48)).max(50),
    resolution: z.string().max(1000).nullable(),
  }),
});

/** The ops a packet edit may carry now (the IPC and CLI boundary): every op but the legacy one. */
export const packetOpSchema = z.discriminatedUnion('op', [
  z.strictObject({
    op: z.literal('set-scope'),
    covers: z.string().trim().max(2000),
    boundary: z.string().trim().max(2000),
  }),
  z.strictObject({ op: z.literal('add-evidence'), evidence: evidenceSchema }),
  z.strictObject({ op: z.literal('set-claim'), claim: claimSchema }),
  z.strictObject({ op: z.literal('annotate-finding'), annotation: annotationSchema }),
  z.strictObject({ op: z.literal('set-reviewers'), reviewers: z.array(reviewerSchema).max(20) }),
  z.strictObject({
    op: z.literal('set-subject'),
    key: subjectKey,
    value: z.string().max(500),
  }),
]);
export type PacketOp = z.infer<typeof packetOpSchema>;

/** What a `packet.edited` journal body may hold: today's ops, and the legacy op old journals carry. */
export const journaledPacketOpSchema = z.union([packetOpSchema, legacyExceptionOpSchema]);
export type JournaledPacketOp = z.infer<typeof journaledPacketOpSchema>;

/** Packet kinds whose register, claims and outcome are derived from the findings engine. */
/**
 * Kinds whose premise is an incident (compromise authority): evidence indicating a compromise is the
 * incident itself, not a sign that routine work must stop — PKT-STOP does not apply and such evidence
 * does not stop the packet. Every other kind stops on it.
 */
export const INCIDENT_KINDS: ReadonlySet<PacketContent['kind']> = new Set(['compromise-authority']);

export const DERIVED_KINDS: ReadonlySet<PacketContent['kind']> = new Set([
  'rotation-deferral',
  'compromise-authority',
  'activation-gate',
]);

const upsert = <T>(list: readonly T[], item: T, same: (x: T) => boolean): T[] =>
  list.some(same) ? list.map((x) => (same(x) ? item : x)) : [...list, item];

function knownEvidence(content: PacketContent, ids: readonly string[], field: string): void {
  const known = new Set(content.evidence.map((e) => e.evidenceId));
  const missing = ids.filter((id) => !known.has(id));
  if (missing.length > 0)
    throw coreError(
      'PACKET_EVIDENCE_UNKNOWN',
      `${field} cites evidence ${missing.join(', ')}, which is not in the evidence index: import it first`,
      { field },
    );
}

/** The draft after one op, or a coded error naming the field; the input is never changed. */
export function applyOp(content: PacketContent, op: PacketOp): PacketContent {
  switch (op.op) {
    case 'set-scope':
      return { ...content, scope: { covers: op.covers, boundary: op.boundary } };
    case 'add-evidence': {
      if (content.evidence.some((e) => e.evidenceId === op.evidence.evidenceId))
        throw coreError(
          'PACKET_ITEM_EXISTS',
          `evidence ${op.evidence.evidenceId} is already in the index; evidence is never replaced — add it under a new id`,
          { field: 'evidence.evidenceId' },
        );
      return { ...content, evidence: [...content.evidence, op.evidence] };
    }
    case 'set-claim': {
      const c = op.claim;
      knownEvidence(content, c.evidence, 'claim.evidence');
      // On a derived packet the status comes from the claim's checks; nobody types it (PKT-CLAIM-DERIVED).
      if (DERIVED_KINDS.has(content.kind) && c.status !== undefined)
        throw coreError(
          'PACKET_CLAIM_DERIVED',
          `claim ${c.claimId}: a ${content.kind} claim's status is computed from its checks' findings; bind it to check IDs instead of typing "${c.status}"`,
          { field: 'claim.status' },
        );
      if (c.status === 'supported' && c.evidence.length === 0)
        throw coreError(
          'PACKET_CLAIM_UNSUPPORTED',
          `claim ${c.claimId} cannot be marked supported without evidence: link at least one evidence item`,
          { field: 'claim.evidence' },
        );
      return { ...content, claims: upsert(content.claims, c, (x) => x.claimId === c.claimId) };
    }
    case 'annotate-finding': {
      const a = op.annotation;
      if (a.note === null && a.owner === null && a.dueAt === null)
        throw coreError('INVALID_INPUT', 'an annotation needs a note, an owner or a due date', {
          field: 'annotation',
        });
      return { ...content, annotations: [...content.annotations, a] };
    }
    case 'set-reviewers':
      return { ...content, routing: { ...content.routing, reviewers: op.reviewers } };
    case 'set-subject':
      return { ...content, subject: { ...content.subject, [op.key]: op.value } };
  }
}
