import type { CoreErrorCode, ErrorData } from '../core/errors';

/**
 * Every error code the station can emit, with its failure class and what the operator should do next.
 * The class decides the CLI exit code (src/cli/exit-codes.ts) and the colour of the UI message.
 */
export type FailureClass = 'usage' | 'invalid-input' | 'integrity' | 'device' | 'state' | 'internal';

export const ERROR_CATALOGUE = {
  INVALID_INPUT: { class: 'invalid-input', action: 'Correct the named field and try again.' },
  CANONICAL_JSON_INVALID: {
    class: 'invalid-input',
    action: 'Remove values JSON cannot represent exactly (NaN, Infinity, undefined, cycles).',
  },
  JOURNAL_KIND_UNKNOWN: { class: 'invalid-input', action: 'Use an event kind from the journal catalogue.' },
  JOURNAL_BODY_INVALID: { class: 'invalid-input', action: 'Correct the named body field and try again.' },
  JOURNAL_ENTRY_INVALID: { class: 'invalid-input', action: 'Correct the named field and try again.' },
  UNKNOWN_CHANNEL: {
    class: 'usage',
    action: 'Update the station: the caller and the station disagree on the contract.',
  },
  UNAUTHORIZED_SENDER: {
    class: 'usage',
    action: 'Only the station window may call the station. Reload the station window.',
  },
  NOT_FOUND: { class: 'invalid-input', action: 'Check the identifier; list the items to see what exists.' },
  STATION_NOT_INITIALISED: {
    class: 'state',
    action: 'Create the station first (`station init`, or `station demo` for a demo station).',
  },
  STATION_EXISTS: {
    class: 'state',
    action: 'A station already lives in this data directory: choose another --data-dir.',
  },
  STORE_READ_ONLY: {
    class: 'integrity',
    action:
      'The database failed its integrity check and is open read-only. Export the journal, then restore from backup.',
  },
  STORE_CORRUPT: {
    class: 'integrity',
    action: 'The database file cannot be read. Restore it from backup; do not delete the damaged file.',
  },
  STORE_FROM_FUTURE: {
    class: 'state',
    action:
      'This database was written by a newer station version. Use that version; never downgrade a station.',
  },
  JOURNAL_CONFLICT: { class: 'state', action: 'Another writer changed the journal head; repeat the step.' },
  JOURNAL_TAMPERED: {
    class: 'integrity',
    action: 'Stop: the journal failed verification. Preserve the database file and escalate.',
  },
  CHECKPOINT_SIGNER_UNAVAILABLE: {
    class: 'state',
    action: 'The station identity key is needed to sign a checkpoint: connect the station HSM and log in.',
  },
  OUTPUT_EXISTS: {
    class: 'invalid-input',
    action: 'Choose a new output file: the station never overwrites one.',
  },
  HOST_DISCONNECTED: {
    class: 'state',
    action: 'The station process stopped or the connection was lost. Restart the station (npm start).',
  },
  INTERNAL: { class: 'internal', action: 'An unexpected fault. Note the time, keep the logs and report it.' },
} as const satisfies Record<string, { class: FailureClass; action: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

// Compile-time check: every code src/core raises is in the catalogue.
type MissingCoreCodes = Exclude<CoreErrorCode, ErrorCode>;
const coreCodesCatalogued: [MissingCoreCodes] extends [never] ? true : MissingCoreCodes = true;
void coreCodesCatalogued;

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CATALOGUE, code);
}

export interface StationErrorPayload {
  readonly code: ErrorCode;
  readonly message: string;
  readonly data: ErrorData;
}

/** The envelope every contract call returns (after Signal's wrapResult): never a thrown exception. */
export type Result<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: StationErrorPayload };
