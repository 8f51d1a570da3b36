import { z } from 'zod';
import { EVENT_BODIES } from '../../core/journal/events';
import { seq } from '../../core/schema';
import { actor, empty, type Channels } from './common';

/** Sealed items, their custody log and shift coverage (services/custody). */

/**
 * One custody act as the operator enters it: the journal's own event body for that act, without the item
 * (named beside it) and with its `type`; so the IPC boundary refuses exactly what the journal would.
 */
const noItem = { itemId: true } as const;
export const custodyActSchema = z.discriminatedUnion('type', [
  EVENT_BODIES['custody.sealed'].omit(noItem).extend({ type: z.literal('sealed') }),
  EVENT_BODIES['custody.unsealed'].omit(noItem).extend({ type: z.literal('unsealed') }),
  EVENT_BODIES['custody.transferred'].omit(noItem).extend({ type: z.literal('transferred') }),
  EVENT_BODIES['custody.inspected'].omit(noItem).extend({ type: z.literal('inspected') }),
  EVENT_BODIES['custody.media-replaced'].omit(noItem).extend({ type: z.literal('media-replaced') }),
]);

export const custodyItemSchema = z.strictObject({
  itemId: z.string(),
  itemKind: z.string().nullable(),
  description: z.string().nullable(),
  sealed: z.boolean(),
  bagSerial: z.string().nullable(),
  location: z.string().nullable(),
  holder: z.string().nullable(),
  lastInspection: z.strictObject({ seq, at: z.string() }).nullable(),
  lastMediaReplacement: z.strictObject({ seq, at: z.string() }).nullable(),
  inspection: z.strictObject({
    status: z.enum(['SATISFIED', 'STALE', 'MISSING']),
    check: z.literal('CUST-INSPECTION-FRESH'),
    reason: z.string(),
  }),
  breaks: z.array(
    z.strictObject({
      seq,
      at: z.string(),
      check: z.enum(['CUST-SEAL-MATCH', 'CUST-SEAL-INTACT']),
      expected: z.string().nullable(),
      observed: z.string(),
      message: z.string(),
    }),
  ),
  status: z.enum(['READY', 'HOLD', 'BLOCKED']),
  events: z.array(z.record(z.string(), z.unknown())),
});

/**
 * Registering an item as `station custody register` takes it, with its first seal as `station custody
 * seal` takes it: the journal's own bodies for both entries (custody.item-registered, custody.sealed
 * without the item), so the boundary refuses exactly what the journal would.
 */
export const custodyRegisterSchema = EVENT_BODIES['custody.item-registered'].extend({
  seal: EVENT_BODIES['custody.sealed'].omit(noItem),
});
export const CUSTODY_ITEM_KINDS = EVENT_BODIES['custody.item-registered'].shape.itemKind.options;

const availabilityBody = EVENT_BODIES['coverage.availability-set'];
const availability = availabilityBody.shape;
export const coverageCellSchema = z.strictObject({
  date: z.string(),
  shift: z.string(),
  /** Custodians valid on the roster that day whose latest statement says available. */
  available: z.array(z.string()),
  covered: z.boolean(),
  /** The latest statement of each custodian for this day and shift, and who recorded it. */
  statements: z.array(
    z.strictObject({
      custodianId: z.string(),
      available: z.boolean(),
      actor: z.string(),
      seq,
      at: z.string(),
    }),
  ),
});
export const coverageSchema = z.strictObject({
  threshold: z.number().int(),
  cells: z.array(coverageCellSchema),
});

export const custodyChannels = {
  custodyList: { input: empty, output: z.array(custodyItemSchema) },
  custodyRecord: {
    input: z.strictObject({
      itemId: EVENT_BODIES['custody.item-registered'].shape.itemId,
      act: custodyActSchema,
      actor,
    }),
    output: custodyItemSchema,
  },
  /** Registers a custody item and its first seal, both under the signed-in operator. */
  custodyRegister: {
    input: custodyRegisterSchema.extend({ actor }),
    output: custodyItemSchema,
  },
  /** One signer's availability for a day and shift (`station coverage set`); answers with that cell now. */
  coverageSet: {
    input: availabilityBody.extend({ actor }),
    output: coverageCellSchema,
  },
  coverageGrid: {
    input: z.strictObject({
      from: availability.date,
      days: z.number().int().min(1).max(62),
      shifts: z.array(availability.shift).min(1).max(6),
    }),
    output: coverageSchema,
  },
} as const satisfies Channels;

export type CustodyItemView = z.output<typeof custodyItemSchema>;
export type CustodyActInput = z.input<typeof custodyActSchema>;
export type CoverageView = z.output<typeof coverageSchema>;
export type CoverageCellView = z.output<typeof coverageCellSchema>;
export type CustodyRegisterInput = z.input<typeof custodyRegisterSchema>;
