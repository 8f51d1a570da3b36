import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { escapeHtml } from '../../../core/html';
import type { Completeness } from '../../../core/packet/checks';
import { digestWords } from '../../../core/words';
import { pdfPageCount } from '../../adapters/evidence/read';
import { renderPdfs } from '../../adapters/print/pdf';
import { derivedPacket, derivedState, type DerivedPacket } from './derived';
import {
  assertNotStopped,
  clearedStops,
  completeness,
  exportableContent,
  handoffs,
  packetVersion,
  type HandoffRecord,
  type PacketVersion,
} from './packets';
import type { Station } from '../../station/station';

/**
 * The printed packet: one recorded version, laid out for a board meeting or a sealed room — scope and the
 * station's boundary, completeness by check ID, claims with the evidence they rest on, the evidence index
 * with provenance, a derived packet's findings (evaluation, outcome, reason, policy version, register)
 * and the handoff record. The version digest (hex and words) is
 * on every page with space for initials. Sensitive evidence prints as digest and title only.
 */
const esc = escapeHtml;

export function packetHtml(
  v: PacketVersion,
  c: Completeness,
  handoff: HandoffRecord | undefined,
  station: { name: string; printedAt: string },
  derived: DerivedPacket | null = null,
): string {
  const p = exportableContent(v.content);
  const words = digestWords(Buffer.from(v.digest, 'hex')).join(' · ');
  const rows = <T>(items: readonly T[], cells: (x: T) => string[]) =>
    items
      .map(
        (x) =>
          `<tr>${cells(x)
            .map((td) => `<td>${td}</td>`)
            .join('')}</tr>`,
      )
      .join('');
  const evidenceTitle = new Map(p.evidence.map((e) => [e.evidenceId, e.title]));
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${esc(p.title)} v${v.version}</title>
<style>
  body { font-family: 'DejaVu Sans', sans-serif; color: #000; font-size: 10pt; margin-bottom: 24mm; }
  h1 { font-size: 16pt; margin: 0 0 2mm; } h2 { font-size: 12pt; margin: 6mm 0 2mm; border-bottom: 1px solid #000; }
  table { border-collapse: collapse; width: 100%; } td, th { border: 1px solid #555; padding: 1.5mm; text-align: left; vertical-align: top; }
  code { font-family: 'DejaVu Sans Mono', monospace; font-size: 8.5pt; word-break: break-all; }
  .fail { font-weight: bold; } .boundary { border: 2px solid #000; padding: 3mm; }
  footer { position: fixed; bottom: 0; left: 0; right: 0; font-size: 8pt; border-top: 1px solid #000; padding-top: 1mm; }
  footer .initials { float: right; }
</style></head>
<body>
  <h1>${esc(p.title)} — version ${v.version}</h1>
  <p>Packet <code>${esc(p.packetId)}</code> (${esc(p.kind)}) · gate at print <strong>${c.gate}</strong> (${c.passed} checks pass, ${c.failed} fail) · printed ${esc(station.printedAt)} by ${esc(station.name)}</p>
  <p>Version digest <code>${esc(v.digest)}</code><br><strong>${esc(words)}</strong></p>
  <h2>Scope</h2>
  <p>${esc(p.scope.covers)}</p>
  <p class="boundary"><strong>Where the station stops:</strong> ${esc(p.scope.boundary)}</p>
  ${Object.keys(p.subject).length ? `<table>${rows(Object.entries(p.subject), ([k, val]) => [esc(k), esc(val)])}</table>` : ''}
  <h2>Completeness</h2>
  <table><tr><th>Check</th><th>Result</th><th>Findings</th></tr>
  ${rows(c.checks, (x) => [`<code>${x.id}</code> ${esc(x.title)}`, x.pass ? 'PASS' : '<span class="fail">FAIL</span>', esc(x.findings.join('; '))])}
  </table>
  ${derived ? derivedHtml(derived, rows) : ''}
  <h2>Claims</h2>
  <table><tr><th>Claim</th><th>Status</th><th>Checks / evidence</th></tr>
  ${rows(p.claims, (x) => {
    const status = derived?.claims.find((d) => d.claimId === x.claimId)?.status ?? x.status ?? 'pending';
    return [
      `<code>${x.claimId}</code> ${esc(x.text)}`,
      status === 'asserted' ? 'ASSERTED / NOT CHECKED' : esc(status.toUpperCase()),
      [
        ...(x.checks ?? []).map((id) => `<code>${esc(id)}</code>`),
        ...x.evidence.map((id) => `<code>${id}</code> ${esc(evidenceTitle.get(id) ?? '')}`),
      ].join('<br>'),
    ];
  })}
  </table>
  <h2>Evidence index</h2>
  <table><tr><th>Evidence</th><th>Source</th><th>Effective / received</th><th>Digest</th></tr>
  ${rows(p.evidence, (e) => [
    `<code>${e.evidenceId}</code> ${esc(e.title)}${e.attestedBy ? ` <em>(attestation by ${esc(e.attestedBy)})</em>` : ''}${e.sensitive ? ' <em>(sensitive)</em>' : ''}`,
    `${esc(e.source.system)} · ${esc(e.source.recordId)} · imported by ${esc(e.importedBy)}`,
    `${esc(e.effectiveAt?.slice(0, 10) ?? 'not stated')} / ${esc(e.receivedAt.slice(0, 10))}${e.freshnessDays ? ` · fresh ≤ ${e.freshnessDays} d` : ''}`,
    `<code>${e.sha256}</code>`,
  ])}
  </table>
  <h2>Handoff</h2>
  ${
    handoff
      ? `<p>Handed off by ${esc(handoff.recordedBy)} at ${esc(handoff.at)} in state <strong>${handoff.gate}</strong>${handoff.blockersAcknowledged ? ' with the blockers acknowledged' : ''}.</p>
  <table><tr><th>Role</th><th>Reviewer</th><th>Initials</th><th>Date</th></tr>${rows(handoff.reviewers, (r) => [esc(r.role), esc(r.name), '', ''])}</table>
  ${handoff.evaluation ? `<p>Decided on evaluation ${handoff.evaluation.seq} (as of ${esc(handoff.evaluation.asOf)}, outcome <strong>${esc(handoff.evaluation.outcome)}</strong>, policy v${handoff.evaluation.policyVersion}); findings digest <code>${handoff.evaluation.findingsDigest}</code>.</p>` : ''}
  ${handoff.blockers.length ? `<p>${handoff.acknowledged ? 'Blocking findings acknowledged by the person handing off' : 'Unresolved blockers'}:</p><ul>${handoff.blockers.map((b) => `<li>${esc(b)}</li>`).join('')}</ul>` : ''}`
      : '<p>Not handed off yet.</p>'
  }
  <footer>${esc(p.packetId)} v${v.version} · ${esc(words)} · <code>${v.digest.slice(0, 16)}…</code><span class="initials">Initials: ________</span></footer>
</body></html>`;
}

type Rows = <T>(items: readonly T[], cells: (x: T) => string[]) => string;

/**
 * A derived packet's section: the evaluation (seq, as-of, FRESH / STALE, policy version), the outcome
 * and its reason, and the exception register — each open finding by check ID with its category, whether
 * it blocks, the records it rests on, and what people added — the same facts as the UI and --json.
 */
function derivedHtml(d: DerivedPacket, rows: Rows): string {
  const e = d.evaluation;
  if (e === null) return `<h2>Findings</h2><p>${esc(d.subject)} has not been evaluated: no register yet.</p>`;
  return `<h2>Findings — outcome ${esc(e.outcome)}</h2>
  <p>Evaluation ${e.seq} of <code>${esc(d.subject)}</code> as of ${esc(e.asOf)} · ${e.status === 'STALE' ? `<strong>STALE</strong>: ${esc(e.sentence)}` : 'FRESH'} · policy ${esc(e.policy.policy)} v${e.policy.version} <code>${e.policy.digest.slice(0, 16)}…</code></p>
  <p><strong>Reason:</strong> ${esc(e.reason)}</p>
  ${
    d.register.length === 0
      ? '<p>No open finding.</p>'
      : `<table><tr><th>Check</th><th>Category</th><th>Finding</th><th>Records</th><th>Owner / due / notes</th></tr>
  ${rows(d.register, (r) => [
    `<code>${esc(r.finding.checkId)}</code> ${esc(r.finding.subject)}`,
    `${esc(r.finding.category)}${r.finding.blocking ? ' <strong>(blocking)</strong>' : ''}${r.finding.waivable ? '' : ' · not waivable'}`,
    esc(r.finding.sentence),
    r.finding.records.map((x) => `${esc(x.family)} ${esc(x.system)}/${esc(x.recordId)}`).join('<br>'),
    [
      r.owner ? `owner ${esc(r.owner)}` : '',
      r.dueAt ? `due ${esc(r.dueAt.slice(0, 10))}` : '',
      ...r.notes.map(esc),
    ]
      .filter(Boolean)
      .join('<br>'),
  ])}</table>`
  }`;
}

/** Prints one version to `<data dir>/prints/` (a new file every time) and returns its path and digest. */
export async function printPacket(
  station: Station,
  input: { packetId: string; version?: number | undefined },
): Promise<{ path: string; sha256: string; pages: number | null }> {
  const { packetId, version } = input;
  assertNotStopped(station, packetId);
  const v = packetVersion(station, packetId, version);
  const at = station.deps.clock().toISOString();
  const handoff = handoffs(station, packetId)
    .filter((h) => h.version === v.version)
    .at(-1);
  const derived = derivedPacket(station, v.content);
  const html = packetHtml(
    v,
    completeness(v.content, at, clearedStops(station, packetId), derivedState(derived)),
    handoff,
    { name: station.stationRecord().name, printedAt: at },
    derived,
  );
  const dir = join(station.dataDir, 'prints');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `${packetId}-v${v.version}-${at.replace(/[:.]/g, '')}.pdf`);
  await renderPdfs([{ html, path }], station.config.chromium);
  const bytes = readFileSync(path);
  return { path, sha256: createHash('sha256').update(bytes).digest('hex'), pages: await pdfPageCount(path) };
}
