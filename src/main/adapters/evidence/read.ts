import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { workerFile } from '../../workers/location';
import { extractPdfText, type PdfJob } from './pdf-text';
import { parse as parseCsv } from 'csv-parse/sync';

/**
 * Reads an evidence file that is already in private staging: its type from its content (never from its
 * name alone), the text a reviewer and the stop rules see, and a bounded excerpt. Parsing is bounded in
 * size and pages; a file that claims a type and does not parse as it is refused, a file of unknown type
 * is kept by digest only. PDFs are read by Mozilla's pdf.js (no script evaluation, no fonts, no network).
 */
export interface EvidenceReading {
  readonly mediaType: string;
  /**
   * Plain text for the stop rules and the record checks: all of it (the file is read whole up to the
   * parse limit); empty when the type is not parsed, and the summary then says it was not scanned.
   */
  readonly text: string;
  /** What a reviewer sees of it (bounded). */
  readonly excerpt: string;
  /** Facts the parser found (rows, pages, top-level keys). */
  readonly summary: string;
  /** Certificates found in a PEM or DER certificate file (parsed by OpenSSL through node:crypto). */
  readonly certificates: readonly CertificateFacts[];
}

export interface CertificateFacts {
  readonly subject: string;
  readonly issuer: string;
  readonly serial: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly sha256: string;
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+?-----END CERTIFICATE-----/g;
const MAX_CERTS = 20;

function certificateFacts(der: Buffer | string): CertificateFacts {
  const c = new X509Certificate(der);
  return {
    subject: c.subject.replace(/\n/g, ', '),
    issuer: c.issuer.replace(/\n/g, ', '),
    serial: c.serialNumber.toLowerCase(),
    notBefore: new Date(c.validFrom).toISOString(),
    notAfter: new Date(c.validTo).toISOString(),
    sha256: c.fingerprint256.replace(/:/g, '').toLowerCase(),
  };
}

function certificatesReading(certs: CertificateFacts[], text: string): EvidenceReading {
  const lines = certs.map(
    (c) =>
      `${c.subject} — issued by ${c.issuer}; valid ${c.notBefore.slice(0, 10)} → ${c.notAfter.slice(0, 10)}`,
  );
  return {
    mediaType: 'application/pkix-cert',
    text,
    excerpt: clip(lines.join('\n')),
    summary: `${certs.length} X.509 certificate${certs.length === 1 ? '' : 's'}`,
    certificates: certs,
  };
}

export class EvidenceUnreadable extends Error {}

const MAX_PARSE_BYTES = 32 * 1024 * 1024;
const MAX_PDF_BYTES = 64 * 1024 * 1024;
const MAX_PDF_PAGES = 500;
/** A PDF's extracted text is scanned up to as many characters as a text file may have bytes. */
const MAX_PDF_TEXT = MAX_PARSE_BYTES;
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

/**
 * The whole text read is handed on: the stop rules and the declared-record check see every character
 * (a cut there once let an indicator past 4 MiB through, while only the summary mentioned it). What is
 * not scanned — a file over the parse limit, binary data, PDF pages past the text limit — is said so in
 * the summary.
 */
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
      summary: `${size} bytes, not parsed or scanned (over the parse limit)`,
      certificates: [],
    };
  const bytes = await readBounded(path, MAX_PARSE_BYTES);
  const lowerName = declaredName.toLowerCase();
  if (bytes[0] === 0x30 && /\.(cer|crt|der)$/.test(lowerName)) {
    try {
      return certificatesReading([certificateFacts(bytes)], '');
    } catch (e) {
      throw new EvidenceUnreadable(
        `the file is named like a certificate but is not one: ${(e as Error).message}`,
      );
    }
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return {
      mediaType: 'application/octet-stream',
      text: '',
      excerpt: '',
      summary: `${size} bytes of binary data, not scanned`,
      certificates: [],
    };
  }
  const lower = lowerName;
  const pems = text.match(PEM_CERT) ?? [];
  if (pems.length > 0) {
    if (pems.length > MAX_CERTS)
      throw new EvidenceUnreadable(`more than ${MAX_CERTS} certificates in one file`);
    try {
      return certificatesReading(
        pems.map((p) => certificateFacts(p)),
        text,
      );
    } catch (e) {
      throw new EvidenceUnreadable(`a PEM certificate in the file does not parse: ${(e as Error).message}`);
    }
  }
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
        ? clip(`JSON object with keys ${Object.keys(value).slice(0, 12).join(', ')}`, 300)
        : 'JSON value';
    return {
      mediaType: 'application/json',
      text: text,
      excerpt: clip(text),
      summary,
      certificates: [],
    };
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
      text: text,
      excerpt: clip(
        rows
          .slice(0, 6)
          .map((r) => r.join(', '))
          .join('\n'),
      ),
      summary: clip(`CSV with ${Math.max(0, rows.length - 1)} rows; columns ${header.join(', ')}`, 300),
      certificates: [],
    };
  }
  return plain(text);
}

function plain(text: string): EvidenceReading {
  return {
    mediaType: 'text/plain',
    text: text,
    excerpt: clip(text),
    summary: `text, ${text.split('\n').length} lines`,
    certificates: [],
  };
}

const PDF_DEADLINE_MS = 60_000;
const PDF_MEMORY_MB = 512;
const PDF_WORKER = workerFile('pdf-worker');

/**
 * A PDF is read on a worker thread with a memory ceiling and a deadline (a hostile file ends the worker,
 * not the station). Running from source (tests that import this module directly) there is no built
 * worker file, and the same extraction runs in process.
 */
async function readPdf(path: string): Promise<EvidenceReading> {
  const { size } = await stat(path);
  if (size > MAX_PDF_BYTES)
    throw new EvidenceUnreadable(`the PDF is ${size} bytes; PDFs are read up to ${MAX_PDF_BYTES}`);
  const job: PdfJob = { path, maxPages: MAX_PDF_PAGES, maxText: MAX_PDF_TEXT };
  let result: { pages: number; pagesRead: number; text: string };
  try {
    result = existsSync(PDF_WORKER)
      ? await inWorker(job)
      : await extractPdfText(new Uint8Array(await readBounded(path, MAX_PDF_BYTES)), job);
  } catch (e) {
    throw e instanceof EvidenceUnreadable
      ? e
      : new EvidenceUnreadable(
          `the file starts like a PDF but pdf.js cannot read it: ${(e as Error).message}`,
        );
  }
  return {
    mediaType: 'application/pdf',
    text: result.text,
    excerpt: clip(result.text),
    summary:
      result.pagesRead < result.pages
        ? `PDF, ${result.pages} pages; text after page ${result.pagesRead} not scanned (over the text limit)`
        : `PDF, ${result.pages} pages`,
    certificates: [],
  };
}

function inWorker(job: PdfJob): Promise<{ pages: number; pagesRead: number; text: string }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(PDF_WORKER, {
      workerData: job,
      resourceLimits: { maxOldGenerationSizeMb: PDF_MEMORY_MB, maxYoungGenerationSizeMb: 64 },
    });
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(new EvidenceUnreadable(`reading the PDF took longer than ${PDF_DEADLINE_MS / 1000} s`));
    }, PDF_DEADLINE_MS);
    worker.once(
      'message',
      (m: { ok: true; pages: number; pagesRead: number; text: string } | { ok: false; message: string }) => {
        clearTimeout(timer);
        void worker.terminate();
        if (m.ok) resolve({ pages: m.pages, pagesRead: m.pagesRead, text: m.text });
        else
          reject(
            new EvidenceUnreadable(`the file starts like a PDF but pdf.js cannot read it: ${m.message}`),
          );
      },
    );
    worker.once('error', (e) => {
      clearTimeout(timer);
      reject(
        new EvidenceUnreadable(
          /ERR_WORKER_OUT_OF_MEMORY/.test(String((e as NodeJS.ErrnoException).code ?? e.message))
            ? `reading the PDF needed more than ${PDF_MEMORY_MB} MB`
            : `reading the PDF failed: ${e.message}`,
        ),
      );
    });
    worker.once('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new EvidenceUnreadable(`the PDF reader stopped (exit ${code})`));
    });
  });
}

/** The page count of a PDF the station printed (pdf.js), or null when it cannot be read. */
export async function pdfPageCount(path: string): Promise<number | null> {
  try {
    const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
    const doc = await pdfjs.getDocument({
      data: new Uint8Array(await readBounded(path, MAX_PDF_BYTES)),
      isEvalSupported: false,
      disableFontFace: true,
      verbosity: 0,
    }).promise;
    const n = doc.numPages;
    await doc.destroy();
    return n;
  } catch {
    return null;
  }
}
