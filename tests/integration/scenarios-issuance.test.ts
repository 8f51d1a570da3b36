import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ISSUANCE_RULES } from '../../src/core/findings/rules/issuance/rules';
import { ISSUANCE_OUTCOMES, entryText } from '../../src/core/findings/workflows/issuance';
import { ENTRY_KEYS } from '../../src/core/portal/model';
import { systemDeps } from '../../src/main/runtime';
import { runScenario, type ScenarioRun } from '../../src/main/services/findings/scenario';
import { sha256hex } from '../../src/main/services/records/queries';
import { stationCli } from '../e2e/harness';

/**
 * The portal-issuance corpus (tests/scenarios/portal-issuance): each folder goes through the real
 * scenario path (a fresh station, the normal record imports of its CSV and JSON exports, its policy
 * file where it has one, the registered workflow `portal-issuance`) and must match its expectation —
 * outcome and every finding (exhaustive), at every step. Every ISS check is seen flagging, both outcomes
 * occur, a ready evaluation carries the entry the driver types and a stopped one none.
 */
const ROOT = join(import.meta.dirname, '..', 'scenarios', 'portal-issuance');
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
    findings: run.evaluation.findings.map((f) => `${f.checkId} ${f.subject}: ${f.sentence}`),
  });

describe('portal-issuance scenarios (tests/scenarios/portal-issuance)', () => {
  it('the corpus has at least 12 scenarios, CSV and JSON exports, a policy override and a stepped one', () => {
    expect(folders.length).toBeGreaterThanOrEqual(12);
    for (const n of folders) {
      const files = readdirSync(join(ROOT, n, 'sources'));
      expect(files.some((f) => f.endsWith('.csv')) && files.some((f) => f.endsWith('.json')), n).toBe(true);
    }
    expect(folders.filter((n) => existsSync(join(ROOT, n, 'policy'))).length).toBeGreaterThanOrEqual(1);
    expect(folders.filter((n) => n.includes('-steps-')).length).toBeGreaterThanOrEqual(1);
  });

  for (const name of folders)
    it(`${name} matches what it plants`, async () => {
      const run = await runOf(name);
      expect(run.scenario.workflow).toBe('portal-issuance');
      expect(run.expect?.matched, explain(run)).toBe(true);
      for (const st of run.steps)
        expect(st.matched, `${name}: ${st.title}: ${JSON.stringify(st)}`).toBe(true);
      for (const [file, meta] of Object.entries(run.scenario.csv ?? {}))
        expect(run.imports.find((i) => i.file === file)?.detail, file).toContain(`from ${meta.system}`);
      // A stopped evaluation's entry has no fields and no digest; a ready one has both. Every failing
      // check names the owner, and so does the entry.
      const entry = run.evaluation.entry;
      expect(entry?.owner).toBe('elena.park');
      expect(entry?.digest === null).toBe(run.evaluation.outcome === 'stop-before-entry');
      expect(entry?.fields.length).toBe(
        run.evaluation.outcome === 'stop-before-entry' ? 0 : ENTRY_KEYS.length,
      );
      for (const f of run.evaluation.findings.filter((x) => x.blocking))
        expect(f.sentence, `${f.checkId} ${f.subject}`).toContain('Return to elena.park');
    });

  it('every ISS check flags somewhere, and both outcomes occur', async () => {
    const all = await Promise.all(folders.map(runOf));
    const flagged = new Set(all.flatMap((r) => r.evaluation.findings.map((f) => f.checkId)));
    expect([...flagged].sort()).toEqual(ISSUANCE_RULES.map((r) => r.id).sort());
    expect(new Set(all.map((r) => r.evaluation.outcome))).toEqual(new Set(ISSUANCE_OUTCOMES));
  });

  it('the clean entry is the packet’s values, each with the SHA-256 of its text', async () => {
    const entry = (await runOf('01-clean-submission')).evaluation.entry;
    const value = (take: string) => entry?.fields.find((f) => f.take === take)?.value;
    expect(entry?.requestId).toBe('ISR-2026-0412');
    expect(entry?.fields.map((f) => f.take)).toEqual([...ENTRY_KEYS]);
    expect(entry?.search[0]).toBe('Northwind Package Signing 2027');
    expect(value('profile')).toBe('Production code signing (HSM)');
    expect(value('issuanceWindow')).toBe('IW-2026-12-PKG-01');
    expect(value('approvalRefs')).toEqual(['APR-2026-0412-RIO', 'APR-2026-0412-CEM', 'APR-2026-0412-CAD']);
    expect(value('csrPem')).toMatch(
      /^-----BEGIN CERTIFICATE REQUEST-----\n[\s\S]+\n-----END CERTIFICATE REQUEST-----$/,
    );
    for (const f of entry?.fields ?? [])
      expect(f.sha256, f.take).toBe(sha256hex(new TextEncoder().encode(entryText(f.value))));
    // The look-alikes' entry types the request's own SAN spelling and the window in force.
    const look = (await runOf('15-lookalikes')).evaluation.entry;
    expect(look?.fields.find((f) => f.take === 'sans')?.value).toEqual([
      'dns:PKG-Signing.Northwind.Example',
      'uri:https://releases.northwind.example/signing',
    ]);
    expect(look?.fields.find((f) => f.take === 'issuanceWindow')?.value).toBe('IW-2026-12-PKG-02');
    expect(look?.digest).not.toBe(entry?.digest);
  });

  it('a refreshed approval moves the outcome from stop to ready (stepped), and a policy override stops the same records', async () => {
    const stepped = await runOf('18-steps-approval-refreshed');
    expect([stepped.evaluation.outcome, ...stepped.steps.map((st) => st.evaluation?.outcome)]).toEqual([
      'stop-before-entry',
      'ready-for-portal',
    ]);
    const clean = await runOf('01-clean-submission');
    const strict = await runOf('17-policy-adds-legal-review');
    expect(strict.evaluation.inputs.recordsDigest).toBe(clean.evaluation.inputs.recordsDigest);
    expect(strict.evaluation.policy.version).toBe(2);
    expect([clean.evaluation.outcome, strict.evaluation.outcome]).toEqual([
      'ready-for-portal',
      'stop-before-entry',
    ]);
  });

  it('station scenario run DIR --json --check (built CLI, npm run build first) gives the in-process run', async () => {
    for (const name of ['01-clean-submission', '06-csr-regenerated', '18-steps-approval-refreshed']) {
      const r = stationCli(['scenario', 'run', join(ROOT, name), '--json', '--check']);
      expect(r.stderr).toBe('');
      expect(r.status, name).toBe(0);
      const cli = JSON.parse(r.stdout) as Pick<ScenarioRun, 'evaluation' | 'expect' | 'steps'>;
      const local = await runOf(name);
      expect(cli.expect?.matched).toBe(true);
      expect(cli.evaluation.findingsDigest).toBe(local.evaluation.findingsDigest);
      expect(cli.evaluation.entry).toEqual(local.evaluation.entry);
      expect(cli.steps.map((st) => st.matched)).toEqual(local.steps.map((st) => st.matched));
    }
  });
});
