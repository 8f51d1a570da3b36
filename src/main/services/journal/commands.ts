import {
  checkpointStatement,
  type Checkpoint,
  type CheckpointSigner,
  type StoredCheckpoint,
} from '../../../core/journal/checkpoint';
import { journalTime } from '../../../core/journal/events';
import { rebuildProjections } from '../../adapters/store/projections';
import { stationError } from '../../errors';
import type { Station } from '../../station/station';
import { verifyStationJournal } from './queries';

/**
 * Signs a checkpoint over the current head and appends it as the chained `journal.checkpoint` event
 * right after that head (with its table row, in one transaction). The head is read, signed, and stored
 * only if it has not moved in between (JournalStore.addCheckpoint re-checks inside its transaction).
 */
export async function anchorJournal(
  station: Station,
  signer: CheckpointSigner,
  stationId: string,
  checkBeforeStoring: (cp: Checkpoint, statement: Uint8Array) => void,
): Promise<StoredCheckpoint> {
  station.assertWritable();
  const head = station.journal.head();
  const unsigned = {
    n: station.journal.lastCheckpointNumber() + 1,
    size: head.seq,
    headHash: head.hash,
    at: journalTime(station.deps.clock()),
    keyId: signer.keyId,
    alg: signer.alg,
  };
  const statement = checkpointStatement(stationId, unsigned);
  const signature = await signer.sign(statement);
  const cp: Checkpoint = { ...unsigned, signature };
  checkBeforeStoring(cp, statement);
  const { lastSeq } = station.journal.addCheckpoint(cp);
  return { ...cp, eventSeq: lastSeq };
}

/**
 * Rebuilds every projection (the tables the station derives from the journal: packets, custody, roster,
 * quorum, trust…) from the journal, in one transaction — e.g. after an upgrade changed a projection's
 * shape and a stored row is refused as STORE_ROW_INVALID. Only from a journal that verifies (VERIFIED or
 * UNANCHORED): derived state is never rebuilt from a chain that is broken. Nothing is journaled: the
 * journal itself is unchanged, and the projections are what it already says.
 */
export async function rebuildStationProjections(
  station: Station,
): Promise<{ entries: number; verdict: 'VERIFIED' | 'UNANCHORED' }> {
  station.assertWritable();
  const { verdict } = await verifyStationJournal(station);
  if (verdict.status === 'TAMPERED')
    throw stationError(
      'JOURNAL_TAMPERED',
      `the journal does not verify (${verdict.check}: ${verdict.reason}): projections are not rebuilt from a broken chain`,
      { check: verdict.check },
    );
  rebuildProjections(station.store.db, station.journal);
  return { entries: verdict.entries, verdict: verdict.status };
}
