import type Database from 'better-sqlite3';
import type { JournalRow } from '../../../../core/journal/entry';
import type { EventBody, EventKind } from '../../../../core/journal/events';

export type Apply<K extends EventKind> = (db: Database.Database, row: JournalRow, body: EventBody<K>) => void;
export type Handlers = { readonly [K in EventKind]?: Apply<K> };

export interface Projection {
  readonly name: string;
  /** Tables this projection owns, children before parents (cleared in this order on rebuild). */
  readonly tables: readonly string[];
  readonly on: Handlers;
}
