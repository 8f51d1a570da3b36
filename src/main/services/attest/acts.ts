import type { View } from '../../../shared/contract';
import type { Station } from '../../station/station';
import { withSessionSigner } from '../bundles';
import { assertNotShareActivated } from '../custodians/queries';
import { decideAttestation, evaluateAttestation } from './attest';

/** Evaluates the attestation workflow (one `evaluation.recorded` entry) and answers with its view. */
export function recordEvaluation(
  station: Station,
  input: { subject: string; asOf?: string | undefined; actor: string },
): View<'attestEvaluate'> {
  return evaluateAttestation(station, input);
}

/**
 * The owner's decision signed on the owner's own token plugged into the station: one login to that
 * token (never a share-activated ceremony token), the station verifying the signature against the trust
 * store before it records anything (decideAttestation, refused on a STALE evaluation).
 */
export function decideAttestationWithToken(
  station: Station,
  input: {
    subject: string;
    moduleId: string;
    serial: string;
    keyId: string;
    pin: string;
    decision: 'approve' | 'remediate' | 'escalate';
    comment: string;
    decidedBy: string;
    actor: string;
  },
): Promise<View<'attestDecideWithToken'>> {
  const { moduleId, serial, keyId, pin, ...decision } = input;
  assertNotShareActivated(station, serial);
  return withSessionSigner(station.hsm.module(moduleId), { serial, keyId, pin }, (signer) =>
    decideAttestation(station, { ...decision, signer }),
  );
}
