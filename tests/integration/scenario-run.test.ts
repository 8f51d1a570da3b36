import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { systemDeps } from '../../src/main/runtime';
import { runScenario, type ScenarioRun } from '../../src/main/services/findings/scenario';
import { stationCli } from '../e2e/harness';

/**
 * Every scenario folder through the real scenario path — a fresh station, the normal record and policy
 * imports, the registered workflow, the expectation compared with `--check` semantics (outcome equal,
 * every expected finding present, no absent one, nothing unlisted unless the scenario is not
 * exhaustive) — and two of them through the built CLI `station scenario run DIR --json --check`, whose
 * result must equal the in-process run.
 */
const ROOT = join(import.meta.dirname, '..', 'scenarios');
const folders = ['deferral', 'attestation'].flatMap((workflow) =>
  readdirSync(join(ROOT, workflow))
    .filter((n) => existsSync(join(ROOT, workflow, n, 'scenario.json')))
    .sort()
    .map((n) => ({ workflow, name: n, dir: join(ROOT, workflow, n) })),
);

const runs = new Map<string, ScenarioRun>();

/** What a mismatch looks like, so a failing scenario says why. */
const explain = (run: ScenarioRun) =>
  JSON.stringify({ expect: run.expect, outcome: run.evaluation.outcome, reason: run.evaluation.reason });

describe('station scenario run over tests/scenarios (in-process, --check semantics)', () => {
  it('finds every scenario folder of both workflows', () => {
    expect(folders.filter((f) => f.workflow === 'deferral').length).toBeGreaterThanOrEqual(12);
    expect(folders.filter((f) => f.workflow === 'attestation').length).toBeGreaterThanOrEqual(12);
  });

  for (const f of folders)
    it(`${f.workflow}/${f.name} matches what it plants`, async () => {
      const run = await runScenario(f.dir, { deps: systemDeps });
      runs.set(f.dir, run);
      expect(run.scenario.workflow).toBe(f.workflow);
      expect(run.expect, `${f.name} has an expectation`).not.toBeNull();
      expect(run.imports.some((i) => i.kind === 'records')).toBe(true);
      expect(run.expect?.matched, explain(run)).toBe(true);
    });
});

describe('station scenario run DIR --json --check (built CLI)', () => {
  const picked = [
    folders.find((f) => f.workflow === 'deferral' && f.name.startsWith('11-')),
    folders.find((f) => f.workflow === 'attestation' && f.name.startsWith('05-')),
  ];

  for (const f of picked)
    it(`${f?.workflow}/${f?.name}: exit 0, JSON parses, the same evaluation as in-process`, async () => {
      expect(f, 'the picked scenario folder exists').toBeDefined();
      if (!f) return;
      const r = stationCli(['scenario', 'run', f.dir, '--json', '--check']);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const cli = JSON.parse(r.stdout) as {
        evaluation: ScenarioRun['evaluation'];
        expect: NonNullable<ScenarioRun['expect']>;
      };
      const local = runs.get(f.dir) ?? (await runScenario(f.dir, { deps: systemDeps }));
      expect(cli.expect.matched).toBe(true);
      expect(cli.evaluation.outcome).toBe(local.evaluation.outcome);
      expect(cli.evaluation.reason).toBe(local.evaluation.reason);
      expect(cli.evaluation.findingsDigest).toBe(local.evaluation.findingsDigest);
      expect(cli.evaluation.findings).toEqual(local.evaluation.findings);
      expect(cli.evaluation.inputs).toEqual(local.evaluation.inputs);
    });
});
