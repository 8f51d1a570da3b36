import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACTIVATION_RULES } from '../../src/core/findings/rules/activation/rules';
import { ACTIVATION_OUTCOMES } from '../../src/core/findings/workflows/activation';
import { systemDeps } from '../../src/main/runtime';
import { runScenario, type ScenarioRun } from '../../src/main/services/findings/scenario';
import { stationCli } from '../e2e/harness';

/**
 * The offline-signing activation-gate corpus (tests/scenarios/offline-signing-activation): each folder
 * goes through the real scenario path (a fresh station, the normal record imports of its CSV and JSON
 * exports, its policy file where it has one, the registered workflow `activation-gate`) and must match its
 * expectation — outcome, every finding (exhaustive), and the states of the readiness-ledger lines it
 * names; the stepped scenarios must match at every step. Every ACT check is seen flagging, every
 * outcome occurs, and the ledger and CSV parts of the runner can fail.
 */
const ROOT = join(import.meta.dirname, '..', 'scenarios', 'offline-signing-activation');
const folders = readdirSync(ROOT)
  .filter((n) => existsSync(join(ROOT, n, 'scenario.json')))
  .sort();

const runs = new Map<string, ScenarioRun>();
const runOf = async (name: string): Promise<ScenarioRun> => {
  const had = runs.get(name);
  if (had) return had;
  const run = await runScenario(join(ROOT, name), { deps: systemDeps });
  runs.set(name, run);
  return run;
};
const explain = (run: ScenarioRun) =>
  JSON.stringify({
    expect: run.expect,
    reason: run.evaluation.reason,
    findings: run.evaluation.findings.map((f) => `${f.checkId} ${f.subject}`),
  });

/** A copy of a scenario folder with its scenario.json changed, run, then removed. */
async function runChanged(name: string, change: (spec: Record<string, unknown>) => void) {
  const dir = mkdtempSync(join(tmpdir(), `activation-${name.slice(0, 2)}-`));
  cpSync(join(ROOT, name), dir, { recursive: true });
  const spec = JSON.parse(readFileSync(join(dir, 'scenario.json'), 'utf8')) as Record<string, unknown>;
  change(spec);
  writeFileSync(join(dir, 'scenario.json'), JSON.stringify(spec));
  try {
    return await runScenario(dir, { deps: systemDeps });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('offline-signing activation scenarios (tests/scenarios/offline-signing-activation)', () => {
  it('the corpus has at least 12 scenarios, CSV and JSON exports, policy overrides and stepped ones', () => {
    expect(folders.length).toBeGreaterThanOrEqual(12);
    const csv = folders.filter((n) => readdirSync(join(ROOT, n, 'sources')).some((f) => f.endsWith('.csv')));
    expect(csv).toEqual(folders);
    expect(folders.filter((n) => existsSync(join(ROOT, n, 'policy'))).length).toBeGreaterThanOrEqual(2);
  });

  for (const name of folders)
    it(`${name} matches what it plants`, async () => {
      const run = await runOf(name);
      expect(run.scenario.workflow).toBe('activation-gate');
      expect(run.expect, `${name} has an expectation`).not.toBeNull();
      expect(run.expect?.matched, explain(run)).toBe(true);
      for (const st of run.steps)
        expect(st.matched, `${name}: ${st.title}: ${JSON.stringify(st)}`).toBe(true);
      // Every CSV export went through the records import with the system and time the scenario gives.
      for (const [file, meta] of Object.entries(run.scenario.csv ?? {}))
        expect(run.imports.find((i) => i.file === file)?.detail, file).toContain(`from ${meta.system}`);
    });

  it('every ACT check flags somewhere, and every outcome occurs', async () => {
    const all = await Promise.all(folders.map(runOf));
    const outcomes = all.flatMap((r) => [
      r.evaluation.outcome,
      ...r.steps.map((st) => st.evaluation?.outcome ?? 'none'),
    ]);
    const flagged = new Set(all.flatMap((r) => r.evaluation.findings.map((f) => f.checkId)));
    expect([...flagged].sort()).toEqual(ACTIVATION_RULES.map((r) => r.id).sort());
    expect(new Set(outcomes)).toEqual(new Set(ACTIVATION_OUTCOMES));
    // The look-alike scenarios are clean under exhaustive comparison.
    for (const name of folders.filter((n) => n.includes('lookalikes'))) {
      const run = await runOf(name);
      expect(run.evaluation.findings, name).toEqual([]);
      expect(run.evaluation.outcome).toBe('ready-for-approval');
    }
  });

  it('facts that change between evaluations move the outcome at each step', async () => {
    const stepped = folders.filter((n) => n.includes('-steps-'));
    expect(stepped.length).toBeGreaterThanOrEqual(2);
    const outcomes = async (name: string) => {
      const run = await runOf(name);
      return [run.evaluation.outcome, ...run.steps.map((st) => st.evaluation?.outcome)];
    };
    expect(await outcomes('20-steps-signer-withdraws-then-replaced')).toEqual([
      'ready-for-approval',
      'hold',
      'ready-for-approval',
    ]);
    expect(await outcomes('21-steps-manifest-v2-drops-artifact')).toEqual(['hold', 'ready-for-approval']);
    expect(await outcomes('22-steps-fresh-confirmation-fixes-stale')).toEqual([
      'hold',
      'ready-for-approval',
      'escalate-mismatch',
    ]);
    // Each step is a new evaluation, journaled after the one before.
    const run = await runOf('20-steps-signer-withdraws-then-replaced');
    const seqs = [run.evaluation.seq, ...run.steps.map((st) => st.evaluation?.seq ?? 0)];
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    expect(new Set(seqs).size).toBe(3);
  });

  it('a policy override changes the outcome on the same records (12 against 18)', async () => {
    const waivable = await runOf('12-publication-scope-ambiguous');
    const strict = await runOf('18-policy-publication-non-waivable');
    expect(waivable.evaluation.inputs.recordsDigest).toBe(strict.evaluation.inputs.recordsDigest);
    expect(waivable.evaluation.policy.digest).not.toBe(strict.evaluation.policy.digest);
    expect(strict.evaluation.policy.version).toBe(2);
    const pub = (r: ScenarioRun) => r.evaluation.findings.find((f) => f.checkId === 'ACT-PUBLICATION');
    expect(pub(waivable)?.waivable).toBe(true);
    expect(pub(strict)?.waivable).toBe(false);
    expect([waivable.evaluation.outcome, strict.evaluation.outcome]).toEqual([
      'ready-with-waivable-holds',
      'hold',
    ]);
  });

  it('a ledger expectation that did not hold is a mismatch, named by its line (the check can fail)', async () => {
    const run = await runChanged('01-clean-gate', (spec) => {
      const expectation = spec.expect as { ledger: Record<string, string> };
      expectation.ledger['signers/SH-1201-A'] = 'hold';
      expectation.ledger['manifest/not-in-the-manifest.tar.gz'] = 'ready';
      expectation.ledger['quarantine/STG-1201-11'] = 'absent';
    });
    expect(run.expect?.matched).toBe(false);
    expect(run.expect?.ledger).toEqual([
      { field: 'ledger.manifest/not-in-the-manifest.tar.gz', expected: 'ready', actual: 'absent' },
      { field: 'ledger.signers/SH-1201-A', expected: 'hold', actual: 'ready' },
    ]);
    // And in a later step.
    const stepped = await runChanged('20-steps-signer-withdraws-then-replaced', (spec) => {
      const steps = spec.steps as { expect: { ledger: Record<string, string> } }[];
      steps[0]!.expect.ledger['signers/SH-1201-B'] = 'ready';
    });
    expect(stepped.expect?.matched).toBe(true);
    expect(stepped.steps.map((st) => st.matched)).toEqual([false, true]);
    expect(stepped.steps[0]?.expect?.ledger).toEqual([
      { field: 'ledger.signers/SH-1201-B', expected: 'ready', actual: 'hold' },
    ]);
  });

  it('a CSV export whose system and time the scenario does not give is refused by name', async () => {
    await expect(
      runChanged('09-short-quorum-one-shift', (spec) => {
        delete (spec.csv as Record<string, unknown>)['sources/signer-commitments.csv'];
      }),
    ).rejects.toMatchObject({ code: 'SCENARIO_INVALID', data: { field: 'csv' } });
  });

  it('station scenario run DIR --json --check (built CLI, npm run build first) gives the in-process run', async () => {
    for (const name of ['15-quarantine-digest-differs', '21-steps-manifest-v2-drops-artifact']) {
      const r = stationCli(['scenario', 'run', join(ROOT, name), '--json', '--check']);
      expect(r.stderr).toBe('');
      expect(r.status, name).toBe(0);
      const cli = JSON.parse(r.stdout) as Pick<ScenarioRun, 'evaluation' | 'expect' | 'steps'>;
      const local = await runOf(name);
      expect(cli.expect?.matched).toBe(true);
      expect(cli.evaluation.findingsDigest).toBe(local.evaluation.findingsDigest);
      expect(cli.steps.map((st) => st.matched)).toEqual(local.steps.map((st) => st.matched));
    }
  });
});
