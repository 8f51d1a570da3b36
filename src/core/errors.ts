import type { ApprovalRefusalCode } from './bundle/approval';
import type { ArchiveRefusalCode } from './bundle/archive-policy';
import type { ImportRefusalCode } from './bundle/import-policy';
import type { CeremonyErrorCode } from './ceremony/validate';

/**
 * Coded, serialisable errors (after isomorphic-git's BaseError): a stable `code`, a human message that
 * says what happened and what to do, and a JSON-safe `data` payload (e.g. the field path that failed).
 * They cross IPC as `{ ok: false, error: { code, message, data } }`.
 *
 * The catalogue of every code the station can emit, with its class and operator action, lives in
 * src/shared/errors.ts; core only names the codes it raises itself.
 */
export type ErrorData = Readonly<Record<string, string | number | boolean | null | readonly string[]>>;

export class CodedError<C extends string = string> extends Error {
  override readonly name = 'CodedError';
  constructor(
    readonly code: C,
    message: string,
    readonly data: ErrorData = {},
  ) {
    super(message);
  }

  toJSON(): { code: C; message: string; data: ErrorData } {
    return { code: this.code, message: this.message, data: this.data };
  }
}

/** Codes raised by src/core. Every one must appear in the shared catalogue (checked at compile time). */
export type CoreErrorCode =
  | 'INVALID_INPUT'
  | 'CANONICAL_JSON_INVALID'
  | 'JOURNAL_KIND_UNKNOWN'
  | 'JOURNAL_BODY_INVALID'
  | 'JOURNAL_ENTRY_INVALID'
  | 'SHARE_MALFORMED'
  | 'SHARE_CHECKSUM'
  | 'PACKET_ITEM_EXISTS'
  | 'PACKET_EVIDENCE_UNKNOWN'
  | 'PACKET_CLAIM_UNSUPPORTED'
  | 'PACKET_CLAIM_DERIVED'
  | 'PACKET_ACKNOWLEDGEMENT_REFUSED'
  | 'RECORD_INVALID'
  | 'RECORD_FAMILY_UNKNOWN'
  | 'POLICY_UNKNOWN'
  | 'POLICY_INVALID'
  | 'ALGORITHM_UNKNOWN'
  | ArchiveRefusalCode
  | ImportRefusalCode
  | ApprovalRefusalCode
  | CeremonyErrorCode;

export function coreError(code: CoreErrorCode, message: string, data?: ErrorData): CodedError<CoreErrorCode> {
  return new CodedError(code, message, data);
}

/** Exhaustiveness guard for `default:` branches over a union. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`);
}
