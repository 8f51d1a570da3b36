import type { z } from 'zod';
import { coreError } from '../errors';
import type { ExportEnvelope } from './envelope';
import { FAMILIES, isFamilyName, type FamilyName } from './families/catalogue';
import type { RecordFamily } from './records';

/**
 * CSV exports (docs/records.md, "CSV exports"): a header row naming the family's fields, one record per
 * row. A cell is text; it becomes what the family's field is:
 * - a number or boolean field: the number, `true` / `false`;
 * - a list of plain values (e.g. roster roles): the values separated by `;` (`key-custodian;auditor`);
 * - a list of objects or an object (e.g. a plan's required roles): the cell holds that JSON;
 * - an empty cell: null where the field may be null, absent where it has a default or is optional,
 *   otherwise an empty text (which the field's schema then refuses by name).
 * A CSV carries no family, system or export time: the family is declared or detected from the header,
 * and the system and export time are given on import (the envelope then reads like a JSON export).
 */

/** What a CSV cell is read as, from the family field's zod schema. */
export type CellKind = 'text' | 'number' | 'boolean' | 'list' | 'json';

interface FieldShape {
  readonly kind: CellKind;
  /** An empty cell is null. */
  readonly nullable: boolean;
  /** An empty cell is left out (the schema's default or optional applies). */
  readonly omittable: boolean;
}

/** What the catalogue's field schemas say about themselves (zod's own definition object, read-only). */
export interface ZodDefLike {
  readonly type: string;
  readonly innerType?: z.ZodType;
  readonly element?: z.ZodType;
  readonly options?: readonly z.ZodType[];
  readonly entries?: Readonly<Record<string, string>>;
  readonly shape?: Readonly<Record<string, z.ZodType>>;
}
export const defOf = (s: z.ZodType): ZodDefLike => (s as unknown as { _zod: { def: ZodDefLike } })._zod.def;

/** How a family field is written in a CSV cell (read from its schema, so a new family needs no mapping). */
export function fieldShape(schema: z.ZodType): FieldShape {
  let nullable = false;
  let omittable = false;
  let s = schema;
  for (;;) {
    const d = defOf(s);
    if ((d.type === 'nullable' || d.type === 'optional' || d.type === 'default') && d.innerType) {
      if (d.type === 'nullable') nullable = true;
      else omittable = true;
      s = d.innerType;
      continue;
    }
    switch (d.type) {
      case 'number':
        return { kind: 'number', nullable, omittable };
      case 'boolean':
        return { kind: 'boolean', nullable, omittable };
      case 'array': {
        const element = d.element ? defOf(d.element).type : 'unknown';
        return { kind: element === 'object' ? 'json' : 'list', nullable, omittable };
      }
      case 'object':
      case 'record':
        return { kind: 'json', nullable, omittable };
      default:
        return { kind: 'text', nullable, omittable };
    }
  }
}

/** A family's fields by name, each with its schema. */
export function shapeOf(family: RecordFamily): Readonly<Record<string, z.ZodType>> {
  return defOf(family.schema).shape ?? {};
}

/**
 * The family a file is: the declared one, or the one whose signature fields all appear in the header.
 * RECORD_FAMILY_UNKNOWN names the candidates when none or several match (declare it with --family).
 */
export function detectFamily(header: readonly string[], fileName: string, declared?: string): FamilyName {
  if (declared !== undefined) {
    if (isFamilyName(declared)) return declared;
    throw coreError(
      'RECORD_FAMILY_UNKNOWN',
      `${fileName}: "${declared}" is not a record family the station knows (see docs/records.md)`,
      { field: `${fileName}.family`, family: declared },
    );
  }
  const columns = new Set(header);
  const matches = (Object.keys(FAMILIES) as FamilyName[]).filter((name) =>
    FAMILIES[name].signature.every((f) => columns.has(f)),
  );
  // A family whose signature is a superset of another matching one is the more specific reading.
  const specific = matches.filter(
    (m) =>
      !matches.some(
        (o) =>
          o !== m &&
          FAMILIES[o].signature.length > FAMILIES[m].signature.length &&
          FAMILIES[m].signature.every((f) => FAMILIES[o].signature.includes(f)),
      ),
  );
  const [only, ...others] = specific;
  if (only !== undefined && others.length === 0) return only;
  throw coreError(
    'RECORD_FAMILY_UNKNOWN',
    specific.length === 0
      ? `${fileName}: the header matches no record family's signature; declare the family (--family)`
      : `${fileName}: the header matches several record families (${specific.join(', ')}); declare one (--family)`,
    { field: `${fileName}.family`, candidates: specific },
  );
}

/**
 * A parsed CSV (header + rows of cells) as an export envelope of `family`. Every column must be a field
 * of the family (an unknown column is refused by name, not dropped); every row must have the header's
 * width. Field errors inside a record are left to the family schema (recordsFromEnvelope), which names
 * `file.records.<i>.<field>`; a cell that cannot be its field's type is named here the same way.
 */
export function csvToEnvelope(
  table: { header: readonly string[]; rows: readonly (readonly string[])[] },
  meta: { family: FamilyName; system: string; exportedAt: string },
  fileName: string,
): ExportEnvelope {
  const family = FAMILIES[meta.family];
  const shape = shapeOf(family);
  const fields = table.header.map((column, c) => {
    const schema = shape[column];
    if (!schema)
      throw coreError(
        'RECORD_INVALID',
        `${fileName}.header.${c} "${column}" is not a field of ${meta.family} (see docs/records.md)`,
        { field: `${fileName}.header.${c}`, file: fileName, family: meta.family },
      );
    return { column, shape: fieldShape(schema) };
  });
  const seen = new Set<string>();
  for (const f of fields) {
    if (seen.has(f.column))
      throw coreError('RECORD_INVALID', `${fileName}.header "${f.column}" appears twice`, {
        field: `${fileName}.header`,
        file: fileName,
      });
    seen.add(f.column);
  }
  const records = table.rows.map((row, i) => {
    if (row.length !== fields.length)
      throw coreError(
        'RECORD_INVALID',
        `${fileName}.records.${i} has ${row.length} cells; the header has ${fields.length}`,
        { field: `${fileName}.records.${i}`, file: fileName, family: meta.family },
      );
    const out: Record<string, unknown> = {};
    fields.forEach((f, c) => {
      const cell = row[c] ?? '';
      const field = `${fileName}.records.${i}.${f.column}`;
      if (cell === '') {
        if (f.shape.nullable) out[f.column] = null;
        else if (f.shape.kind === 'list') out[f.column] = [];
        // An empty cell of a required field stays empty text: the family schema refuses it by name.
        else if (!f.shape.omittable) out[f.column] = cell;
        return;
      }
      out[f.column] = cellValue(cell, f.shape.kind, field, fileName);
    });
    return out;
  });
  return { family: meta.family, system: meta.system, exportedAt: meta.exportedAt, records };
}

function cellValue(cell: string, kind: CellKind, field: string, file: string): unknown {
  const bad = (what: string) =>
    coreError('RECORD_INVALID', `${field} "${cell.slice(0, 80)}" is not ${what}`, { field, file });
  switch (kind) {
    case 'text':
      return cell;
    case 'number': {
      if (!/^-?\d+(\.\d+)?$/.test(cell.trim())) throw bad('a number');
      return Number(cell.trim());
    }
    case 'boolean': {
      const v = cell.trim().toLowerCase();
      if (v === 'true') return true;
      if (v === 'false') return false;
      throw bad('true or false');
    }
    case 'list':
      return cell
        .split(';')
        .map((v) => v.trim())
        .filter((v) => v !== '');
    case 'json':
      try {
        return JSON.parse(cell) as unknown;
      } catch {
        throw bad('JSON (a list of objects or an object is written as JSON in its cell)');
      }
  }
}
