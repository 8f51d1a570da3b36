import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalBytes } from '../../src/core/canonical';
import { evaluate } from '../../src/core/findings/engine';
import { recordsFromEnvelope } from '../../src/core/findings/envelope';
import type { SourceRecord } from '../../src/core/findings/model';
import {
  DEFAULT_DEFERRAL_POLICY,
  type DeferralPolicy,
  deferralPolicyRecordSchema,
} from '../../src/core/findings/policy/deferral';
import { DEFERRAL_OUTCOMES, deferralWorkflow } from '../../src/core/findings/workflows/deferral';

/**
 * The deferral scenario corpus (tests/scenarios/deferral, written by tests/scenarios/tools/gen-deferral.mjs):
 * each folder's source exports read through recordsFromEnvelope, its policy (or the default), evaluated
 * as of the scenario's instant, and checked against what the scenario says it plants.
 */
const ROOT = join(__dirname, '..', 'scenarios', 'deferral');
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

interface Expectation {
  outcome: string;
  findings: { checkId: string; subject: string }[];
  absent: { checkId: string; subject: string }[];
  exhaustive?: boolean;
}
interface Scenario {
  workflow: string;
  title: string;
  asOf: string;
  subject: string;
  planted: string;
  expect: Expectation;
}

function load(dir: string): {
  scenario: Scenario;
  records: SourceRecord[];
  policy: DeferralPolicy;
  policyDigest: string;
} {
  const scenario = JSON.parse(readFileSync(join(dir, 'scenario.json'), 'utf8')) as Scenario;
  const records = readdirSync(join(dir, 'sources'))
    .sort()
    .flatMap((name) => {
      const bytes = readFileSync(join(dir, 'sources', name));
      return recordsFromEnvelope(JSON.parse(bytes.toString('utf8')), { sha256: sha256(bytes), name }, sha256);
    });
  const policyFile = join(dir, 'policy', 'deferral-policy.json');
  const policy = existsSync(policyFile)
    ? deferralPolicyRecordSchema.parse(JSON.parse(readFileSync(policyFile, 'utf8'))).content
    : DEFAULT_DEFERRAL_POLICY;
  return { scenario, records, policy, policyDigest: sha256(canonicalBytes(policy)) };
}

const run = (dir: string, asOf?: string) => {
  const { scenario, records, policy, policyDigest } = load(dir);
  return evaluate(deferralWorkflow, {
    records,
    policy,
    policyDigest,
    asOf: asOf ?? scenario.asOf,
    subject: scenario.subject,
    sha256,
  });
};

const folders = readdirSync(ROOT)
  .filter((n) => existsSync(join(ROOT, n, 'scenario.json')))
  .sort();
const key = (f: { checkId: string; subject: string }) => `${f.checkId} ${f.subject}`;

describe('deferral scenarios', () => {
  it('the corpus has at least 12 scenarios, clean ones and every outcome', () => {
    expect(folders.length).toBeGreaterThanOrEqual(12);
    const outcomes = folders.map((n) => load(join(ROOT, n)).scenario.expect.outcome);
    for (const o of DEFERRAL_OUTCOMES) expect(outcomes).toContain(o);
  });

  for (const name of folders)
    it(`${name}: outcome and findings as planted`, () => {
      const dir = join(ROOT, name);
      const { scenario } = load(dir);
      expect(scenario.workflow).toBe('deferral');
      const ev = run(dir);
      const got = ev.findings.map(key);
      const want = scenario.expect.findings.map(key);
      for (const w of want) expect(got, `${name} should find ${w}`).toContain(w);
      for (const a of scenario.expect.absent.map(key))
        expect(got, `${name} must not find ${a}`).not.toContain(a);
      if (scenario.expect.exhaustive !== false)
        expect([...new Set(got)].sort()).toEqual([...new Set(want)].sort());
      expect(ev.outcome, ev.reason).toBe(scenario.expect.outcome);
      if (ev.outcome !== 'handoff-clean') expect(ev.reason).toMatch(/DEF-/);
    });

  it('a re-run of the same inputs gives byte-identical findings (findingsDigest)', () => {
    const dir = join(ROOT, '02-seed-firmware-mismatch');
    const a = run(dir);
    const b = run(dir);
    expect(b.findingsDigest).toBe(a.findingsDigest);
    expect(b.inputs).toEqual(a.inputs);
    expect(Buffer.from(canonicalBytes(b.findings)).equals(Buffer.from(canonicalBytes(a.findings)))).toBe(
      true,
    );
  });

  it('as of an earlier instant the evaluation does not see later records (08: before the re-check and closure)', () => {
    const dir = join(ROOT, '08-lookalike-resolved-later');
    const now = run(dir);
    const earlier = run(dir, '2026-11-27T12:00:00.000Z');
    expect(earlier.inputs.recordCount).toBeLessThan(now.inputs.recordCount);
    const got = earlier.findings.map(key);
    expect(got).toContain('DEF-HSM-ATTEST HSM-LUNA-0412');
    expect(got).toContain('DEF-INCIDENT INC-2026-0377');
    expect(earlier.outcome).toBe('stop-and-escalate');
    expect(now.outcome).toBe('handoff-clean');
  });
});
