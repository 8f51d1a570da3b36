import { z } from 'zod';
import { canonicalJson } from '../canonical';
import { FINDING_CATEGORIES, type Finding } from '../findings/model';
import { isoTime, sha256Hex } from '../schema';
import { LANE_STATUSES, RULE_STATES, laneViewSchema, type AuthorityView, type LaneView } from './model';

/**
 * What changed between two lane views of one incident (docs/findings.md, workflow 002; design §5): per
 * lane its status and holder from → to, the triggers, limits and requirements whose state flipped, the
 * findings that appeared or were resolved, the option sets added, removed or changed, and the matrix.
 *
 * A lane's `why` is exactly flips and holder changes, never a sentence of its own:
 * - its own triggers and limits that flipped;
 * - the requirements that flipped and block (or blocked) it for cover (CMP-COVER names them);
 * - when it went below the floor or rose out from under it (a CMP-FLOOR block added or lifted), the
 *   triggers of higher lanes that flipped (a fired trigger of a higher lane sets the floor);
 * - its holder, when the person, the way they hold it, the scope, the record or the end changed.
 * A lane whose status changed only because another lane became (or stopped being) the recommended one
 * has that lane's own why, marked with the lane it comes from.
 *
 * Every change is marked `inCriticalWindow` when the later side's instant is at or before the end of the
 * critical window of its view (the window after the declaration, matrix.criticalWindowHours).
 * Pure and deterministic: lanes by rank, flips by lane then id, findings by check ID then subject,
 * options by id.
 */

const ruleState = z.enum(RULE_STATES);
const holderSchema = laneViewSchema.shape.holder;

/** A trigger, limit or requirement whose state differs between the two sides. */
export const flipSchema = z.strictObject({
  kind: z.enum(['trigger', 'limit', 'requirement']),
  /** The lane whose trigger or limit it is; null for a requirement (the matrix's, for every lane). */
  laneId: z.string().nullable(),
  id: z.string(),
  title: z.string(),
  /** Absent on one side (a matrix that gained or lost the rule): null there. */
  from: ruleState.nullable(),
  to: ruleState.nullable(),
  inCriticalWindow: z.boolean(),
});
export type Flip = z.output<typeof flipSchema>;

export const holderChangeSchema = z.strictObject({
  from: holderSchema,
  to: holderSchema,
  inCriticalWindow: z.boolean(),
});

/** One entry of a lane's why: a flip, or its holder's change (`kind: 'holder'`). */
export const whySchema = z.discriminatedUnion('kind', [
  flipSchema.extend({
    /** Set when it is another lane's why, carried because the recommendation moved between them. */
    via: z.string().nullable(),
  }),
  holderChangeSchema.extend({ kind: z.literal('holder'), laneId: z.string(), via: z.string().nullable() }),
]);
export type Why = z.output<typeof whySchema>;

export const laneChangeSchema = z.strictObject({
  laneId: z.string(),
  title: z.string(),
  rank: z.number().int(),
  /** Null on the side where the lane is not in the matrix. */
  status: z.strictObject({ from: z.enum(LANE_STATUSES).nullable(), to: z.enum(LANE_STATUSES).nullable() }),
  statusChanged: z.boolean(),
  holder: holderChangeSchema.nullable(),
  triggers: z.array(flipSchema),
  limits: z.array(flipSchema),
  /** The check IDs (and matrix rule) of blocks that appeared or were lifted. */
  blocks: z.strictObject({
    added: z.array(z.strictObject({ checkId: z.string(), ruleId: z.string().nullable() })),
    lifted: z.array(z.strictObject({ checkId: z.string(), ruleId: z.string().nullable() })),
  }),
  why: z.array(whySchema),
  inCriticalWindow: z.boolean(),
});
export type LaneChange = z.output<typeof laneChangeSchema>;

const findingKey = z.strictObject({
  checkId: z.string(),
  subject: z.string(),
  category: z.enum(FINDING_CATEGORIES),
  blocking: z.boolean(),
  sentence: z.string(),
  inCriticalWindow: z.boolean(),
});

export const optionChangeSchema = z.strictObject({
  optionId: z.string(),
  title: z.string(),
  change: z.enum(['added', 'removed', 'changed']),
  /** For `changed`: the option view's fields that differ (effects, worst, insideLanes…). */
  fields: z.array(z.string()),
  inCriticalWindow: z.boolean(),
});
export type OptionChange = z.output<typeof optionChangeSchema>;

const sideSchema = z.strictObject({
  asOf: isoTime,
  policyDigest: sha256Hex,
  matrix: z.string(),
  recommended: z.string().nullable(),
  floor: z.number().int().nullable(),
  windowEnd: z.string().nullable(),
});

export const authorityDiffSchema = z.strictObject({
  from: sideSchema,
  to: sideSchema,
  /** Whether the later side falls in the critical window (every change below carries the same mark). */
  inCriticalWindow: z.boolean(),
  /** Whether anything at all differs. */
  changed: z.boolean(),
  recommended: z
    .strictObject({ from: z.string().nullable(), to: z.string().nullable(), inCriticalWindow: z.boolean() })
    .nullable(),
  floor: z
    .strictObject({
      from: z.number().int().nullable(),
      to: z.number().int().nullable(),
      inCriticalWindow: z.boolean(),
    })
    .nullable(),
  /** Lanes with any change (status, holder, flips of their own, blocks), in rank order. */
  lanes: z.array(laneChangeSchema),
  requirements: z.array(flipSchema),
  findings: z.strictObject({ appeared: z.array(findingKey), resolved: z.array(findingKey) }),
  options: z.array(optionChangeSchema),
  /** The matrix the two sides were judged under, when its digest or title differs. */
  matrix: z
    .strictObject({
      from: z.strictObject({ matrix: z.string(), policyDigest: sha256Hex }),
      to: z.strictObject({ matrix: z.string(), policyDigest: sha256Hex }),
      inCriticalWindow: z.boolean(),
    })
    .nullable(),
});
export type AuthorityDiff = z.output<typeof authorityDiffSchema>;

/** Read-only all the way down (what services hand out). */
type Frozen<T> = T extends (infer U)[]
  ? readonly Frozen<U>[]
  : T extends object
    ? { readonly [K in keyof T]: Frozen<T[K]> }
    : T;

/** One side of a diff: the lane view, its findings, its instant and the digest of its matrix. */
export interface AuthoritySide {
  readonly view: Frozen<AuthorityView>;
  readonly findings: readonly Frozen<Finding>[];
  readonly asOf: string;
  readonly policyDigest: string;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const same = (a: unknown, b: unknown) => canonicalJson(a ?? null) === canonicalJson(b ?? null);

type Rule = { readonly id: string; readonly title: string; readonly state: (typeof RULE_STATES)[number] };

/** Flips between two lists of rules, by id (a rule on one side only flips from or to null). */
function flips(
  kind: Flip['kind'],
  laneId: string | null,
  before: readonly Rule[],
  after: readonly Rule[],
  inCriticalWindow: boolean,
): Flip[] {
  const was = new Map(before.map((r) => [r.id, r]));
  const now = new Map(after.map((r) => [r.id, r]));
  const ids = [...new Set([...was.keys(), ...now.keys()])].sort(cmp);
  return ids.flatMap((id) => {
    const a = was.get(id);
    const b = now.get(id);
    if (a?.state === b?.state) return [];
    return [
      {
        kind,
        laneId,
        id,
        title: b?.title ?? a?.title ?? id,
        from: a?.state ?? null,
        to: b?.state ?? null,
        inCriticalWindow,
      },
    ];
  });
}

type Holder = Frozen<LaneView['holder']>;
const copyHolder = (h: Holder | undefined): LaneView['holder'] =>
  h ? { ...h, scope: h.scope === null ? null : [...h.scope] } : null;

const blockKey = (b: LaneView['blocks'][number]) => `${b.checkId}\u0000${b.ruleId ?? ''}`;

/** Whether `asOf` is at or before the end of the view's critical window. */
export function inWindow(asOf: string, windowEnd: string | null): boolean {
  if (windowEnd === null) return false;
  const at = Date.parse(asOf);
  const end = Date.parse(windowEnd);
  return !Number.isNaN(at) && !Number.isNaN(end) && at <= end;
}

/** The diff of two lane views of the same incident, `before` the earlier side. */
export function diffAuthority(before: AuthoritySide, after: AuthoritySide): AuthorityDiff {
  const w = inWindow(after.asOf, after.view.windowEnd);
  const A = before.view;
  const B = after.view;

  const requirements = flips('requirement', null, A.requirements, B.requirements, w);
  const floorMoved = A.floor !== B.floor;

  const lanesA = new Map(A.lanes.map((l) => [l.laneId, l]));
  const lanesB = new Map(B.lanes.map((l) => [l.laneId, l]));
  const ids = [...new Set([...lanesA.keys(), ...lanesB.keys()])];
  const rankOf = (id: string) => lanesB.get(id)?.rank ?? lanesA.get(id)?.rank ?? 0;
  ids.sort((x, y) => rankOf(x) - rankOf(y) || cmp(x, y));

  // Every lane's own flips first: the floor and the recommendation read across lanes.
  const own = new Map(
    ids.map((id) => {
      const a = lanesA.get(id);
      const b = lanesB.get(id);
      return [
        id,
        {
          triggers: flips('trigger', id, a?.triggers ?? [], b?.triggers ?? [], w),
          limits: flips('limit', id, a?.limits ?? [], b?.limits ?? [], w),
        },
      ] as const;
    }),
  );

  const base = ids.map((id) => {
    const a = lanesA.get(id);
    const b = lanesB.get(id);
    const { triggers, limits } = own.get(id) ?? { triggers: [], limits: [] };
    const holderChanged = !same(a?.holder, b?.holder);
    const holder = holderChanged
      ? { from: copyHolder(a?.holder), to: copyHolder(b?.holder), inCriticalWindow: w }
      : null;
    const blocksA = new Map((a?.blocks ?? []).map((x) => [blockKey(x), x]));
    const blocksB = new Map((b?.blocks ?? []).map((x) => [blockKey(x), x]));
    const pick = (x: LaneView['blocks'][number]) => ({ checkId: x.checkId, ruleId: x.ruleId });
    const byKey = (
      x: { checkId: string; ruleId: string | null },
      y: { checkId: string; ruleId: string | null },
    ) => cmp(x.checkId, y.checkId) || cmp(x.ruleId ?? '', y.ruleId ?? '');
    const blocks = {
      added: [...blocksB]
        .filter(([k]) => !blocksA.has(k))
        .map(([, x]) => pick(x))
        .sort(byKey),
      lifted: [...blocksA]
        .filter(([k]) => !blocksB.has(k))
        .map(([, x]) => pick(x))
        .sort(byKey),
    };
    // Requirements that block (or blocked) this lane for cover.
    const covering = new Set(
      [...(a?.blocks ?? []), ...(b?.blocks ?? [])].flatMap((x) =>
        x.checkId === 'CMP-COVER' && x.ruleId !== null ? [x.ruleId] : [],
      ),
    );
    const why: Why[] = [
      ...triggers.map((f) => ({ ...f, via: null })),
      ...limits.map((f) => ({ ...f, via: null })),
      ...requirements.filter((f) => covering.has(f.id)).map((f) => ({ ...f, via: null })),
      // It went below the floor or rose out from under it: the higher lanes' triggers that flipped.
      ...(floorMoved && [...blocks.added, ...blocks.lifted].some((x) => x.checkId === 'CMP-FLOOR')
        ? ids
            .filter((other) => rankOf(other) > rankOf(id))
            .flatMap((other) => own.get(other)?.triggers ?? [])
            .map((f) => ({ ...f, via: null }))
        : []),
      ...(holder ? [{ kind: 'holder' as const, laneId: id, via: null, ...holder }] : []),
    ];
    return {
      laneId: id,
      title: b?.title ?? a?.title ?? id,
      rank: rankOf(id),
      status: { from: a?.status ?? null, to: b?.status ?? null },
      statusChanged: a?.status !== b?.status,
      holder,
      triggers,
      limits,
      blocks,
      why,
      inCriticalWindow: w,
    };
  });

  // A lane that gained or lost the recommendation with no why of its own: the lane it moved from or to.
  const recommendedMoved = A.recommended !== B.recommended;
  const whyOf = new Map(base.map((l) => [l.laneId, l.why]));
  const lanes: LaneChange[] = base
    .map((l) => {
      if (!l.statusChanged || l.why.length > 0 || !recommendedMoved) return l;
      const touches = l.status.from === 'recommended' || l.status.to === 'recommended';
      if (!touches) return l;
      const others = [A.recommended, B.recommended].filter((x): x is string => x !== null && x !== l.laneId);
      const carried = others.flatMap((o) =>
        (whyOf.get(o) ?? []).filter((y) => y.via === null).map((y) => ({ ...y, via: o })),
      );
      return { ...l, why: carried };
    })
    .filter(
      (l) =>
        l.statusChanged ||
        l.holder !== null ||
        l.triggers.length > 0 ||
        l.limits.length > 0 ||
        l.blocks.added.length > 0 ||
        l.blocks.lifted.length > 0,
    );

  // A finding is the same only with the same check, subject and category: a subject that gains a
  // category (stale, then stale and disputed) has a new finding. (Not the sentence: an age in it moves
  // with every instant.)
  const keyOf = (f: Frozen<Finding>) => `${f.checkId}\u0000${f.subject}\u0000${f.category}`;
  const index = (fs: readonly Frozen<Finding>[]) => {
    const m = new Map<string, Frozen<Finding>>();
    for (const f of fs) if (!m.has(keyOf(f))) m.set(keyOf(f), f);
    return m;
  };
  const fa = index(before.findings);
  const fb = index(after.findings);
  const show = (f: Frozen<Finding>) => ({
    checkId: f.checkId,
    subject: f.subject,
    category: f.category,
    blocking: f.blocking,
    sentence: f.sentence,
    inCriticalWindow: w,
  });
  const byFinding = (x: Frozen<Finding>, y: Frozen<Finding>) =>
    cmp(x.checkId, y.checkId) || cmp(x.subject, y.subject);
  const appeared = [...fb]
    .filter(([k]) => !fa.has(k))
    .map(([, f]) => f)
    .sort(byFinding)
    .map(show);
  const resolved = [...fa]
    .filter(([k]) => !fb.has(k))
    .map(([, f]) => f)
    .sort(byFinding)
    .map(show);

  const oa = new Map(A.options.map((o) => [o.optionId, o]));
  const ob = new Map(B.options.map((o) => [o.optionId, o]));
  const options = [...new Set([...oa.keys(), ...ob.keys()])].sort(cmp).flatMap((id): OptionChange[] => {
    const a = oa.get(id);
    const b = ob.get(id);
    if (!a && b)
      return [{ optionId: id, title: b.title, change: 'added' as const, fields: [], inCriticalWindow: w }];
    if (a && !b)
      return [{ optionId: id, title: a.title, change: 'removed' as const, fields: [], inCriticalWindow: w }];
    if (!a || !b) return [];
    const fields = (Object.keys(b) as (keyof typeof b)[]).filter((k) => !same(a[k], b[k])).sort(cmp);
    return fields.length === 0
      ? []
      : [{ optionId: id, title: b.title, change: 'changed' as const, fields, inCriticalWindow: w }];
  });

  const matrixChanged = before.policyDigest !== after.policyDigest || A.matrix !== B.matrix;
  const side = (s: AuthoritySide) => ({
    asOf: s.asOf,
    policyDigest: s.policyDigest,
    matrix: s.view.matrix,
    recommended: s.view.recommended,
    floor: s.view.floor,
    windowEnd: s.view.windowEnd,
  });
  const diff: AuthorityDiff = {
    from: side(before),
    to: side(after),
    inCriticalWindow: w,
    changed: false,
    recommended: recommendedMoved ? { from: A.recommended, to: B.recommended, inCriticalWindow: w } : null,
    floor: floorMoved ? { from: A.floor, to: B.floor, inCriticalWindow: w } : null,
    lanes,
    requirements,
    findings: { appeared, resolved },
    options,
    matrix: matrixChanged
      ? {
          from: { matrix: A.matrix, policyDigest: before.policyDigest },
          to: { matrix: B.matrix, policyDigest: after.policyDigest },
          inCriticalWindow: w,
        }
      : null,
  };
  diff.changed =
    diff.recommended !== null ||
    diff.floor !== null ||
    lanes.length > 0 ||
    requirements.length > 0 ||
    appeared.length > 0 ||
    resolved.length > 0 ||
    options.length > 0 ||
    diff.matrix !== null;
  return diff;
}
