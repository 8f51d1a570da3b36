import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import matrixJson from '../../../resources/policy/authority-matrix.json';
import { WORKFLOWS, type WorkflowRegistry } from '../../../src/core/findings/workflows';
import { systemDeps } from '../../../src/main/runtime';
import {
  authorityDiff,
  authorityLineage,
  authorityStatus,
  evaluateAuthority,
} from '../../../src/main/services/authority';
import { computeEvaluation } from '../../../src/main/services/findings';
import { importPolicyFile, importRecordsFile } from '../../../src/main/services/records';
import { storedRecords, storedRecordsBefore } from '../../../src/main/services/records/queries';
import { Station } from '../../../src/main/station/station';
import { suiteTempDir } from '../../helpers/temp';
import { AS_OF, baselineExports, contractualNoticeExport } from './svc-support';

/**
 * Services of workflow 002 on a real SQLite station: a recorded evaluation recomputes from its own seq
 * (records imported before it, the matrix version known then) even after records and a matrix version
 * that take effect earlier were imported later; a recomputation that does not give back the recorded
 * digests is refused as EVALUATION_IRREPRODUCIBLE and never shown as the evaluation.
 */
const suite = suiteTempDir('authority-svc-');
afterAll(() => suite.remove());
let station: Station;
let n = 0;
beforeEach(() => {
  station = Station.init(
    join(suite.dir, `st-${++n}`),
    { name: 'Vault', mode: 'offline', demo: false, actor: 'operator:so' },
    systemDeps,
  );
  return () => station.close();
});
const actor = 'operator:alice';
const failure = (work: () => unknown) => {
  try {
    work();
    return null;
  } catch (e) {
    return e as { code: string; message: string; data: Record<string, unknown> };
  }
};
async function importAll(paths: readonly string[]) {
  for (const path of paths) await importRecordsFile(station, { path, actor });
}
const lanesOf = (v: { authority: { lanes: readonly { laneId: string; status: string }[] } }) =>
  Object.fromEntries(v.authority.lanes.map((l) => [l.laneId, l.status]));

describe('authority services: recomputation from the seq', () => {
  it('a later import of earlier facts and of an earlier matrix leaves the recorded evaluation reproducible, and STALE', async () => {
    await importAll(baselineExports(suite.dir));
    const first = evaluateAuthority(station, { incidentId: 'INC-1', asOf: AS_OF, actor });
    expect(first.authority.recommended).toBe('platform-security-command');

    // Both take effect before the first evaluation's instant, but came in after it.
    await importAll(contractualNoticeExport(suite.dir, '2026-12-01T05:30:00.000Z'));
    const v2 = join(suite.dir, 'matrix-v2.json');
    writeFileSync(
      v2,
      JSON.stringify({
        policy: 'authority-matrix',
        version: 2,
        content: { ...matrixJson, matrix: 'Organisation matrix v2' },
      }),
    );
    await importPolicyFile(station, { path: v2, actor, exportedAt: '2026-12-01T01:00:00.000Z' });

    // What the station holds now, judged at the same instant, is not what the evaluation read.
    const naive = computeEvaluation(station, {
      workflow: 'compromise-authority',
      subject: 'INC-1',
      asOf: AS_OF,
    });
    expect(naive.findingsDigest).not.toBe(first.findingsDigest);
    expect(naive.inputs.policyDigest).not.toBe(first.inputs.policyDigest);
    expect(storedRecords(station, ['disclosure-register'])).toHaveLength(2);
    expect(storedRecordsBefore(station, ['disclosure-register'], first.seq)).toHaveLength(1);
    expect(storedRecordsBefore(station, ['disclosure-register'], first.seq + 100)).toHaveLength(2);

    const status = authorityStatus(station, { incidentId: 'INC-1', seq: first.seq });
    expect(status.current).toMatchObject({
      seq: first.seq,
      status: 'STALE',
      changed: ['records', 'policy'],
      reproduced: true,
      irreproducible: [],
    });
    expect(status.current?.evaluation?.findingsDigest).toBe(first.findingsDigest);
    expect(status.current?.evaluation?.authority).toEqual(first.authority);

    // From the recorded evaluation to now: the notice and the new matrix, both seen.
    const d = authorityDiff(station, { incidentId: 'INC-1', from: first.seq, asOf: AS_OF });
    expect(d.from).toMatchObject({ seq: first.seq, findingsDigest: first.findingsDigest });
    expect(d.to).toMatchObject({ seq: null, recommended: 'legal-trust-office' });
    expect(d.diff.matrix).toMatchObject({ to: { matrix: 'Organisation matrix v2' } });
    expect(d.diff.lanes.find((l) => l.laneId === 'executive-cyber-command')?.status).toEqual({
      from: 'viable',
      to: 'blocked',
    });
    const lineage = authorityLineage(station, { incidentId: 'INC-1' });
    expect(lineage.entries.map((e) => e.type).slice(-3)).toEqual(['evaluation', 'records', 'policy']);
  });

  it('a workflow that no longer judges the same is refused as EVALUATION_IRREPRODUCIBLE, never shown', async () => {
    await importAll(baselineExports(suite.dir));
    const first = evaluateAuthority(station, { incidentId: 'INC-1', asOf: AS_OF, actor });
    const base = WORKFLOWS['compromise-authority'];
    if (!base) throw new Error('compromise-authority is registered');
    // The same records and matrix, judged by rules that find one thing more: a changed station build.
    const changed: WorkflowRegistry = {
      'compromise-authority': {
        ...base,
        evaluate: (input) => {
          const e = base.evaluate(input);
          const extra = {
            checkId: 'CMP-SCOPE',
            category: 'missing' as const,
            blocking: true,
            waivable: false,
            subject: 'INC-1',
            records: [],
            sentence: 'a rule of a later build',
          };
          return { ...e, findings: [...e.findings, extra], findingsDigest: 'f'.repeat(64) };
        },
      },
    };
    const registry = { workflows: changed };
    const refused = failure(() =>
      authorityDiff(station, { incidentId: 'INC-1', from: first.seq, asOf: AS_OF }, registry),
    );
    expect(refused).toMatchObject({
      code: 'EVALUATION_IRREPRODUCIBLE',
      data: { field: 'from', seq: first.seq, irreproducible: ['findings'] },
    });
    const status = authorityStatus(station, { incidentId: 'INC-1' }, registry);
    expect(status.current).toMatchObject({
      seq: first.seq,
      status: 'STALE',
      reproduced: false,
      irreproducible: ['findings'],
      evaluation: null,
    });
    expect(status.current?.changed).toContain('findings');
    const lineage = authorityLineage(station, { incidentId: 'INC-1' }, registry);
    expect(lineage.entries.find((e) => e.type === 'evaluation')).toMatchObject({
      reproduced: false,
      recommended: null,
    });
    // The station's own build reproduces it.
    expect(authorityStatus(station, { incidentId: 'INC-1' }).current).toMatchObject({
      status: 'FRESH',
      reproduced: true,
    });
    expect(lanesOf(authorityStatus(station, { incidentId: 'INC-1' }).current?.evaluation ?? first)).toEqual(
      lanesOf(first),
    );
  });

  it('diff refuses an evaluation of another incident or workflow, and an instant beside a recorded side', async () => {
    await importAll(baselineExports(suite.dir));
    const a = evaluateAuthority(station, { incidentId: 'INC-1', asOf: AS_OF, actor });
    const b = evaluateAuthority(station, { incidentId: 'INC-2', asOf: AS_OF, actor });
    expect(failure(() => authorityDiff(station, { incidentId: 'INC-1', from: b.seq }))).toMatchObject({
      code: 'EVALUATION_NOT_FOUND',
      data: { field: 'from' },
    });
    expect(
      failure(() => authorityDiff(station, { incidentId: 'INC-1', from: a.seq, to: a.seq, asOf: AS_OF })),
    ).toMatchObject({ code: 'INVALID_INPUT', data: { field: 'asOf' } });
    expect(authorityDiff(station, { incidentId: 'INC-1', from: a.seq, to: a.seq }).diff.changed).toBe(false);
  });
});
