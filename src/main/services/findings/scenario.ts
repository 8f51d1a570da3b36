import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { LANE_STATUSES } from '../../../core/authority/model';
import { isoTime } from '../../../core/schema';
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

export const scenarioSchema = z.object({
  workflow: z.string().min(1).max(80),
  title: z.string().min(1).max(300),
  asOf: isoTime,
  subject: z.string().min(1).max(200),
  planted: z.string().max(4000).optional(),
  /** false: findings in neither list are allowed (otherwise each one is a mismatch). */
  exhaustive: z.boolean().optional(),
  expect: z
    .object({
      outcome: z.string().min(1).max(80),
      findings: z.array(findingKey).default([]),
      absent: z.array(findingKey).default([]),
      exhaustive: z.boolean().optional(),
      /** The lane the authority view recommends (null: none). Omitted: not compared. */
      recommended: z.string().min(1).max(80).nullable().optional(),
      /** Per lane of the authority view: status, and where given holder and via. */
      lanes: z.record(z.string().min(1).max(80), laneExpectation).optional(),
    })
    .optional(),
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
}

export interface AuthorityMismatch {
  readonly field: string;
  readonly expected: string | null;
  readonly actual: string | null;
}

export interface ScenarioRun {
  readonly scenario: Scenario;
  readonly imports: readonly { file: string; kind: 'records' | 'policy'; detail: string }[];
  readonly evaluation: View<'findingsEvaluate'>;
  readonly expect: ScenarioExpectation | null;
}

const ACTOR = 'operator:scenario';

function readScenario(dir: string): Scenario {
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
): ScenarioExpectation {
  const key = (f: FindingKey) => `${f.checkId}\u0000${f.subject}`;
  const got = new Map(view.findings.map((f) => [key(f), { checkId: f.checkId, subject: f.subject }]));
  const listed = new Set([...expected.findings, ...expected.absent].map(key));
  const missing = expected.findings.filter((f) => !got.has(key(f)));
  const present = expected.absent.filter((f) => got.has(key(f)));
  const unexpected = exhaustive ? [...got.values()].filter((f) => !listed.has(key(f))) : [];
  const outcome = { expected: expected.outcome, actual: view.outcome };
  const authority = compareAuthority(expected, view.authority);
  const matched =
    outcome.expected === outcome.actual &&
    missing.length === 0 &&
    present.length === 0 &&
    unexpected.length === 0 &&
    (authority ?? []).length === 0;
  return { matched, outcome, missing, present, unexpected, ...(authority ? { authority } : {}) };
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
export async function runScenario(
  dir: string,
  opts: { asOf?: string | undefined; deps: StationDeps; registry?: FindingsRegistry },
): Promise<ScenarioRun> {
  const scenario = readScenario(dir);
  // Before any station is built: a workflow the station does not evaluate is refused by name.
  workflowOf(opts.registry ?? REGISTRY, scenario.workflow);
  const asOf = opts.asOf === undefined ? scenario.asOf : parseOrThrow(isoTime, opts.asOf, 'asOf');
  const home = mkdtempSync(join(tmpdir(), 'station-scenario-'));
  try {
    const station = Station.init(
      join(home, 'station'),
      { name: 'Scenario station', mode: 'offline', demo: false, actor: ACTOR },
      opts.deps,
    );
    try {
      const imports: { file: string; kind: 'records' | 'policy'; detail: string }[] = [];
      for (const path of filesIn(join(dir, 'sources'), /\.(json|csv)$/i)) {
        const r = await importRecordsFile(station, { path, actor: ACTOR });
        imports.push({
          file: `sources/${basename(path)}`,
          kind: 'records',
          detail: `${r.count} ${r.family} from ${r.system}`,
        });
      }
      for (const path of filesIn(join(dir, 'policy'), /\.json$/i)) {
        const p = await importPolicyFile(
          station,
          { path, actor: ACTOR, exportedAt: asOf },
          opts.registry?.policies,
        );
        imports.push({
          file: `policy/${basename(path)}`,
          kind: 'policy',
          detail: `${p.policy} v${p.version}`,
        });
      }
      const evaluation = evaluateWorkflow(
        station,
        { workflow: scenario.workflow, subject: scenario.subject, asOf, actor: ACTOR },
        opts.registry,
      );
      const exhaustive = scenario.expect?.exhaustive ?? scenario.exhaustive ?? true;
      return {
        scenario,
        imports,
        evaluation,
        expect: scenario.expect ? compareExpectation(scenario.expect, exhaustive, evaluation) : null,
      };
    } finally {
      station.close();
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
