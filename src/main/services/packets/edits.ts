import type { Claim, PacketException, Reviewer } from '../../../core/packet/model';
import type { View } from '../../../shared/contract';
import type { Station } from '../../station/station';
import { addAttestation, editPacket, importEvidenceFile, recordVersion, type EditResult } from './packets';
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

export function setPacketException(
  station: Station,
  input: { packetId: string; exception: PacketException; actor: string },
): View<'packetSetException'> {
  const op = { op: 'set-exception', exception: input.exception };
  return receipt(editPacket(station, input.packetId, op, input.actor));
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
