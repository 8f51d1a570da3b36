import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Rule, Workflow } from '../../../src/core/findings/engine';
import { rosterSnapshot } from '../../../src/core/findings/families/catalogue';
import { refOf } from '../../../src/core/findings/records';
import { registerWorkflow, type WorkflowRegistry } from '../../../src/core/findings/workflows';
import { toInstant } from '../../../src/core/findings/families/common';

/**
 * A tiny workflow of the tests' own (the real ones live in src/core/findings/rules): one rule over
 * roster-snapshot, TEST-ROSTER-VALID — the subject person must hold an active roster entry valid at the
 * as-of instant whose roles include the policy's required role.
 */
export const testPolicySchema = z.strictObject({ requiredRole: z.string().min(1) });
type TestPolicy = z.output<typeof testPolicySchema>;

const rosterValid: Rule<TestPolicy> = {
  id: 'TEST-ROSTER-VALID',
  title: 'the subject holds the required role at the instant',
  run: ({ records, policy, asOf, subject }) => {
    const entries = records.where(rosterSnapshot, 'person', subject);
    // The current entry: the latest export of each record id wins.
    const latest = new Map<string, (typeof entries)[number]>();
    for (const r of entries) latest.set(r.provenance.recordId, r);
    const valid = [...latest.values()].some(
      (r) =>
        r.content.status === 'active' &&
        r.content.roles.includes(policy.requiredRole) &&
        toInstant(r.content.validFrom) <= asOf &&
        (r.content.validUntil === null || toInstant(r.content.validUntil) > asOf),
    );
    return valid
      ? []
      : [
          {
            checkId: 'TEST-ROSTER-VALID',
            category: 'missing',
            blocking: true,
            waivable: false,
            subject,
            records: entries.map(refOf),
            sentence: `${subject} holds no active ${policy.requiredRole} roster entry valid at ${asOf}.`,
          },
        ];
  },
};

export const testWorkflow: Workflow<TestPolicy, 'clear' | 'hold'> = {
  id: 'roster-check',
  families: ['roster-snapshot'],
  rules: [rosterValid],
  outcome: (findings) =>
    findings.length === 0
      ? { outcome: 'clear', reason: 'no findings' }
      : { outcome: 'hold', reason: `${findings.length} finding(s)` },
};

export const TEST_POLICIES = { 'roster-check': testPolicySchema } as const;
export const TEST_REGISTRY: { workflows: WorkflowRegistry; policies: typeof TEST_POLICIES } = {
  workflows: {
    'roster-check': registerWorkflow(testWorkflow, { name: 'roster-check', schema: testPolicySchema }),
  },
  policies: TEST_POLICIES,
};

export const rosterEntry = (id: string, person: string, over: Record<string, unknown> = {}) => ({
  entryId: id,
  person,
  roles: ['key-custodian'],
  validFrom: '2026-01-01',
  validUntil: null,
  status: 'active',
  snapshotAt: '2026-11-30T12:00:00.000Z',
  ...over,
});

/** A roster export envelope with `n` noise entries besides the given ones. */
export function rosterExport(
  dir: string,
  name: string,
  records: unknown[],
  exportedAt = '2026-11-30T12:00:00.000Z',
): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify({ family: 'roster-snapshot', system: 'iam', exportedAt, records }));
  return path;
}

export const noise = (n: number) => Array.from({ length: n }, (_, i) => rosterEntry(`n-${i}`, `person ${i}`));
