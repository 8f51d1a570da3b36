import type { z } from 'zod';
import { coreError, type CoreErrorCode } from './errors';

/**
 * Strictly parses input against a schema, or throws a coded error that names the first bad field by its
 * full path (`key.algorithm`, `csr.san.dns.0`) and says what is wrong with it.
 */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  input: unknown,
  root: string,
  code: CoreErrorCode = 'INVALID_INPUT',
  data: Record<string, string> = {},
): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const { field, message } = firstIssue(r.error, root);
  throw coreError(code, `${field} ${message}`, { ...data, field });
}

/** The first problem a zod error reports: the field by its full dotted path (below `root`, if given). */
export interface FieldIssue {
  /** `root.a.0.b`, or `a.0.b` without a root; `root` (or `(value)`) when the value itself is wrong. */
  readonly field: string;
  /** The path below the root, as strings. */
  readonly path: readonly string[];
  /** zod's message, e.g. `Too small: expected number to be >=1`. */
  readonly message: string;
}

/** Names the first failing field of a zod error: the one way every layer turns a zod error into words. */
export function firstIssue(error: z.ZodError, root?: string): FieldIssue {
  const issue = error.issues[0];
  const path = (issue?.path ?? []).map(String);
  const parts = root === undefined ? path : [root, ...path];
  return { field: parts.join('.') || '(value)', path, message: issue?.message ?? 'is invalid' };
}
