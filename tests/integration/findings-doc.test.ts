import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { describe, expect, it } from 'vitest';
import { WORKFLOWS } from '../../src/core/findings/workflows';
import { attestationWorkflow } from '../../src/core/findings/workflows/attestation';
import { activationWorkflow } from '../../src/core/findings/workflows/activation';
import { compromiseWorkflow } from '../../src/core/findings/workflows/compromise';
import { deferralWorkflow } from '../../src/core/findings/workflows/deferral';
import { issuanceWorkflow } from '../../src/core/findings/workflows/issuance';

/**
 * docs/findings.md lists every check ID of every registered workflow with its one-line title, as the
 * rule modules define them: the section between the markers is generated. After adding or renaming a
 * rule, regenerate it with
 *   FINDINGS_DOC_WRITE=1 npx vitest run --project integration tests/integration/findings-doc.test.ts
 */
const path = join(import.meta.dirname, '..', '..', 'docs', 'findings.md');
const BEGIN = '<!-- check-ids:begin (generated from src/core/findings/rules via the workflows) -->';
const END = '<!-- check-ids:end -->';
/** The rule sets behind WORKFLOWS (a registry entry hides its rules; the test below keeps them in step). */
const RULE_SETS: readonly { id: string; rules: readonly { id: string; title: string }[] }[] = [
  deferralWorkflow,
  attestationWorkflow,
  compromiseWorkflow,
  activationWorkflow,
  issuanceWorkflow,
];

function generated(): string {
  const out = [BEGIN, ''];
  for (const w of RULE_SETS)
    out.push(
      `### \`${w.id}\` (${w.rules.length} checks)`,
      '',
      '| Check ID | What it checks |',
      '| --- | --- |',
      ...w.rules.map((r) => `| \`${r.id}\` | ${r.title.replace(/\|/g, '\\|')} |`),
      '',
    );
  out.push(END);
  return out.join('\n');
}

function section(doc: string): string {
  const begin = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  expect(begin, 'docs/findings.md has the check-ids markers').toBeGreaterThanOrEqual(0);
  expect(end).toBeGreaterThan(begin);
  return doc.slice(begin, end + END.length);
}

describe('docs/findings.md', () => {
  it('its check-ID section is the one generated from the rule modules (as Prettier writes it)', async () => {
    const doc = readFileSync(path, 'utf8');
    const options = { ...(await resolveConfig(path)), filepath: path };
    const expected = await format(doc.replace(section(doc), generated()), options);
    if (process.env.FINDINGS_DOC_WRITE === '1') writeFileSync(path, expected);
    expect(readFileSync(path, 'utf8')).toBe(expected);
  });

  it('covers every registered workflow, and each check ID once', () => {
    expect(RULE_SETS.map((w) => w.id).sort()).toEqual(Object.keys(WORKFLOWS).sort());
    const ids = RULE_SETS.flatMap((w) => w.rules.map((r) => r.id));
    expect(new Set(ids).size).toBe(ids.length);
    const doc = readFileSync(path, 'utf8');
    for (const id of ids) expect(doc).toMatch(new RegExp(`^\\| \`${id}\` +\\|`, 'm'));
  });
});
