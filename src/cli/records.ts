import { resolve } from 'node:path';
import type { Command } from 'commander';
import { CodedError } from '../core/errors';
import { FINDING_CATEGORIES } from '../core/findings/model';
import type { View } from '../shared/contract';
import {
  evaluateWorkflow,
  evaluationStatus,
  runScenario,
  type FindingsRegistry,
  type ScenarioRun,
} from '../main/services/findings';
import {
  importPolicyFile,
  importRecordsFile,
  listRecords,
  showPolicies,
  showRecord,
} from '../main/services/records';
import { scenarioRedirect } from '../main/services/authority';
import { depsOf, positiveInt, withStation, type Out } from './context';

/**
 * Source records, policy records, evaluations and scenario folders (docs/records.md): the same views the
 * UI's channels answer (`--json` prints them as they are), as text otherwise.
 */

/** `YYYY-MM-DD` or an ISO instant → the journal's instant format. */
function instant(v: string | undefined, field: string): string | undefined {
  if (v === undefined) return undefined;
  const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00.000Z` : v);
  if (Number.isNaN(d.getTime()))
    throw new CodedError('INVALID_INPUT', `--${field} must be an instant such as 2026-12-01T00:00:00.000Z`, {
      field,
    });
  return d.toISOString();
}

/** Findings grouped by category (in the outcome's order), each with its check ID, subject and records. */
export function printEvaluation(out: Out, e: Omit<View<'findingsEvaluate'>, 'seq'> & { seq: number }): void {
  out(`${e.workflow} ${e.subject} as of ${e.inputs.asOf} (evaluation seq ${e.seq})\n`);
  out(
    `  policy ${e.policy.policy} v${e.policy.version} (${e.policy.source}) ${e.policy.digest.slice(0, 16)}…; ${e.inputs.recordCount} records ${e.inputs.recordsDigest.slice(0, 16)}…\n`,
  );
  for (const category of FINDING_CATEGORIES) {
    const group = e.findings.filter((f) => f.category === category);
    if (group.length === 0) continue;
    out(`${category} (${group.length}):\n`);
    for (const f of group) {
      const flags = [f.blocking ? 'blocking' : 'non-blocking', f.waivable ? 'waivable' : 'not waivable'];
      out(`  ${f.checkId}  ${f.subject}  [${flags.join(', ')}]\n      ${f.sentence}\n`);
      for (const r of f.records) out(`      ← ${r.family} ${r.system} ${r.recordId}\n`);
    }
  }
  if (e.findings.length === 0) out('no findings\n');
  out(`outcome: ${e.outcome} — ${e.reason}\n`);
}

function printScenario(out: Out, run: ScenarioRun): void {
  out(`scenario: ${run.scenario.title}\n`);
  for (const i of run.imports) out(`  imported ${i.file}: ${i.detail}\n`);
  printEvaluation(out, run.evaluation);
  const x = run.expect;
  if (!x) return;
  out(`expect: ${x.matched ? 'MATCHED' : 'NOT MATCHED'}\n`);
  if (x.outcome.expected !== x.outcome.actual)
    out(`  outcome ${x.outcome.actual}, expected ${x.outcome.expected}\n`);
  for (const f of x.missing) out(`  missing  ${f.checkId} ${f.subject}\n`);
  for (const f of x.present) out(`  present but expected absent  ${f.checkId} ${f.subject}\n`);
  for (const f of x.unexpected) out(`  unexpected  ${f.checkId} ${f.subject}\n`);
  for (const m of x.authority ?? [])
    out(`  authority ${m.field}: ${m.actual ?? 'none'}, expected ${m.expected ?? 'none'}\n`);
  for (const [i, st] of run.steps.entries()) {
    out(`step ${i + 1}: ${st.title} — ${st.matched ? 'MATCHED' : 'NOT MATCHED'}\n`);
    if (st.evaluation)
      out(
        `  evaluation ${st.evaluation.seq}: ${st.evaluation.outcome}, recommended ${st.evaluation.recommended ?? 'none'}\n`,
      );
    const y = st.expect;
    if (y && y.outcome.expected !== y.outcome.actual)
      out(`  outcome ${y.outcome.actual}, expected ${y.outcome.expected}\n`);
    for (const f of y?.missing ?? []) out(`  missing  ${f.checkId} ${f.subject}\n`);
    for (const f of y?.present ?? []) out(`  present but expected absent  ${f.checkId} ${f.subject}\n`);
    for (const f of y?.unexpected ?? []) out(`  unexpected  ${f.checkId} ${f.subject}\n`);
    for (const m of [...(y?.authority ?? []), ...st.mismatches])
      out(`  ${m.field}: ${m.actual ?? 'none'}, expected ${m.expected ?? 'none'}\n`);
  }
}

/** `registry`: the workflows and policies known (the station's own; tests pass theirs). */
export function registerRecordsCommands(program: Command, out: Out, registry?: FindingsRegistry): void {
  const records = program
    .command('records')
    .description('source records imported from exports (docs/records.md)');

  records
    .command('import <file>')
    .description('import one export file (JSON envelope or CSV): all records or none, one journal entry')
    .option('--family <name>', 'the record family (a CSV’s is otherwise detected from its header)')
    .option('--system <name>', 'the exporting system (required for a CSV)')
    .option('--exported-at <instant>', 'when it was exported (required for a CSV)')
    .option('--json', 'machine-readable output')
    .option('--actor <actor>', 'who imports it', 'operator:cli')
    .action(async function (
      this: Command,
      file: string,
      o: { family?: string; system?: string; exportedAt?: string; json?: boolean; actor: string },
    ) {
      const r = await withStation(this, (s) =>
        importRecordsFile(s, {
          path: resolve(file),
          family: o.family,
          system: o.system,
          exportedAt: instant(o.exportedAt, 'exported-at'),
          actor: o.actor,
        }),
      );
      if (o.json) return out(`${JSON.stringify(r)}\n`);
      out(
        `imported ${r.count} ${r.family} v${r.familyVersion} records from ${r.system} exported ${r.exportedAt} (seq ${r.seq})\n`,
      );
      out(
        r.alreadyHeld
          ? '  already held: this file was imported before, nothing new\n'
          : `  ${r.newRecords} new, ${r.count - r.newRecords} already held; file sha256 ${r.fileSha256}\n`,
      );
    });

  records
    .command('list')
    .description('imports so far and records per family; with --family, its records (current version)')
    .option('--family <name>', 'list this family’s records')
    .option('--json', 'machine-readable output')
    .action(async function (this: Command, o: { family?: string; json?: boolean }) {
      const v = await withStation(this, (s) => listRecords(s, { family: o.family }));
      if (o.json) return out(`${JSON.stringify(v)}\n`);
      for (const i of v.imports)
        out(
          `seq ${i.seq}  ${i.family}  ${i.system}  ${i.exportedAt}  ${i.fileName}  ${i.count} records (${i.newRecords} new)\n`,
        );
      for (const f of v.families) out(`${f.family}: ${f.records} records\n`);
      for (const r of v.records)
        out(
          `  ${r.system}  ${r.recordId}  exported ${r.exportedAt}${r.versions > 1 ? `  (${r.versions} versions)` : ''}\n`,
        );
      if (v.truncated) out('  … more records than shown (use --json or a narrower family)\n');
    });

  records
    .command('show <family> <system> <recordId>')
    .description('every version of one record, with its provenance and content')
    .option('--json', 'machine-readable output')
    .action(async function (
      this: Command,
      family: string,
      system: string,
      recordId: string,
      o: { json?: boolean },
    ) {
      const v = await withStation(this, (s) => showRecord(s, { family, system, recordId }));
      if (o.json) return out(`${JSON.stringify(v)}\n`);
      for (const r of v.versions) {
        const p = r.provenance;
        out(
          `${r.family} v${r.familyVersion}  ${p.system} ${p.recordId}  exported ${p.exportedAt}  import seq ${r.importSeq}${p.firstHand ? '  first-hand' : ''}\n`,
        );
        out(`  file sha256 ${p.fileSha256}  digest ${r.digest}\n  ${JSON.stringify(r.content)}\n`);
      }
    });

  const policy = program.command('policy').description('policy records: the numbers an organisation owns');

  policy
    .command('import <file>')
    .description('import a policy file {policy, version, content}; validated by the policy’s schema')
    .option('--system <name>', 'who issued it, when the file does not say')
    .option('--exported-at <instant>', 'when it takes effect, when the file does not say (default now)')
    .option('--json', 'machine-readable output')
    .option('--actor <actor>', 'who imports it', 'operator:cli')
    .action(async function (
      this: Command,
      file: string,
      o: { system?: string; exportedAt?: string; json?: boolean; actor: string },
    ) {
      const p = await withStation(this, (s) =>
        importPolicyFile(
          s,
          {
            path: resolve(file),
            actor: o.actor,
            system: o.system,
            exportedAt: instant(o.exportedAt, 'exported-at'),
          },
          registry?.policies,
        ),
      );
      if (o.json) return out(`${JSON.stringify(p)}\n`);
      out(
        `imported ${p.policy} v${p.version} from ${p.system ?? '?'}, in force from ${p.exportedAt ?? '?'} (seq ${p.seq ?? '?'})\n`,
      );
      out(`  digest ${p.digest}\n`);
    });

  policy
    .command('show')
    .description('the policy in force now for every policy the station knows, and every imported version')
    .option('--json', 'machine-readable output')
    .action(async function (this: Command, o: { json?: boolean }) {
      const v = await withStation(this, (s) => showPolicies(s, registry?.policies));
      if (o.json) return out(`${JSON.stringify(v)}\n`);
      if (v.inForce.length === 0) out('no policy in force\n');
      for (const p of v.inForce)
        out(
          `${p.policy} v${p.version} (${p.source}${p.seq === null ? '' : `, seq ${p.seq}, from ${p.system ?? '?'} ${p.exportedAt ?? ''}`})  ${p.digest}\n`,
        );
      for (const p of v.imported)
        out(`  imported seq ${p.seq ?? '?'}: ${p.policy} v${p.version} ${p.fileName ?? ''}\n`);
    });

  program
    .command('evaluate <workflow> <subject>')
    .description('evaluate a workflow for a subject as of an instant and record the evaluation')
    .option('--as-of <instant>', 'judge the facts as of this instant (default now)')
    .option('--json', 'machine-readable output')
    .option('--actor <actor>', 'who runs it', 'operator:cli')
    .action(async function (
      this: Command,
      workflow: string,
      subject: string,
      o: { asOf?: string; json?: boolean; actor: string },
    ) {
      const e = await withStation(this, (s) =>
        evaluateWorkflow(s, { workflow, subject, asOf: instant(o.asOf, 'as-of'), actor: o.actor }, registry),
      );
      if (o.json) return out(`${JSON.stringify(e)}\n`);
      printEvaluation(out, e);
    });

  program
    .command('evaluation-status <seq>')
    .description('FRESH or STALE: whether the records or policy an evaluation read changed since')
    .option('--json', 'machine-readable output')
    .action(async function (this: Command, seq: string, o: { json?: boolean }) {
      const n = positiveInt('seq')(seq);
      const v = await withStation(this, (s) => evaluationStatus(s, { seq: n }, registry));
      if (o.json) return out(`${JSON.stringify(v)}\n`);
      out(`${v.status}  ${v.sentence}\n`);
    });

  program
    .command('scenario')
    .description('scenario folders (docs/records.md)')
    .command('run <dir>')
    .description(
      'build a fresh station from DIR/sources and DIR/policy, evaluate scenario.json, print findings',
    )
    .option('--as-of <instant>', 'evaluate as of this instant (default: the scenario’s asOf)')
    .option('--json', 'machine-readable output (the evaluation view and the expectation)')
    .option('--check', 'exit 1 when the scenario’s "expect" does not match')
    .action(async function (
      this: Command,
      dir: string,
      o: { asOf?: string; json?: boolean; check?: boolean },
    ) {
      const run = await runScenario(resolve(dir), {
        asOf: instant(o.asOf, 'as-of'),
        // The configuration `main` read, like every other command (not the defaults of runtime's systemDeps).
        deps: depsOf(this),
        ...(registry ? { registry } : {}),
        redirect: scenarioRedirect,
      });
      if (o.json)
        out(`${JSON.stringify({ evaluation: run.evaluation, expect: run.expect, steps: run.steps })}\n`);
      else printScenario(out, run);
      // The outcome is data, not an error: only a failed expectation under --check is a non-zero exit.
      if (o.check && ((run.expect && !run.expect.matched) || run.steps.some((st) => !st.matched)))
        process.exitCode = 1;
    });
}
