import { escapeHtml } from '../../../core/html';

/**
 * The printed share sheet: one page per custodian, readable in a sealed room, with the digest words on
 * the page, the checksum-bearing share in groups of four, and space for initials. No scripts, no
 * external resources (it is printed offline by Chromium).
 */
export interface ShareSheet {
  readonly station: string;
  readonly stationId: string;
  readonly splitId: string;
  readonly tokenSerial: string;
  readonly threshold: number;
  readonly total: number;
  readonly position: number;
  readonly holder: string;
  readonly shareText: string;
  readonly commitment: string;
  readonly commitmentWords: readonly string[];
}

const esc = escapeHtml;

export function shareSheetHtml(s: ShareSheet): string {
  const groups = s.commitment.match(/.{1,4}/g)?.join(' ') ?? s.commitment;
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Activation share ${s.position} of ${s.total}</title>
<style>
  body { font-family: 'DejaVu Sans', sans-serif; color: #000; font-size: 12pt; }
  h1 { font-size: 18pt; margin: 0 0 4mm; }
  .secret { border: 2px solid #000; padding: 4mm; margin: 6mm 0; }
  .share { font-family: 'DejaVu Sans Mono', monospace; font-size: 16pt; letter-spacing: 1px; white-space: pre; line-height: 1.6; }
  .words { font-size: 14pt; font-weight: bold; }
  table { border-collapse: collapse; width: 100%; }
  td, th { border: 1px solid #000; padding: 2mm; text-align: left; vertical-align: top; }
  .sign td { height: 14mm; }
  footer { position: fixed; bottom: 0; font-size: 9pt; }
</style></head>
<body>
  <h1>SECRET — M-of-N activation share ${s.position} of ${s.total} (threshold ${s.threshold})</h1>
  <table>
    <tr><th>Station</th><td>${esc(s.station)}<br><code>${esc(s.stationId)}</code></td></tr>
    <tr><th>Activated token</th><td><code>${esc(s.tokenSerial)}</code></td></tr>
    <tr><th>Split</th><td><code>${esc(s.splitId)}</code></td></tr>
    <tr><th>Issued to</th><td>${esc(s.holder)}</td></tr>
  </table>
  <div class="secret">
    <p>Share (letters A–Z and digits 2–7; the last seven characters carry a checksum):</p>
    <div class="share">${esc(s.shareText)}</div>
  </div>
  <p>Commitment of this share — compare with the station’s <em>shares verify</em> result, never read the share aloud:</p>
  <p><code>${esc(groups)}</code></p>
  <p class="words">${esc(s.commitmentWords.join(' · '))}</p>
  <table class="sign">
    <tr><th>Holder initials</th><th>Witness initials</th><th>Sealed in bag (serial)</th><th>Date</th></tr>
    <tr><td></td><td></td><td></td><td></td></tr>
  </table>
  <footer>Split ${esc(s.splitId)} · position ${s.position}/${s.total} · ${esc(s.commitmentWords.slice(0, 4).join(' '))}</footer>
</body></html>`;
}
