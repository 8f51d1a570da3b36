import type { Condition, MatrixRule } from '../../policy/authority-matrix';
import type { BOOLEAN_FACTS, ENUM_FACTS, NUMERIC_FACTS } from '../../policy/authority-matrix';

/**
 * The facts of an incident as the rules computed them, each known or unknown (null). The authority
 * matrix's triggers, limits and requirements are judged over these in three values: a condition on an
 * unknown fact is itself unknown — never false — so a missing record can never lower the authority a
 * case needs (an unknown limit blocks its lane, an unknown requirement counts as required, an unknown
 * trigger keeps its lane from being "not required").
 */
export type Facts = {
  readonly [K in (typeof NUMERIC_FACTS)[number]]: number | null;
} & {
  readonly [K in (typeof BOOLEAN_FACTS)[number]]: boolean | null;
} & {
  readonly [K in keyof typeof ENUM_FACTS]: (typeof ENUM_FACTS)[K][number] | null;
};

/** true, false, or null for unknown. */
export type Tri = boolean | null;

export function holds(c: Condition, facts: Facts): Tri {
  switch (c.op) {
    case 'at-least': {
      const v = facts[c.fact];
      return v === null ? null : v >= c.value;
    }
    case 'below': {
      const v = facts[c.fact];
      return v === null ? null : v < c.value;
    }
    case 'is': {
      const v = facts[c.fact];
      return v === null ? null : v === c.value;
    }
    case 'one-of': {
      const v = facts[c.fact];
      return v === null ? null : c.values.includes(v);
    }
  }
}

/**
 * A rule's state (Kleene logic): `all` is false as soon as one condition is false, else unknown while
 * one is unknown; `any` is true as soon as one is true, else unknown while one is unknown.
 */
export function ruleState(rule: MatrixRule, facts: Facts): Tri {
  const states = rule.when.map((c) => holds(c, facts));
  if (rule.match === 'all') {
    if (states.includes(false)) return false;
    return states.includes(null) ? null : true;
  }
  if (states.includes(true)) return true;
  return states.includes(null) ? null : false;
}

/** The facts a rule reads (for naming what an unknown state is waiting for). */
export function factsOf(rule: MatrixRule): string[] {
  return [...new Set(rule.when.map((c) => c.fact))];
}
