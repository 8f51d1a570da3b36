import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { canonicalBytes } from '../../src/core/canonical';
import { evaluate } from '../../src/core/findings/engine';
import { recordsFromEnvelope } from '../../src/core/findings/envelope';
import type { SourceRecord } from '../../src/core/findings/model';
import type { AttestationPolicy } from '../../src/core/findings/policy/attestation';
import {
  DEFAULT_ATTESTATION_POLICY,
  attestationPolicySchema,
} from '../../src/core/findings/policy/attestation';
import {
  ATTESTATION_OUTCOMES,
  attestationWorkflow,
  requirementStatuses,
} from '../../src/core/findings/workflows/attestation';
import { isoTime } from '../../src/core/schema';

/**
 * The attestation scenario corpus (tests/scenarios/attestation): each folder's source exports go
 * through the normal envelope import, the workflow is evaluated as of the scenario's instant under the
 * default control library or the folder's own, and the findings and outcome must match `expect` —
 * every expected finding present, every absent one absent, and nothing else (unless not exhaustive).
 */

const ROOT = join(import.meta.dirname, '../scenarios/attestation');
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

const ref = z.strictObject({ checkId: z.string(), subject: z.string() });
const scenarioSchema = z.strictObject({
  workflow: z.literal('attestation'),
  title: z.string().min(1),
  asOf: isoTime,
  subject: z.string().min(1),
  planted: z.string().min(20),
  expect: z.strictObject({
    outcome: z.enum(ATTESTATION_OUTCOMES),
    findings: z.array(ref),
    absent: z.array(ref).default([]),
    exhaustive: z.boolean().default(true),
  }),
});
const policyFileSchema = z.strictObject({
  policy: z.enum(['deferral', 'attestation']),
  version: z.number().int().min(1),
  content: z.unknown(),
});

interface Loaded {
  scenario: z.output<typeof scenarioSchema>;
  records: SourceRecord[];
  policy: AttestationPolicy;
}

function load(dir: string): Loaded {
  const scenario = scenarioSchema.parse(JSON.parse(readFileSync(join(dir, 'scenario.json'), 'utf8')));
  const records = readdirSync(join(dir, 'sources'))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .flatMap((name) => {
      const bytes = readFileSync(join(dir, 'sources', name));
      return recordsFromEnvelope(JSON.parse(bytes.toString('utf8')), { sha256: sha256(bytes), name }, sha256);
    });
  let policy = DEFAULT_ATTESTATION_POLICY;
  if (existsSync(join(dir, 'policy')))
    for (const name of readdirSync(join(dir, 'policy')).sort()) {
      const file = policyFileSchema.parse(JSON.parse(readFileSync(join(dir, 'policy', name), 'utf8')));
      if (file.policy === 'attestation') policy = attestationPolicySchema.parse(file.content);
    }
  return { scenario, records, policy };
}

const run = ({ scenario, records, policy }: Loaded, asOf = scenario.asOf) =>
  evaluate(attestationWorkflow, {
    records,
    policy,
    policyDigest: sha256(canonicalBytes(policy)),
    asOf,
    subject: scenario.subject,
    sha256,
  });

const key = (f: { checkId: string; subject: string }) => `${f.checkId} ${f.subject}`;
const folders = readdirSync(ROOT, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

describe('attestation scenarios (tests/scenarios/attestation)', () => {
  it('the corpus has at least 12 scenarios with every outcome represented', () => {
    expect(folders.length).toBeGreaterThanOrEqual(12);
    const outcomes = new Set(folders.map((f) => load(join(ROOT, f)).scenario.expect.outcome));
    expect([...outcomes].sort()).toEqual(['approvable', 'escalate', 'remediate']);
  });

  for (const folder of folders)
    it(`${folder}: findings and outcome as expected, re-run byte-identical`, () => {
      const loaded = load(join(ROOT, folder));
      const { expect: want } = loaded.scenario;
      const e = run(loaded);
      const got = new Set(e.findings.map(key));
      for (const f of want.findings) expect(got, `expected ${key(f)}`).toContain(key(f));
      for (const f of want.absent) expect(got, `must be absent: ${key(f)}`).not.toContain(key(f));
      if (want.exhaustive) {
        const allowed = new Set(want.findings.map(key));
        expect(
          [...got].filter((k) => !allowed.has(k)),
          'findings the scenario does not expect',
        ).toEqual([]);
      }
      expect(e.outcome, e.reason).toBe(want.outcome);
      // Every finding rests on records that exist in the folder's exports.
      const known = new Set(
        loaded.records.map((r) => `${r.family} ${r.provenance.system} ${r.provenance.recordId}`),
      );
      for (const f of e.findings)
        for (const r of f.records) expect(known).toContain(`${r.family} ${r.system} ${r.recordId}`);
      // Every requirement has a status, and a remediate outcome has a non-satisfied non-waivable one.
      const statuses = requirementStatuses(e.findings, loaded.policy);
      expect(statuses.map((s) => s.id)).toEqual(loaded.policy.requirements.map((r) => r.id));
      if (e.outcome === 'remediate')
        expect(
          statuses.some((s) => !s.waivable && !['satisfied', 'exception-backed'].includes(s.status)),
        ).toBe(true);
      const again = run(load(join(ROOT, folder)));
      expect(Buffer.from(canonicalBytes(again))).toEqual(Buffer.from(canonicalBytes(e)));
    });

  it('as of an earlier instant the later roster export is not known, and the custodian gap is not seen', () => {
    const loaded = load(join(ROOT, '06-custodian-expired-last-week'));
    const now = run(loaded);
    const before = run(loaded, '2026-07-06T00:00:00.000Z');
    expect(now.findings.map(key)).toContain('ATT-CUSTODY-HOLDER ESC-MED-01');
    expect(before.findings.map(key)).not.toContain('ATT-CUSTODY-HOLDER ESC-MED-01');
    expect(before.outcome).toBe('approvable');
    expect(before.inputs.recordCount).toBeLessThan(now.inputs.recordCount);
    expect(before.inputs.recordsDigest).not.toBe(now.inputs.recordsDigest);
  });

  it('the folder policy binds the evaluation: 15 differs from 14 only by policy, and so do digest and outcome', () => {
    const lenient = load(join(ROOT, '14-waivable-firmware-mismatch'));
    const strict = load(join(ROOT, '15-policy-firmware-non-waivable'));
    const [a, b] = [run(lenient), run(strict)];
    expect(a.inputs.recordsDigest).toBe(b.inputs.recordsDigest);
    expect(a.inputs.policyDigest).not.toBe(b.inputs.policyDigest);
    expect([a.outcome, b.outcome]).toEqual(['approvable', 'remediate']);
  });
});
