import type { Claim, Reviewer } from '../../../core/packet/model';
import { findingKey, findingName } from '../../../core/packet/derived';
import { stationError } from '../../errors';
import { derivedPacket } from './derived';
import type { View } from '../../../shared/contract';
import type { Station } from '../../station/station';
import {
  addAttestation,
  editPacket,
  importEvidenceFile,
  packetDraft,
  recordVersion,
  type EditResult,
} from './packets';
import { packetVersionView } from './views';

/**
 * The packet edits the UI and the CLI make, each named for what it does (`packetSetClaim` ↔ `station
 * packet claim` ↔ setPacketClaim) and answering with the same receipt: the journal seq the edit was
 * recorded at, and the stop it raised, if any (src/shared/contract/packets.ts).
 */

const receipt = ({ seq, stopped }: EditResult) => ({ seq, stopped });

export function setPacketClaim(
  station: Station,
  input: { packetId: string; claim: Claim; actor: string },
): View<'packetSetClaim'> {
  return receipt(editPacket(station, input.packetId, { op: 'set-claim', claim: input.claim }, input.actor));
}

/**
 * A note, an owner or a due date on one open finding of the packet's latest evaluation, journaled under
 * the actor. It never changes the finding: category, blocking and waivable stay what the rules and policy
 * say; a finding closes only when a later evaluation no longer finds it.
 */
export function annotatePacketFinding(
  station: Station,
  input: {
    packetId: string;
    checkId: string;
    subject: string;
    note?: string | null | undefined;
    owner?: string | null | undefined;
    dueAt?: string | null | undefined;
    actor: string;
  },
): View<'packetAnnotate'> {
  const d = derivedPacket(station, packetDraft(station, input.packetId));
  if (!d)
    throw stationError('INVALID_INPUT', `${input.packetId} has no derived findings to annotate`, {
      field: 'packetId',
    });
  const key = { checkId: input.checkId, subject: input.subject };
  if (!d.findings.some((f) => findingKey(f) === findingKey(key)))
    throw stationError(
      'INVALID_INPUT',
      `the latest evaluation of ${d.subject} has no open finding ${findingName(key)}${d.evaluation ? '' : ' (not evaluated yet)'}`,
      { field: 'checkId' },
    );
  const annotation = {
    ...key,
    note: input.note ?? null,
    owner: input.owner ?? null,
    dueAt: input.dueAt ?? null,
  };
  return receipt(editPacket(station, input.packetId, { op: 'annotate-finding', annotation }, input.actor));
}

export function setPacketReviewers(
  station: Station,
  input: { packetId: string; reviewers: readonly Reviewer[]; actor: string },
): View<'packetSetReviewers'> {
  const op = { op: 'set-reviewers', reviewers: input.reviewers };
  return receipt(editPacket(station, input.packetId, op, input.actor));
}

/** A file from media added to the evidence index: the receipt, the evidence as indexed, what was read. */
export async function importPacketEvidence(
  station: Station,
  input: Parameters<typeof importEvidenceFile>[1],
): Promise<View<'packetImportEvidence'>> {
  const r = await importEvidenceFile(station, input);
  return { ...receipt(r), evidence: r.evidence, summary: r.summary };
}

/** A typed-in attestation by a named person added to the evidence index. */
export function attestPacketEvidence(
  station: Station,
  input: Parameters<typeof addAttestation>[1],
): View<'packetAttest'> {
  const r = addAttestation(station, input);
  return { ...receipt(r), evidence: r.evidence };
}

/** Freezes the draft as the next version and lists it as the packet view does. */
export function recordPacketVersion(
  station: Station,
  input: { packetId: string; actor: string },
): View<'packetRecordVersion'> {
  return packetVersionView(recordVersion(station, input.packetId, input.actor));
}
