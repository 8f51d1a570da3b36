import {
  checkpointStatement,
  type Checkpoint,
  type CheckpointSigner,
  type StoredCheckpoint,
} from '../../../core/journal/checkpoint';
import { journalTime } from '../../../core/journal/events';
import type { Station } from '../../station/station';

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
