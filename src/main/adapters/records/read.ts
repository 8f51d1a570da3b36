import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { CodedError } from '../../../core/errors';
import { csvToEnvelope, detectFamily } from '../../../core/findings/csv';
import { stationError } from '../../errors';

/**
 * Reads a staged source export (a private copy, never the file on media) into the shape of an export
 * envelope: a JSON envelope as it is, a CSV through its header (docs/records.md, "CSV exports"). The
 * records themselves are validated afterwards, all of them, by recordsFromEnvelope.
 */

/** Limits for one export file: its bytes (checked while staging) and its records. */
export const RECORDS_LIMITS = { maxFileBytes: 256 * 1024 * 1024, maxRecords: 2_000_000 } as const;

export interface ExportMeta {
  /** The family, when the operator declares it (a CSV's is otherwise detected from its header). */
  readonly family?: string | undefined;
  /** The exporting system and export time: required for a CSV, which carries neither. */
  readonly system?: string | undefined;
  readonly exportedAt?: string | undefined;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function invalid(fileName: string, field: string, message: string): CodedError {
  return stationError('RECORD_INVALID', `${field} ${message}`, { field, file: fileName });
}

function text(path: string, fileName: string): string {
  try {
    return utf8.decode(readFileSync(path)).replace(/^\uFEFF/, '');
  } catch {
    throw invalid(fileName, fileName, 'is not UTF-8 text');
  }
}

/** A staged export as envelope-shaped data, by the file's name (`.csv`, otherwise JSON). */
export function readExport(path: string, fileName: string, meta: ExportMeta): unknown {
  return /\.csv$/i.test(fileName) ? readCsv(path, fileName, meta) : readJson(path, fileName, meta);
}

function readJson(path: string, fileName: string, meta: ExportMeta): unknown {
  let data: unknown;
  try {
    data = JSON.parse(text(path, fileName));
  } catch (e) {
    if (e instanceof CodedError) throw e;
    throw invalid(fileName, fileName, 'is not JSON');
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    throw invalid(fileName, fileName, 'is not an export envelope {family, system, exportedAt, records}');
  const env = data as Record<string, unknown>;
  // An envelope says what it is; a declared family, system or time that disagrees is refused, not applied.
  for (const key of ['family', 'system', 'exportedAt'] as const) {
    const given = meta[key];
    if (given !== undefined && env[key] !== given)
      throw invalid(
        fileName,
        `${fileName}.${key}`,
        `is ${JSON.stringify(env[key])}, not the declared ${given}`,
      );
  }
  const records = env.records;
  if (Array.isArray(records) && records.length > RECORDS_LIMITS.maxRecords)
    throw invalid(fileName, `${fileName}.records`, `holds more than ${RECORDS_LIMITS.maxRecords} records`);
  return data;
}

function readCsv(path: string, fileName: string, meta: ExportMeta): unknown {
  if (meta.system === undefined)
    throw stationError('INVALID_INPUT', `${fileName}: a CSV export names no system; give it (--system)`, {
      field: 'system',
    });
  if (meta.exportedAt === undefined)
    throw stationError(
      'INVALID_INPUT',
      `${fileName}: a CSV export names no export time; give it (--exported-at)`,
      { field: 'exportedAt' },
    );
  let rows: string[][];
  try {
    rows = parse(text(path, fileName), {
      relax_column_count: true,
      skip_empty_lines: true,
      to: RECORDS_LIMITS.maxRecords + 2,
    });
  } catch (e) {
    if (e instanceof CodedError) throw e;
    const line = (e as { lines?: number }).lines;
    throw invalid(fileName, `${fileName}${line === undefined ? '' : `.line.${line}`}`, 'is not valid CSV');
  }
  const [header, ...body] = rows;
  if (!header)
    throw invalid(fileName, `${fileName}.header`, 'is missing (a CSV export starts with its field names)');
  if (body.length > RECORDS_LIMITS.maxRecords)
    throw invalid(fileName, `${fileName}.records`, `holds more than ${RECORDS_LIMITS.maxRecords} records`);
  const columns = header.map((c) => c.trim());
  const family = detectFamily(columns, fileName, meta.family);
  return csvToEnvelope(
    { header: columns, rows: body },
    { family, system: meta.system, exportedAt: meta.exportedAt },
    fileName,
  );
}
