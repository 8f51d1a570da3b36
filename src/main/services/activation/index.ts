/**
 * PLACEHOLDER on branch h15-sign only: the lead's activation-gate domain (issue #15 Part 1) replaces this
 * file at merge. It carries the interface gated signing depends on (design doc, "Part 2 interface") and a
 * gate that is never OPEN, so nothing can be signed through it.
 */
import { stationError } from '../../errors';
import type { Station } from '../../station/station';

export interface OpenGate {
  declarationId: string;
  packetId: string;
  version: number;
  packetDigest: string;
  approvalSeq: number;
  policyDigest: string;
  ledgerDigest: string;
  manifest: {
    manifestId: string;
    manifestVersion: number;
    artifacts: { artifact: string; sha256: string; sizeBytes: number | null }[];
  };
  signingKey: { tokenSerial: string; keyId: string };
}

/** Throws StationError GATE_NOT_OPEN (naming the state and why) unless the gate is OPEN now. */
export function openGateForSigning(station: Station, declarationId: string): OpenGate {
  void station;
  throw stationError(
    'GATE_NOT_OPEN',
    `the activation gate of ${declarationId} is not OPEN: this station has no activation-gate evaluation`,
    { declarationId, state: 'HOLD' },
  );
}
