import type { View } from '../../../shared/contract';
import { stationError } from '../../errors';
import type { Station } from '../../station/station';
import { withSessionSigner } from '../bundles';
import { assertNotShareActivated } from '../custodians/queries';
import { decideAttestation, evaluateAttestation, evaluations } from './attest';

/**
 * Evaluates the control library now (evaluateAttestation, one append) and answers with the evaluation
 * as the journal recorded it: what attestStatus shows as the latest.
 */
export function recordEvaluation(
  station: Station,
  input: { packetId: string; actor: string },
): View<'attestEvaluate'> {
  const { seq } = evaluateAttestation(station, input.packetId, input.actor);
  const recorded = evaluations(station, input.packetId).find((e) => e.seq === seq);
  if (!recorded) throw stationError('INTERNAL', 'the evaluation was not recorded', {});
  return recorded;
}

/**
 * The owner's decision signed on the owner's own token plugged into the station: one login to that
 * token (never a share-activated ceremony token), the station verifying the signature against the trust
 * store before it records anything (decideAttestation).
 */
export function decideAttestationWithToken(
  station: Station,
  input: {
    packetId: string;
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
