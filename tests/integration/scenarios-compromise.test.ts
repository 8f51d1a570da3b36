import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LANE_STATUSES } from '../../src/core/authority/model';
import { authorityMatrixSchema } from '../../src/core/findings/policy/authority-matrix';
import { COMPROMISE_OUTCOMES } from '../../src/core/findings/workflows/compromise';
import matrixJson from '../../resources/policy/authority-matrix.json';
import { systemDeps } from '../../src/main/runtime';
import { scenarioRedirect } from '../../src/main/services/authority';
import { runScenario, type ScenarioRun } from '../../src/main/services/findings/scenario';
import { stationCli } from '../e2e/harness';

/**
 * The compromise-authority scenario corpus (tests/scenarios/compromise-authority): each folder goes
 * through the real scenario path (a fresh station, the normal record and policy imports, the registered
 * workflow) and must match its expectation — outcome, every finding (exhaustive), the recommended lane
 * and each lane's status and holder. Over the default-matrix runs every trigger, limit and requirement
 * of the default matrix is seen both holding and not holding, and all four lane statuses occur.
 */
const ROOT = join(import.meta.dirname, '..', 'scenarios', 'compromise-authority');
const folders = readdirSync(ROOT)
  .filter((n) => existsSync(join(ROOT, n, 'scenario.json')))
  .sort();
const DEFAULT = authorityMatrixSchema.parse(matrixJson);

const runs = new Map<string, ScenarioRun>();
const explain = (run: ScenarioRun) =>
  JSON.stringify({
    expect: run.expect,
    reason: run.evaluation.reason,
    lanes: run.evaluation.authority?.lanes.map((l) => [l.laneId, l.status, l.holder?.person ?? null]),
  });

describe('compromise-authority scenarios (tests/scenarios/compromise-authority)', () => {
  it('the corpus has at least 16 scenarios covering every outcome', async () => {
    expect(folders.length).toBeGreaterThanOrEqual(16);
  });

  for (const name of folders)
    it(`${name} matches what it plants`, async () => {
      const run = await runScenario(join(ROOT, name), { deps: systemDeps, redirect: scenarioRedirect });
      runs.set(name, run);
      expect(run.scenario.workflow).toBe('compromise-authority');
      expect(run.expect, `${name} has an expectation`).not.toBeNull();
      expect(run.scenario.expect?.lanes, `${name} expects lane states`).toBeDefined();
      expect(run.scenario.expect?.recommended, `${name} expects a recommended lane`).not.toBeUndefined();
      expect(run.evaluation.authority, 'the evaluation carries the authority view').toBeDefined();
      expect(run.expect?.matched, explain(run)).toBe(true);
      for (const st of run.steps)
        expect(st.matched, `${name}: ${st.title}: ${JSON.stringify(st)}`).toBe(true);
    });

  it('facts that change inside the critical window and redirects are scenarios with later steps', async () => {
    const stepped = folders.filter((n) => /^1[345]-/.test(n));
    expect(stepped).toHaveLength(3);
    for (const name of stepped) {
      const run =
        runs.get(name) ??
        (await runScenario(join(ROOT, name), { deps: systemDeps, redirect: scenarioRedirect }));
      expect(run.steps.length, name).toBeGreaterThan(0);
      expect(
        run.steps.every((st) => st.matched),
        name,
      ).toBe(true);
    }
    const moved = runs.get('13-contractual-notice-arrives-in-window')!;
    expect(moved.evaluation.authority?.recommended).toBe('executive-cyber-command');
    expect(moved.steps[0]?.evaluation?.recommended).toBe('legal-trust-office');
    const redirected = runs.get('15-redirects-beside-computed-lane')!;
    expect(redirected.steps.map((st) => st.mismatches)).toEqual([[], []]);
  });

  it('a step never matches on a lane it cannot see or a status that did not hold (the check can fail)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scenario-14-'));
    cpSync(join(ROOT, '14-exposure-ruled-out-in-window'), dir, { recursive: true });
    const spec = JSON.parse(readFileSync(join(dir, 'scenario.json'), 'utf8')) as {
      steps: { changes: { lanes: Record<string, { from: string; to: string }> } }[];
    };
    spec.steps[0]!.changes.lanes = {
      'no-such-lane': { from: 'viable', to: 'viable' },
      'legal-trust-office': { from: 'blocked', to: 'blocked' },
    };
    writeFileSync(join(dir, 'scenario.json'), JSON.stringify(spec));
    try {
      const run = await runScenario(dir, { deps: systemDeps, redirect: scenarioRedirect });
      expect(run.steps[0]?.matched).toBe(false);
      expect(run.steps[0]?.mismatches.map((m) => m.field).sort()).toEqual([
        'changes.legal-trust-office',
        'changes.no-such-lane',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('every outcome occurs; the default matrix is exercised both ways; all lane statuses occur', async () => {
    for (const name of folders)
      if (!runs.has(name))
        runs.set(name, await runScenario(join(ROOT, name), { deps: systemDeps, redirect: scenarioRedirect }));
    const all = [...runs.values()];
    expect(new Set(all.map((r) => r.evaluation.outcome))).toEqual(new Set(COMPROMISE_OUTCOMES));
    const onDefault = all.filter((r) => r.imports.every((i) => i.kind === 'records'));
    expect(onDefault.length).toBeGreaterThanOrEqual(16);
    const seen = new Map<string, Set<string>>();
    const note = (id: string, state: string) => seen.set(id, (seen.get(id) ?? new Set()).add(state));
    const statuses = new Set<string>();
    for (const r of onDefault) {
      const a = r.evaluation.authority;
      expect(a?.matrix).toBe(DEFAULT.matrix);
      for (const q of a?.requirements ?? []) note(q.id, q.state);
      for (const l of a?.lanes ?? []) {
        statuses.add(l.status);
        for (const t of [...l.triggers, ...l.limits]) note(t.id, t.state);
      }
    }
    const ruleIds = [
      ...DEFAULT.lanes.flatMap((l) => [...l.triggers, ...l.limits].map((r) => r.id)),
      ...DEFAULT.requires.map((r) => r.id),
    ];
    expect(ruleIds.length).toBe(14);
    for (const id of ruleIds) {
      expect(seen.get(id), `${id} holds somewhere`).toContain('holds');
      expect(seen.get(id), `${id} does not hold somewhere`).toContain('does-not-hold');
    }
    expect([...statuses].sort()).toEqual([...LANE_STATUSES].sort());
    // Delegation, succession (invoked and automatic) and recusal are each exercised.
    const vias = new Set(
      onDefault.flatMap((r) => r.evaluation.authority?.lanes ?? []).map((l) => l.holder?.via),
    );
    expect([...vias].sort()).toEqual(['delegation', 'holder', 'succession', undefined]);
    const skips = onDefault.flatMap((r) => r.evaluation.authority?.lanes ?? []).flatMap((l) => l.skipped);
    expect(skips.some((s) => s.why.startsWith('recused'))).toBe(true);
    expect(skips.some((s) => s.why.startsWith('unavailable'))).toBe(true);
  });

  it('the organisation matrix (23) routes the facts of 02 differently', async () => {
    const a =
      runs.get('02-desktop-agents-external-600') ??
      (await runScenario(join(ROOT, '02-desktop-agents-external-600'), {
        deps: systemDeps,
        redirect: scenarioRedirect,
      }));
    const b =
      runs.get('23-org-two-lane-matrix') ??
      (await runScenario(join(ROOT, '23-org-two-lane-matrix'), {
        deps: systemDeps,
        redirect: scenarioRedirect,
      }));
    expect(a.evaluation.inputs.recordsDigest).toBe(b.evaluation.inputs.recordsDigest);
    expect(a.evaluation.policy.digest).not.toBe(b.evaluation.policy.digest);
    expect(a.evaluation.authority?.recommended).not.toBe(b.evaluation.authority?.recommended);
  });

  it('a scenario run twice gives byte-identical findings digests and findings', async () => {
    const dir = join(ROOT, '07-untraced-signatures');
    const [x, y] = [
      await runScenario(dir, { deps: systemDeps, redirect: scenarioRedirect }),
      await runScenario(dir, { deps: systemDeps, redirect: scenarioRedirect }),
    ];
    expect(x.evaluation.findingsDigest).toBe(y.evaluation.findingsDigest);
    expect(JSON.stringify(x.evaluation.findings)).toBe(JSON.stringify(y.evaluation.findings));
    expect(JSON.stringify(x.evaluation.authority)).toBe(JSON.stringify(y.evaluation.authority));
  });

  it('station scenario run DIR --json --check (built CLI, npm run build first) gives the in-process run', async () => {
    const name = '01-internal-packages-suspected';
    const r = stationCli(['scenario', 'run', join(ROOT, name), '--json', '--check']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const cli = JSON.parse(r.stdout) as Pick<ScenarioRun, 'evaluation' | 'expect'>;
    const local =
      runs.get(name) ??
      (await runScenario(join(ROOT, name), { deps: systemDeps, redirect: scenarioRedirect }));
    expect(cli.expect?.matched).toBe(true);
    expect(cli.expect?.authority).toEqual([]);
    expect(cli.evaluation.findingsDigest).toBe(local.evaluation.findingsDigest);
    expect(cli.evaluation.authority).toEqual(local.evaluation.authority);
  });
});
