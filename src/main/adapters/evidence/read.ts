import { open } from 'node:fs/promises';
import { parse as parseCsv } from 'csv-parse/sync';

/**
 * Reads an evidence file that is already in private staging: its type from its content (never from its
 * name alone), the text a reviewer and the stop rules see, and a bounded excerpt. Parsing is bounded in
 * size and pages; a file that claims a type and does not parse as it is refused, a file of unknown type
 * is kept by digest only. PDFs are read by Mozilla's pdf.js (no script evaluation, no fonts, no network).
 */
export interface EvidenceReading {
  readonly mediaType: string;
  /** Plain text for the stop rules (bounded); empty when the type is not parsed. */
  readonly text: string;
  /** What a reviewer sees of it (bounded). */
  readonly excerpt: string;
  /** Facts the parser found (rows, pages, top-level keys). */
  readonly summary: string;
}

export class EvidenceUnreadable extends Error {}

const MAX_PARSE_BYTES = 32 * 1024 * 1024;
const MAX_PDF_BYTES = 64 * 1024 * 1024;
const MAX_PDF_PAGES = 500;
const MAX_TEXT = 4 * 1024 * 1024;
const EXCERPT = 1500;

async function readBounded(path: string, max: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    if (size > max) throw new EvidenceUnreadable(`the file is ${size} bytes; content is parsed up to ${max}`);
    const buf = Buffer.alloc(size);
    let off = 0;
    while (off < size) {
      const { bytesRead } = await fh.read(buf, off, size - off, off);
      if (bytesRead === 0) break;
      off += bytesRead;
    }
    return buf.subarray(0, off);
  } finally {
    await fh.close();
  }
}

async function readHead(path: string, n: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const clip = (s: string, n = EXCERPT) => (s.length > n ? `${s.slice(0, n)}…` : s);

export async function readEvidence(
  path: string,
  declaredName: string,
  size: number,
): Promise<EvidenceReading> {
  const head = await readHead(path, 8);
  if (head.subarray(0, 5).toString('latin1') === '%PDF-') return readPdf(path);
  if (size > MAX_PARSE_BYTES)
    return {
      mediaType: 'application/octet-stream',
      text: '',
      excerpt: '',
      summary: `${size} bytes, not parsed`,
    };
  const bytes = await readBounded(path, MAX_PARSE_BYTES);
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return {
      mediaType: 'application/octet-stream',
      text: '',
      excerpt: '',
      summary: `${size} bytes of binary data`,
    };
  }
  const lower = declaredName.toLowerCase();
  const trimmed = text.trimStart();
  if (lower.endsWith('.json') || trimmed.startsWith('{') || trimmed.startsWith('[')) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      if (lower.endsWith('.json'))
        throw new EvidenceUnreadable(`the file is named .json but is not JSON: ${(e as Error).message}`);
      return plain(text);
    }
    const summary = Array.isArray(value)
      ? `JSON array of ${value.length} items`
      : value !== null && typeof value === 'object'
        ? `JSON object with keys ${Object.keys(value).slice(0, 12).join(', ')}`
        : 'JSON value';
    return { mediaType: 'application/json', text: text.slice(0, MAX_TEXT), excerpt: clip(text), summary };
  }
  if (lower.endsWith('.csv')) {
    let rows: string[][];
    try {
      rows = parseCsv(text, { relax_column_count: false, skip_empty_lines: true, bom: true }) as string[][];
    } catch (e) {
      throw new EvidenceUnreadable(
        `the file is named .csv but does not parse as CSV: ${(e as Error).message}`,
      );
    }
    const header = rows[0] ?? [];
    return {
      mediaType: 'text/csv',
      text: text.slice(0, MAX_TEXT),
      excerpt: clip(
        rows
          .slice(0, 6)
          .map((r) => r.join(', '))
          .join('\n'),
      ),
      summary: `CSV with ${Math.max(0, rows.length - 1)} rows; columns ${header.join(', ')}`,
    };
  }
  return plain(text);
}

function plain(text: string): EvidenceReading {
  return {
    mediaType: 'text/plain',
    text: text.slice(0, MAX_TEXT),
    excerpt: clip(text),
    summary: `text, ${text.split('\n').length} lines`,
  };
}

async function readPdf(path: string): Promise<EvidenceReading> {
  const bytes = await readBounded(path, MAX_PDF_BYTES);
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  let doc;
  try {
    doc = await pdfjs.getDocument({
      data: new Uint8Array(bytes),
      isEvalSupported: false,
      disableFontFace: true,
      useSystemFonts: false,
      stopAtErrors: true,
      verbosity: 0,
    }).promise;
  } catch (e) {
    throw new EvidenceUnreadable(
      `the file starts like a PDF but pdf.js cannot open it: ${(e as Error).message}`,
    );
  }
  try {
    const pages = doc.numPages;
    if (pages > MAX_PDF_PAGES)
      throw new EvidenceUnreadable(`the PDF has ${pages} pages (limit ${MAX_PDF_PAGES})`);
    const parts: string[] = [];
    let length = 0;
    for (let n = 1; n <= pages && length < MAX_TEXT; n++) {
      const page = await doc.getPage(n);
      const content = await page.getTextContent();
      const text = content.items.map((i) => ('str' in i ? i.str + (i.hasEOL ? '\n' : '') : '')).join('');
      parts.push(text);
      length += text.length;
      page.cleanup();
    }
    const text = parts.join('\n').slice(0, MAX_TEXT);
    return { mediaType: 'application/pdf', text, excerpt: clip(text), summary: `PDF, ${pages} pages` };
  } finally {
    await doc.destroy();
  }
}
