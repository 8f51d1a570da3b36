import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ceremonyScript, type LoadedCeremony } from '../../../core/ceremony';
import type { RunDeviation, RunEvent, RunState } from '../../../core/ceremony/run';
import { assertNever, CodedError } from '../../../core/errors';
import { escapeHtml } from '../../../core/html';
import { pdfPageCount } from '../../adapters/evidence/read';
import { renderPdfs } from '../../adapters/print/pdf';
import { stationError } from '../../errors';
import type { Station } from '../../station/station';
import { mastersOfCeremonies, PRINT_STYLE, scriptSectionsHtml, TICKED } from './print';
import { openRun } from './queries';

/**
 * The transcript of a ceremony run (docs/ceremonies.md, "Transcript"): the printed script of the run's
 * file, annotated from the journal — for each step every event with its seq and time, who acted, what
 * each precondition read, the act's result, outputs and evidence digests, the postconditions read back,
 * each witness's check-off (custodian, key fingerprint, digest of the signature), and the exception
 * sheets filled with every deviation and the master of ceremonies' decision. It is printed as a PDF
 * (`printTranscript`) and carried, with the file's exact bytes and the run's outputs re-hashed against
 * the journal, in the signed `ceremony-transcript` bundle (`ceremonyTranscriptPlan`). Nothing on it is
 * typed by a person: every line is the file or the journal.
 */
const esc = escapeHtml;
const sha256hex = (d: Uint8Array | string) => createHash('sha256').update(d).digest('hex');

/** One journal entry of the run, as the journal holds it, with its entry hash. */
export interface TranscriptEntry {
  readonly seq: number;
  readonly at: string;
  readonly actor: string;
  readonly kind: RunEvent['kind'];
  readonly body: RunEvent['body'];
  /** The entry's hash in the chain (hex): the same as `hash` in the bundle's journal segment. */
  readonly hash: string;
}

export interface CeremonyTranscript {
  readonly runId: string;
  readonly ceremonyId: string;
  readonly title: string;
  readonly mode: 'rehearsal' | 'production';
  readonly marking: 'REHEARSAL' | 'PRODUCTION';
  readonly fileDigest: string;
  readonly words: readonly string[];
  readonly source: string;
  readonly status: RunState['status'];
  /** Completed or aborted: the run takes no more events, so this is a final transcript. */
  readonly final: boolean;
  /** The run's outcome as a sentence (IN PROGRESS — not a final transcript, for a run still open). */
  readonly outcome: string;
  readonly entries: readonly TranscriptEntry[];
  /** Every file a step's act wrote, with the SHA-256 the journal holds for it. */
  readonly outputs: readonly { stepId: string; seq: number; path: string; sha256: string }[];
}

export const IN_PROGRESS = 'IN PROGRESS — not a final transcript';

/** The run, its file and its state (openRun: CEREMONY_FILE_CHANGED if the file's bytes changed), as a transcript. */
export function ceremonyTranscript(
  station: Station,
  runId: string,
): {
  transcript: CeremonyTranscript;
  ceremony: LoadedCeremony;
  events: readonly RunEvent[];
  state: RunState;
} {
  const { ceremony, events, state } = openRun(station, runId);
  const transcript = buildTranscript(ceremony, events, state, (seq) => {
    const row = station.journal.get(seq);
    if (!row) throw stationError('STORE_CORRUPT', `journal entry ${seq} of run ${runId} is gone`, {});
    return Buffer.from(row.hash).toString('hex');
  });
  return { transcript, ceremony, events, state };
}

/** The transcript of a run from its events and state (folded against `loaded`), each entry with its hash. */
export function buildTranscript(
  loaded: LoadedCeremony,
  events: readonly RunEvent[],
  state: RunState,
  hashOf: (seq: number) => string,
): CeremonyTranscript {
  const entries = events.map((e): TranscriptEntry => ({
    seq: e.seq,
    at: e.at,
    actor: e.actor,
    kind: e.kind,
    body: e.body,
    hash: hashOf(e.seq),
  }));
  const outputs = events.flatMap((e) =>
    e.kind === 'ceremony.step-acted'
      ? e.body.outputs.map((o) => ({ stepId: e.body.stepId, seq: e.seq, path: o.path, sha256: o.sha256 }))
      : [],
  );
  return {
    runId: state.runId,
    ceremonyId: loaded.file.id,
    title: loaded.file.title,
    mode: state.started.mode,
    marking: state.started.mode === 'rehearsal' ? 'REHEARSAL' : 'PRODUCTION',
    fileDigest: state.started.fileDigest,
    words: loaded.digest.words,
    source: state.started.source,
    status: state.status,
    final: state.status === 'completed' || state.status === 'aborted',
    outcome: outcomeSentence(state, events),
    entries,
    outputs,
  };
}

function outcomeSentence(state: RunState, events: readonly RunEvent[]): string {
  const end = events.find((e) => e.kind === 'ceremony.run-completed' || e.kind === 'ceremony.run-aborted');
  if (end?.kind === 'ceremony.run-completed')
    return `COMPLETED at seq ${end.seq} (${end.at}): every step done and checked off by its witnesses`;
  if (end?.kind === 'ceremony.run-aborted')
    return `ABORTED at seq ${end.seq} (${end.at}) by ${end.actor}${end.body.deviationSeq !== null ? ` on deviation ${end.body.deviationSeq}` : ''}: ${end.body.reason}`;
  const open = state.openDeviation;
  if (open)
    return `${IN_PROGRESS}: halted at step ${open.stepId} by deviation ${open.seq}, awaiting the master of ceremonies' decision`;
  const c = state.current;
  return `${IN_PROGRESS}: ${c ? `step ${c.stepId} needs ${c.needs}` : 'every step is done'}`;
}

// ——— the print ———

/** A journal actor as the transcript names them: the participant's name, id and seat when they hold one. */
function whoFor(loaded: LoadedCeremony) {
  return (actor: string) => {
    const id = actor.startsWith('operator:') ? actor.slice('operator:'.length) : null;
    const p = loaded.file.participants.find((x) => x.id === id);
    return p ? `${p.name} (${p.id}, ${p.role})` : actor;
  };
}

const passFail = (r: 'pass' | 'fail') => `<strong class="${r}">${r === 'pass' ? 'PASS' : 'FAIL'}</strong>`;
const hex = (h: string) => `<span class="hexs">${esc(h)}</span>`;
const stamp = (e: { seq: number; at: string }) => `<span class="seq">seq ${e.seq} · ${esc(e.at)}</span>`;

/** The step a run event belongs to: its own, or (a decision, an abort) the step of its deviation. */
function stepOfEvent(e: RunEvent, deviations: readonly RunDeviation[]): string | null {
  if ('stepId' in e.body) return e.body.stepId;
  const devSeq =
    e.kind === 'ceremony.decision'
      ? e.body.deviationSeq
      : e.kind === 'ceremony.run-aborted'
        ? e.body.deviationSeq
        : null;
  return deviations.find((d) => d.seq === devSeq)?.stepId ?? null;
}

/** One run event as the lines of the "as performed" block under its step. */
function eventHtml(e: RunEvent, who: (actor: string) => string, sheetOf: (seq: number) => number): string {
  switch (e.kind) {
    case 'ceremony.step-checked': {
      const pre = e.body.preconditions.map(
        (p) =>
          `<li>${passFail(p.result)} [${esc(p.kind)}] ${esc(Object.values(p.args).join(' '))} — read: ${esc(p.observed)}</li>`,
      );
      return `<p class="ev">${stamp(e)} <strong>Checked</strong> by ${esc(who(e.actor))}</p>
<ul>${pre.join('') || '<li>no preconditions</li>'}${e.body.quorumSessionId ? `<li>quorum session ${hex(e.body.quorumSessionId)}</li>` : ''}</ul>`;
    }
    case 'ceremony.step-acted': {
      const post = e.body.postconditions.map(
        (p) =>
          `<li>${passFail(p.result)} [${esc(p.kind)}] ${esc(p.observed)}${p.evidenceSha256 ? `; evidence SHA-256 ${hex(p.evidenceSha256)}` : ''}</li>`,
      );
      const out = e.body.outputs.map((o) => `<li>output ${esc(o.path)}, SHA-256 ${hex(o.sha256)}</li>`);
      return `<p class="ev">${stamp(e)} <strong>Acted</strong> by ${esc(who(e.actor))}: [${esc(e.body.act)}] ${esc(e.body.marking)}</p>
<ul><li>result: ${esc(e.body.result)}</li>${post.join('')}${out.join('')}</ul>`;
    }
    case 'ceremony.step-witnessed': {
      const sig = sha256hex(Buffer.from(e.body.signature, 'base64'));
      return `<p class="ev">${stamp(e)} <strong>Checked off</strong> by witness ${esc(e.body.custodianId)} (${esc(e.body.role)}) with their own key; recorded by ${esc(who(e.actor))}</p>
<ul><li>key fingerprint ${hex(e.body.fingerprint)}</li><li>statement SHA-256 ${hex(e.body.statementSha256)}</li><li>signature SHA-256 ${hex(sig)}</li></ul>`;
    }
    case 'ceremony.deviation':
      return `<p class="ev dev">${stamp(e)} <strong>DEVIATION</strong> (${esc(e.body.phase)}) recorded by ${esc(who(e.actor))}: see exception sheet ${sheetOf(e.seq)}</p>`;
    case 'ceremony.decision':
      return `<p class="ev dev">${stamp(e)} <strong>DECISION ${esc(e.body.decision)}</strong> on deviation ${e.body.deviationSeq} by ${esc(who(e.actor))}: ${esc(e.body.reason)}</p>`;
    case 'ceremony.run-aborted':
      return `<p class="ev dev">${stamp(e)} <strong>RUN ABORTED</strong> by ${esc(who(e.actor))}: ${esc(e.body.reason)}</p>`;
    case 'ceremony.run-completed':
    case 'ceremony.run-started':
      return '';
    default:
      return assertNever(e, 'ceremony run event');
  }
}

/** Under each step: what the journal holds of it, or that the run never reached it. */
function performedHtml(
  stepId: string,
  events: readonly RunEvent[],
  state: RunState,
  who: (actor: string) => string,
  sheetOf: (seq: number) => number,
): string {
  const mine = events.filter((e) => stepOfEvent(e, state.deviations) === stepId);
  const progress = state.steps.find((s) => s.stepId === stepId);
  const status = progress?.done
    ? 'DONE'
    : state.current?.stepId === stepId
      ? `${state.status === 'aborted' ? 'ABORTED' : 'IN PROGRESS'}: needs ${state.current.needs}`
      : mine.length > 0
        ? 'NOT DONE'
        : 'NOT REACHED';
  return `<div class="performed"><h3>As performed (journal) — ${esc(status)}</h3>
${mine.map((e) => eventHtml(e, who, sheetOf)).join('\n') || '<p>No journal event of this step.</p>'}
</div>`;
}

/** An exception sheet filled from the journal: the deviation, what was expected and happened, the decision. */
function filledSheetHtml(
  n: number,
  of: number,
  d: RunDeviation,
  at: (seq: number) => { at: string; actor: string },
  loaded: LoadedCeremony,
  runId: string,
  who: (actor: string) => string,
): string {
  const index = loaded.file.steps.findIndex((s) => s.id === d.stepId);
  const step = loaded.file.steps[index];
  const rec = at(d.seq);
  const box = (c: 'continue' | 'abort') => `${d.decision?.decision === c ? TICKED : '☐'} ${c}`;
  const decision = d.decision
    ? `<p class="decision">Decision: ${box('continue')} &nbsp; ${box('abort')}</p>
<p class="area-head">Reason for the decision</p><div class="filled">${esc(d.decision.reason)}</div>
<p>Decided by ${esc(who(d.decision.actor))} at ${stamp({ seq: d.decision.seq, at: at(d.decision.seq).at })}</p>`
    : `<p class="decision"><strong>OPEN</strong>: no decision of the master of ceremonies (${esc(mastersOfCeremonies(loaded))}) is recorded yet</p>`;
  return `<section class="sheet">
<h2>Exception sheet ${n} of ${of} (filled from the journal)</h2>
<p>Ceremony <strong>${esc(loaded.file.id)}</strong>, run ${esc(runId)}.</p>
<table class="fields"><tr><th>Step</th><td>${step ? `${index + 1}: ${esc(step.title)} (${esc(d.stepId)})` : esc(d.stepId)}</td></tr>
<tr><th>Deviation</th><td>${stamp({ seq: d.seq, at: rec.at })}, ${esc(d.phase)}</td></tr>
<tr><th>Recorded by</th><td>${esc(who(rec.actor))}</td></tr></table>
<p class="area-head">Expected (what the script says)</p><div class="filled">${esc(d.expected)}</div>
<p class="area-head">Happened (what was seen, read or reported)</p><div class="filled">${esc(d.happened)}</div>
${decision}
</section>`;
}

const TRANSCRIPT_STYLE = `
  .mark { border: 3px solid #000; font-size: 18pt; font-weight: bold; text-align: center; padding: 2mm; margin: 0 0 4mm; }
  .performed { border: 1.5px dashed #000; padding: 1.5mm 3mm; margin: 2mm 0 4mm; font-size: 10pt; }
  .performed h3 { font-size: 12pt; margin: 1mm 0 2mm; } .performed ul { margin: 0 0 2mm; padding-left: 6mm; }
  .ev { margin: 1.5mm 0 0.5mm; } .seq { font-family: 'DejaVu Sans Mono', monospace; font-size: 9pt; }
  .hexs { font-family: 'DejaVu Sans Mono', monospace; font-size: 8.5pt; overflow-wrap: anywhere; }
  .fail, .dev strong { text-decoration: underline; }
  .filled { border: 1.5px solid #000; min-height: 20mm; padding: 2mm; white-space: pre-wrap; overflow-wrap: anywhere; }
  table.entries { font-size: 8.5pt; table-layout: fixed; } table.entries td { overflow-wrap: anywhere; }
`;

/** The HTML print view of a run's transcript. */
export function transcriptHtml(
  t: CeremonyTranscript,
  loaded: LoadedCeremony,
  state: RunState,
  events: readonly RunEvent[],
): string {
  const who = whoFor(loaded);
  const bySeq = new Map(t.entries.map((e) => [e.seq, e]));
  const at = (seq: number) => ({ at: bySeq.get(seq)?.at ?? '?', actor: bySeq.get(seq)?.actor ?? '?' });
  const sheetOf = (seq: number) => state.deviations.findIndex((d) => d.seq === seq) + 1;
  const start = t.entries[0];
  const end = t.entries.find((e) => e.kind === 'ceremony.run-completed' || e.kind === 'ceremony.run-aborted');
  const target = state.started.target;
  const marks = [
    t.marking === 'REHEARSAL'
      ? `<div class="mark">REHEARSAL — made on a scratch token; nothing from this run may be used in production</div>`
      : '',
    t.final ? '' : `<div class="mark">${IN_PROGRESS}</div>`,
  ].join('');
  const summary = `<h1>Transcript of ceremony run ${esc(t.runId)}</h1>
<table class="fields">
<tr><th>Ceremony</th><td>${esc(t.ceremonyId)}: ${esc(t.title)}</td></tr>
<tr><th>Mode</th><td>${t.marking}</td></tr>
<tr><th>Outcome</th><td><strong>${esc(t.outcome)}</strong></td></tr>
<tr><th>Started</th><td>${start ? `${stamp(start)} by ${esc(who(start.actor))}` : ''}</td></tr>
<tr><th>Ended</th><td>${end ? `${stamp(end)} by ${esc(who(end.actor))}` : 'not ended'}</td></tr>
<tr><th>Token</th><td>${target ? `${esc(target.tokenLabel)} (serial ${esc(target.tokenSerial ?? 'found at each step')}, module ${esc(target.moduleId)}) for ${esc(target.fileToken)}` : 'none'}</td></tr>
<tr><th>File</th><td>${esc(t.source)}</td></tr>
</table>
<div class="digest"><p><span class="label">File SHA-256:</span> <span class="hex">${esc(t.fileDigest)}</span></p><p><span class="label">Words:</span> <span class="words">${esc(t.words.join(' '))}</span></p></div>`;
  const sheets =
    state.deviations.length > 0
      ? state.deviations.map((d, i) =>
          filledSheetHtml(i + 1, state.deviations.length, d, at, loaded, t.runId, who),
        )
      : [
          '<section class="sheet"><h2>Exception sheets</h2><p>No deviation was recorded in this run.</p></section>',
        ];
  const journal = `<section class="sheet"><h2>Journal entries of this run</h2>
<table class="entries"><colgroup><col style="width:12mm"><col style="width:38mm"><col style="width:36mm"><col style="width:34mm"><col></colgroup>
<tr><th>Seq</th><th>Time</th><th>Event</th><th>Actor</th><th>Entry hash</th></tr>${t.entries
    .map(
      (e) =>
        `<tr><td>${e.seq}</td><td>${esc(e.at)}</td><td>${esc(e.kind)}</td><td>${esc(e.actor)}</td><td>${hex(e.hash)}</td></tr>`,
    )
    .join('')}</table></section>`;
  const steps = scriptSectionsHtml(ceremonyScript(loaded), (stepId) =>
    performedHtml(stepId, events, state, who, sheetOf),
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(t.title)} — transcript of run ${esc(t.runId)}</title>
<style>${PRINT_STYLE}${TRANSCRIPT_STYLE}</style></head>
<body>
${marks}
${summary}
${steps.join('\n')}
${sheets.join('\n')}
${journal}
</body></html>`;
}

/** Every page's footer: REHEARSAL / IN PROGRESS, the run id, page X of Y; the ceremony, digest words and short hex. */
export function transcriptFooter(t: CeremonyTranscript): string {
  const marks = [t.marking === 'REHEARSAL' ? 'REHEARSAL' : '', t.final ? '' : IN_PROGRESS].filter(Boolean);
  return `<div style="font-family:'DejaVu Sans',sans-serif;font-variant-ligatures:none;font-size:8pt;width:100%;margin:0 16mm;border-top:1px solid #000;padding-top:1mm;-webkit-print-color-adjust:exact">
<div style="display:flex;gap:3mm;justify-content:space-between"><span>${marks.length ? `<b style="font-size:10pt">${esc(marks.join(' · '))}</b> · ` : ''}transcript of run ${esc(t.runId)}</span>
<span style="white-space:nowrap">page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>
<div>${esc(t.ceremonyId)} · ${esc(t.words.join(' '))} · <span style="font-family:'DejaVu Sans Mono',monospace">${esc(t.fileDigest.slice(0, 16))}</span>…</div></div>`;
}

/**
 * Prints the transcript of run `runId` to `out`: a new file (never over an existing one, OUTPUT_EXISTS),
 * 0600. A run not completed or aborted prints all the same, marked IN PROGRESS on every page.
 */
export async function printTranscript(
  station: Station,
  runId: string,
  opts: { out: string },
): Promise<{
  path: string;
  sha256: string;
  pages: number | null;
  marking: CeremonyTranscript['marking'];
  final: boolean;
  outcome: string;
  fileDigest: string;
  /** The last journal entry of the run the print shows. */
  lastSeq: number;
}> {
  const { transcript, ceremony, events, state } = ceremonyTranscript(station, runId);
  await renderPdfs(
    [
      {
        html: transcriptHtml(transcript, ceremony, state, events),
        path: opts.out,
        footer: transcriptFooter(transcript),
      },
    ],
    station.config.chromium,
  );
  return {
    path: opts.out,
    sha256: sha256hex(readFileSync(opts.out)),
    pages: await pdfPageCount(opts.out),
    marking: transcript.marking,
    final: transcript.final,
    outcome: transcript.outcome,
    fileDigest: transcript.fileDigest,
    lastSeq: transcript.entries.at(-1)?.seq ?? 0,
  };
}

/**
 * The transcript PDF for a bundle: printed into the station's staging folder, read, removed. Returns its
 * bytes and the last journal entry of the run it shows (the bundle refuses a PDF the run has moved past).
 */
export async function transcriptPdf(
  station: Station,
  runId: string,
): Promise<{ bytes: Buffer; lastSeq: number }> {
  mkdirSync(join(station.dataDir, 'staging'), { recursive: true, mode: 0o700 });
  const dir = mkdtempSync(join(station.dataDir, 'staging', 'transcript-'));
  try {
    const r = await printTranscript(station, runId, { out: join(dir, 'transcript.pdf') });
    return { bytes: readFileSync(r.path), lastSeq: r.lastSeq };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ——— the bundle ———

/** A name a bundle may carry ([A-Za-z0-9._-]), from a file's base name. */
const entryName = (path: string) => basename(path).replace(/[^A-Za-z0-9._-]/g, '_');

export interface TranscriptBundlePlan {
  readonly packetId: string;
  readonly title: string;
  readonly files: readonly { name: string; bytes: Buffer }[];
}

/**
 * What a `ceremony-transcript` bundle of one run carries (docs/bundle-format.md): `ceremony/transcript.json`
 * (every ceremony.* entry of the run with its seq and entry hash, the file digest, the outcome), the
 * ceremony file's exact bytes (`ceremony/file/<name>`, re-hashed against the run's digest:
 * CEREMONY_FILE_CHANGED otherwise), every output a step wrote (`ceremony/outputs/<step>/<name>`, each
 * re-hashed against the journal: CEREMONY_OUTPUT_CHANGED naming it otherwise), and the transcript PDF when
 * one is given (`ceremony/transcript.pdf`: refused with JOURNAL_CONFLICT if the run moved since it was
 * printed). The journal pair is the bundles service's part. A rehearsal's title begins REHEARSAL.
 */
export function ceremonyTranscriptPlan(
  station: Station,
  runId: string,
  pdf?: { bytes: Uint8Array; lastSeq: number },
): TranscriptBundlePlan {
  const { transcript: t } = ceremonyTranscript(station, runId);
  const fileBytes = readFile(t.source, 'file', 'CEREMONY_FILE_CHANGED');
  const found = sha256hex(fileBytes);
  if (found !== t.fileDigest)
    throw stationError(
      'CEREMONY_FILE_CHANGED',
      `${t.source} now has SHA-256 ${found}; run ${runId} started with ${t.fileDigest}: nothing was exported`,
      { field: 'file', runId, path: t.source, expected: t.fileDigest, found },
    );
  const outputs = t.outputs.map((o, i) => {
    const bytes = readFile(o.path, `outputs.${i}`, 'CEREMONY_OUTPUT_CHANGED');
    const now = sha256hex(bytes);
    if (now !== o.sha256)
      throw stationError(
        'CEREMONY_OUTPUT_CHANGED',
        `output ${o.path} of step ${o.stepId} now has SHA-256 ${now}; the journal (seq ${o.seq}) holds ${o.sha256}: nothing was exported`,
        { field: `outputs.${i}`, runId, path: o.path, expected: o.sha256, found: now },
      );
    return { ...o, name: `ceremony/outputs/${o.stepId}/${entryName(o.path)}`, bytes };
  });
  const lastSeq = t.entries.at(-1)?.seq ?? 0;
  if (pdf && pdf.lastSeq !== lastSeq)
    throw stationError(
      'JOURNAL_CONFLICT',
      `run ${runId} moved to seq ${lastSeq} after its transcript was printed at seq ${pdf.lastSeq}: export again`,
      { runId, printed: pdf.lastSeq, head: lastSeq },
    );
  const fileName = `ceremony/file/${entryName(t.source)}`;
  const json = {
    format: 'ceremony-station transcript v1',
    ...t,
    file: { name: fileName, sha256: t.fileDigest },
    outputs: outputs.map(({ bytes: _bytes, ...o }) => o),
    pdf: pdf ? { name: 'ceremony/transcript.pdf', sha256: sha256hex(pdf.bytes), lastSeq: pdf.lastSeq } : null,
  };
  const state = t.final ? t.status : 'in progress';
  return {
    packetId: `ceremony-${runId}`,
    title: `${t.marking === 'REHEARSAL' ? 'REHEARSAL — ' : ''}Transcript of ceremony ${t.ceremonyId} run ${runId} (${state})`,
    files: [
      { name: 'ceremony/transcript.json', bytes: Buffer.from(`${JSON.stringify(json, null, 2)}\n`, 'utf8') },
      { name: fileName, bytes: fileBytes },
      ...outputs.map((o) => ({ name: o.name, bytes: o.bytes })),
      ...(pdf ? [{ name: 'ceremony/transcript.pdf', bytes: Buffer.from(pdf.bytes) }] : []),
    ],
  };
}

/** A file the run recorded is a ceremony file (at most 256 KiB) or an output the size of a PEM request. */
const MAX_RECORDED_FILE = 16 * 1024 * 1024;

/** A file the run recorded, read whole; gone, unreadable or far larger than any it wrote, it has changed. */
function readFile(
  path: string,
  field: string,
  code: 'CEREMONY_FILE_CHANGED' | 'CEREMONY_OUTPUT_CHANGED',
): Buffer {
  const changed = (why: string) =>
    stationError(code, `${path}, recorded by the run, ${why}: nothing was exported`, {
      field,
      path,
    });
  try {
    if (statSync(path).size > MAX_RECORDED_FILE) throw changed(`is now over ${MAX_RECORDED_FILE} bytes`);
    return readFileSync(path);
  } catch (e) {
    if (e instanceof CodedError) throw e;
    throw changed(`cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}
