import type { Command } from 'commander';
import { CodedError } from '../core/errors';
import type { View } from '../shared/contract';
import {
  authorityDiff,
  authorityLineage,
  authorityStatus,
  evaluateAuthority,
} from '../main/services/authority';
import { positiveInt, withStation, type Out } from './context';

/**
 * `station authority evaluate|status|lineage|diff INCIDENT`: workflow compromise-authority, the same
 * views the authority channels answer (`--json` prints them as they are), as text otherwise. Nothing
 * here revokes, freezes, publishes or schedules: it shows lanes; people decide.
 */

/** `YYYY-MM-DD` or an ISO instant → the journal's instant format. */
export function instant(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00.000Z` : v);
  if (Number.isNaN(d.getTime()))
    throw new CodedError('INVALID_INPUT', '--as-of must be an instant such as 2026-12-01T00:00:00.000Z', {
      field: 'as-of',
    });
  return d.toISOString();
}

type Evaluation = View<'authorityEvaluate'>;
type Lane = Evaluation['authority']['lanes'][number];

const STATUS: Record<Lane['status'], string> = {
  recommended: 'RECOMMENDED',
  viable: 'VIABLE',
  blocked: 'BLOCKED',
  not_required: 'NOT REQUIRED',
};

function holderText(l: Lane): string {
  const h = l.holder;
  if (!h) return 'nobody holds it';
  const via =
    h.via === 'delegation'
      ? `acting by delegation${h.record ? ` ${h.record}` : ''}${h.until ? ` until ${h.until}` : ''}${h.scope ? ` for ${h.scope.join(', ')}` : ''}`
      : h.via === 'succession'
        ? `by succession${h.record ? ` (${h.record})` : ''}`
        : 'holder';
  return `${h.person} — ${via}`;
}

/** Lanes in rank order: status, holder and via, triggers and limits, blocks by check ID, options. */
export function printAuthority(out: Out, e: Evaluation): void {
  const a = e.authority;
  out(`compromise-authority ${e.subject} as of ${e.inputs.asOf} (evaluation seq ${e.seq})\n`);
  out(
    `  matrix: ${a.matrix} — ${e.policy.policy} v${e.policy.version} (${e.policy.source}) ${e.policy.digest.slice(0, 16)}…\n`,
  );
  out(
    `  critical window ends ${a.windowEnd ?? 'unknown (no declaration)'}; floor ${a.floor === null ? 'none (no trigger fired)' : `rank ${a.floor}`}\n`,
  );
  for (const l of [...a.lanes].sort((x, y) => x.rank - y.rank)) {
    out(`${l.rank}. ${l.laneId}  ${STATUS[l.status]}  ${holderText(l)}\n`);
    for (const s of l.skipped) out(`     passed over: ${s.person} (${s.why})\n`);
    const rules = [
      ...l.triggers.map((t) => `${t.id} ${t.state}`),
      ...l.limits.map((t) => `${t.id} ${t.state}`),
    ];
    if (rules.length > 0) out(`     triggers/limits: ${rules.join(', ')}\n`);
    for (const b of l.blocks)
      out(`     blocked ${b.checkId}${b.ruleId ? ` ${b.ruleId}` : ''}: ${b.reason}\n`);
    if (l.options.length > 0) out(`     options inside: ${l.options.join(', ')}\n`);
  }
  if (e.findings.length > 0) out(`findings (${e.findings.length}):\n`);
  for (const f of e.findings) out(`  ${f.checkId}  ${f.subject}  [${f.category}]  ${f.sentence}\n`);
  out(`outcome: ${e.outcome} — ${e.reason}\n`);
}

function printStatus(out: Out, v: View<'authorityStatus'>): void {
  const c = v.current;
  if (!c) {
    out(`${v.incidentId}: not evaluated yet (station authority evaluate ${v.incidentId})\n`);
    return;
  }
  out(`${c.status}  evaluation ${c.seq} of ${v.incidentId}: ${c.sentence}\n`);
  if (c.evaluation) printAuthority(out, c.evaluation);
  else out(`  not reproduced from its seq (${c.irreproducible.join(', ')}): its lanes are not shown\n`);
  if (v.evaluations.length > 1)
    out(`evaluations: ${v.evaluations.map((e) => `seq ${e.seq} (${e.asOf}, ${e.outcome})`).join('; ')}\n`);
}

function printDiff(out: Out, v: View<'authorityDiff'>): void {
  const side = (s: View<'authorityDiff'>['from']) =>
    `${s.seq === null ? 'now' : `seq ${s.seq}`} as of ${s.asOf} (${s.outcome}, recommended ${s.recommended ?? 'none'})`;
  const d = v.diff;
  out(`${v.incidentId}: ${side(v.from)} → ${side(v.to)}\n`);
  if (!d.changed) {
    out('no change\n');
    return;
  }
  if (d.inCriticalWindow) out('  within the critical window\n');
  if (d.recommended) out(`recommended: ${d.recommended.from ?? 'none'} → ${d.recommended.to ?? 'none'}\n`);
  if (d.matrix)
    out(`matrix: ${d.matrix.from.policyDigest.slice(0, 16)}… → ${d.matrix.to.policyDigest.slice(0, 16)}…\n`);
  for (const l of d.lanes) {
    const status = l.statusChanged
      ? `${STATUS[l.status.from ?? 'not_required']} → ${STATUS[l.status.to ?? 'not_required']}`
      : `${STATUS[l.status.to ?? 'not_required']} (unchanged)`;
    out(`${l.rank}. ${l.laneId}  ${status}\n`);
    for (const y of l.why) {
      if (y.kind === 'holder')
        out(
          `     because holder ${y.from?.person ?? 'nobody'} (${y.from?.via ?? '-'}) → ${y.to?.person ?? 'nobody'} (${y.to?.via ?? '-'})\n`,
        );
      else
        out(
          `     because ${y.kind} ${y.id}${y.laneId && y.laneId !== l.laneId ? ` of ${y.laneId}` : ''} ${y.from ?? 'absent'} → ${y.to ?? 'absent'}${y.via ? ` (via ${y.via})` : ''}\n`,
        );
    }
    for (const b of l.blocks.added) out(`     now blocked ${b.checkId}${b.ruleId ? ` ${b.ruleId}` : ''}\n`);
    for (const b of l.blocks.lifted)
      out(`     no longer blocked ${b.checkId}${b.ruleId ? ` ${b.ruleId}` : ''}\n`);
  }
  for (const f of d.findings.appeared) out(`+ ${f.checkId} ${f.subject}\n`);
  for (const f of d.findings.resolved) out(`- ${f.checkId} ${f.subject}\n`);
  for (const o of d.options)
    out(`option ${o.optionId} ${o.change}${o.fields.length > 0 ? ` (${o.fields.join(', ')})` : ''}\n`);
}

function printLineage(out: Out, v: View<'authorityLineage'>): void {
  if (v.entries.length === 0) out(`${v.incidentId}: nothing in the journal yet\n`);
  for (const e of v.entries) {
    const head = `seq ${e.seq}  ${e.at}  ${e.actor}  `;
    switch (e.type) {
      case 'evaluation':
        out(
          `${head}evaluation as of ${e.asOf}: ${e.outcome}, recommended ${e.reproduced ? (e.recommended ?? 'none') : '? (does not reproduce)'}\n`,
        );
        break;
      case 'records':
        out(`${head}records ${e.family} from ${e.system} (${e.fileName}): ${e.count}, ${e.newRecords} new\n`);
        break;
      case 'policy':
        out(`${head}matrix ${e.policy} v${e.version} in force from ${e.exportedAt}\n`);
        break;
      case 'redirect':
        out(
          `${head}REDIRECTED to ${e.toLane} by ${e.redirectedBy} (${e.role}) on evaluation ${e.evaluationSeq}; station computes ${e.computedLane ?? 'none'}: ${e.reason}\n`,
        );
        break;
    }
  }
}

export function registerAuthorityCommands(program: Command, out: Out): void {
  const authority = program
    .command('authority')
    .description('compromise authority: the lanes for an incident, whether they are fresh, what changed');

  authority
    .command('evaluate <incident>')
    .description('evaluate workflow compromise-authority for the incident and record the evaluation')
    .option('--as-of <instant>', 'judge the facts as of this instant (default now)')
    .option('--json', 'machine-readable output (the authorityEvaluate view)')
    .option('--actor <actor>', 'who runs it', 'operator:cli')
    .action(async function (
      this: Command,
      incidentId: string,
      o: { asOf?: string; json?: boolean; actor: string },
    ) {
      const e = await withStation(this, (s) =>
        evaluateAuthority(s, { incidentId, asOf: instant(o.asOf), actor: o.actor }),
      );
      if (o.json) return out(`${JSON.stringify(e)}\n`);
      printAuthority(out, e);
    });

  authority
    .command('status <incident>')
    .description('FRESH or STALE for the latest evaluation (or --seq), its lanes recomputed from its seq')
    .option('--seq <seq>', 'this evaluation instead of the latest', positiveInt('--seq'))
    .option('--json', 'machine-readable output (the authorityStatus view)')
    .action(async function (this: Command, incidentId: string, o: { seq?: number; json?: boolean }) {
      const v = await withStation(this, (s) => authorityStatus(s, { incidentId, seq: o.seq }));
      if (o.json) return out(`${JSON.stringify(v)}\n`);
      printStatus(out, v);
    });

  authority
    .command('diff <incident>')
    .description(
      'what changed between two evaluations (--from, --to), or since one (default: the latest) and now',
    )
    .option('--from <seq>', 'the earlier evaluation (default: the latest before --to)', positiveInt('--from'))
    .option('--to <seq>', 'the later evaluation (default: the facts now, not recorded)', positiveInt('--to'))
    .option('--as-of <instant>', 'the instant of the side computed now (without --to)')
    .option('--json', 'machine-readable output (the authorityDiff view)')
    .action(async function (
      this: Command,
      incidentId: string,
      o: { from?: number; to?: number; asOf?: string; json?: boolean },
    ) {
      const v = await withStation(this, (s) =>
        authorityDiff(s, { incidentId, from: o.from, to: o.to, asOf: instant(o.asOf) }),
      );
      if (o.json) return out(`${JSON.stringify(v)}\n`);
      printDiff(out, v);
    });

  authority
    .command('lineage <incident>')
    .description(
      'the incident in journal order: evaluations, records and matrix versions imported, redirects',
    )
    .option('--json', 'machine-readable output (the authorityLineage view)')
    .action(async function (this: Command, incidentId: string, o: { json?: boolean }) {
      const v = await withStation(this, (s) => authorityLineage(s, { incidentId }));
      if (o.json) return out(`${JSON.stringify(v)}\n`);
      printLineage(out, v);
    });
}
