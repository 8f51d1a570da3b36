import { sha256Hex } from '../schema';
import { z } from 'zod';
import { FAMILIES } from '../findings/families/catalogue';
import { FINDING_CATEGORIES, type Finding, type SourceRecord } from '../findings/model';
import type { RecordFamily } from '../findings/records';
import { compromiseWorkflow } from '../findings/workflows/compromise';
import { type AuthorityView, laneViewSchema, REVERSIBILITIES, RULE_STATES } from './model';

/**
 * The broad view of a compromise-authority evaluation (docs/bundle-format.md, kind `packet-broad`): what
 * a wider audience needs to see who owns the decision — the lanes, their statuses, holders and why,
 * the rules by id, title and state, the requirements, the option sets without their notes, and the
 * routing, delegation, option and prior-packet findings — and nothing of the custody, exposure and
 * disclosure detail behind them. Each record the evaluation read appears by family, digest and a title
 * made of its family's `broadFields` only; fact values are withheld (names only); the fact-gap findings
 * are counted by check and category. `withheld` says what was left out and where the full detail is.
 *
 * Built from new objects only: the full view is never changed. Free text kept from the full view (lane
 * reasons, why a person was skipped, routing sentences) is also cleared of any restricted value of the
 * records it was given, so a sentence that happens to quote one cannot carry it out.
 */

/** Findings that go broad in full: lanes, routing, delegations, options and prior packets. */
export const BROAD_CHECKS: readonly string[] = [
  'CMP-DELEGATION',
  'CMP-HOLDER',
  'CMP-FLOOR',
  'CMP-LIMIT',
  'CMP-COVER',
  'CMP-ROUTE',
  'CMP-MATRIX',
  'CMP-OPTIONS',
  'CMP-PRIOR-STALE',
];
/** Fact-gap checks (custody, audit, telemetry, lineage, impact, disclosure, scope): counted only. */
export const GAP_CHECKS: readonly string[] = [
  'CMP-SCOPE',
  'CMP-CUSTODY',
  'CMP-AUDIT',
  'CMP-TELEMETRY',
  'CMP-LINEAGE',
  'CMP-IMPACT',
  'CMP-DISCLOSURE',
];

/** What a kept free-text string shows where a restricted value stood. */
export const RESTRICTED_MARK = '[restricted]';

const digest = sha256Hex;

export const broadRecordSchema = z.strictObject({
  family: z.string(),
  digest,
  /** The family's title, then its broad fields' values (the title alone when it has none). */
  title: z.string(),
});

export const broadViewSchema = z.strictObject({
  view: z.literal('compromise-authority/broad/v1'),
  evaluation: z.strictObject({
    seq: z.number().int().min(1),
    workflow: z.string(),
    subject: z.string(),
    asOf: z.string(),
    outcome: z.string(),
    findingsDigest: digest,
    recordsDigest: digest,
    policyDigest: digest,
    recordCount: z.number().int().min(0),
  }),
  /** The incident's broad fields only (incident-scope `broadFields`), or null without a declaration. */
  incident: z.record(z.string(), z.union([z.string(), z.array(z.string())])).nullable(),
  matrix: z.string(),
  windowEnd: z.string().nullable(),
  floor: z.number().int().nullable(),
  recommended: z.string().nullable(),
  /** Which facts were judged and the records they rest on (by digest); every value is withheld. */
  facts: z.array(
    z.strictObject({ fact: z.string(), value: z.literal('restricted'), records: z.array(digest) }),
  ),
  requirements: z.array(
    z.strictObject({
      id: z.string(),
      title: z.string(),
      decision: z.string(),
      state: z.enum(RULE_STATES),
    }),
  ),
  /** The lanes exactly as the full view has them (statuses, holders, rule states, blocks). */
  lanes: z.array(laneViewSchema),
  options: z.array(
    z.strictObject({
      optionId: z.string(),
      runbookId: z.string(),
      title: z.string(),
      decisions: z.array(z.string()),
      effects: z.array(
        z.strictObject({
          effect: z.string(),
          scope: z.string(),
          reversibility: z.enum(REVERSIBILITIES),
        }),
      ),
      worst: z.enum(REVERSIBILITIES),
      insideLanes: z.array(z.string()),
      insideDelegated: z.array(z.string()),
    }),
  ),
  /** Lane, routing, delegation, option and prior-packet findings, with their records by digest. */
  findings: z.array(
    z.strictObject({
      checkId: z.string(),
      category: z.enum(FINDING_CATEGORIES),
      blocking: z.boolean(),
      waivable: z.boolean(),
      subject: z.string(),
      records: z.array(digest),
      sentence: z.string(),
    }),
  ),
  /** Fact-gap findings: how many of each check and category, nothing else. */
  gaps: z.array(
    z.strictObject({
      checkId: z.string(),
      category: z.enum(FINDING_CATEGORIES),
      count: z.number().int().min(1),
    }),
  ),
  records: z.array(broadRecordSchema),
  withheld: z.strictObject({
    /** Every record shown reduced: its restricted fields, by name (values never). */
    records: z.array(z.strictObject({ family: z.string(), digest, fields: z.array(z.string()) })),
    /** What else was left out: fact values, effect notes, the outcome's reason, fact-gap detail. */
    parts: z.array(z.string()),
    statement: z.string(),
  }),
});
export type BroadView = z.output<typeof broadViewSchema>;

type DeepReadonly<T> = T extends readonly (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** The parts of the full evaluation view broadView reads (the findingsEvaluate view, with `authority`). */
export interface FullAuthorityEvaluation {
  readonly seq: number;
  readonly workflow: string;
  readonly subject: string;
  readonly inputs: {
    readonly asOf: string;
    readonly recordsDigest: string;
    readonly policyDigest: string;
    readonly recordCount: number;
  };
  readonly findings: readonly DeepReadonly<Finding>[];
  readonly outcome: string;
  readonly reason: string;
  readonly findingsDigest: string;
  readonly authority: DeepReadonly<AuthorityView>;
}

type Families = Readonly<Record<string, RecordFamily>>;
const CATALOGUE: Families = FAMILIES as unknown as Families;

/** The broad fields of a family: its `broadFields`, or nothing (absent means title and digest only). */
export function broadFieldsOf(family: string, families: Families = CATALOGUE): readonly string[] {
  return (Object.hasOwn(families, family) ? families[family]?.broadFields : undefined) ?? [];
}

/** The content fields of a family's schema, in declaration order (empty for an unknown family). */
export function fieldsOf(family: string, families: Families = CATALOGUE): string[] {
  const f = Object.hasOwn(families, family) ? families[family] : undefined;
  const shape = f ? (unwrap(f.schema)._zod.def as { shape?: Record<string, z.ZodType> }).shape : undefined;
  return shape ? Object.keys(shape) : [];
}

/**
 * A family the compromise-authority workflow reads (so its records can stand behind a broad view) some
 * of whose fields may not go broad: its records' file names are restricted too. Families no broad view
 * reads keep their file names in the journal as before.
 */
export function isRestrictedFamily(family: string, families: Families = CATALOGUE): boolean {
  if (!compromiseWorkflow.families.includes(family)) return false;
  const broad = new Set(broadFieldsOf(family, families));
  const fields = fieldsOf(family, families);
  return fields.length === 0 || fields.some((f) => !broad.has(f));
}

/**
 * The file name a journal entry gives an import of a restricted family: `<family>-<sha12>.<ext>`, so a
 * file name (which often says what is inside: a product, a customer, a case) never enters the journal,
 * which every bundle carries. The real name stays in the station's `records_import` table.
 */
export function journalFileName(family: string, fileSha256: string, fileName: string): string {
  const ext = /\.([A-Za-z0-9]{1,10})$/.exec(fileName)?.[1]?.toLowerCase() ?? 'bin';
  return `${family}-${fileSha256.slice(0, 12)}.${ext}`;
}

// --- zod introspection: which content values are free text (what a sentence could quote) ----------

type Def = {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  element?: z.ZodType;
  shape?: Record<string, z.ZodType>;
};
const defOf = (s: z.ZodType): Def => s._zod.def as unknown as Def;

function unwrap(s: z.ZodType): z.ZodType {
  let cur = s;
  for (let i = 0; i < 20; i++) {
    const d = defOf(cur);
    if (
      (d.type === 'optional' ||
        d.type === 'default' ||
        d.type === 'prefault' ||
        d.type === 'nullable' ||
        d.type === 'readonly' ||
        d.type === 'catch') &&
      d.innerType
    )
      cur = d.innerType;
    else if (d.type === 'pipe' && d.in) cur = d.in;
    else return cur;
  }
  return cur;
}

/** Every string value under `value` that its schema does not confine to a fixed vocabulary. */
function freeStrings(schema: z.ZodType | undefined, value: unknown, out: string[]): void {
  if (value === null || value === undefined) return;
  const s = schema ? unwrap(schema) : undefined;
  const d = s ? defOf(s) : undefined;
  if (d && (d.type === 'enum' || d.type === 'literal' || d.type === 'boolean')) return;
  if (Array.isArray(value)) {
    for (const v of value) freeStrings(d?.type === 'array' ? d.element : undefined, v, out);
    return;
  }
  if (typeof value === 'object') {
    const shape = d?.type === 'object' ? d.shape : undefined;
    for (const [k, v] of Object.entries(value)) freeStrings(shape?.[k], v, out);
    return;
  }
  if (typeof value === 'string') out.push(value);
}

function schemaOfField(family: string, field: string, families: Families): z.ZodType | undefined {
  const f = Object.hasOwn(families, family) ? families[family] : undefined;
  if (!f) return undefined;
  return (defOf(unwrap(f.schema)).shape ?? {})[field];
}

const contentOf = (r: SourceRecord): Record<string, unknown> =>
  typeof r.content === 'object' && r.content !== null ? (r.content as Record<string, unknown>) : {};

/**
 * The restricted free-text values of the records (and their ids where the id field is not broad), less
 * any value some record shows broadly (a key id named by the incident is not made secret by a custody
 * record naming it too), family names and source systems (provenance, journaled with every import).
 * Longest first, so a value containing another is cleared whole.
 */
export function restrictedStrings(
  records: readonly SourceRecord[],
  families: Families = CATALOGUE,
): string[] {
  const restricted: string[] = [];
  // Family names are vocabulary (a prior packet's basis names them), never restricted values.
  const open = new Set<string>(Object.keys(families));
  for (const r of records) {
    const broad = new Set(broadFieldsOf(r.family, families));
    const family = Object.hasOwn(families, r.family) ? families[r.family] : undefined;
    // The source system is provenance every import journals, not a record's restricted content.
    open.add(r.provenance.system);
    for (const [field, value] of Object.entries(contentOf(r))) {
      const vals: string[] = [];
      freeStrings(schemaOfField(r.family, field, families), value, vals);
      if (broad.has(field)) for (const v of vals) open.add(v);
      else restricted.push(...vals);
    }
    if (!family || !broad.has(family.idField)) restricted.push(r.provenance.recordId);
  }
  return [...new Set(restricted)]
    .filter((v) => v.trim().length >= 3 && !open.has(v))
    .sort((a, b) => b.length - a.length || (a < b ? -1 : a > b ? 1 : 0));
}

function scrubber(restricted: readonly string[]): (text: string) => string {
  return (text) => {
    let out = text;
    for (const v of restricted) if (out.includes(v)) out = out.split(v).join(RESTRICTED_MARK);
    return out;
  };
}

/** A value as a title shows it. */
function shown(v: unknown): string {
  if (v === null || v === undefined) return 'none';
  if (Array.isArray(v)) return v.map(shown).join(', ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** `<family title>` then `field: value` for each broad field the record holds. */
export function broadTitle(r: SourceRecord, families: Families = CATALOGUE): string {
  const family = Object.hasOwn(families, r.family) ? families[r.family] : undefined;
  const title = family?.title ?? r.family;
  const content = contentOf(r);
  const parts = broadFieldsOf(r.family, families)
    .filter((f) => Object.hasOwn(content, f))
    .map((f) => `${f}: ${shown(content[f])}`);
  return parts.length === 0 ? title : `${title} — ${parts.join('; ')}`;
}

export function withheldStatement(seq: number, findingsDigest: string): string {
  return `Custody, exposure and disclosure detail is withheld from this view: it is in the full packet of evaluation ${seq} (findings digest ${findingsDigest}), available in the approved channel only.`;
}

/**
 * The broad view of one compromise-authority evaluation. `records` are the records the evaluation read
 * (the same the station would recompute it from); a finding's record that is not among them is left out.
 */
export function broadView(
  full: FullAuthorityEvaluation,
  records: readonly SourceRecord[],
  families: Families = CATALOGUE,
): BroadView {
  const a = full.authority;
  const scrub = scrubber(restrictedStrings(records, families));
  const byRef = new Map<string, string[]>();
  for (const r of records) {
    const k = `${r.family}\u0000${r.provenance.system}\u0000${r.provenance.recordId}`;
    byRef.set(k, [...(byRef.get(k) ?? []), r.digest]);
  }
  const digestsOf = (refs: readonly { family: string; system: string; recordId: string }[]): string[] => [
    ...new Set(refs.flatMap((x) => byRef.get(`${x.family}\u0000${x.system}\u0000${x.recordId}`) ?? [])),
  ];

  const incidentBroad = new Set(broadFieldsOf('incident-scope', families));
  const incident =
    a.incident === null
      ? null
      : Object.fromEntries(
          Object.entries(a.incident)
            .filter(([k]) => incidentBroad.has(k))
            .map(([k, v]: [string, string | readonly string[]]) => [
              k,
              typeof v === 'string' ? scrub(v) : v.map((x) => scrub(x)),
            ]),
        );

  const findings: BroadView['findings'] = [];
  const gapCounts = new Map<string, { checkId: string; category: Finding['category']; count: number }>();
  for (const f of full.findings) {
    if (BROAD_CHECKS.includes(f.checkId))
      findings.push({
        checkId: f.checkId,
        category: f.category,
        blocking: f.blocking,
        waivable: f.waivable,
        subject: scrub(f.subject),
        records: digestsOf(f.records),
        sentence: scrub(f.sentence),
      });
    else {
      // A fact-gap check, or one this view does not know: counted, never shown.
      const k = `${f.checkId}\u0000${f.category}`;
      const seen = gapCounts.get(k);
      if (seen) seen.count += 1;
      else gapCounts.set(k, { checkId: f.checkId, category: f.category, count: 1 });
    }
  }

  const broadRecords = records.map((r) => ({
    family: r.family,
    digest: r.digest,
    title: scrub(broadTitle(r, families)),
  }));
  const withheldRecords = records.flatMap((r) => {
    const broad = new Set(broadFieldsOf(r.family, families));
    const family = Object.hasOwn(families, r.family) ? families[r.family] : undefined;
    const fields = Object.keys(contentOf(r)).filter((f) => !broad.has(f));
    if (family && !broad.has(family.idField) && !fields.includes(family.idField))
      fields.unshift(family.idField);
    return fields.length === 0 ? [] : [{ family: r.family, digest: r.digest, fields }];
  });

  const view: BroadView = {
    view: 'compromise-authority/broad/v1',
    evaluation: {
      seq: full.seq,
      workflow: full.workflow,
      subject: scrub(full.subject),
      asOf: full.inputs.asOf,
      outcome: full.outcome,
      findingsDigest: full.findingsDigest,
      recordsDigest: full.inputs.recordsDigest,
      policyDigest: full.inputs.policyDigest,
      recordCount: full.inputs.recordCount,
    },
    incident,
    matrix: a.matrix,
    windowEnd: a.windowEnd,
    floor: a.floor,
    recommended: a.recommended,
    facts: a.facts.map((f) => ({
      fact: f.fact,
      value: 'restricted' as const,
      records: digestsOf(f.records),
    })),
    requirements: a.requirements.map((r) => ({
      id: r.id,
      title: r.title,
      decision: r.decision,
      state: r.state,
    })),
    lanes: a.lanes.map((l) => ({
      laneId: l.laneId,
      title: l.title,
      rank: l.rank,
      status: l.status,
      holder:
        l.holder === null
          ? null
          : {
              person: scrub(l.holder.person),
              via: l.holder.via,
              scope: l.holder.scope === null ? null : [...l.holder.scope],
              record: l.holder.record === null ? null : scrub(l.holder.record),
              until: l.holder.until,
            },
      skipped: l.skipped.map((s) => ({ person: scrub(s.person), why: scrub(s.why) })),
      triggers: l.triggers.map((t) => ({ id: t.id, title: t.title, state: t.state })),
      limits: l.limits.map((t) => ({ id: t.id, title: t.title, state: t.state })),
      decides: [...l.decides],
      blocks: l.blocks.map((b) => ({ checkId: b.checkId, ruleId: b.ruleId, reason: scrub(b.reason) })),
      options: [...l.options],
    })),
    options: a.options.map((o) => ({
      optionId: o.optionId,
      runbookId: o.runbookId,
      title: scrub(o.title),
      decisions: [...o.decisions],
      effects: o.effects.map((e) => ({ effect: e.effect, scope: e.scope, reversibility: e.reversibility })),
      worst: o.worst,
      insideLanes: [...o.insideLanes],
      insideDelegated: [...o.insideDelegated],
    })),
    findings,
    gaps: [...gapCounts.values()],
    records: broadRecords,
    withheld: {
      records: withheldRecords,
      parts: [
        'the value of every fact (names and records only)',
        'the note of every option effect',
        "the outcome's reason (it names fact-gap detail)",
        `the detail of every fact-gap finding (${GAP_CHECKS.join(', ')}): counted by check and category`,
      ],
      statement: withheldStatement(full.seq, full.findingsDigest),
    },
  };
  return broadViewSchema.parse(view);
}
