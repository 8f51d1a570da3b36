import { z } from 'zod';
import { recordRefSchema } from '../findings/model';

/**
 * The lane view of a compromise-authority evaluation (workflow 002): which lane the station recommends,
 * which are viable, blocked or not required and why, who holds each at the as-of instant, and the
 * bounded option sets. Derived from the records and the matrix alone (never journaled: an evaluation's
 * seq, instant and digests reproduce it). The station finds; a person decides — a redirect is a recorded
 * act kept beside this view, never a change to it.
 */
export const LANE_STATUSES = ['recommended', 'viable', 'blocked', 'not_required'] as const;
export const RULE_STATES = ['holds', 'does-not-hold', 'unknown'] as const;
export const REVERSIBILITIES = ['reversible', 'partly-reversible', 'irreversible'] as const;

const ruleStateSchema = z.enum(RULE_STATES);
const ruleView = z.strictObject({ id: z.string(), title: z.string(), state: ruleStateSchema });

export const laneViewSchema = z.strictObject({
  laneId: z.string(),
  title: z.string(),
  rank: z.number().int(),
  status: z.enum(LANE_STATUSES),
  holder: z
    .strictObject({
      person: z.string(),
      via: z.enum(['holder', 'succession', 'delegation']),
      /** A delegate's decisions; null: the lane's own. */
      scope: z.array(z.string()).nullable(),
      /** The emergency-delegation record it rests on, and until when (delegation / invoked succession). */
      record: z.string().nullable(),
      until: z.string().nullable(),
    })
    .nullable(),
  /** Who was passed over and why (unavailable, recused, succession not invoked). */
  skipped: z.array(z.strictObject({ person: z.string(), why: z.string() })),
  triggers: z.array(ruleView),
  limits: z.array(ruleView),
  decides: z.array(z.string()),
  blocks: z.array(
    z.strictObject({
      checkId: z.enum(['CMP-HOLDER', 'CMP-FLOOR', 'CMP-LIMIT', 'CMP-COVER']),
      ruleId: z.string().nullable(),
      reason: z.string(),
    }),
  ),
  /** Options inside this lane's boundary (for recommended and viable lanes; empty otherwise). */
  options: z.array(z.string()),
});
export type LaneView = z.output<typeof laneViewSchema>;

export const optionViewSchema = z.strictObject({
  optionId: z.string(),
  runbookId: z.string(),
  title: z.string(),
  decisions: z.array(z.string()),
  effects: z.array(
    z.strictObject({
      effect: z.string(),
      scope: z.string(),
      reversibility: z.enum(REVERSIBILITIES),
      note: z.string(),
    }),
  ),
  worst: z.enum(REVERSIBILITIES),
  insideLanes: z.array(z.string()),
  insideDelegated: z.array(z.string()),
});
export type OptionViewModel = z.output<typeof optionViewSchema>;

/** A fact's value as shown: a number, a word, yes/no, "none" (no deadline) or null (unknown). */
export const factViewSchema = z.strictObject({
  fact: z.string(),
  value: z.union([z.number(), z.string(), z.boolean()]).nullable(),
  records: z.array(recordRefSchema).max(200),
});

export const authorityViewSchema = z.strictObject({
  incident: z
    .strictObject({
      incidentId: z.string(),
      title: z.string(),
      severity: z.string(),
      status: z.string(),
      declaredAt: z.string(),
      keyIds: z.array(z.string()),
    })
    .nullable(),
  /** The matrix's own title and version (its digest is the evaluation's policy digest). */
  matrix: z.string(),
  /** The end of the critical window after the declaration (null without a declaration). */
  windowEnd: z.string().nullable(),
  /** The highest rank whose trigger fired (null: none fired). */
  floor: z.number().int().nullable(),
  recommended: z.string().nullable(),
  facts: z.array(factViewSchema),
  requirements: z.array(
    z.strictObject({ id: z.string(), title: z.string(), decision: z.string(), state: ruleStateSchema }),
  ),
  lanes: z.array(laneViewSchema),
  options: z.array(optionViewSchema),
});
export type AuthorityView = z.output<typeof authorityViewSchema>;
