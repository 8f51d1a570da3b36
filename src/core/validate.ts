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
  const issue = r.error.issues[0];
  const field = [root, ...(issue?.path ?? []).map(String)].join('.');
  throw coreError(code, `${field} ${issue?.message ?? 'is invalid'}`, { ...data, field });
}
