import { rosterStatus } from '../../../core/custody/roster';
import { parseKeySpec } from '../../../core/hsm/key-spec';
import { journalTime } from '../../../core/journal/events';
import { digestWords } from '../../../core/words';
import type { View } from '../../../shared/contract';
import type { Station } from '../../station/station';
import { encodeOperation } from '../../../core/custody/operation';
import { rosterEntries, rosterPolicy } from './queries';
import { custodianCredentials } from './roster';
import { findSplit, pendingReissues, splits } from './splits';

/**
 * What the UI shows of the custodians domain, built once here so `station roster list`, `shares list`
 * and `ceremony keygen --print-operation` print the same facts (src/shared/contract/custodians.ts).
 */

/**
 * The approved roster with each custodian's validity now (ROSTER-VALID), key fingerprint words and the
 * credentials the roster accepts from them (OPS-CREDENTIAL).
 */
export function rosterView(station: Station): View<'rosterList'> {
  const now = journalTime(station.deps.clock());
  return {
    quorum: rosterPolicy(station)?.quorum ?? null,
    custodians: rosterEntries(station).map((e) => ({
      ...e,
      status: rosterStatus(e, now),
      credentials: [...custodianCredentials(station, e.custodianId)],
      words: digestWords(Buffer.from(e.fingerprint, 'hex')),
    })),
  };
}

/** Activation splits: which token, M of N, who holds which position (never the commitments). */
export function listShares(station: Station): View<'sharesList'> {
  const pending = pendingReissues(station);
  return splits(station).map(
    ({ splitId, moduleId, tokenSerial, threshold, total, holders, supersededBy }) => ({
      splitId,
      moduleId,
      tokenSerial,
      threshold,
      total,
      holders,
      // A re-issued split is VOID: its shares open nothing (SPLIT_SUPERSEDED).
      supersededBy: supersededBy ? { splitId: supersededBy.splitId, at: supersededBy.at } : null,
      // An unresolved re-issue of it: the token's PIN may be either split's secret (`shares recover`).
      pendingReissue:
        pending.filter((p) => p.supersedes === splitId).map((p) => ({ splitId: p.splitId, at: p.at }))[0] ??
        null,
    }),
  );
}

/**
 * The exact operation a quorum must be opened for to generate this key on the split's ceremony token;
 * the key specification is checked first (its field named), as the generation itself will check it.
 */
export function ceremonyKeygenOperation(
  station: Station,
  input: { splitId: string; key: unknown },
): View<'ceremonyKeygenOperation'> {
  const spec = parseKeySpec(input.key);
  return {
    operation: encodeOperation({
      kind: 'ceremony-keygen',
      tokenSerial: findSplit(station, input.splitId).tokenSerial,
      label: spec.label,
      algorithm: spec.algorithm,
    }),
  };
}
