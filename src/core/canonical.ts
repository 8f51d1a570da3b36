import canonicalize from 'canonicalize';
import { coreError } from './errors';

/**
 * RFC 8785 (JCS) canonical JSON via the `canonicalize` library. Refuses what JSON cannot say exactly
 * (undefined at the top, NaN, Infinity, lone surrogates, cycles, bigint) instead of silently dropping it.
 */
export function canonicalJson(value: unknown): string {
  let text: string | undefined;
  try {
    text = canonicalize(value);
  } catch (e) {
    throw coreError('CANONICAL_JSON_INVALID', `value cannot be canonical JSON: ${(e as Error).message}`);
  }
  if (text === undefined)
    throw coreError('CANONICAL_JSON_INVALID', 'value cannot be canonical JSON: undefined');
  return text;
}

const encoder = new TextEncoder();
export function canonicalBytes(value: unknown): Uint8Array {
  return encoder.encode(canonicalJson(value));
}
