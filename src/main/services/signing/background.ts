import { createHash } from 'node:crypto';
import { describeOperation, encodeOperation } from '../../../core/custody/operation';
import { gatedSignOperation, manifestSha256 } from '../../../core/signing/batch';
import { openGateForSigning } from '../activation';
import type { Station } from '../../station/station';
import { cancelLive, startLive } from './live';
import {
  cancelSigningRun,
  resumeSigningRun,
  startSigningRun,
  type GateProvider,
  type SignResumeRequest,
  type SignRunRequest,
} from './sign';

/** The UI's side of gated signing: the same acts as the CLI, run in the background of this process. */

/** SIGN-QUORUM: the operation text a quorum session must be opened for, and what it means in words. */
export function signingOperation(
  station: Station,
  { declarationId }: { declarationId: string },
  gate: GateProvider = openGateForSigning,
): { operation: string; description: string } {
  const g = gate(station, declarationId);
  const op = gatedSignOperation(
    g,
    manifestSha256(g.manifest.artifacts, (d) => createHash('sha256').update(d).digest()),
  );
  return { operation: encodeOperation(op), description: describeOperation(op) };
}

export function startSigningInBackground(
  station: Station,
  req: SignRunRequest,
): { declarationId: string; state: 'running' } {
  startLive(req.declarationId, (onProgress, signal) => startSigningRun(station, req, { onProgress, signal }));
  return { declarationId: req.declarationId, state: 'running' };
}

export function resumeSigningInBackground(
  station: Station,
  req: SignResumeRequest,
): { declarationId: string; state: 'running' } {
  startLive(req.declarationId, (onProgress, signal) =>
    resumeSigningRun(station, req, { onProgress, signal }),
  );
  return { declarationId: req.declarationId, state: 'running' };
}

/** Stops the run this process is doing (between chunks), or ends an open run nobody is running. */
export function cancelSigning(
  station: Station,
  req: { declarationId: string; actor: string },
): { cancelled: 'live' | 'recorded' } {
  if (cancelLive(req.declarationId)) return { cancelled: 'live' };
  cancelSigningRun(station, req);
  return { cancelled: 'recorded' };
}
