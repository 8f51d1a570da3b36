import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  ceremonyScript,
  type CeremonyScript,
  type LoadedCeremony,
  type ScriptLine,
  type ScriptSection,
} from '../../../core/ceremony';
import { assertNever } from '../../../core/errors';
import { escapeHtml } from '../../../core/html';
import { pdfPageCount } from '../../adapters/evidence/read';
import { renderPdfs } from '../../adapters/print/pdf';

/**
 * The printed ceremony script (docs/ceremony-format.md, "Printing"): the script model of
 * src/core/ceremony/script.ts laid out for a sealed room — every line of the model, in its order, with
 * its caption — plus what only paper needs: the digest large for the witnesses to compare, a signature
 * and specimen-initials column for the participants, a table of every bag movement with a box for
 * "serial read aloud", a check-off block per witness, and blank exception sheets for deviations. The
 * page adds layout, never content of its own about the ceremony: what the witnesses hold is what the
 * station runs. A4, large type, no scripts; every page's footer carries the ceremony id, the digest
 * (words and short hex) and "page X of Y".
 */
const esc = escapeHtml;

/** Blank exception sheets at the end of every printed script: a deviation is written on paper first. */
export const EXCEPTION_SHEETS = 2;

const BOX = '<span class="box" aria-hidden="true">☐</span>';
/** A box ticked on paper by the station: what the journal says was chosen (the transcript's sheets). */
export const TICKED = '<span class="box" aria-hidden="true">☒</span>';
const blank = (cls = '') => `<span class="blank${cls ? ` ${cls}` : ''}">&nbsp;</span>`;

/** A line's caption and text, as the model holds them (the caption is left out when empty). */
const captioned = (l: ScriptLine) =>
  `${l.label ? `<span class="label">${esc(l.label)}:</span> ` : ''}<span class="text">${esc(l.text)}</span>`;

/** Field lines as a two-column table (caption | text). */
const fieldTable = (lines: readonly ScriptLine[]) =>
  lines.length
    ? `<table class="fields">${lines
        .map((l) => `<tr><th>${esc(l.label)}</th><td>${esc(l.text)}</td></tr>`)
        .join('')}</table>`
    : '';

/** A checkbox line: the box, then the line. */
const checkbox = (l: ScriptLine) => `<p class="check">${BOX} ${captioned(l)}</p>`;

/** A signature line, then the blanks a person fills in (`fields`: their captions). */
const signature = (l: ScriptLine, fields: readonly string[]) => `<div class="sign">
  <p class="sign-head">${captioned(l)}</p>
  <p class="sign-fields">${fields
    .map((f) =>
      f === 'Initials'
        ? `<span>${f} <span class="initials">&nbsp;</span></span>`
        : `<span>${f} ${blank(f === 'Time' ? 'short' : '')}</span>`,
    )
    .join('')}</p>
</div>`;

/** Any line, by its kind: the fallback for sections whose layout needs nothing special. */
function lineHtml(l: ScriptLine, signFields: readonly string[]): string {
  switch (l.kind) {
    case 'checkbox':
      return checkbox(l);
    case 'signature':
      return signature(l, signFields);
    case 'text':
      return `<p class="say">${captioned(l)}</p>`;
    case 'field':
      return fieldTable([l]);
    default:
      return assertNever(l.kind, 'script line kind');
  }
}

/** Consecutive field lines share one table; other lines are laid out one by one. */
function linesHtml(lines: readonly ScriptLine[], signFields: readonly string[]): string {
  const out: string[] = [];
  let fields: ScriptLine[] = [];
  const flush = () => {
    out.push(fieldTable(fields));
    fields = [];
  };
  for (const l of lines) {
    if (l.kind === 'field') fields.push(l);
    else {
      flush();
      out.push(lineHtml(l, signFields));
    }
  }
  flush();
  return out.join('\n');
}

/** The header: every header line, with the digest (hex and words) set large for the witnesses. */
function headerHtml(s: ScriptSection): string {
  const digestLines = new Set(['SHA-256', 'Words']);
  const fields = s.lines.filter((l) => l.kind === 'field' && !digestLines.has(l.label));
  const digest = s.lines.filter((l) => digestLines.has(l.label));
  const rest = s.lines.filter((l) => l.kind !== 'field');
  return `<h1>${esc(s.title)}</h1>
${fieldTable(fields)}
<div class="digest">${digest
    .map(
      (l) =>
        `<p><span class="label">${esc(l.label)}:</span> <span class="${l.label === 'Words' ? 'words' : 'hex'}">${esc(l.text)}</span></p>`,
    )
    .join('')}</div>
${linesHtml(rest, [])}`;
}

/** Participants and roles, each with a signature and specimen initials (compared at every check-off). */
function participantsHtml(s: ScriptSection): string {
  return `<h2>${esc(s.title)}</h2>
<table class="people"><colgroup><col style="width:44mm"><col><col style="width:44mm"><col style="width:22mm"></colgroup><tr><th>Role</th><th>Participant</th><th>Signature</th><th>Initials</th></tr>${s.lines
    .map(
      (l) =>
        `<tr><td class="role">${esc(l.label)}</td><td>${esc(l.text)}</td><td>&nbsp;</td><td>&nbsp;</td></tr>`,
    )
    .join('')}</table>`;
}

/**
 * The bags: each declared bag, then every movement the steps make (opened or sealed), in step order,
 * with a box for "serial read aloud" and the witness's initials — taken from the steps' own lines.
 */
function bagsHtml(s: ScriptSection, steps: readonly ScriptSection[]): string {
  const moves = steps.flatMap((step) =>
    step.lines
      .filter((l) => l.label === 'Bag opened' || l.label === 'Bag sealed')
      .map((l) => ({ step: step.title, move: l.label === 'Bag opened' ? 'in (opened)' : 'out (sealed)', l })),
  );
  return `<h2>${esc(s.title)}</h2>
${fieldTable(s.lines)}
<table class="bags"><colgroup><col><col style="width:26mm"><col style="width:34mm"><col style="width:42mm"><col style="width:22mm"></colgroup><tr><th>Step</th><th>Bag</th><th>Serial</th><th>Serial read aloud</th><th>Initials</th></tr>${
    moves
      .map(
        (m) =>
          `<tr><td>${esc(m.step)}</td><td>${m.move}</td><td class="serial">${esc(m.l.text)}</td><td>${BOX} serial read aloud</td><td>&nbsp;</td></tr>`,
      )
      .join('') || '<tr><td colspan="5">No step opens or seals a bag.</td></tr>'
  }</table>`;
}

/** One step, on its own block: its fields, what is said and checked (large), its boxes and witnesses. */
function stepHtml(s: ScriptSection): string {
  return `<section class="step">
<h2>${esc(s.title)}</h2>
${linesHtml(s.lines, ['Name', 'Initials', 'Time'])}
</section>`;
}

/** A blank exception sheet: expected, happened, the decision of the master of ceremonies, signed. */
function exceptionSheetHtml(n: number, of: number, ceremonyId: string, mc: string): string {
  const area = (caption: string) => `<p class="area-head">${caption}</p><div class="area">&nbsp;</div>`;
  return `<section class="sheet">
<h2>Exception sheet ${n} of ${of}</h2>
<p>Ceremony <strong>${esc(ceremonyId)}</strong>. One sheet per deviation from the script: what the script expected, what happened, and the decision of the master of ceremonies, which the station records as an act.</p>
<p class="sign-fields"><span>Step ${blank()}</span><span>Time ${blank('short')}</span></p>
${area('Expected (what the script says)')}
${area('Happened (what was seen, read or reported)')}
<p class="decision">Decision: ${BOX} continue &nbsp; ${BOX} abort</p>
${area('Reason for the decision')}
<p class="sign-fields"><span>Master of ceremonies: ${esc(mc)}</span></p>
<p class="sign-fields"><span>Signature ${blank()}</span><span>Time ${blank('short')}</span></p>
<p class="sign-fields"><span>Witness initials <span class="initials">&nbsp;</span> <span class="initials">&nbsp;</span> <span class="initials">&nbsp;</span></span></p>
</section>`;
}

export const PRINT_STYLE = `
  @page { size: A4; }
  body { font-family: 'DejaVu Sans', sans-serif; color: #000; font-size: 12pt; line-height: 1.35; font-variant-ligatures: none; }
  h1 { font-size: 20pt; margin: 0 0 3mm; } h2 { font-size: 15pt; margin: 7mm 0 2mm; border-bottom: 1.5px solid #000; break-after: avoid; }
  table { border-collapse: collapse; width: 100%; margin: 0 0 2mm; } td, th { border: 1px solid #555; padding: 1.5mm 2mm; text-align: left; vertical-align: top; }
  table.fields th { width: 32mm; font-weight: bold; } tr { break-inside: avoid; }
  .digest { border: 2.5px solid #000; padding: 3mm 4mm; margin: 4mm 0; break-inside: avoid; }
  .digest p { margin: 0 0 2mm; } .hex { font-family: 'DejaVu Sans Mono', monospace; font-size: 13pt; overflow-wrap: anywhere; }
  .words { font-size: 22pt; font-weight: bold; letter-spacing: 0.02em; }
  .label { font-weight: bold; } .box { font-size: 16pt; line-height: 1; }
  .say { font-size: 14pt; margin: 2mm 0; } .check { margin: 1.5mm 0; padding-left: 7mm; text-indent: -7mm; }
  .serial { font-family: 'DejaVu Sans Mono', monospace; font-size: 12pt; white-space: nowrap; }
  .step { break-inside: avoid-page; border-top: 3px solid #000; margin-top: 6mm; }
  .step h2 { border-bottom: none; margin-top: 2mm; }
  .sign { border: 1px solid #000; padding: 1.5mm 3mm; margin: 2mm 0; break-inside: avoid; }
  .sign p { margin: 0 0 1.5mm; } .sign-fields { display: flex; gap: 6mm; align-items: flex-end; margin: 3mm 0; }
  .blank { display: inline-block; min-width: 55mm; border-bottom: 1px solid #000; } .blank.short { min-width: 25mm; }
  .initials { display: inline-block; width: 16mm; height: 9mm; border: 1.5px solid #000; vertical-align: bottom; }
  table.people, table.bags { table-layout: fixed; } td.role { overflow-wrap: anywhere; }
  .sheet { break-before: page; }
  .area-head { font-weight: bold; margin: 4mm 0 1mm; } .area { border: 1.5px solid #000; height: 42mm; }
  .decision { font-size: 15pt; margin: 4mm 0; }
`;

/**
 * Every section of the script model laid out as printed, in the model's order. `afterStep` adds a
 * block after a step's own (the transcript's "as performed" from the journal); the script adds none.
 */
export function scriptSectionsHtml(
  script: CeremonyScript,
  afterStep: (stepId: string) => string = () => '',
): string[] {
  const steps = script.sections.filter((s) => s.id.startsWith('step:'));
  return script.sections.map((s) => {
    if (s.id === 'header') return headerHtml(s);
    if (s.id === 'participants') return participantsHtml(s);
    if (s.id === 'bags') return bagsHtml(s, steps);
    if (s.id.startsWith('step:')) return `${stepHtml(s)}\n${afterStep(s.id.slice('step:'.length))}`;
    return `<h2>${esc(s.title)}</h2>\n${linesHtml(s.lines, s.id === 'close' ? ['Signature', 'Time'] : [])}`;
  });
}

/** Who holds the master of ceremonies' seat, as the sheets name them. */
export function mastersOfCeremonies(loaded: LoadedCeremony): string {
  return loaded.file.participants
    .filter((p) => p.role === 'master-of-ceremonies')
    .map((p) => `${p.name} (${p.id})`)
    .join(', ');
}

/** The HTML print view of a loaded ceremony file's script. */
export function ceremonyScriptHtml(loaded: LoadedCeremony, script: CeremonyScript = ceremonyScript(loaded)) {
  const mc = mastersOfCeremonies(loaded) || blank();
  const sheets = Array.from({ length: EXCEPTION_SHEETS }, (_, i) =>
    exceptionSheetHtml(i + 1, EXCEPTION_SHEETS, loaded.file.id, mc),
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(script.title)} — ceremony script</title>
<style>${PRINT_STYLE}</style></head>
<body>
${scriptSectionsHtml(script).join('\n')}
${sheets.join('\n')}
</body></html>`;
}

/** Every page's footer: the ceremony id, the digest words and short hex, page X of Y, initials. */
export function ceremonyScriptFooter(loaded: LoadedCeremony): string {
  const { sha256, words } = loaded.digest;
  return `<div style="font-family:'DejaVu Sans',sans-serif;font-variant-ligatures:none;font-size:8pt;width:100%;margin:0 16mm;border-top:1px solid #000;padding-top:1mm;display:flex;gap:3mm;justify-content:space-between;-webkit-print-color-adjust:exact">
<span>${esc(loaded.file.id)} · ${esc(words.join(' '))} · <span style="font-family:'DejaVu Sans Mono',monospace">${esc(sha256.slice(0, 16))}</span>…</span>
<span style="white-space:nowrap">page <span class="pageNumber"></span> of <span class="totalPages"></span> · Initials: ________</span></div>`;
}

/**
 * Prints the script of a loaded ceremony file to `out`: a new file (never over an existing one,
 * OUTPUT_EXISTS), 0600. Returns the path, the PDF's SHA-256 and its page count.
 */
export async function printCeremonyScript(
  loaded: LoadedCeremony,
  opts: { out: string; chromium: string | null },
): Promise<{ path: string; sha256: string; pages: number | null }> {
  await renderPdfs(
    [{ html: ceremonyScriptHtml(loaded), path: opts.out, footer: ceremonyScriptFooter(loaded) }],
    opts.chromium,
  );
  const sha256 = createHash('sha256').update(readFileSync(opts.out)).digest('hex');
  return { path: opts.out, sha256, pages: await pdfPageCount(opts.out) };
}
