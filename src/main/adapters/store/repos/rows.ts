import type Database from 'better-sqlite3';
import { z } from 'zod';
import { stationError } from '../../../errors';
import { firstIssue } from '../../../../core/validate';

/**
 * What every repository shares: statements prepared once per connection, and rows parsed by zod on the
 * way out, so a service never sees a value of another type than the one it was promised. A row that
 * does not fit its schema — a column someone changed in the file, a JSON column that is not the shape the
 * projection wrote — is refused with STORE_ROW_INVALID naming the table, the row and the column, instead
 * of flowing on as a wrong type.
 */

/**
 * A statement prepared on first use and kept per connection (the WeakMap lets a closed station's
 * statements go with it). SQL is fixed text: values are bound as parameters, never interpolated.
 */
export function statement(sql: string): (db: Database.Database) => Database.Statement {
  const byConnection = new WeakMap<Database.Database, Database.Statement>();
  return (db) => {
    let s = byConnection.get(db);
    if (!s) {
      s = db.prepare(sql);
      byConnection.set(db, s);
    }
    return s;
  };
}

/** A TEXT column holding JSON, parsed with the schema of what the projection wrote into it. */
export function jsonColumn<S extends z.ZodType>(schema: S) {
  return z
    .string()
    .transform((text, ctx): unknown => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'not JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

/** An INTEGER 0/1 column read as a boolean. */
export const flag = z.union([z.literal(0), z.literal(1)]).transform((v) => v === 1);
/** A journal sequence number (projections keep the seq of the event a row came from). */
export const seqColumn = z.number().int().min(1);
/** A count or a version (0 when nothing is there yet). */
export const countColumn = z.number().int().min(0);

/**
 * How a refused row is named: its key column(s), read from the row, or a description (`() => 'singleton=1'`).
 */
export type RowKey = string | readonly string[] | ((row: unknown) => string);

/**
 * Parses one row. `key` names the row in the error (its primary key column, or a description such as
 * `journal seq 12`): the operator is told exactly which row and column to look at.
 */
export function parseRow<S extends z.ZodType>(
  table: string,
  schema: S,
  row: unknown,
  key: RowKey,
): z.output<S> {
  const r = schema.safeParse(row);
  if (r.success) return r.data;
  const { path, message } = firstIssue(r.error);
  const column = path[0] ?? '(row)';
  const where = typeof key === 'function' ? key(row) : keyOf(row, typeof key === 'string' ? [key] : key);
  const field = path.length > 1 ? ` (${path.join('.')})` : '';
  throw stationError(
    'STORE_ROW_INVALID',
    `the station database's ${table} row ${where}: column ${column}${field} is not what the station wrote (${message})`,
    { table, row: where, column, path: path.join('.') || column },
  );
}

export function parseRows<S extends z.ZodType>(
  table: string,
  schema: S,
  rows: readonly unknown[],
  key: RowKey,
): z.output<S>[] {
  return rows.map((row) => parseRow(table, schema, row, key));
}

/** `column=value` for the row's key columns, as far as they print. */
function keyOf(row: unknown, columns: readonly string[]): string {
  const values = row !== null && typeof row === 'object' ? new Map(Object.entries(row)) : new Map();
  return columns
    .map((c) => {
      const v: unknown = values.get(c);
      return typeof v === 'string' || typeof v === 'number' ? `${c}=${JSON.stringify(v)}` : `${c}=?`;
    })
    .join(' ');
}
