import { resolve } from 'node:path';
import type { Command } from 'commander';
import { CodedError } from '../core/errors';
import type { Completeness } from '../core/packet/checks';
import { CLAIM_STATUSES, claimSchema, PACKET_KINDS, reviewerSchema } from '../core/packet/model';
import { parseOrThrow } from '../core/validate';
import type { View } from '../shared/contract';
import {
  addJournalEvidence,
  attestPacketEvidence,
  checkDraft,
  clearStop,
  createPacket,
  diffVersions,
  importPacketEvidence,
  listPackets,
  packetVersions,
  packetView,
  recordHandoff,
  recordPacketVersion,
  setPacketClaim,
  annotatePacketFinding,
  evaluatePacket,
  setPacketReviewers,
  stopClearOperation,
  stopNotices,
} from '../main/services/packets';
import { printPacket } from '../main/services/packets';
import { exportBundle } from '../main/services/bundles';
import { stderrProgress } from './bundles';
import { readPin } from './pin';
import { collect, positiveInt, withStation, type Out } from './context';
import { encodeOperation } from '../core/custody/operation';
import { subjectKey } from '../core/schema';

const list = (v: string | undefined) =>
  (v ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/** `YYYY-MM-DD` or a full ISO time → the journal's time format; null stays null. */
function isoOrNull(v: string | undefined, field: string): string | null {
  if (v === undefined) return null;
  const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00.000Z` : v);
  if (Number.isNaN(d.getTime()))
    throw new CodedError('INVALID_INPUT', `--${field} must be a date such as 2026-11-20`, { field });
  return d.toISOString();
}

function printCheck(out: Out, c: Completeness & { stopped: readonly { notice: string }[] }): void {
  out(`gate ${c.gate}  (${c.passed} passed, ${c.failed} failed)\n`);
  for (const s of c.stopped) out(`  STOPPED: ${s.notice}\n`);
  for (const x of c.checks) {
    out(`  ${x.pass ? 'PASS' : 'FAIL'} ${x.id.padEnd(20)} ${x.title}\n`);
    for (const f of x.findings) out(`       - ${f}\n`);
  }
}

function printEdit(out: Out, r: View<'packetSetClaim'>, what: string): void {
  out(`${what} (seq ${r.seq})\n`);
  if (r.stopped) {
    out(`STOPPED: ${r.stopped.notice}\n`);
    for (const f of r.stopped.findings) out(`  ${f.evidenceId}: ${f.indicator} — ${f.detail}\n`);
    process.exitCode = 6;
  }
}

/** Freshness of one evidence item now, as the UI's badge says it (PKT-EVIDENCE-FRESH). */
function freshnessText(f: View<'packetGet'>['freshness'][string] | undefined, rule: number | null): string {
  if (!f) return 'no freshness rule';
  const age = f.ageDays === null ? 'no effective date' : `${f.ageDays} days old`;
  return `${f.fresh ? 'FRESH' : 'STALE'} [PKT-EVIDENCE-FRESH] ${age}, rule: at most ${rule ?? '?'} days`;
}

/** The packet view as text: the same facts the UI shows, section by section. */
function printPacketView(out: Out, v: View<'packetGet'>): void {
  const d = v.draft;
  const c = v.completeness;
  out(`${d.packetId}  ${d.kind}  ${d.title}\n`);
  out(`gate ${c.gate}  (${c.passed} passed, ${c.failed} failed)\n`);
  for (const st of v.stops)
    out(
      `  ${st.cleared ? `stop at seq ${st.seq} CLEARED by ${st.cleared.clearedBy}` : `STOPPED: ${st.notice}`}\n`,
    );
  for (const x of c.checks.filter((k) => !k.pass)) out(`  FAIL ${x.id.padEnd(20)} ${x.title}\n`);
  out(`scope: ${d.scope.covers}\n  boundary: ${d.scope.boundary}\n`);
  const subject = Object.entries(d.subject);
  if (subject.length > 0) out(`subject: ${subject.map(([k, val]) => `${k}=${val}`).join('  ')}\n`);
  out(`claims (${d.claims.length}):\n`);
  for (const cl of d.claims) {
    const derived = v.derived?.claims.find((x) => x.claimId === cl.claimId)?.status;
    const status = derived === 'asserted' ? 'ASSERTED / NOT CHECKED' : (derived ?? cl.status ?? 'pending');
    const checks = cl.checks?.length ? `  [${cl.checks.join(', ')}]` : '';
    out(
      `  ${status.padEnd(12)} ${cl.claimId}  ${cl.text}${checks}${cl.evidence.length ? `  ← ${cl.evidence.join(', ')}` : ''}\n`,
    );
  }
  out(`evidence (${d.evidence.length}):\n`);
  for (const e of d.evidence) {
    out(`  ${e.evidenceId}  ${e.title}\n`);
    out(
      `      ${e.origin === 'attestation' ? `attestation by ${e.attestedBy ?? '?'}` : e.origin} · ${e.source.system} · ${e.source.recordId} · effective ${e.effectiveAt?.slice(0, 10) ?? 'not stated'}\n`,
    );
    out(`      ${freshnessText(v.freshness[e.evidenceId], e.freshnessDays)}\n`);
    out(`      ${e.mediaType}, ${e.sizeBytes} bytes, sha256 ${e.sha256}\n`);
    for (const i of e.indicators) out(`      ! ${i.indicator}: ${i.detail}\n`);
  }
  if (v.derived) printDerived(out, v.derived);
  out(`routing: required ${d.routing.requiredRoles.join(', ') || 'none'}\n`);
  for (const r of d.routing.reviewers) out(`  ${r.role}: ${r.name}\n`);
  for (const ver of v.versions)
    out(`version ${ver.version}  ${ver.at}  ${ver.gate}  ${ver.digest}\n    ${ver.words.join(' ')}\n`);
  for (const h of v.handoffs)
    out(
      `handoff of v${h.version} by ${h.recordedBy} at ${h.at}: ${h.gate}${h.blockers.length ? ` (${h.blockers.length} blockers acknowledged)` : ''}${h.basis?.status === 'STALE-BASIS' ? `\n  STALE-BASIS: ${h.basis.sentence}` : ''}\n`,
    );
}

/** A derived packet: its evaluation, outcome and reason, policy version and the exception register. */
function printDerived(out: Out, d: NonNullable<View<'packetGet'>['derived']>): void {
  const e = d.evaluation;
  if (e === null) {
    out(`findings: ${d.subject} not evaluated yet (station packet evaluate)\n`);
    return;
  }
  out(
    `evaluation ${e.seq} of ${d.subject} as of ${e.asOf}: ${e.status}${e.status === 'STALE' ? ` — ${e.sentence}` : ''}\n`,
  );
  out(`  policy ${e.policy.policy} v${e.policy.version} (${e.policy.digest.slice(0, 16)}…)\n`);
  out(`outcome ${e.outcome}: ${e.reason}\n`);
  out(`exception register (${d.register.length} open findings):\n`);
  for (const r of d.register) {
    const f = r.finding;
    out(
      `  ${f.checkId} ${f.subject}  ${f.category}${f.blocking ? ', blocking' : ''}${f.waivable ? '' : ', not waivable'}\n`,
    );
    out(`      ${f.sentence}\n`);
    out(`      records: ${f.records.map((x) => `${x.family} ${x.system}/${x.recordId}`).join('; ')}\n`);
    if (r.owner || r.dueAt) out(`      owner ${r.owner ?? '-'}, due ${r.dueAt?.slice(0, 10) ?? '-'}\n`);
    for (const n of r.notes) out(`      note: ${n}\n`);
  }
}

/** `CHECK-ID:subject` → a finding key (the subject may itself contain colons). */
function findingKeyArg(v: string): { checkId: string; subject: string } {
  const i = v.indexOf(':');
  if (i <= 0)
    throw new CodedError('INVALID_INPUT', `--acknowledge ${v} must look like CHECK-ID:subject`, {
      field: 'acknowledge',
    });
  return { checkId: v.slice(0, i), subject: v.slice(i + 1) };
}

interface EvidenceFlags {
  id: string;
  title: string;
  system: string;
  recordId?: string;
  effective?: string;
  freshnessDays?: number;
  sensitive?: boolean;
  actor: string;
}

function evidenceOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--id <evidenceId>', 'evidence id, e.g. ev-hsm-audit')
    .requiredOption('--title <text>', 'what it is')
    .option('--system <name>', 'the source system', 'ceremony-station')
    .option('--record-id <id>', "the source's own record id (default: the file name / journal seq)")
    .option('--effective <date>', 'when the fact it shows was true (YYYY-MM-DD or ISO time)')
    .option(
      '--freshness-days <n>',
      'freshness rule: at most this many days old',
      positiveInt('--freshness-days'),
    )
    .option('--sensitive', 'excerpt minimally in exports (digest and title only)')
    .option('--actor <actor>', 'who records it', 'operator:cli');
}

const meta = (o: EvidenceFlags) => ({
  evidenceId: o.id,
  title: o.title,
  system: o.system,
  recordId: o.recordId,
  effectiveAt: isoOrNull(o.effective, 'effective'),
  freshnessDays: o.freshnessDays ?? null,
  sensitive: o.sensitive === true,
});

export function registerPacketCommands(program: Command, out: Out): void {
  const packet = program
    .command('packet')
    .description(
      'governance packets: evidence with provenance, findings and their annotations, completeness, versions, handoff',
    );

  packet
    .command('new <packetId>')
    .description('open a packet draft')
    .requiredOption('--kind <kind>', PACKET_KINDS.join(' | '))
    .requiredOption('--covers <text>', 'what the packet covers')
    .option('--boundary <text>', "where the station stops and human review begins (default: the kind's)")
    .option('--title <text>', "title (default: the kind's)")
    .option(
      '--subject <key=value>',
      'a workflow fact, e.g. requestId=DR-2026-117 for a rotation deferral (repeat)',
      collect,
      [],
    )
    .option('--actor <actor>', 'who opens it', 'operator:cli')
    .action(async function (
      this: Command,
      packetId: string,
      o: {
        kind: string;
        covers: string;
        boundary?: string;
        title?: string;
        subject: string[];
        actor: string;
      },
    ) {
      const subject: Record<string, string> = {};
      for (const pair of o.subject) {
        const at = pair.indexOf('=');
        const [key, value] = [pair.slice(0, at), pair.slice(at + 1)];
        // The key's grammar is the packet model's (core/schema.ts); the value is one line, as before.
        if (at < 0 || !subjectKey.safeParse(key).success || /[\n\r\u2028\u2029]/.test(value))
          throw new CodedError('INVALID_INPUT', `--subject ${pair} must look like key=value`, {
            field: 'subject',
          });
        subject[key] = value;
      }
      await withStation(this, (s) => {
        const p = createPacket(s, { packetId, ...o, subject });
        out(`opened ${p.packetId} (${p.kind}); reviewers needed: ${p.routing.requiredRoles.join(', ')}\n`);
        out(`  boundary: ${p.scope.boundary}\n`);
      });
    });

  packet
    .command('list')
    .option('--json', 'machine-readable output')
    .action(async function (this: Command, o: { json?: boolean }) {
      await withStation(this, (s) => {
        const all = listPackets(s);
        if (o.json) return out(`${JSON.stringify(all)}\n`);
        for (const p of all)
          out(
            `${p.gate.padEnd(13)} ${p.packetId}  ${p.kind}  v${p.versions}  ${p.title}  (${p.failed} checks fail)\n`,
          );
      });
    });

  packet
    .command('show <packetId>')
    .description(
      'the packet as the UI shows it: gate, claims, evidence index with freshness (PKT-EVIDENCE-FRESH), exception register, routing, versions, handoffs',
    )
    .option('--json', 'the same view as JSON: { draft, completeness, stops, versions, handoffs, freshness }')
    .action(async function (this: Command, packetId: string, o: { json?: boolean }) {
      await withStation(this, (s) => {
        const view = packetView(s, { packetId });
        if (o.json) out(`${JSON.stringify(view, null, 2)}\n`);
        else printPacketView(out, view);
      });
    });

  evidenceOptions(
    packet
      .command('import-evidence <packetId> <file>')
      .description(
        'a file from media: staged, digested, parsed where known (JSON, CSV, PDF, text), stop-scanned',
      ),
  ).action(async function (this: Command, packetId: string, file: string, o: EvidenceFlags) {
    await withStation(this, async (s) => {
      const r = await importPacketEvidence(s, {
        ...meta(o),
        packetId,
        path: resolve(file),
        actor: o.actor,
      });
      out(`${r.evidence.evidenceId}: ${r.evidence.mediaType}, ${r.summary}\n  sha256 ${r.evidence.sha256}\n`);
      printEdit(out, r, `added to ${packetId}`);
    });
  });

  evidenceOptions(
    packet
      .command('attest <packetId>')
      .description('a typed-in attestation by a named person, marked as such')
      .requiredOption('--by <name>', 'the person attesting')
      .requiredOption('--text <text>', 'what they attest'),
  ).action(async function (this: Command, packetId: string, o: EvidenceFlags & { by: string; text: string }) {
    await withStation(this, (s) => {
      const r = attestPacketEvidence(s, {
        ...meta(o),
        packetId,
        text: o.text,
        attestedBy: o.by,
        actor: o.actor,
      });
      printEdit(out, r, `attestation ${r.evidence.evidenceId} by ${o.by} added to ${packetId}`);
    });
  });

  evidenceOptions(
    packet
      .command('cite <packetId>')
      .description('a first-hand station record: one journal entry, cited by its chained hash')
      .requiredOption('--seq <n>', 'the journal entry', positiveInt('--seq')),
  ).action(async function (this: Command, packetId: string, o: EvidenceFlags & { seq: number }) {
    await withStation(this, (s) => {
      const r = addJournalEvidence(s, { ...meta(o), packetId, seq: o.seq, actor: o.actor });
      printEdit(out, r, `journal entry ${o.seq} cited as ${r.evidence.evidenceId} in ${packetId}`);
    });
  });

  packet
    .command('claim <packetId> <claimId>')
    .description(
      'set a claim: its text, the checks that support it (its status is computed from their findings), the evidence it cites',
    )
    .requiredOption('--text <text>', 'the consequential statement')
    .option('--check <id>', 'a check ID that supports it, e.g. DEF-CUSTODY-FRESH (repeat)', collect, [])
    .option('--evidence <ids>', 'comma-separated evidence ids')
    .option('--status <status>', `packets whose claims are not derived only: ${CLAIM_STATUSES.join(' | ')}`)
    .option('--actor <actor>', 'who records it', 'operator:cli')
    .action(async function (
      this: Command,
      packetId: string,
      claimId: string,
      o: { text: string; check: string[]; evidence?: string; status?: string; actor: string },
    ) {
      await withStation(this, (s) => {
        const claim = parseOrThrow(
          claimSchema,
          {
            claimId,
            text: o.text,
            evidence: list(o.evidence),
            ...(o.check.length > 0 ? { checks: o.check } : {}),
            ...(o.status !== undefined ? { status: o.status } : {}),
          },
          'claim',
        );
        const r = setPacketClaim(s, { packetId, claim, actor: o.actor });
        printEdit(
          out,
          r,
          `claim ${claimId} set (${o.status ?? (o.check.length ? `bound to ${o.check.join(', ')}` : 'asserted, not checked')})`,
        );
      });
    });

  packet
    .command('evaluate <packetId>')
    .description(
      "evaluate a derived packet's subject (workflow deferral) as of an instant: its register, claims and outcome follow",
    )
    .option('--as-of <instant>', 'ISO instant (default: now)')
    .option('--json', 'the derived view as JSON')
    .option('--actor <actor>', 'who records it', 'operator:cli')
    .action(async function (
      this: Command,
      packetId: string,
      o: { asOf?: string; json?: boolean; actor: string },
    ) {
      await withStation(this, (s) => {
        const d = evaluatePacket(s, { packetId, asOf: o.asOf, actor: o.actor });
        if (o.json) out(`${JSON.stringify(d)}\n`);
        else printDerived(out, d);
      });
    });

  packet
    .command('annotate <packetId> <checkId> <subject>')
    .description(
      'add a note, an owner or a due date to one open finding (never its category or whether it blocks)',
    )
    .option('--note <text>', 'a note')
    .option('--owner <name>', 'who resolves it')
    .option('--due <date>', 'due date (YYYY-MM-DD)')
    .option('--actor <actor>', 'who records it', 'operator:cli')
    .action(async function (
      this: Command,
      packetId: string,
      checkId: string,
      subject: string,
      o: { note?: string; owner?: string; due?: string; actor: string },
    ) {
      await withStation(this, (s) => {
        const r = annotatePacketFinding(s, {
          packetId,
          checkId,
          subject,
          note: o.note ?? null,
          owner: o.owner ?? null,
          dueAt: isoOrNull(o.due, 'due'),
          actor: o.actor,
        });
        printEdit(out, r, `finding ${checkId} ${subject} annotated`);
      });
    });

  packet
    .command('reviewers <packetId>')
    .description('name the reviewers by role (role=Name, repeat)')
    .requiredOption('--reviewer <role=name>', 'e.g. board-reviewer="Dana Board"', collect, [])
    .option('--actor <actor>', 'who records it', 'operator:cli')
    .action(async function (this: Command, packetId: string, o: { reviewer: string[]; actor: string }) {
      const reviewers = o.reviewer.map((pair) => {
        const [, role, name] = /^([a-z][a-z-]{1,40})=(.+)$/.exec(pair) ?? [];
        if (role === undefined || name === undefined)
          throw new CodedError('INVALID_INPUT', `--reviewer ${pair} must look like role=Name`, {
            field: 'reviewer',
          });
        return parseOrThrow(reviewerSchema, { role, name: name.trim() }, 'reviewer');
      });
      await withStation(this, (s) =>
        printEdit(out, setPacketReviewers(s, { packetId, reviewers, actor: o.actor }), 'reviewers set'),
      );
    });

  packet
    .command('check <packetId>')
    .description('completeness checks on the draft, by check ID; exit 6 unless READY')
    .option('--json', 'machine-readable output')
    .action(async function (this: Command, packetId: string, o: { json?: boolean }) {
      await withStation(this, (s) => {
        const c = checkDraft(s, packetId);
        if (o.json) out(`${JSON.stringify(c)}\n`);
        else printCheck(out, c);
        if (c.gate !== 'READY') process.exitCode = 6;
      });
    });

  packet
    .command('version <packetId>')
    .description('freeze the draft as the next append-only version')
    .option('--actor <actor>', 'who records it', 'operator:cli')
    .action(async function (this: Command, packetId: string, o: { actor: string }) {
      await withStation(this, (s) => {
        const v = recordPacketVersion(s, { packetId, actor: o.actor });
        out(
          `${packetId} version ${v.version}  ${v.digest}  gate ${v.gate}${v.failedChecks.length ? ` (${v.failedChecks.join(', ')})` : ''}\n`,
        );
      });
    });

  packet.command('versions <packetId>').action(async function (this: Command, packetId: string) {
    await withStation(this, (s) => {
      for (const v of packetVersions(s, packetId)) out(`v${v.version}  ${v.at}  ${v.digest}  ${v.gate}\n`);
    });
  });

  packet
    .command('diff <packetId> <from> <to>')
    .description('what changed between two versions, item by item')
    .action(async function (this: Command, packetId: string, from: string, to: string) {
      await withStation(this, (s) => {
        const changes = diffVersions(s, {
          packetId,
          from: positiveInt('from')(from),
          to: positiveInt('to')(to),
        });
        if (changes.length === 0) out('no changes\n');
        for (const c of changes)
          out(
            `${c.change.padEnd(8)} ${c.section}/${c.id}${c.fields.length ? ` (${c.fields.join(', ')})` : ''}\n`,
          );
      });
    });

  packet
    .command('export <packetId>')
    .description('the handed-off version as a signed bundle on removable media (read back and verified)')
    .option('--version <n>', 'the version (default: the latest)', positiveInt('--version'))
    .option('--volume <path>', 'the volume (default: the only ready one)')
    .option('--pin-stdin', 'read the station token PIN from the first line of stdin')
    .option('--actor <actor>', 'who exports', 'operator:cli')
    .action(async function (
      this: Command,
      packetId: string,
      o: { version?: number; volume?: string; pinStdin?: boolean; actor: string },
    ) {
      await withStation(this, async (s) => {
        const pin = await readPin('Station token PIN: ', o.pinStdin === true);
        const r = await exportBundle(
          s,
          {
            kind: 'packet',
            packetId,
            packetVersion: o.version,
            volume: o.volume ? resolve(o.volume) : undefined,
            pin,
            actor: o.actor,
          },
          stderrProgress(),
        );
        out(`exported ${r.path} (${r.sizeBytes} bytes), read back and verified\n`);
        out(
          `  packet ${r.packetId} version ${r.version}\n  digest ${r.digest}\n  words  ${r.words.join(' ')}\n`,
        );
        out(`  approvals needed from: ${r.requiredRoles.join(', ')}\n`);
      });
    });

  packet
    .command('stops <packetId>')
    .description('the packet’s stops, and the quorum operation each clearance must be bound to')
    .action(async function (this: Command, packetId: string) {
      await withStation(this, (s) => {
        for (const st of stopNotices(s, packetId)) {
          out(
            `stop at seq ${st.seq} (${st.at})${st.cleared ? ` — CLEARED by ${st.cleared.clearedBy} (seq ${st.cleared.seq})` : ''}\n`,
          );
          for (const f of st.findings) out(`  ${f.evidenceId}: ${f.indicator} — ${f.detail}\n`);
          if (!st.cleared)
            out(
              `  clear only under a quorum bound to: ${encodeOperation(stopClearOperation(packetId, st.seq))}\n`,
            );
        }
      });
    });

  packet
    .command('clear-stop <packetId>')
    .description(
      'clear a stop after review found no incident: needs a custodian quorum bound to exactly this',
    )
    .requiredOption('--stop <seq>', 'the stop’s journal seq (station packet stops)', positiveInt('--stop'))
    .requiredOption('--session <id>', 'the quorum session that reached quorum for this clearance')
    .requiredOption('--reason <text>', 'why this is not an incident (recorded)')
    .option('--actor <actor>', 'who records it', 'operator:cli')
    .action(async function (
      this: Command,
      packetId: string,
      o: { stop: number; session: string; reason: string; actor: string },
    ) {
      await withStation(this, (s) => {
        const c = clearStop(s, {
          packetId,
          stopSeq: o.stop,
          quorumSessionId: o.session,
          reason: o.reason,
          actor: o.actor,
        });
        out(
          `stop ${c.seq} of ${packetId} cleared by ${c.cleared?.clearedBy ?? o.actor} under quorum session ${o.session}\n`,
        );
      });
    });

  packet
    .command('print <packetId>')
    .description('a printable PDF of a recorded version (digest words on every page, space for initials)')
    .option('--version <n>', 'the version (default: the latest)', positiveInt('--version'))
    .action(async function (this: Command, packetId: string, o: { version?: number }) {
      await withStation(this, async (s) => {
        const r = await printPacket(s, { packetId, version: o.version });
        out(`wrote ${r.path} (${r.pages ?? '?'} pages)\n  sha256 ${r.sha256}\n`);
      });
    });

  packet
    .command('handoff <packetId>')
    .description('hand a recorded version to its named reviewers (records completeness and blockers)')
    .option('--version <n>', 'the version (default: the latest)', positiveInt('--version'))
    .option('--acknowledge-blockers', 'hand off although source checks fail (the record lists them)')
    .option(
      '--acknowledge <CHECK-ID:subject>',
      'a derived packet: acknowledge one blocking finding the policy lets a handoff carry (repeat for each)',
      collect,
      [],
    )
    .option('--actor <actor>', 'who records it', 'operator:cli')
    .action(async function (
      this: Command,
      packetId: string,
      o: {
        version?: number;
        acknowledgeBlockers?: boolean;
        acknowledge: string[];
        actor: string;
      },
    ) {
      await withStation(this, (s) => {
        const h = recordHandoff(s, {
          packetId,
          version: o.version,
          acknowledgeBlockers: o.acknowledgeBlockers === true,
          acknowledge: o.acknowledge.map(findingKeyArg),
          actor: o.actor,
        });
        out(
          `handoff of ${packetId} v${h.version} (${h.digest.slice(0, 16)}…) by ${h.recordedBy}: ${h.gate}\n`,
        );
        for (const r of h.reviewers) out(`  ${r.role}: ${r.name}\n`);
        if (h.evaluation)
          out(
            `  on evaluation ${h.evaluation.seq} (as of ${h.evaluation.asOf}, outcome ${h.evaluation.outcome}, policy v${h.evaluation.policyVersion})\n`,
          );
        for (const b of h.blockers) out(`  ${h.acknowledged ? 'acknowledged' : 'blocker'}: ${b}\n`);
        out(
          `  boundary: ${h.boundary}\n  export it with: station bundle export --kind packet --packet ${packetId}\n`,
        );
      });
    });
}
