import { z } from 'zod';
import { isoDate, isoTime, recordRole } from '../../schema';

/** Field grammars the record families share. */
export const id = z.string().trim().min(1).max(120);
export const text = (max = 500) => z.string().trim().min(1).max(max);
/** A person as a source system names them (login, employee id or name); matched exactly, case-folded. */
export const person = z.string().trim().min(1).max(120);
export const role = recordRole;
/** An instant, or a day (taken as 00:00:00.000Z of that day). */
export const instant = z.union([isoTime, isoDate]);
export { isoDate, isoTime };

/** A day or instant as an ISO instant (a day is its first millisecond, UTC). */
export const toInstant = (v: string): string => (v.length === 10 ? `${v}T00:00:00.000Z` : v);
