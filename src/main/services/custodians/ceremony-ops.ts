import { createHash } from 'node:crypto';
import { algorithmForTokenKey } from '../../../core/crypto/algorithms';
import { parseKeySpec } from '../../../core/hsm/key-spec';
import type { SignAlgorithm } from '../../adapters/hsm/module';
import { stationError } from '../../errors';
import { keyEvidence, keyView } from '../devices/queries';
import { findSplit } from './splits';
import { withActivatedToken } from './shares';
import type { Station } from '../../station/station';
import type { QuorumOperation } from '../../../core/custody/operation';

/**
 * Private-key operations on a share-activated (ceremony) token. Each is bound to one quorum session by
 * an operation (src/core/custody/operation.ts) naming exactly what will happen, so a quorum for one act
 * cannot authorise another.
 */

type Shares = readonly { text: string; enteredBy?: string }[];

export async function ceremonyKeygen(
  station: Station,
  opts: { splitId: string; shares: Shares; quorumSessionId: string; key: unknown; actor: string },
) {
  const spec = parseKeySpec(opts.key);
  const split = findSplit(station, opts.splitId);
  const operation: QuorumOperation = {
    kind: 'ceremony-keygen',
    tokenSerial: split.tokenSerial,
    label: spec.label,
    algorithm: spec.algorithm,
  };
  return withActivatedToken(station, { ...opts, operation }, async (session) => {
    const key = await session.generateKeyPair(spec);
    // The pair exists from here: a key the journal cannot record spends the quorum (KEY_UNRECORDED).
    if (!key.spki)
      throw stationError(
        'KEY_UNRECORDED',
        `the new key "${key.label}" (CKA_ID ${key.id}) was made on token ${split.tokenSerial} but its public key was not returned`,
        { serial: split.tokenSerial, id: key.id, label: key.label, destroyed: false },
      );
    return {
      result: keyView(key),
      events: [
        {
          kind: 'hsm.key-generated',
          actor: opts.actor,
          body: {
            moduleId: split.moduleId,
            tokenSerial: split.tokenSerial,
            key: keyEvidence(key),
            spki: key.spki.toString('base64'),
          },
        },
      ],
    };
  });
}

export async function ceremonySign(
  station: Station,
  opts: {
    splitId: string;
    shares: Shares;
    quorumSessionId: string;
    keyId: string;
    data: Buffer;
    actor: string;
  },
): Promise<{ signature: Buffer; algorithm: SignAlgorithm; dataSha256: string }> {
  const split = findSplit(station, opts.splitId);
  const dataSha256 = createHash('sha256').update(opts.data).digest('hex');
  const operation: QuorumOperation = {
    kind: 'ceremony-sign',
    tokenSerial: split.tokenSerial,
    keyId: opts.keyId,
    dataSha256,
  };
  return withActivatedToken(station, { ...opts, operation }, async (session) => {
    const key = session.key(opts.keyId);
    const row = algorithmForTokenKey(key.keyType, key.size);
    if (!row)
      throw stationError('MECHANISM_UNSUPPORTED', `cannot sign with a ${key.keyType} ${key.size} key`, {
        field: 'keyId',
      });
    const algorithm: SignAlgorithm = row.token;
    const signature = session.sign(opts.keyId, algorithm, opts.data, (alg, d) =>
      createHash(alg).update(d).digest(),
    );
    return {
      result: { signature, algorithm, dataSha256 },
      events: [
        {
          kind: 'hsm.signed',
          actor: opts.actor,
          body: {
            moduleId: split.moduleId,
            tokenSerial: split.tokenSerial,
            keyId: opts.keyId,
            algorithm,
            dataSha256,
            signature: signature.toString('base64'),
          },
        },
      ],
    };
  });
}
