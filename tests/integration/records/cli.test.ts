import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bindConfig } from '../../../src/cli/context';
import { registerRecordsCommands } from '../../../src/cli/records';
import { readConfig } from '../../../src/main/config';
import { systemDeps } from '../../../src/main/runtime';
import { Station } from '../../../src/main/station/station';
import { stationCli } from '../../e2e/harness';
import { suiteTempDir } from '../../helpers/temp';
import { noise, rosterEntry, rosterExport, TEST_REGISTRY } from './support';

/**
 * The records commands: the built CLI (dist/) on a real station for imports, lists, records and policy;
 * `scenario run` and `evaluate` with the tests' own workflow (registered through the same command
 * definitions in-process, since the station's own workflows land with their rules).
 */
const suite = suiteTempDir('records-cli-');
const dir = join(suite.dir, 'station');
const SCENARIO = resolve(import.meta.dirname, '../../fixtures/scenario-mini');
beforeAll(() => {
  Station.init(
    dir,
    { name: 'Vault', mode: 'offline', demo: false, actor: 'operator:so' },
    systemDeps,
  ).close();
});
afterAll(() => suite.remove());
afterEach(() => {
  // `scenario run --check` sets the exit code of the process it runs in: here, the test worker.
  process.exitCode = undefined;
});

const cli = (args: string[]) => stationCli([...args, '--data-dir', dir]);
const ok = (r: { status: number; stdout: string; stderr: string }) => {
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout;
};

/** The same command definitions in-process, with the test workflow registry. */
async function inProcess(args: string[]): Promise<string> {
  let text = '';
  const program = bindConfig(
    new Command('station').option('--data-dir <dir>').exitOverride(),
    readConfig({}),
  );
  registerRecordsCommands(program, (s) => (text += s), TEST_REGISTRY);
  await program.parseAsync(args, { from: 'user' });
  return text;
}

describe('station records / policy (built CLI)', () => {
  it('imports JSON, says so when the same file comes again, imports a CSV with its system and time', () => {
    const path = rosterExport(suite.dir, 'roster.json', [rosterEntry('r-1', 'Alice'), ...noise(4)]);
    expect(ok(cli(['records', 'import', path]))).toMatch(
      /imported 5 roster-snapshot v1 records from iam .*\n {2}5 new, 0 already held/,
    );
    expect(ok(cli(['records', 'import', path]))).toMatch(
      /already held: this file was imported before, nothing new/,
    );
    const csv = join(suite.dir, 'roster.csv');
    writeFileSync(
      csv,
      'entryId,person,roles,validFrom,validUntil,status,snapshotAt\nc-1,Bob,key-custodian;auditor,2026-01-01,,active,2026-11-30\n',
    );
    const r = JSON.parse(
      ok(cli(['records', 'import', csv, '--system', 'hr-csv', '--exported-at', '2026-11-30', '--json'])),
    ) as { family: string; newRecords: number };
    expect(r).toMatchObject({ family: 'roster-snapshot', newRecords: 1 });
    const shown = JSON.parse(ok(cli(['records', 'show', 'roster-snapshot', 'hr-csv', 'c-1', '--json']))) as {
      versions: { content: { roles: string[] } }[];
    };
    expect(shown.versions.map((v) => v.content.roles)).toEqual([['key-custodian', 'auditor']]);
    const list = JSON.parse(ok(cli(['records', 'list', '--family', 'roster-snapshot', '--json']))) as {
      imports: unknown[];
      records: unknown[];
    };
    expect(list.imports).toHaveLength(3);
    expect(list.records).toHaveLength(6);
  });

  it('a file with one bad record is refused with its field path (exit 3), nothing imported', () => {
    const bad = rosterExport(suite.dir, 'bad.json', [
      ...noise(2),
      rosterEntry('r-9', 'Eve', { validFrom: '2026-02-30' }),
    ]);
    const r = cli(['records', 'import', bad]);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/error RECORD_INVALID: bad\.json\.records\.2\.validFrom/);
    expect(cli(['records', 'show', 'roster-snapshot', 'iam', 'r-9']).stderr).toMatch(/NOT_FOUND/);
  });

  it('policy show lists the defaults in force and nothing imported; an unknown policy is refused', () => {
    expect(JSON.parse(ok(cli(['policy', 'show', '--json'])))).toMatchObject({
      imported: [],
      inForce: expect.arrayContaining([
        expect.objectContaining({ policy: 'deferral', source: 'default' }),
        expect.objectContaining({ policy: 'attestation', source: 'default' }),
      ]),
    });
    const p = join(suite.dir, 'p.json');
    writeFileSync(p, JSON.stringify({ policy: 'no-such-policy', version: 1, content: {} }));
    const r = cli(['policy', 'import', p]);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/error POLICY_UNKNOWN/);
  });

  it('evaluate and scenario run name the workflows the station knows when asked for another', () => {
    const r = cli(['evaluate', 'no-such-workflow', 'x']);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/error WORKFLOW_UNKNOWN: "no-such-workflow" is not a workflow/);
    expect(cli(['scenario', 'run', SCENARIO]).stderr).toMatch(/WORKFLOW_UNKNOWN: "roster-check"/);
  });
});

describe('station scenario run / evaluate (test workflow)', () => {
  it('runs the scenario folder on a fresh station: findings by category with records, outcome, expectation', async () => {
    const text = await inProcess(['scenario', 'run', SCENARIO]);
    expect(text).toContain('imported sources/01-roster-november.json: 14 roster-snapshot from iam');
    expect(text).toContain('imported policy/roster-check.json: roster-check v1');
    expect(text).toMatch(/missing \(1\):\n {2}TEST-ROSTER-VALID {2}Mallory {2}\[blocking, not waivable\]\n/);
    expect(text).toContain('← roster-snapshot iam iam-0042');
    expect(text).toContain('outcome: hold');
    expect(text).toContain('expect: MATCHED');
    expect(process.exitCode).toBeUndefined();
  });

  it('--json prints the evaluation view; the same folder twice gives byte-identical findings', async () => {
    const a = JSON.parse(await inProcess(['scenario', 'run', SCENARIO, '--json'])) as {
      evaluation: { findings: unknown[]; findingsDigest: string; inputs: { recordCount: number } };
      expect: { matched: boolean };
    };
    const b = JSON.parse(await inProcess(['scenario', 'run', SCENARIO, '--json'])) as typeof a;
    expect(a.expect.matched).toBe(true);
    expect(a.evaluation.inputs.recordCount).toBe(16);
    expect(JSON.stringify(b.evaluation.findings)).toBe(JSON.stringify(a.evaluation.findings));
    expect(b.evaluation.findingsDigest).toBe(a.evaluation.findingsDigest);
  });

  it('as of an earlier instant the revocation is not known yet: outcome clear, NOT MATCHED, exit 1 only with --check', async () => {
    const text = await inProcess(['scenario', 'run', SCENARIO, '--as-of', '2026-11-25T00:00:00.000Z']);
    expect(text).toContain('outcome: clear');
    expect(text).toContain('expect: NOT MATCHED');
    expect(text).toContain('missing  TEST-ROSTER-VALID Mallory');
    expect(process.exitCode).toBeUndefined();
    await inProcess(['scenario', 'run', SCENARIO, '--as-of', '2026-11-25T00:00:00.000Z', '--check']);
    expect(process.exitCode).toBe(1);
  });

  it('evaluate records an evaluation; evaluation-status says STALE after a new import', async () => {
    const policy = join(suite.dir, 'rc.json');
    writeFileSync(
      policy,
      JSON.stringify({ policy: 'roster-check', version: 1, content: { requiredRole: 'key-custodian' } }),
    );
    await inProcess(['policy', 'import', policy, '--exported-at', '2026-01-01', '--data-dir', dir]);
    const e = JSON.parse(
      await inProcess([
        'evaluate',
        'roster-check',
        'Alice',
        '--as-of',
        '2026-12-01',
        '--json',
        '--data-dir',
        dir,
      ]),
    ) as { seq: number; outcome: string };
    expect(e.outcome).toBe('clear');
    expect(await inProcess(['evaluation-status', String(e.seq), '--data-dir', dir])).toMatch(/^FRESH /);
    const later = rosterExport(
      suite.dir,
      'later.json',
      [rosterEntry('r-1', 'Alice', { status: 'suspended' })],
      '2026-11-30T20:00:00.000Z',
    );
    ok(cli(['records', 'import', later]));
    expect(await inProcess(['evaluation-status', String(e.seq), '--data-dir', dir])).toBe(
      `STALE  facts changed since evaluation ${e.seq}: records\n`,
    );
  });
});
