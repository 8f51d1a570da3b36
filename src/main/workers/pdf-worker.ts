/**
 * Worker thread entry: extracts the text of one PDF with Mozilla's pdf.js, away from the station's main
 * thread. The parent gives it a memory ceiling (resourceLimits) and a deadline, so a hostile PDF that
 * expands to gigabytes or loops ends this worker, never the station.
 */
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { extractPdfText, type PdfJob } from '../adapters/evidence/pdf-text';

const job = workerData as PdfJob;
extractPdfText(new Uint8Array(readFileSync(job.path)), job).then(
  (r) => parentPort?.postMessage({ ok: true, ...r }),
  (e: unknown) => parentPort?.postMessage({ ok: false, message: e instanceof Error ? e.message : String(e) }),
);
