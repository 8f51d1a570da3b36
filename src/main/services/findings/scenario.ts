import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { diffAuthority } from '../../../core/authority/diff';
import { LANE_STATUSES } from '../../../core/authority/model';
import { isoTime, scenarioSubfolder } from '../../../core/schema';
import { firstIssue, parseOrThrow } from '../../../core/validate';
import type { View } from '../../../shared/contract';
import { stationError } from '../../errors';
import { Station, type StationDeps } from '../../station/station';
import { importPolicyFile, importRecordsFile } from '../records';
import { evaluateWorkflow, REGISTRY, workflowOf, type FindingsRegistry } from './evaluate';

/**
 * Scenario folders (docs/records.md, "Scenario folders"): source exports and policy records with the
 * workflow, subject and instant to evaluate, and what is expected. `runScenario` builds a fresh station
 * in a temporary directory (never a demo), imports everything through the normal import paths,
 * evaluates, compares with `expect`, and removes the station.
 */
const findingKey = z.strictObject({ checkId: z.string().min(1), subject: z.string().min(1) });
/** What a scenario expects of one lane of a derived authority view (workflow compromise-authority). */
const laneExpectation = z.strictObject({
  status: z.enum(LANE_STATUSES),
  /** The person holding the lane at asOf; null: nobody. Omitted: not compared. */
  holder: z.string().min(1).max(200).nullable().optional(),
  via: z.enum(['holder', 'succession', 'delegation']).optional(),
});

/** The states a readiness-ledger line can be expected in (`absent`: no such line). */
export const LEDGER_STATES = ['ready', 'hold', 'quarantined', 'absent'] as const;

/** What the operator would give on importing a CSV (which names neither its system nor its export time). */
const csvExport = z.strictObject({
  system: z.string().trim().min(1).max(200),
  exportedAt: isoTime,
  family: z.string().min(1).max(80).optional(),
});

const expectationSchema = z.object({
  outcome: z.string().min(1).max(80),
  findings: z.array(findingKey).default([]),
  absent: z.array(findingKey).default([]),
  exhaustive: z.boolean().optional(),
  /** The lane the authority view recommends (null: none). Omitted: not compared. */
  recommended: z.string().min(1).max(80).nullable().optional(),
  /** Per lane of the authority view: status, and where given holder and via. */
  lanes: z.record(z.string().min(1).max(80), laneExpectation).optional(),
  /**
   * Per line of a derived readiness ledger (workflow activation-gate), keyed `<area>/<item>`: its state,
   * or `absent` when the ledger must have no such line. Omitted: not compared.
   */
  ledger: z.record(z.string().min(1).max(400), z.enum(LEDGER_STATES)).optional(),
});

const laneId = z.string().min(1).max(80);
const stepSchema = z.union([
  z.strictObject({
    title: z.string().min(1).max(300),
    /** A subfolder of the scenario holding the exports that arrive now (imported like sources/). */
    import: scenarioSubfolder.optional(),
    asOf: isoTime.optional(),
    expect: expectationSchema,
    /** How each named lane's status moved from the evaluation before; whether inside the critical window. */
    changes: z
      .strictObject({
        lanes: z.record(laneId, z.strictObject({ from: z.enum(LANE_STATUSES), to: z.enum(LANE_STATUSES) })),
        inCriticalWindow: z.boolean().optional(),
      })
      .optional(),
  }),
  z.strictObject({
    title: z.string().min(1).max(300),
    redirect: z.strictObject({
      by: z.string().min(1).max(120),
      role: z.string().min(1).max(60).default('security-leadership'),
      toLane: laneId,
      reason: z.string().min(1).max(2000),
    }),
    /** What the station records beside the redirect: its computed lane and the target's computed status. */
    redirected: z.strictObject({
      computedLane: laneId.nullable(),
      targetComputedStatus: z.enum(LANE_STATUSES),
    }),
  }),
]);

export const scenarioSchema = z.object({
  workflow: z.string().min(1).max(80),
  title: z.string().min(1).max(300),
  asOf: isoTime,
  subject: z.string().min(1).max(200),
  planted: z.string().max(4000).optional(),
  /** false: findings in neither list are allowed (otherwise each one is a mismatch). */
  exhaustive: z.boolean().optional(),
  expect: expectationSchema.optional(),
  /**
   * Later steps, in order (workflow compromise-authority): new records arrive (`import`, a subfolder of
   * exports) and the subject is evaluated again (`asOf`, default the scenario's), with what is expected
   * then and how the lanes changed from the evaluation before (`changes`); or a person redirects the
   * latest evaluation (`redirect`: a signed act by an ephemeral trust entry holding the role), with what
   * the station records beside it (`redirected`).
   */
  steps: z.array(stepSchema).max(20).optional(),
  /**
   * The system and export time (and optionally the family) of each CSV export, keyed by its path in the
   * folder (`sources/shifts.csv`, `later/commitments.csv`): a CSV names neither, so the scenario gives
   * them as an operator would on import (`--system`, `--exported-at`). A CSV not listed is refused.
   */
  csv: z.record(z.string().min(1).max(300), csvExport).optional(),
});
export type Scenario = z.output<typeof scenarioSchema>;

type FindingKey = z.output<typeof findingKey>;

export interface ScenarioExpectation {
  readonly matched: boolean;
  readonly outcome: { readonly expected: string; readonly actual: string };
  /** Expected findings that did not appear. */
  readonly missing: readonly FindingKey[];
  /** Findings listed as absent that appeared. */
  readonly present: readonly FindingKey[];
  /** Findings in neither list (a mismatch unless the scenario is not exhaustive). */
  readonly unexpected: readonly FindingKey[];
  /**
   * Where the scenario expects a recommended lane or lane states: each one that differs from the
   * evaluation's authority view (field `recommended`, or `<laneId>.status|holder|via`; `actual` null
   * when the view has no such lane or no authority view at all). Absent when nothing of it is expected.
   */
  readonly authority?: readonly AuthorityMismatch[];
  /**
   * Where the scenario expects ledger line states: each one that differs (field `ledger.<area>/<item>`,
   * `actual` `absent` when the ledger has no such line, null when the evaluation derived no ledger).
   */
  readonly ledger?: readonly AuthorityMismatch[];
}

export interface AuthorityMismatch {
  readonly field: string;
  readonly expected: string | null;
  readonly actual: string | null;
}

/** One later step as it ran: what was expected of it and every difference found. */
export interface StepRun {
  readonly title: string;
  readonly matched: boolean;
  /** For an evaluation step: its seq, outcome and recommended lane, and how it compared. */
  readonly evaluation?: {
    readonly seq: number;
    readonly outcome: string;
    readonly recommended: string | null;
  };
  readonly expect?: ScenarioExpectation;
  /** Differences from what was expected of the lanes' changes or of the redirect (field, expected, actual). */
  readonly mismatches: readonly AuthorityMismatch[];
}

/**
 * A redirect a scenario step records (injected: the redirect act lives in services/authority, which
 * reads this domain). It signs as `by` holding `role`, on the latest evaluation.
 */
export type ScenarioRedirect = (
  station: Station,
  request: {
    incidentId: string;
    evaluationSeq: number;
    by: string;
    role: string;
    toLane: string;
    reason: string;
    actor: string;
  },
) => Promise<{ computedLane: string | null; targetComputedStatus: string }>;

export interface ScenarioRun {
  readonly scenario: Scenario;
  readonly imports: readonly { file: string; kind: 'records' | 'policy'; detail: string }[];
  readonly evaluation: View<'findingsEvaluate'>;
  readonly expect: ScenarioExpectation | null;
  /** The later steps (none when the scenario has none); the run matches only when each of them does. */
  readonly steps: readonly StepRun[];
}

const ACTOR = 'operator:scenario';

export function readScenario(dir: string): Scenario {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(join(dir, 'scenario.json'), 'utf8'));
  } catch (e) {
    throw stationError(
      'SCENARIO_INVALID',
      `${join(dir, 'scenario.json')} cannot be read as JSON (${(e as NodeJS.ErrnoException).code ?? 'not JSON'})`,
      { field: 'scenario.json' },
    );
  }
  const r = scenarioSchema.safeParse(data);
  if (r.success) return r.data;
  const { field, message } = firstIssue(r.error, 'scenario');
  throw stationError('SCENARIO_INVALID', `${join(dir, 'scenario.json')}: ${field} ${message}`, { field });
}

/** Regular files of a scenario subfolder, by name (an absent folder is empty). */
function filesIn(dir: string, pattern: RegExp): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => pattern.test(n) && !n.startsWith('.'))
    .sort()
    .map((n) => join(dir, n));
}

export function compareExpectation(
  expected: NonNullable<Scenario['expect']>,
  exhaustive: boolean,
  view: Pick<View<'findingsEvaluate'>, 'findings' | 'outcome' | 'authority'>,
  derived?: unknown,
): ScenarioExpectation {
  const key = (f: FindingKey) => `${f.checkId}\u0000${f.subject}`;
  const got = new Map(view.findings.map((f) => [key(f), { checkId: f.checkId, subject: f.subject }]));
  const listed = new Set([...expected.findings, ...expected.absent].map(key));
  const missing = expected.findings.filter((f) => !got.has(key(f)));
  const present = expected.absent.filter((f) => got.has(key(f)));
  const unexpected = exhaustive ? [...got.values()].filter((f) => !listed.has(key(f))) : [];
  const outcome = { expected: expected.outcome, actual: view.outcome };
  const authority = compareAuthority(expected, view.authority);
  const ledger = compareLedger(expected, derived);
  const matched =
    outcome.expected === outcome.actual &&
    missing.length === 0 &&
    present.length === 0 &&
    unexpected.length === 0 &&
    (authority ?? []).length === 0 &&
    (ledger ?? []).length === 0;
  return {
    matched,
    outcome,
    missing,
    present,
    unexpected,
    ...(authority ? { authority } : {}),
    ...(ledger ? { ledger } : {}),
  };
}

/** A derived readiness ledger as far as a scenario reads it: its lines' area, item and state. */
const ledgerShape = z.object({
  lines: z.array(z.object({ area: z.string(), item: z.string(), state: z.string() })),
});

/** The ledger expectations that differ from the derived ledger (null: the scenario expects none). */
function compareLedger(
  expected: NonNullable<Scenario['expect']>,
  derived: unknown,
): AuthorityMismatch[] | null {
  if (expected.ledger === undefined) return null;
  const parsed = ledgerShape.safeParse(derived);
  const lines = parsed.success ? parsed.data.lines : null;
  const out: AuthorityMismatch[] = [];
  for (const [key, want] of Object.entries(expected.ledger).sort(([a], [b]) => a.localeCompare(b))) {
    const states = lines?.filter((l) => `${l.area}/${l.item}` === key).map((l) => l.state) ?? null;
    // Two lines of one key that disagree never match a single expected state.
    const got = states === null ? null : states.length === 0 ? 'absent' : [...new Set(states)].join('|');
    if (got !== want) out.push({ field: `ledger.${key}`, expected: want, actual: got });
  }
  return out;
}

/** The authority expectations that differ from the view (null: the scenario expects none). */
function compareAuthority(
  expected: NonNullable<Scenario['expect']>,
  view: View<'findingsEvaluate'>['authority'],
): AuthorityMismatch[] | null {
  if (expected.recommended === undefined && expected.lanes === undefined) return null;
  const out: AuthorityMismatch[] = [];
  const differ = (field: string, want: string | null, got: string | null) => {
    if (want !== got) out.push({ field, expected: want, actual: got });
  };
  if (expected.recommended !== undefined)
    differ('recommended', expected.recommended, view?.recommended ?? null);
  for (const [laneId, want] of Object.entries(expected.lanes ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    const lane = view?.lanes.find((l) => l.laneId === laneId);
    differ(`${laneId}.status`, want.status, lane?.status ?? null);
    if (want.holder !== undefined) differ(`${laneId}.holder`, want.holder, lane?.holder?.person ?? null);
    if (want.via !== undefined) differ(`${laneId}.via`, want.via, lane?.holder?.via ?? null);
  }
  return out;
}

/**
 * Runs a scenario folder on a fresh station: sources/*.json|csv through the records import, policy/*.json
 * through the policy import (a policy file that names no time takes effect at the evaluation instant),
 * then the evaluation as of `asOf` (default: the scenario's).
 */
/**
 * Imports a scenario folder's sources (records, then policy) into a station, as `scenario run` does; also
 * the way a demo or a test loads a scenario's records into a station of its own.
 */
export async function importScenarioSources(
  station: Station,
  dir: string,
  scenario: Scenario,
  opts: { asOf: string; registry?: FindingsRegistry | undefined },
): Promise<{ file: string; kind: 'records' | 'policy'; detail: string }[]> {
  const imports: { file: string; kind: 'records' | 'policy'; detail: string }[] = [];
  for (const path of filesIn(join(dir, 'sources'), /\.(json|csv)$/i)) {
    const r = await importRecordsFile(station, {
      path,
      actor: ACTOR,
      ...csvMetaOf(dir, scenario, `sources/${basename(path)}`),
    });
    imports.push({
      file: `sources/${basename(path)}`,
      kind: 'records',
      detail: `${r.count} ${r.family} from ${r.system}`,
    });
  }
  for (const path of filesIn(join(dir, 'policy'), /\.json$/i)) {
    const p = await importPolicyFile(
      station,
      { path, actor: ACTOR, exportedAt: opts.asOf },
      opts.registry?.policies,
    );
    imports.push({
      file: `policy/${basename(path)}`,
      kind: 'policy',
      detail: `${p.policy} v${p.version}`,
    });
  }
  return imports;
}

export async function runScenario(
  dir: string,
  opts: {
    asOf?: string | undefined;
    deps: StationDeps;
    registry?: FindingsRegistry;
    redirect?: ScenarioRedirect;
  },
): Promise<ScenarioRun> {
  const scenario = readScenario(dir);
  if (scenario.steps?.some((st) => 'redirect' in st) && !opts.redirect)
    throw stationError('SCENARIO_INVALID', `${dir}: a redirect step needs the authority redirect act`, {
      field: 'steps',
    });
  // Before any station is built: a workflow the station does not evaluate is refused by name.
  workflowOf(opts.registry ?? REGISTRY, scenario.workflow);
  const asOf = opts.asOf === undefined ? scenario.asOf : parseOrThrow(isoTime, opts.asOf, 'asOf');
  const { registry, lastDerived } = capturing(opts.registry ?? REGISTRY, scenario.workflow);
  const home = mkdtempSync(join(tmpdir(), 'station-scenario-'));
  try {
    const station = Station.init(
      join(home, 'station'),
      { name: 'Scenario station', mode: 'offline', demo: false, actor: ACTOR },
      opts.deps,
    );
    try {
      const imports = await importScenarioSources(station, dir, scenario, { asOf, registry: opts.registry });
      const evaluation = evaluateWorkflow(
        station,
        { workflow: scenario.workflow, subject: scenario.subject, asOf, actor: ACTOR },
        registry,
      );
      const derived = lastDerived();
      const exhaustive = scenario.expect?.exhaustive ?? scenario.exhaustive ?? true;
      const steps: StepRun[] = [];
      let last = evaluation;
      for (const step of scenario.steps ?? []) {
        if ('redirect' in step) {
          const r = await (opts.redirect as ScenarioRedirect)(station, {
            incidentId: scenario.subject,
            evaluationSeq: last.seq,
            by: step.redirect.by,
            role: step.redirect.role,
            toLane: step.redirect.toLane,
            reason: step.redirect.reason,
            actor: ACTOR,
          });
          const mismatches: AuthorityMismatch[] = [];
          if (r.computedLane !== step.redirected.computedLane)
            mismatches.push({
              field: 'redirected.computedLane',
              expected: step.redirected.computedLane,
              actual: r.computedLane,
            });
          if (r.targetComputedStatus !== step.redirected.targetComputedStatus)
            mismatches.push({
              field: 'redirected.targetComputedStatus',
              expected: step.redirected.targetComputedStatus,
              actual: r.targetComputedStatus,
            });
          steps.push({ title: step.title, matched: mismatches.length === 0, mismatches });
          continue;
        }
        for (const path of step.import ? filesIn(join(dir, step.import), /\.(json|csv)$/i) : []) {
          const r = await importRecordsFile(station, {
            path,
            actor: ACTOR,
            ...csvMetaOf(dir, scenario, `${step.import}/${basename(path)}`),
          });
          imports.push({
            file: `${step.import}/${basename(path)}`,
            kind: 'records',
            detail: `${r.count} ${r.family} from ${r.system}`,
          });
        }
        const next = evaluateWorkflow(
          station,
          { workflow: scenario.workflow, subject: scenario.subject, asOf: step.asOf ?? asOf, actor: ACTOR },
          registry,
        );
        const expect = compareExpectation(
          step.expect,
          step.expect.exhaustive ?? exhaustive,
          next,
          lastDerived(),
        );
        const mismatches = compareChanges(step.changes, last, next);
        steps.push({
          title: step.title,
          matched: expect.matched && mismatches.length === 0,
          evaluation: {
            seq: next.seq,
            outcome: next.outcome,
            recommended: next.authority?.recommended ?? null,
          },
          expect,
          mismatches,
        });
        last = next;
      }
      return {
        scenario,
        imports,
        evaluation,
        expect: scenario.expect ? compareExpectation(scenario.expect, exhaustive, evaluation, derived) : null,
        steps,
      };
    } finally {
      station.close();
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/**
 * The registry with the scenario's workflow wrapped so that what its evaluation derives (a readiness
 * ledger) can be compared: the same evaluation the view is made of, passed on unchanged.
 */
function capturing(
  registry: FindingsRegistry,
  workflow: string,
): { registry: FindingsRegistry; lastDerived: () => unknown } {
  const entry = workflowOf(registry, workflow);
  let derived: unknown;
  return {
    registry: {
      ...registry,
      workflows: {
        ...registry.workflows,
        [workflow]: {
          ...entry,
          evaluate: (input) => {
            const e = entry.evaluate(input);
            derived = e.derived;
            return e;
          },
        },
      },
    },
    lastDerived: () => {
      const d = derived;
      derived = undefined;
      return d;
    },
  };
}

/** The system and export time a scenario gives for one of its CSV exports (none for a JSON envelope). */
function csvMetaOf(
  dir: string,
  scenario: Scenario,
  file: string,
): { system?: string; exportedAt?: string; family?: string } {
  if (!/\.csv$/i.test(file)) return {};
  const meta = scenario.csv?.[file];
  if (!meta)
    throw stationError(
      'SCENARIO_INVALID',
      `${join(dir, file)}: a CSV export names neither its system nor its export time; give them in scenario.json "csv"."${file}"`,
      { field: 'csv' },
    );
  return meta;
}

/** How the lanes moved between two evaluations, against what a step expects (core/authority/diff.ts). */
function compareChanges(
  want:
    | { lanes: Record<string, { from: string; to: string }>; inCriticalWindow?: boolean | undefined }
    | undefined,
  before: View<'findingsEvaluate'>,
  after: View<'findingsEvaluate'>,
): AuthorityMismatch[] {
  if (!want) return [];
  if (!before.authority || !after.authority)
    return [{ field: 'changes', expected: 'an authority view on both sides', actual: null }];
  const d = diffAuthority(
    {
      view: before.authority,
      findings: before.findings,
      asOf: before.inputs.asOf,
      policyDigest: before.inputs.policyDigest,
    },
    {
      view: after.authority,
      findings: after.findings,
      asOf: after.inputs.asOf,
      policyDigest: after.inputs.policyDigest,
    },
  );
  const out: AuthorityMismatch[] = [];
  for (const [lane, fromTo] of Object.entries(want.lanes).sort(([a], [b]) => a.localeCompare(b))) {
    // Read off both views (a lane missing from either is a mismatch, never "unchanged").
    const was = before.authority.lanes.find((x) => x.laneId === lane)?.status ?? null;
    const is = after.authority.lanes.find((x) => x.laneId === lane)?.status ?? null;
    const expected = `${fromTo.from} → ${fromTo.to}`;
    const actual = `${was ?? 'none'} → ${is ?? 'none'}`;
    if (actual !== expected) out.push({ field: `changes.${lane}`, expected, actual });
    // The diff agrees: a lane whose status moved is listed as changed there.
    const l = d.lanes.find((x) => x.laneId === lane);
    if ((was !== is) !== (l?.statusChanged ?? false))
      out.push({
        field: `changes.${lane}.diff`,
        expected: String(was !== is),
        actual: String(l?.statusChanged ?? false),
      });
  }
  if (want.inCriticalWindow !== undefined && d.inCriticalWindow !== want.inCriticalWindow)
    out.push({
      field: 'changes.inCriticalWindow',
      expected: String(want.inCriticalWindow),
      actual: String(d.inCriticalWindow),
    });
  return out;
}
