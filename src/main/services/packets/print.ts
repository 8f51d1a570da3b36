import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { escapeHtml } from '../../../core/html';
import type { Completeness } from '../../../core/packet/checks';
import type { PacketContent } from '../../../core/packet/model';
import { digestWords } from '../../../core/words';
import { pdfPageCount } from '../../adapters/evidence/read';
import { renderPdfs } from '../../adapters/print/pdf';
import { runwaySvg } from '../../adapters/print/runway';
import { runwayLayout, type RunwayCertificate, type RunwayInput } from '../../../shared/runway';
import { storedRecords } from '../records/queries';
import { derivedPacket, derivedState, type DerivedPacket } from './derived';
import {
  assertNotStopped,
  clearedStops,
  completeness,
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
 * and the handoff record, the validity runway (chart and numbers), and last a decision and signature
 * block for each reviewer — blank for people to fill: the station never marks a decision. Every page
 * carries the version digest (hex and words), "page X of Y" and space for initials. Sensitive evidence
 * prints as digest and title only.
 */
const esc = escapeHtml;

export function packetHtml(
  v: PacketVersion,
  c: Completeness,
  handoff: HandoffRecord | undefined,
  station: { name: string; printedAt: string },
  derived: DerivedPacket | null = null,
  runway: PrintedRunway | null = null,
): string {
  const p = v.content;
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
  tr, .decision, svg.runway { break-inside: avoid; } h2 { break-after: avoid; }
  svg.runway { display: block; margin: 2mm 0; }
  .decision { border: 1.5px solid #000; padding: 3mm; margin: 0 0 4mm; }
  .decision p { margin: 0 0 3mm; } .blank { display: inline-block; min-width: 60mm; border-bottom: 1px solid #000; }
  .box { font-size: 12pt; } .nowrap { white-space: nowrap; }
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
  ${runwayHtml(runway, rows)}
  ${decisionHtml(p.routing, v.version)}
</body></html>`;
}

/**
 * Every page's footer (Chromium's footer template: it alone knows the page count): the packet and
 * version, the digest words and hex prefix, page X of Y, and space for initials.
 */
export function packetFooter(v: PacketVersion): string {
  const words = digestWords(Buffer.from(v.digest, 'hex')).join(' · ');
  // The hex in a monospace face without ligatures: "ff" must stay two letters, for eyes and for text
  // extraction alike.
  return `<div style="font-family:'DejaVu Sans',sans-serif;font-variant-ligatures:none;font-size:7.5pt;width:100%;margin:0 16mm;border-top:1px solid #000;padding-top:1mm;display:flex;gap:3mm;justify-content:space-between;-webkit-print-color-adjust:exact">
<span>${esc(v.content.packetId)} v${v.version} · ${esc(words)} · <span style="font-family:'DejaVu Sans Mono',monospace">${esc(v.digest.slice(0, 16))}</span>…</span>
<span style="white-space:nowrap">page <span class="pageNumber"></span> of <span class="totalPages"></span> · Initials: ________</span></div>`;
}

/** The runway as printed: what it was drawn from (in words), and its input. */
export interface PrintedRunway {
  readonly input: RunwayInput;
  /** Where the certificates and dates came from, for the sentence above the chart. */
  readonly from: string;
}

const DAY_MS = 86_400_000;

/**
 * The validity runway: the same drawing as the screen's (src/shared/runway.ts), then its numbers —
 * each certificate's dates, status and how many days it outlives the window's end — so nothing in it
 * depends on reading a picture.
 */
function runwayHtml(r: PrintedRunway | null, rows: Rows): string {
  const layout = r ? runwayLayout(r.input) : null;
  if (!r || !layout) return `<h2>Validity runway</h2><p>No certificates and no requested window to draw.</p>`;
  const { input } = r;
  const windowEnd = input.windowEnd ? Date.parse(input.windowEnd) : NaN;
  const day = (t: string | null) => (t ? esc(t.slice(0, 10)) : 'not stated');
  return `<h2>Validity runway</h2>
  <p>${esc(layout.summary)}. ${esc(r.from)}</p>
  ${runwaySvg(layout)}
  <table><tr><th>Date</th><th>Value</th></tr>
  ${rows(
    [
      ['Requested window starts', day(input.windowStart)],
      ['Requested window ends (deferral end)', day(input.windowEnd)],
      ['Rotation due', day(input.rotationDue)],
      [`${esc(input.nowLabel)}`, day(input.now)],
    ],
    (x) => x,
  )}</table>
  <table><tr><th>Certificate</th><th>Serial / source</th><th>Status</th><th>Valid from</th><th>Valid to</th><th>Days past window end</th></tr>
  ${rows(layout.rows, (row) => {
    const c = row.certificate;
    const past = Number.isNaN(windowEnd) ? null : Math.floor((Date.parse(c.notAfter) - windowEnd) / DAY_MS);
    return [
      esc(c.subject),
      `<code>${esc(c.serial)}</code><br>${esc(c.source)}`,
      `${esc((c.status ?? 'from evidence').toUpperCase())}${row.short ? ' <strong>EXPIRES IN WINDOW (DEF-RUNWAY)</strong>' : ''}`,
      `<span class="nowrap">${day(c.notBefore)}</span>`,
      `<span class="nowrap">${day(c.notAfter)}</span>`,
      past === null ? 'no window' : String(past),
    ];
  })}</table>`;
}

/**
 * The decision and signature block, last: one box per reviewer the version routes to (each required
 * role, and each named reviewer), with blank lines. The station prints the boxes and never ticks one.
 */
function decisionHtml(routing: PacketVersion['content']['routing'], version: number): string {
  const named = routing.reviewers.map((r) => ({ role: r.role, name: r.name as string | null }));
  const unnamed = routing.requiredRoles
    .filter((role) => !routing.reviewers.some((r) => r.role === role))
    .map((role) => ({ role, name: null as string | null }));
  const seats = [...named, ...unnamed];
  const blank = '<span class="blank">&nbsp;</span>';
  const box = (who: { role: string | null; name: string | null }) => `<div class="decision">
    <p>Name: ${who.name ? `<strong>${esc(who.name)}</strong>` : `${blank} <em>(not named in this version)</em>`}</p>
    <p>Role: ${who.role ? esc(who.role) : blank}</p>
    <p>Decision on version ${version}: <span class="box">☐</span> approve &nbsp; <span class="box">☐</span> reject &nbsp; <span class="box">☐</span> defer</p>
    <p>Signature: ${blank} &nbsp; Date: <span class="blank" style="min-width:30mm">&nbsp;</span></p>
  </div>`;
  return `<h2>Decision and signatures</h2>
  <p>For the reviewers, by hand. The station has recorded no decision and marks none here: each reviewer ticks one box, signs and dates.</p>
  ${seats.length ? seats.map(box).join('') : `<p>No reviewer is named in this version.</p>${box({ role: null, name: null })}`}`;
}

/**
 * What the runway draws for a version: the certificates its evidence carries and the window and
 * rotation due date in its subject (exactly as the screen), and for a derived packet also the deferral
 * request it names and its key's certificates from the certificate inventory the station holds.
 */
export function runwayFor(station: Station, v: PacketVersion, printedAt: string): PrintedRunway {
  const r = runwayOf(station, v.content);
  return {
    input: { ...r, now: printedAt, nowLabel: 'printed' },
    from: `${r.from} — as the station holds them at print.`,
  };
}

/**
 * The runway of a packet's content, as the screen and the print both draw it: the certificates its
 * evidence carries and the window and rotation due date in its subject, and for a rotation deferral
 * also the deferral request it names and its key's certificates from the certificate inventory the
 * station holds now. `from` says where they came from, in words.
 */
export function runwayOf(
  station: Station,
  c: PacketContent,
): Omit<RunwayInput, 'now' | 'nowLabel'> & { from: string } {
  const certificates: RunwayCertificate[] = c.evidence.flatMap((e) =>
    e.certificates.map((x) => ({
      key: `${e.evidenceId}-${x.sha256}`,
      subject: x.subject,
      serial: x.serial,
      notBefore: x.notBefore,
      notAfter: x.notAfter,
      source: `evidence ${e.evidenceId}`,
      status: null,
    })),
  );
  let windowStart = c.subject.windowStart ?? null;
  let windowEnd = c.subject.windowEnd ?? null;
  let rotationDue = c.subject.rotationDue ?? null;
  const from = [certificates.length ? `${certificates.length} from the packet's evidence` : null];
  const requestId = c.kind === 'rotation-deferral' ? c.subject.requestId?.trim() : undefined;
  if (requestId) {
    const records = storedRecords(station, ['deferral-request', 'certificate']);
    const currentOf = <T>(family: string, pick: (content: T) => boolean) => {
      const byId = new Map<string, { exportedAt: string; system: string; content: T }>();
      for (const r of records) {
        if (r.family !== family || !pick(r.content as T)) continue;
        const k = `${r.provenance.system}\u0000${r.provenance.recordId}`;
        const prev = byId.get(k);
        if (!prev || prev.exportedAt <= r.provenance.exportedAt)
          byId.set(k, {
            exportedAt: r.provenance.exportedAt,
            system: r.provenance.system,
            content: r.content as T,
          });
      }
      return [...byId.values()];
    };
    type Request = {
      requestId: string;
      keyId: string;
      windowStart: string;
      windowEnd: string;
      rotationDueAt: string;
    };
    type Cert = {
      serial: string;
      subject: string;
      keyId: string;
      notBefore: string;
      notAfter: string;
      status: string;
    };
    const request = currentOf<Request>('deferral-request', (r) => r.requestId === requestId).at(-1);
    if (request) {
      windowStart ??= request.content.windowStart;
      windowEnd ??= request.content.windowEnd;
      rotationDue ??= request.content.rotationDueAt;
      const certs = currentOf<Cert>('certificate', (x) => x.keyId === request.content.keyId);
      for (const x of certs)
        certificates.push({
          key: `${x.system}-${x.content.serial}`,
          subject: x.content.subject,
          serial: x.content.serial,
          notBefore: x.content.notBefore,
          notAfter: x.content.notAfter,
          source: `certificate inventory ${x.system} (exported ${x.exportedAt.slice(0, 10)})`,
          status: x.content.status,
        });
      from.push(
        `${certs.length} of key ${request.content.keyId} from the certificate inventory, window and rotation due date from deferral request ${requestId}`,
      );
    } else from.push(`deferral request ${requestId} is not among the station's records`);
  }
  return {
    certificates,
    windowStart,
    windowEnd,
    rotationDue,
    from: `Certificates: ${from.filter(Boolean).join('; ') || 'none'}`,
  };
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
    runwayFor(station, v, at),
  );
  const dir = join(station.dataDir, 'prints');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `${packetId}-v${v.version}-${at.replace(/[:.]/g, '')}.pdf`);
  await renderPdfs([{ html, path, footer: packetFooter(v) }], station.config.chromium);
  const bytes = readFileSync(path);
  return { path, sha256: createHash('sha256').update(bytes).digest('hex'), pages: await pdfPageCount(path) };
}
