import { escapeHtml as esc } from '../../../core/html';
import type { RunwayLayout, RunwayText } from '../../../shared/runway';

/**
 * The validity runway as print markup: the same layout the screen draws (src/shared/runway.ts) as an
 * inline SVG with real text (a reader can search and copy it; pdf.js reads it), and its numbers as a
 * table — the chart is a picture of the table, never the only record of it.
 */
const label = (t: RunwayText, fill = '#000') =>
  t.text === ''
    ? ''
    : `<text x="${t.x.toFixed(1)}" y="${t.y.toFixed(1)}" font-size="${t.size}" text-anchor="${t.anchor}" fill="${fill}">${esc(t.text)}</text>`;

const vline = (x: number, top: number, bottom: number, attrs: string) =>
  `<line x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${top}" y2="${bottom}" ${attrs}/>`;

export function runwaySvg(l: RunwayLayout): string {
  const parts: string[] = [];
  parts.push(
    `<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#f6d5d5"/><line x1="0" y1="0" x2="0" y2="6" stroke="#9b1c1c" stroke-width="3"/></pattern></defs>`,
  );
  for (const y of l.years) parts.push(vline(y.x, l.top, l.bottom, 'stroke="#ccc"'), label(y.label, '#444'));
  if (l.window)
    parts.push(
      `<rect x="${l.window.x.toFixed(1)}" y="${l.top + 30}" width="${l.window.width.toFixed(1)}" height="${l.bottom - l.top - 30}" fill="#fff3cd" stroke="#8a6100" stroke-dasharray="4 2"/>`,
      label(l.window.label, '#6b4b00'),
    );
  for (const r of l.rows) {
    const tone = r.short ? '#9b1c1c' : r.inactive ? '#555' : '#1e6b34';
    const fill = r.short ? 'url(#hatch)' : r.inactive ? '#fff' : '#cfe8d5';
    parts.push(
      ...r.label.map((t) => label(t)),
      `<rect x="${r.bar.x.toFixed(1)}" y="${r.bar.y}" width="${r.bar.width.toFixed(1)}" height="${r.bar.height}" fill="${fill}" stroke="${tone}"${r.inactive ? ' stroke-dasharray="3 2"' : ''}/>`,
      label(r.end, tone),
    );
  }
  parts.push(vline(l.now.x, l.top, l.bottom, 'stroke="#000" stroke-width="2"'), label(l.now.label));
  if (l.rotation)
    parts.push(
      vline(l.rotation.x, l.top, l.bottom, 'stroke="#1d4ed8" stroke-width="2" stroke-dasharray="6 3"'),
      label(l.rotation.label, '#1d4ed8'),
    );
  return `<svg class="runway" viewBox="0 0 ${l.width} ${l.height}" width="100%" role="img" aria-label="${esc(l.summary)}" font-family="'DejaVu Sans', sans-serif">${parts.join('')}</svg>`;
}
