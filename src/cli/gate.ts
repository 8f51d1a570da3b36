import type { Command } from 'commander';
import { CodedError } from '../core/errors';
import {
  evaluateGate,
  gateLineage,
  gatePacketOf,
  gateView,
  recordGateVersion,
  type GateView,
  type LineageStep,
} from '../main/services/activation';
import type { Station } from '../main/station/station';
import { instant } from './authority';
import { withStation, type Out } from './context';

/**
 * `station gate status|evaluate|version|lineage`: the offline-signing continuity activation gate of an
 * activation-gate packet (`--packet`) or of a declaration (`--declaration`, its latest packet). The same
 * views the activation channels answer (`--json`). Nothing here clears a hold or signs: a hold clears when
 * a record fixes the fact; the gate opens on the approval owner's approval of the current version.
 */

interface Which {
  packet?: string;
  declaration?: string;
}

function packetOf(s: Station, o: Which): string {
  if (o.packet) return o.packet;
  if (o.declaration) return gatePacketOf(s, o.declaration);
  throw new CodedError(
    'INVALID_INPUT',
    'name the gate: --packet <packet id> or --declaration <declaration id>',
    {
      field: 'packet',
    },
  );
}

const value = (v: unknown): string => (v === null ? '—' : Array.isArray(v) ? v.join(', ') || '—' : String(v));

export function printGate(out: Out, g: GateView): void {
  out(`activation gate ${g.packetId} — declaration ${g.declarationId}\n`);
  out(`  GATE ${g.state}: ${g.sentence}\n`);
  const e = g.evaluation;
  if (e) out(`  evaluation seq ${e.seq} as of ${e.asOf}: ${e.status}, ${e.outcome} — ${e.reason}\n`);
  out(`  approval: ${g.approvalOwner ?? 'no named owner'} (${g.approvalRole})\n`);
  const l = g.ledger;
  if (l) {
    out(`readiness ledger (${l.lines.length} lines):\n`);
    for (const line of l.lines) {
      const facts = Object.entries(line.facts)
        .map(([k, v]) => `${k}=${value(v)}`)
        .join('  ');
      out(`  ${line.state.toUpperCase().padEnd(11)} ${line.area.padEnd(11)} ${line.item}  ${facts}\n`);
    }
  }
  out(`hold register (${g.holds.length}):\n`);
  for (const h of g.holds)
    out(
      `  ${h.waivable ? 'waivable    ' : 'NON-WAIVABLE'} ${h.kind.padEnd(19)} ${h.checkId} ${h.subject} [${h.category}] ${h.sentence}\n`,
    );
  if (g.quarantine.length > 0) out(`quarantine (${g.quarantine.length}):\n`);
  for (const q of g.quarantine) out(`  ${q.subject}: ${q.sentence}\n`);
  out(`versions (${g.versions.length}):\n`);
  for (const v of g.versions)
    out(
      `  v${v.version} ${v.digest.slice(0, 16)}… ledger ${v.ledgerDigest?.slice(0, 16) ?? '—'}… ${v.current ? '(current)' : ''}\n`,
    );
  for (const a of g.approvals)
    out(`  approval v${a.version} ${a.reviewer} (${a.role}) ${a.decision}: ${a.standing} — ${a.why}\n`);
}

function printLineage(out: Out, steps: readonly LineageStep[]): void {
  if (steps.length === 0) out('no version recorded yet\n');
  for (const s of steps) {
    out(
      `v${s.version} ${s.at} evaluation ${s.evaluationSeq ?? '—'}${s.reproduced ? '' : ' (does not reproduce)'}\n`,
    );
    for (const c of s.changes) {
      out(`  ${c.change} ${c.area} ${c.item}\n`);
      for (const f of c.facts) out(`      ${f.fact}: ${f.before} → ${f.after}\n`);
    }
    for (const h of s.holdsOpened) out(`  hold opened: ${h}\n`);
    for (const h of s.holdsCleared) out(`  hold cleared: ${h}\n`);
  }
}

export function registerGateCommands(program: Command, out: Out): void {
  const gate = program
    .command('gate')
    .description('offline-signing continuity activation gate: ledger, holds, versions, approvals');
  const which = (c: Command) =>
    c
      .option('--packet <packet>', 'the activation-gate packet')
      .option('--declaration <declaration>', 'the continuity declaration (its latest packet)');

  which(gate.command('status').description('the gate as the station finds it now'))
    .option('--json', 'machine-readable output (the gateStatus view)')
    .action(async function (this: Command, o: Which & { json?: boolean }) {
      const g = await withStation(this, (s) => gateView(s, packetOf(s, o)));
      if (o.json) return out(`${JSON.stringify(g)}\n`);
      printGate(out, g);
    });

  which(gate.command('evaluate').description('evaluate the declaration now (or --as-of) and record it'))
    .option('--as-of <instant>', 'judge the facts as of this instant (default now)')
    .option('--json', 'machine-readable output (the gateEvaluate view)')
    .option('--actor <actor>', 'who runs it', 'operator:cli')
    .action(async function (this: Command, o: Which & { asOf?: string; json?: boolean; actor: string }) {
      const g = await withStation(this, (s) =>
        evaluateGate(s, { packetId: packetOf(s, o), asOf: instant(o.asOf), actor: o.actor }),
      );
      if (o.json) return out(`${JSON.stringify(g)}\n`);
      printGate(out, g);
    });

  which(gate.command('version').description('record the next packet version bound to the latest ledger'))
    .option('--json', 'machine-readable output (the gateRecordVersion view)')
    .option('--actor <actor>', 'who records it', 'operator:cli')
    .action(async function (this: Command, o: Which & { json?: boolean; actor: string }) {
      const g = await withStation(this, (s) =>
        recordGateVersion(s, { packetId: packetOf(s, o), actor: o.actor }),
      );
      if (o.json) return out(`${JSON.stringify(g)}\n`);
      printGate(out, g);
    });

  which(gate.command('lineage').description('what changed between versions: ledger lines and holds'))
    .option('--json', 'machine-readable output (the gateLineage view)')
    .action(async function (this: Command, o: Which & { json?: boolean }) {
      const steps = await withStation(this, (s) => gateLineage(s, packetOf(s, o)));
      if (o.json) return out(`${JSON.stringify(steps)}\n`);
      printLineage(out, steps);
    });
}
