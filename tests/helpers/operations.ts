import { encodeOperation, type QuorumOperation } from '../../src/core/custody/operation';
import type { KeyAlgorithm } from '../../src/core/hsm/key-spec';

/** Quorum operations (src/core/custody/operation.ts) for tests, as the services build them. */
export const keygenOp = (
  tokenSerial: string,
  label: string,
  algorithm: KeyAlgorithm = 'ec-p256',
): QuorumOperation => ({
  kind: 'ceremony-keygen',
  tokenSerial,
  label,
  algorithm,
});

export const signOp = (tokenSerial: string, keyId: string, dataSha256: string): QuorumOperation => ({
  kind: 'ceremony-sign',
  tokenSerial,
  keyId,
  dataSha256,
});

/**
 * An operation for tests of quorum mechanics alone (reaching, refusing, claiming): the clearance of a
 * stop on a packet that does not exist, so no act can ever use it by accident.
 */
export const testOp = (name: string): QuorumOperation => ({
  kind: 'packet-stop-clear',
  packetId: `test-${name}`,
  stopSeq: 1,
});

/** The text form, for the CLI and journal bodies. */
export const opText = (op: QuorumOperation | string): string =>
  typeof op === 'string' ? op : encodeOperation(op);
