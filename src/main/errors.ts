import { CodedError, type ErrorData } from '../core/errors';
import { isErrorCode, type ErrorCode, type StationErrorPayload } from '../shared/errors';

/** Raise a catalogued error from the shell (adapters, services, ipc). */
export function stationError(code: ErrorCode, message: string, data?: ErrorData): CodedError<ErrorCode> {
  return new CodedError(code, message, data);
}

/**
 * Maps anything thrown to the wire payload. Catalogued coded errors pass through; anything else is an
 * INTERNAL fault whose details stay in the main-process log (never shipped to the renderer).
 */
export function toErrorPayload(e: unknown, log: (msg: string, err: unknown) => void): StationErrorPayload {
  if (e instanceof CodedError && isErrorCode(e.code)) {
    return { code: e.code, message: e.message, data: e.data };
  }
  log('unexpected fault', e);
  return { code: 'INTERNAL', message: 'An unexpected fault occurred; it has been logged.', data: {} };
}
