import { z } from 'zod';
import { broadViewSchema } from '../../core/authority/redact';
import { seq, type Channels } from './common';

/**
 * The broad view of a compromise-authority evaluation (services/authority/queries.ts; docs/bundle-format.md,
 * kind `packet-broad`): lanes, holders, rules and routing findings for a wider audience, every record by
 * digest and broad title, custody, exposure and disclosure detail withheld and said to be so.
 */
export const authorityBroadChannels = {
  /** The broad view of one FRESH compromise-authority evaluation, by its journal seq. */
  authorityBroadPreview: {
    input: z.strictObject({ seq }),
    output: broadViewSchema,
  },
} as const satisfies Channels;
