import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { CustodyEvent } from '../../../../core/custody/custody-log';
import { EVENT_BODIES } from '../../../../core/journal/events';
import { flag, jsonColumn, parseRows, seqColumn, statement } from './rows';

/**
 * The custody log and the coverage calendar: `custody_item`, `custody_event` (each act with its details
 * as the event body recorded them) and `availability`.
 */

const selectItem = statement('SELECT 1 FROM custody_item WHERE item_id = ?');

export function custodyItemExists(db: Database.Database, itemId: string): boolean {
  return selectItem(db).get(itemId) !== undefined;
}

const itemIdRow = z.object({ item_id: z.string() });
const selectItemIds = statement('SELECT item_id FROM custody_item ORDER BY item_id');

/** Every registered item's id, in id order. */
export function custodyItemIds(db: Database.Database): string[] {
  return parseRows('custody_item', itemIdRow, selectItemIds(db).all(), 'item_id').map((r) => r.item_id);
}

const registered = EVENT_BODIES['custody.item-registered'].shape;

/**
 * What each act's `details` column holds: the body of the event it came from (the item id is in its own
 * column and dropped), or for a registration the item's kind and description.
 */
const DETAILS = {
  registered: z.strictObject({ itemKind: registered.itemKind, description: registered.description }),
  sealed: EVENT_BODIES['custody.sealed'],
  unsealed: EVENT_BODIES['custody.unsealed'],
  transferred: EVENT_BODIES['custody.transferred'],
  inspected: EVENT_BODIES['custody.inspected'],
  'media-replaced': EVENT_BODIES['custody.media-replaced'],
} as const;

/** The item id has its own column; the log's acts do not repeat it. */
const withoutItemId = <T extends { itemId: string }>(d: T): Omit<T, 'itemId'> => {
  const { itemId: _itemId, ...rest } = d;
  return rest;
};

const base = { seq: seqColumn, at: z.string(), actor: z.string() };
/** One row of the custody log, by its type: the details parsed with that type's schema. */
const eventRow = z
  .discriminatedUnion('type', [
    z.object({ ...base, type: z.literal('registered'), details: jsonColumn(DETAILS.registered) }),
    z.object({ ...base, type: z.literal('sealed'), details: jsonColumn(DETAILS.sealed) }),
    z.object({ ...base, type: z.literal('unsealed'), details: jsonColumn(DETAILS.unsealed) }),
    z.object({ ...base, type: z.literal('transferred'), details: jsonColumn(DETAILS.transferred) }),
    z.object({ ...base, type: z.literal('inspected'), details: jsonColumn(DETAILS.inspected) }),
    z.object({ ...base, type: z.literal('media-replaced'), details: jsonColumn(DETAILS['media-replaced']) }),
  ])
  .transform((r): CustodyEvent & { readonly actor: string } => {
    const at = { seq: r.seq, at: r.at, actor: r.actor };
    switch (r.type) {
      case 'registered':
        return { ...r.details, type: r.type, ...at };
      case 'sealed':
        return { ...withoutItemId(r.details), type: r.type, ...at };
      case 'unsealed':
        return { ...withoutItemId(r.details), type: r.type, ...at };
      case 'transferred':
        return { ...withoutItemId(r.details), type: r.type, ...at };
      case 'inspected':
        return { ...withoutItemId(r.details), type: r.type, ...at };
      case 'media-replaced':
        return { ...withoutItemId(r.details), type: r.type, ...at };
    }
  });

const selectEvents = statement(
  'SELECT seq, type, at, actor, details FROM custody_event WHERE item_id = ? ORDER BY seq',
);

/** One item's custody log in journal order, each act with who recorded it. */
export function custodyEventRows(
  db: Database.Database,
  itemId: string,
): (CustodyEvent & { readonly actor: string })[] {
  return parseRows('custody_event', eventRow, selectEvents(db).all(itemId), 'seq');
}

const availabilityRow = z
  .object({ custodian_id: z.string(), date: z.string(), shift: z.string(), available: flag })
  .transform((r) => ({ custodianId: r.custodian_id, date: r.date, shift: r.shift, available: r.available }));

const selectAvailability = statement(
  'SELECT custodian_id, date, shift, available FROM availability ORDER BY seq',
);

/** Every custodian's stated availability per date and shift (the latest statement for each). */
export function availabilityRows(db: Database.Database): z.output<typeof availabilityRow>[] {
  return parseRows('availability', availabilityRow, selectAvailability(db).all(), [
    'custodian_id',
    'date',
    'shift',
  ]);
}
