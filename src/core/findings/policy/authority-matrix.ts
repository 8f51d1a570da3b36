import { z } from 'zod';
import { nameSchema } from '../../names';
import { role } from '../families/common';
import { FINDING_CATEGORIES } from '../model';

/**
 * The authority matrix an organisation owns (issue #14, workflow 002): which human authority — which
 * lane — owns a compromise decision. Each lane has a rank, the triggers that bring a case to it, the
 * limits past which it may not decide alone, the decisions it may take, who holds it, its succession
 * and its delegation. The rules route a case only through this record: the station computes facts from
 * a closed vocabulary (below), the matrix says what they mean. resources/policy/authority-matrix.json is
 * an example default; an imported policy record replaces it and its digest is bound to the evaluation.
 */

/** Facts the rules compute from the incident's source records; a fact may be unknown (null). */
export const NUMERIC_FACTS = [
  'anomalousSignatures',
  'untracedSignatures',
  'artifactsAffected',
  'customersAffected',
  'noticeDeadlineHours',
] as const;
export const BOOLEAN_FACTS = [
  'hsmAuditGap',
  'externalDistribution',
  'contractualNotice',
  'regulatoryNotice',
  'legalHold',
] as const;
export const ENUM_FACTS = {
  severity: ['sev1', 'sev2', 'sev3', 'sev4'],
  custodyExposure: ['ruled-out', 'unconfirmed', 'suspected', 'confirmed'],
} as const;
type EnumFact = keyof typeof ENUM_FACTS;
const ENUM_FACT_NAMES = Object.keys(ENUM_FACTS) as [EnumFact, ...EnumFact[]];

const id = (what: string) =>
  z.string().regex(/^[a-z][a-z0-9-]{1,47}$/, `a ${what} id: lower-case letters, digits and dashes, 2 to 48`);
const ruleId = z.string().regex(/^[A-Z][A-Z0-9]{1,7}-[A-Z0-9]{1,8}$/, 'a rule id such as PSC-T1 or REQ-2');
const person = nameSchema(80);
const title = z.string().trim().min(1).max(200);

/** One condition on one fact. An unknown fact makes the condition unknown (never false). */
export const conditionSchema = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('at-least'), fact: z.enum(NUMERIC_FACTS), value: z.number().min(0) }),
  z.strictObject({ op: z.literal('below'), fact: z.enum(NUMERIC_FACTS), value: z.number().min(0) }),
  z.strictObject({ op: z.literal('is'), fact: z.enum(BOOLEAN_FACTS), value: z.boolean() }),
  z.strictObject({
    op: z.literal('one-of'),
    fact: z.enum(ENUM_FACT_NAMES),
    values: z.array(z.string()).min(1).max(8),
  }),
]);
export type Condition = z.output<typeof conditionSchema>;

export const matrixRuleSchema = z.strictObject({
  id: ruleId,
  title,
  /** all: every condition holds; any: one does. */
  match: z.enum(['all', 'any']).default('all'),
  when: z.array(conditionSchema).min(1).max(8),
});
export type MatrixRule = z.output<typeof matrixRuleSchema>;

export const laneSchema = z.strictObject({
  laneId: id('lane'),
  title,
  /** 1 is the lowest authority; ranks are unique, so one lane is recommended, never a tie. */
  rank: z.number().int().min(1).max(20),
  /** Any fired trigger puts the case at least at this lane (the floor). */
  triggers: z.array(matrixRuleSchema).max(12),
  /** A lane with no trigger fired is still viable (a standing authority, e.g. an executive command). */
  assumeUntriggered: z.boolean(),
  /** Past any of these (or where it cannot be shown they are not passed), the lane may not decide alone. */
  limits: z.array(matrixRuleSchema).max(12),
  /** The decisions the lane may take (ids from `decisions`). */
  decides: z.array(id('decision')).min(1).max(20),
  /** Who holds it, and in which order others do when the holder is unavailable or recused. */
  holder: person,
  succession: z.array(person).max(6),
  /** Whether a successor holds it only after a recorded `succession-invoked` (else automatically). */
  successionNeedsInvocation: z.boolean(),
  /** Who may act for the holder, for how long at most, and for which of the lane's decisions. */
  delegation: z
    .strictObject({
      delegates: z.array(person).min(1).max(6),
      maxHours: z
        .number()
        .int()
        .min(1)
        .max(24 * 30),
      decisions: z.array(id('decision')).min(1).max(20),
    })
    .nullable(),
});
export type Lane = z.output<typeof laneSchema>;

export const authorityMatrixSchema = z
  .strictObject({
    /** The matrix's own name and version as the organisation issues it (shown beside its digest). */
    matrix: title,
    decisions: z
      .array(z.strictObject({ id: id('decision'), title }))
      .min(1)
      .max(30),
    lanes: z.array(laneSchema).min(1).max(12),
    /** Decisions the facts make necessary (each must fall inside the recommended lane's scope). */
    requires: z.array(matrixRuleSchema.extend({ decision: id('decision') })).max(20),
    /** Whether a holder who operated an incident key in the window is skipped (recused). */
    recusal: z.strictObject({ operatorOnIncidentKey: z.boolean() }),
    /** The critical window after the declaration, in hours: changes inside it are marked. */
    criticalWindowHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 14),
    /** How old the latest record of each fact family may be at the as-of instant, in hours. */
    freshnessHours: z.strictObject({
      custodyEvidence: z
        .number()
        .int()
        .min(1)
        .max(24 * 90),
      telemetryLag: z
        .number()
        .int()
        .min(1)
        .max(24 * 90),
      lineage: z
        .number()
        .int()
        .min(1)
        .max(24 * 90),
      impact: z
        .number()
        .int()
        .min(1)
        .max(24 * 90),
      disclosure: z
        .number()
        .int()
        .min(1)
        .max(24 * 90),
    }),
    /** Whether the recommended lane must have at least one option that is not irreversible. */
    requireReversibleOption: z.boolean(),
    /** Roles whose holders may record a redirect (a signed human act). */
    redirectRoles: z.array(role).min(1).max(10),
    /** Finding categories a handoff may carry as acknowledged gaps. */
    handoffCarries: z.array(z.enum(FINDING_CATEGORIES)).max(FINDING_CATEGORIES.length),
  })
  .superRefine((m, ctx) => {
    const issue = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: 'custom', path, message });
    const decisions = new Set(m.decisions.map((d) => d.id));
    if (decisions.size !== m.decisions.length) issue(['decisions'], 'decision ids must be unique');
    const seen = { lanes: new Set<string>(), ranks: new Set<number>(), rules: new Set<string>() };
    const checkRule = (r: MatrixRule, path: (string | number)[]) => {
      if (seen.rules.has(r.id)) issue([...path, 'id'], `rule id ${r.id} is used twice`);
      seen.rules.add(r.id);
      r.when.forEach((c, i) => {
        if (c.op !== 'one-of') return;
        const allowed: readonly string[] = ENUM_FACTS[c.fact];
        const bad = c.values.filter((v) => !allowed.includes(v));
        if (bad.length)
          issue(
            [...path, 'when', i, 'values'],
            `${bad.join(', ')} is not a value of ${c.fact} (${allowed.join(', ')})`,
          );
      });
    };
    m.lanes.forEach((l, i) => {
      if (seen.lanes.has(l.laneId)) issue(['lanes', i, 'laneId'], `lane ${l.laneId} is listed twice`);
      seen.lanes.add(l.laneId);
      if (seen.ranks.has(l.rank)) issue(['lanes', i, 'rank'], `rank ${l.rank} is used by two lanes`);
      seen.ranks.add(l.rank);
      l.triggers.forEach((r, j) => checkRule(r, ['lanes', i, 'triggers', j]));
      l.limits.forEach((r, j) => checkRule(r, ['lanes', i, 'limits', j]));
      l.decides.forEach((d, j) => {
        if (!decisions.has(d)) issue(['lanes', i, 'decides', j], `${d} is not one of the matrix's decisions`);
      });
      if (l.succession.includes(l.holder))
        issue(['lanes', i, 'succession'], `${l.holder} holds the lane and cannot succeed to it`);
      l.delegation?.decisions.forEach((d, j) => {
        if (!l.decides.includes(d))
          issue(['lanes', i, 'delegation', 'decisions', j], `${d} is not a decision of lane ${l.laneId}`);
      });
    });
    m.requires.forEach((r, i) => {
      checkRule(r, ['requires', i]);
      if (!decisions.has(r.decision))
        issue(['requires', i, 'decision'], `${r.decision} is not one of the matrix's decisions`);
    });
  });
export type AuthorityMatrix = z.output<typeof authorityMatrixSchema>;
