import type { View } from '../../../shared/contract';
import type { Station } from '../../station/station';
import { decisions, evaluations } from './attest';

/**
 * What the UI shows of a custody attestation, built here so `station attest status` prints the same
 * facts (src/shared/contract/attest.ts): the latest evaluation as recorded, and the owner's decisions.
 */
export function attestationStatus(station: Station, input: { packetId: string }): View<'attestStatus'> {
  return {
    latest: evaluations(station, input.packetId).at(-1) ?? null,
    decisions: decisions(station, input.packetId),
  };
}
