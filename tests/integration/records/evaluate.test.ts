import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { canonicalBytes } from '../../../src/core/canonical';
import { journalEvents } from '../../../src/main/adapters/store/repos/events';
import { systemDeps } from '../../../src/main/runtime';
import { evaluateWorkflow, evaluationStatus } from '../../../src/main/services/findings';
import {
  importPolicyFile,
  importRecordsFile,
  policyAt,
  showPolicies,
} from '../../../src/main/services/records';
import { sha256hex } from '../../../src/main/services/records/queries';
import { Station } from '../../../src/main/station/station';
import { suiteTempDir } from '../../helpers/temp';
import { noise, rosterEntry, rosterExport, TEST_POLICIES, TEST_REGISTRY } from './support';

/**
 * Policy records and evaluations on a real SQLite station, with a workflow of the tests' own
 * (TEST-ROSTER-VALID): the policy in force as of an instant, an evaluation journaled with its input
 * digests and re-run byte for byte, and STALE once records or policy change after it.
 */
const suite = suiteTempDir('records-eval-');
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
const asOf = '2026-12-01T00:00:00.000Z';
const failure = async (work: () => unknown) => {
  try {
    await work();
    return null;
  } catch (e) {
    return e as { code: string; data: Record<string, unknown> };
  }
};
function policyFile(name: string, body: unknown): string {
  const path = join(suite.dir, name);
  writeFileSync(path, JSON.stringify(body));
  return path;
}
const importPolicy = (path: string, exportedAt?: string) =>
  importPolicyFile(station, { path, actor, exportedAt }, TEST_POLICIES);
const evaluate = (subject: string, at = asOf) =>
  evaluateWorkflow(station, { workflow: 'roster-check', subject, asOf: at, actor }, TEST_REGISTRY);

describe('policy records', () => {
  it('a policy file is validated by its registered schema and journaled; its digest is of canonical JSON', async () => {
    const content = { requiredRole: 'key-custodian' };
    const p = await importPolicy(
      policyFile('policy.json', { policy: 'roster-check', version: 3, content, system: 'grc' }),
      '2026-11-01T00:00:00.000Z',
    );
    expect(p).toMatchObject({ policy: 'roster-check', version: 3, source: 'imported', system: 'grc' });
    expect(p.digest).toBe(sha256hex(canonicalBytes({ policy: 'roster-check', version: 3, content })));
    expect(journalEvents(station.store.db, ['policy.imported']).map((e) => e.body)).toEqual([
      expect.objectContaining({
        policy: 'roster-check',
        version: 3,
        digest: p.digest,
        exportedAt: '2026-11-01T00:00:00.000Z',
      }),
    ]);
    expect(showPolicies(station, TEST_POLICIES).inForce).toEqual([expect.objectContaining({ version: 3 })]);
  });

  it('bad content is POLICY_INVALID naming the field, an unknown name POLICY_UNKNOWN; both journaled, nothing in force', async () => {
    const bad = policyFile('bad-policy.json', {
      policy: 'roster-check',
      version: 1,
      content: { requiredRole: 7 },
    });
    expect(await failure(() => importPolicy(bad))).toMatchObject({
      code: 'POLICY_INVALID',
      data: { field: 'bad-policy.json.content.requiredRole' },
    });
    const odd = policyFile('odd-policy.json', { policy: 'other', version: 1, content: {} });
    expect(await failure(() => importPolicy(odd))).toMatchObject({ code: 'POLICY_UNKNOWN' });
    expect(journalEvents(station.store.db, ['policy.import-refused']).map((e) => e.body.code)).toEqual([
      'POLICY_INVALID',
      'POLICY_UNKNOWN',
    ]);
    expect(await failure(() => policyAt(station, 'roster-check', asOf, TEST_POLICIES))).toMatchObject({
      code: 'POLICY_UNKNOWN',
    });
  });

  it('the version in force is the latest to take effect by the instant; before any, the default file', async () => {
    await importPolicy(
      policyFile('p1.json', { policy: 'roster-check', version: 1, content: { requiredRole: 'a-role' } }),
      '2026-10-01T00:00:00.000Z',
    );
    await importPolicy(
      policyFile('p2.json', { policy: 'roster-check', version: 2, content: { requiredRole: 'b-role' } }),
      '2026-12-10T00:00:00.000Z',
    );
    expect(policyAt(station, 'roster-check', asOf, TEST_POLICIES).version).toBe(1);
    expect(policyAt(station, 'roster-check', '2026-12-11T00:00:00.000Z', TEST_POLICIES).version).toBe(2);
    // resources/policy/<name>.json is the default while nothing is imported (read through a schema given here).
    const d = policyAt(station, 'packets', asOf, { packets: z.looseObject({}) });
    expect(d).toMatchObject({ source: 'default', version: 1, seq: null });
  });
});

describe('evaluations', () => {
  it('records the evaluation with its input digests; the same inputs give byte-identical findings', async () => {
    await importPolicy(
      policyFile('pol.json', {
        policy: 'roster-check',
        version: 1,
        content: { requiredRole: 'key-custodian' },
      }),
      '2026-01-01T00:00:00.000Z',
    );
    await importRecordsFile(station, {
      path: rosterExport(suite.dir, 'r.json', [rosterEntry('r-1', 'Alice'), ...noise(10)]),
      actor,
    });
    const clear = evaluate('Alice');
    expect(clear).toMatchObject({ outcome: 'clear', findings: [], inputs: { asOf, recordCount: 11 } });
    const gap = evaluate('Mallory');
    expect(gap.outcome).toBe('hold');
    expect(gap.findings).toEqual([
      expect.objectContaining({ checkId: 'TEST-ROSTER-VALID', subject: 'Mallory' }),
    ]);
    const again = evaluate('Mallory');
    expect(again.findingsDigest).toBe(gap.findingsDigest);
    expect(JSON.stringify(again.findings)).toBe(JSON.stringify(gap.findings));
    const entry = journalEvents(station.store.db, ['evaluation.recorded']).find((e) => e.seq === gap.seq);
    expect(entry?.body).toEqual({
      workflow: 'roster-check',
      subject: 'Mallory',
      asOf,
      policyDigest: gap.policy.digest,
      recordsDigest: gap.inputs.recordsDigest,
      recordCount: 11,
      findingsDigest: gap.findingsDigest,
      outcome: 'hold',
    });
    expect(evaluationStatus(station, { seq: gap.seq }, TEST_REGISTRY)).toMatchObject({
      status: 'FRESH',
      changed: [],
    });
  });

  it('STALE after a new import of its records, naming records; after a new policy, naming policy', async () => {
    await importPolicy(
      policyFile('pol2.json', {
        policy: 'roster-check',
        version: 1,
        content: { requiredRole: 'key-custodian' },
      }),
      '2026-01-01T00:00:00.000Z',
    );
    await importRecordsFile(station, {
      path: rosterExport(suite.dir, 'r2.json', [rosterEntry('r-1', 'Alice')]),
      actor,
    });
    const e = evaluate('Alice');
    expect(e.outcome).toBe('clear');
    // A later export revokes Alice's entry: the facts as of the same instant changed.
    const revoked = rosterExport(
      suite.dir,
      'r3.json',
      [rosterEntry('r-1', 'Alice', { status: 'revoked' })],
      '2026-11-30T18:00:00.000Z',
    );
    await importRecordsFile(station, { path: revoked, actor });
    const stale = evaluationStatus(station, { seq: e.seq }, TEST_REGISTRY);
    expect(stale).toMatchObject({ status: 'STALE', changed: ['records'] });
    expect(stale.sentence).toBe(`facts changed since evaluation ${e.seq}: records`);
    // Re-evaluated, it sees the revocation; a new policy then makes that one stale on policy alone.
    const now = evaluate('Alice');
    expect(now.outcome).toBe('hold');
    await importPolicy(
      policyFile('pol3.json', { policy: 'roster-check', version: 2, content: { requiredRole: 'auditor' } }),
      '2026-06-01T00:00:00.000Z',
    );
    expect(evaluationStatus(station, { seq: now.seq }, TEST_REGISTRY)).toMatchObject({
      status: 'STALE',
      changed: ['policy'],
    });
  });

  it('an unknown workflow is WORKFLOW_UNKNOWN; a seq that is no evaluation is EVALUATION_NOT_FOUND', async () => {
    expect(
      await failure(() =>
        evaluateWorkflow(station, { workflow: 'nope', subject: 'x', actor }, TEST_REGISTRY),
      ),
    ).toMatchObject({
      code: 'WORKFLOW_UNKNOWN',
    });
    expect(await failure(() => evaluationStatus(station, { seq: 1 }, TEST_REGISTRY))).toMatchObject({
      code: 'EVALUATION_NOT_FOUND',
    });
  });
});
