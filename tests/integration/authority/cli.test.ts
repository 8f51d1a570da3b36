import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { View } from '../../../src/shared/contract';
import { contract } from '../../../src/shared/contract';
import { systemDeps } from '../../../src/main/runtime';
import { Station } from '../../../src/main/station/station';
import { stationCli } from '../../e2e/harness';
import { suiteTempDir } from '../../helpers/temp';
import { AS_OF, baselineExports, contractualNoticeExport } from './svc-support';

/**
 * `station authority` through the built CLI (dist/) on a real station: the baseline incident imported
 * with `station records import`, evaluated; a later disclosure-register export (a contractual notice)
 * imported and evaluated again; the diff says executive cyber command is now blocked and the legal and
 * trust office recommended, and why; the first evaluation is STALE. Every --json output is the channel's
 * own output schema.
 */
const suite = suiteTempDir('authority-cli-');
const dir = join(suite.dir, 'station');
beforeAll(() => {
  Station.init(
    dir,
    { name: 'Vault', mode: 'offline', demo: false, actor: 'operator:so' },
    systemDeps,
  ).close();
});
afterAll(() => suite.remove());

const cli = (args: string[]) => stationCli([...args, '--data-dir', dir]);
const ok = (r: { status: number; stdout: string; stderr: string }) => {
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout;
};
const json = <M extends 'authorityEvaluate' | 'authorityStatus' | 'authorityDiff' | 'authorityLineage'>(
  method: M,
  args: string[],
): View<M> => contract[method].output.parse(JSON.parse(ok(cli([...args, '--json'])))) as View<M>;
const statuses = (e: View<'authorityEvaluate'>) =>
  Object.fromEntries(e.authority.lanes.map((l) => [l.laneId, l.status]));

describe('station authority (built CLI)', () => {
  it('evaluate, a later contractual notice, evaluate again, diff, status, lineage', () => {
    expect(cli(['authority', 'status', 'INC-1']).stdout).toMatch(/INC-1: not evaluated yet/);
    for (const file of baselineExports(suite.dir)) ok(cli(['records', 'import', file]));

    const first = json('authorityEvaluate', ['authority', 'evaluate', 'INC-1', '--as-of', AS_OF]);
    expect(statuses(first)).toEqual({
      'platform-security-command': 'recommended',
      'executive-cyber-command': 'viable',
      'legal-trust-office': 'not_required',
    });
    expect(first.outcome).toBe('recommend');

    const [notice] = contractualNoticeExport(suite.dir);
    ok(cli(['records', 'import', notice ?? '']));
    // Human output: lanes in rank order with status, holder and via, blocks by check ID, the outcome.
    const text = ok(cli(['authority', 'evaluate', 'INC-1', '--as-of', AS_OF]));
    const second = Number(/evaluation seq (\d+)/.exec(text)?.[1]);
    expect(second).toBeGreaterThan(first.seq);
    const lines = text.split('\n');
    const laneLine = (id: string) => lines.findIndex((l) => new RegExp(`^\\d\\. ${id} `).test(l));
    expect(laneLine('platform-security-command')).toBeLessThan(laneLine('executive-cyber-command'));
    expect(laneLine('executive-cyber-command')).toBeLessThan(laneLine('legal-trust-office'));
    expect(text).toMatch(/^1\. platform-security-command {2}BLOCKED {2}Priya Raman — holder$/m);
    expect(text).toMatch(/^2\. executive-cyber-command {2}BLOCKED {2}Daniel Mercer — holder$/m);
    expect(text).toMatch(/^3\. legal-trust-office {2}RECOMMENDED {2}Ines Carvalho — holder$/m);
    expect(text).toMatch(/^ {5}blocked CMP-COVER REQ-3: contractual-disclosure is required \(REQ-3\)/m);
    expect(text).toMatch(/^ {5}blocked CMP-FLOOR: /m);
    expect(text).toMatch(/^outcome: recommend — legal-trust-office is recommended/m);

    // The diff of the two recorded evaluations, each recomputed from its own seq.
    const d = json('authorityDiff', [
      'authority',
      'diff',
      'INC-1',
      '--from',
      String(first.seq),
      '--to',
      String(second),
    ]);
    expect(d.from).toMatchObject({ seq: first.seq, recommended: 'platform-security-command' });
    expect(d.to).toMatchObject({ seq: second, recommended: 'legal-trust-office' });
    const lane = (id: string) => d.diff.lanes.find((l) => l.laneId === id);
    expect(lane('executive-cyber-command')?.status).toEqual({ from: 'viable', to: 'blocked' });
    expect(lane('legal-trust-office')?.status).toEqual({ from: 'not_required', to: 'recommended' });
    expect(lane('legal-trust-office')?.why.map((y) => ('id' in y ? y.id : y.kind))).toEqual(['LTO-T1']);
    expect(lane('executive-cyber-command')?.why.map((y) => ('id' in y ? y.id : y.kind))).toEqual([
      'REQ-3',
      'LTO-T1',
    ]);
    expect(d.diff.inCriticalWindow).toBe(true);
    const diffText = ok(
      cli(['authority', 'diff', 'INC-1', '--from', String(first.seq), '--to', String(second)]),
    );
    expect(diffText).toMatch(/^recommended: platform-security-command → legal-trust-office$/m);
    expect(diffText).toMatch(
      /^2\. executive-cyber-command {2}VIABLE → BLOCKED\n {5}because requirement REQ-3 does-not-hold → holds\n {5}because trigger LTO-T1 of legal-trust-office does-not-hold → holds$/m,
    );
    expect(diffText).toMatch(
      /^3\. legal-trust-office {2}NOT REQUIRED → RECOMMENDED\n {5}because trigger LTO-T1 does-not-hold → holds$/m,
    );
    // With no --to, the later side is the facts now at the same instant: nothing changed since the second.
    const sinceLatest = json('authorityDiff', ['authority', 'diff', 'INC-1', '--as-of', AS_OF]);
    expect(sinceLatest.from.seq).toBe(second);
    expect(sinceLatest.to.seq).toBeNull();
    expect(sinceLatest.diff.changed).toBe(false);

    // The first evaluation is STALE (records came in after it); its lanes are still its own.
    const stale = json('authorityStatus', ['authority', 'status', 'INC-1', '--seq', String(first.seq)]);
    expect(stale.current).toMatchObject({
      seq: first.seq,
      status: 'STALE',
      changed: ['records'],
      reproduced: true,
    });
    expect(stale.current?.evaluation && statuses(stale.current.evaluation)).toEqual(statuses(first));
    const latest = json('authorityStatus', ['authority', 'status', 'INC-1']);
    expect(latest.current).toMatchObject({ seq: second, status: 'FRESH' });
    expect(latest.evaluations.map((e) => e.seq)).toEqual([first.seq, second]);
    expect(ok(cli(['authority', 'status', 'INC-1', '--seq', String(first.seq)]))).toMatch(
      new RegExp(
        `^STALE {2}evaluation ${first.seq} of INC-1: facts changed since evaluation ${first.seq}: records$`,
        'm',
      ),
    );

    // Lineage in journal order: the imports, the first evaluation, the notice, the second evaluation.
    const lineage = json('authorityLineage', ['authority', 'lineage', 'INC-1']);
    const story = lineage.entries.map((e) =>
      e.type === 'evaluation'
        ? `evaluation ${e.recommended}`
        : e.type === 'records'
          ? `records ${e.family}`
          : e.type,
    );
    expect(story.slice(-3)).toEqual([
      'evaluation platform-security-command',
      'records disclosure-register',
      'evaluation legal-trust-office',
    ]);
    expect(story.filter((s) => s.startsWith('records'))).toHaveLength(9);
    expect(lineage.entries.map((e) => e.seq)).toEqual(
      [...lineage.entries.map((e) => e.seq)].sort((a, b) => a - b),
    );
  });

  it('refuses a seq that is not an evaluation of the incident, and a diff with nothing to compare', () => {
    const other = cli(['authority', 'diff', 'INC-404']);
    expect(other.status).toBe(3);
    expect(other.stderr).toMatch(
      /error EVALUATION_NOT_FOUND: INC-404 has no compromise-authority evaluation/,
    );
    const notEval = cli(['authority', 'status', 'INC-1', '--seq', '1']);
    expect(notEval.status).toBe(3);
    expect(notEval.stderr).toMatch(/error EVALUATION_NOT_FOUND: journal seq 1 is not an evaluation/);
  });
});
