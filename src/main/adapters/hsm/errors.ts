import pkcs11js from 'pkcs11js';
import type { CodedError } from '../../../core/errors';
import type { ErrorCode } from '../../../shared/errors';
import { stationError } from '../../errors';
import { CK, CKR_NAMES } from './ck';

/** Returns the CKR value of a pkcs11js error, or null for anything else. Never parses message text. */
export function ckrOf(e: unknown): number | null {
  if (e instanceof pkcs11js.Pkcs11Error && typeof e.code === 'number') return e.code;
  const unwrapped = unwrappedBindingError(e);
  return unwrapped ? unwrapped.code : null;
}

/**
 * pkcs11js 2.1.7 leaves C_FindObjects, C_CreateObject, C_SetAttributeValue and C_CopyObject out of its
 * error wrapping (index.js `modify` and its subclass methods), so their failures arrive as the native
 * layer's plain Error, and would surface as INTERNAL faults (found by the fault matrix). The binding's
 * own Pkcs11Error reads that native error exactly as it does for every other call; only a plain Error
 * in the native layer's form qualifies, never one of ours.
 */
function unwrappedBindingError(e: unknown): pkcs11js.Pkcs11Error | null {
  if (!(e instanceof Error) || Object.getPrototypeOf(e) !== Error.prototype) return null;
  if (!/^CKR_[A-Z0-9_]+:\d+/.test(e.message)) return null;
  const wrapped = new pkcs11js.Pkcs11Error(e.message);
  return wrapped.code > 0 ? wrapped : null;
}

/**
 * Maps a PKCS#11 failure to a coded station error by its CKR code. `pinState` is read from the token
 * after a failed login, so the operator learns how close the PIN is to locking (PKCS#11 reports this as
 * flags, not a count).
 */
export function mapPkcs11Error(
  e: unknown,
  operation: string,
  context: { serial?: string; pinState?: { countLow: boolean; finalTry: boolean; locked: boolean } } = {},
): CodedError<ErrorCode> | unknown {
  const ckr = ckrOf(e);
  if (ckr === null) return e;
  const name = CKR_NAMES[ckr] ?? `0x${ckr.toString(16)}`;
  const data = { ckr: name, operation, ...(context.serial ? { serial: context.serial } : {}) };
  const on = context.serial ? ` on token ${context.serial}` : '';
  const code = codeFor(ckr);
  if (code === 'PIN_INCORRECT' && context.pinState) {
    const { countLow, finalTry, locked } = context.pinState;
    const state = locked
      ? 'the PIN is now locked'
      : finalTry
        ? 'one try is left before the PIN locks'
        : countLow
          ? 'the token reports failed attempts'
          : 'the token does not report tries left';
    return stationError(code, `${operation}: wrong PIN${on} (${state})`, {
      ...data,
      finalTry,
      locked,
      countLow,
    });
  }
  return stationError(code, `${operation} failed${on}: ${name}`, data);
}

function codeFor(ckr: number): ErrorCode {
  switch (ckr) {
    case CK.CKR_PIN_INCORRECT:
      return 'PIN_INCORRECT';
    case CK.CKR_PIN_INVALID:
    case CK.CKR_PIN_LEN_RANGE:
      return 'PIN_INVALID';
    case CK.CKR_PIN_LOCKED:
      return 'PIN_LOCKED';
    case CK.CKR_TOKEN_NOT_PRESENT:
    case CK.CKR_TOKEN_NOT_RECOGNIZED:
      return 'TOKEN_NOT_PRESENT';
    case CK.CKR_DEVICE_REMOVED:
      return 'DEVICE_REMOVED';
    case CK.CKR_SESSION_HANDLE_INVALID:
    case CK.CKR_SESSION_CLOSED:
      return 'SESSION_HANDLE_INVALID';
    case CK.CKR_USER_ALREADY_LOGGED_IN:
    case CK.CKR_USER_ANOTHER_ALREADY_LOGGED_IN:
      return 'USER_ALREADY_LOGGED_IN';
    case CK.CKR_HOST_MEMORY:
    case CK.CKR_DEVICE_MEMORY:
      return 'DEVICE_MEMORY';
    case CK.CKR_MECHANISM_INVALID:
    case CK.CKR_MECHANISM_PARAM_INVALID:
    case CK.CKR_DOMAIN_PARAMS_INVALID:
    case CK.CKR_CURVE_NOT_SUPPORTED:
      return 'MECHANISM_UNSUPPORTED';
    default:
      return 'DEVICE_ERROR';
  }
}
