import type Database from 'better-sqlite3';
import type { Sha256 } from '../../../core/bytes';
import {
  CHECKPOINT_ACTOR,
  CHECKPOINT_EVENT_KIND,
  checkpointEventBody,
  type Checkpoint,
  type StoredCheckpoint,
} from '../../../core/journal/checkpoint';
import { EntryHasher, GENESIS_PREV_HASH, type JournalRow } from '../../../core/journal/entry';
import type { CheckedFilter } from '../../../core/journal/filter';
import { prepareEntry, type EventKind, type PreparedEntry } from '../../../core/journal/events';
import { stationError } from '../../errors';
import { JournalReader } from './journal-reader';
import { applyProjections, hasProjection } from './projections';
import { journalEvents, type StoredEvent } from './repos/events';
import {
  checkpointRows,
  countJournalRows,
  filteredJournalRows,
  insertCheckpointRow,
  insertJournalRow,
  journalHead,
  journalRowAt,
  journalRows,
  journalValues,
  lastCheckpointNumber,
  latestSeqOfKind,
} from './repos/journal';

/** What an append wrote: seq firstSeq..lastSeq, ending at headHash. */
export interface AppendResult {
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly headHash: Uint8Array;
}

/**
 * The journal table and its checkpoints. Appends compute seq, prev_hash and hash inside one
 * transaction together with the projections, so a projection can never disagree with the journal it
 * was derived from. BEGIN IMMEDIATE takes the write lock before the head is read, so two writers
 * cannot both extend the same head.
 */
export class JournalStore {
  private readonly hasher: EntryHasher;
  readonly reader: JournalReader;
  private readonly appendTxn: Database.Transaction<(entries: readonly PreparedEntry[]) => AppendResult>;

  constructor(
    private readonly db: Database.Database,
    sha256: Sha256,
  ) {
    this.hasher = new EntryHasher(sha256);
    this.reader = new JournalReader(db);
    this.appendTxn = db.transaction((entries: readonly PreparedEntry[]) => {
      const head = this.head();
      let hash = head.hash;
      let seq = head.seq;
      for (const e of entries) {
        const row = {
          seq: seq + 1,
          at: e.at,
          actor: e.actor,
          kind: e.kind,
          body: e.body,
          prevHash: hash,
          hash,
        };
        row.hash = this.hasher.hash(row);
        insertJournalRow(this.db, row);
        if (hasProjection(row.kind)) applyProjections(this.db, row);
        seq = row.seq;
        hash = row.hash;
      }
      return { firstSeq: head.seq + 1, lastSeq: seq, headHash: hash };
    });
  }

  /**
   * Appends entries atomically: all are written, with their projections, or none. `guard` runs inside
   * the same IMMEDIATE transaction, after the write lock is taken and before anything is written: a
   * check that must still hold at the moment of writing (a replay mark, a quorum not yet used) belongs
   * there, because another process (the CLI beside `station serve`) may have appended since the caller
   * last looked. A guard that throws writes nothing.
   */
  append(entries: readonly PreparedEntry[], guard?: () => void): AppendResult {
    if (!guard) return this.appendTxn.immediate(entries);
    return this.db
      .transaction(() => {
        guard();
        return this.appendTxn(entries);
      })
      .immediate();
  }

  head(): { seq: number; hash: Uint8Array } {
    return journalHead(this.db) ?? { seq: 0, hash: GENESIS_PREV_HASH };
  }

  page(fromSeq: number, limit: number): JournalRow[] {
    return journalRows(this.db, fromSeq, limit);
  }

  /**
   * A page of the entries a filter matches, and how many match, read in one snapshot so the count and
   * the page agree while another process appends.
   */
  filteredPage(
    filter: CheckedFilter,
    page: { fromSeq: number; offset: number; limit: number },
  ): { rows: JournalRow[]; matched: number } {
    return this.db.transaction(() => ({
      rows: filteredJournalRows(this.db, filter, page),
      matched: countJournalRows(this.db, filter),
    }))();
  }

  /** The kinds and actors present in the journal, with their counts (the list's filter choices). */
  values(): ReturnType<typeof journalValues> {
    return journalValues(this.db);
  }

  get(seq: number): JournalRow | null {
    return journalRowAt(this.db, seq);
  }

  /** Every row in seq order, streamed (the verifier reads millions of rows without holding them). */
  rows(): Generator<JournalRow> {
    return this.reader.rows(1, Number.MAX_SAFE_INTEGER);
  }

  /** The checkpoint table, each row with the seq of its chained event (null for a legacy row). */
  checkpoints(): StoredCheckpoint[] {
    return checkpointRows(this.db, false);
  }

  /**
   * The checkpoint table and the highest seq, read in one transaction (one snapshot): every chained
   * event up to that seq has its row here, even while another process appends.
   */
  snapshot(): { checkpoints: StoredCheckpoint[]; top: number } {
    return this.db.transaction(() => ({
      checkpoints: this.checkpoints(),
      top: this.reader.range().max ?? 0,
    }))();
  }

  /** The latest checkpoint row, or null before the first. */
  latestCheckpoint(): StoredCheckpoint | null {
    return checkpointRows(this.db, true)[0] ?? null;
  }

  /**
   * Appends a signed checkpoint as its chained event (at seq size + 1, right after the head it signs)
   * together with its row in the checkpoint table, in one IMMEDIATE transaction; refused
   * (JOURNAL_CONFLICT) if the head moved since it was signed. Returns where the event landed.
   */
  addCheckpoint(cp: Checkpoint): AppendResult {
    const event = prepareEntry(
      { kind: CHECKPOINT_EVENT_KIND, actor: CHECKPOINT_ACTOR, body: checkpointEventBody(cp) },
      cp.at,
    );
    return this.db
      .transaction(() => {
        const head = this.head();
        if (head.seq !== cp.size || !Buffer.from(head.hash).equals(cp.headHash)) {
          throw stationError(
            'JOURNAL_CONFLICT',
            'the journal head moved while the checkpoint was being signed',
            {
              size: cp.size,
              head: head.seq,
            },
          );
        }
        const appended = this.appendTxn([event]);
        insertCheckpointRow(this.db, cp, appended.lastSeq);
        return appended;
      })
      .immediate();
  }

  /**
   * The seq of the newest row of this kind, or null. SQLite walks back from the head, so for the
   * latest checkpoint event it reads only the unsigned tail.
   */
  latestSeqOfKind(kind: string): number | null {
    return latestSeqOfKind(this.db, kind);
  }

  /**
   * Every entry of these kinds in seq order, each body parsed by its kind's schema in the event
   * catalogue (STORE_ROW_INVALID naming the entry when one does not parse): the few anchor events looked
   * up by kind — the identity, module registrations, roster changes.
   */
  eventsOfKind<K extends EventKind>(...kinds: K[]): StoredEvent<K>[] {
    return journalEvents(this.db, kinds);
  }

  lastCheckpointNumber(): number {
    return lastCheckpointNumber(this.db);
  }
}
