import type { z } from 'zod';
import {
  ACT_METHODS,
  confirmationSchema,
  contract,
  isConfirmedMethod,
  type Confirmation,
  type ConfirmedMethod,
  isMethod,
  type Method,
  type ParsedInput,
  type View,
} from '../../shared/contract';
import type { Result } from '../../shared/errors';
import { firstIssue } from '../../core/validate';
import { toErrorPayload } from '../errors';
import { isTrustedSender, type SenderInfo, type TrustedOrigins } from './sender';

/** Handlers may return the services' readonly data as is: the dispatcher re-parses every output. */
export type Handlers = {
  readonly [M in Method]: (input: ParsedInput<M>) => Promise<View<M>> | View<M>;
};

export type Dispatch = (method: string, input: unknown, sender: SenderInfo) => Promise<Result<unknown>>;

/** Names the first failing field of a zod error, e.g. `input.fromSeq: Too small: expected number to be >=1`. */
export function describeZodError(error: z.ZodError, root = 'input'): { field: string; message: string } {
  const { field, message } = firstIssue(error, root);
  return { field, message: `${field}: ${message}` };
}

/**
 * The typed wrapper every handler is registered through: (a) sender check, (b) input parsed with the
 * channel's schema, (c) thrown domain errors mapped to codes; outputs are checked against the schema
 * too, so the renderer never receives a shape the contract does not promise.
 */
/** Who the acts of this console are recorded under (its signed-in operator), or a coded refusal. */
export interface ActingOperator {
  actor(): string;
  /** The act was carried out: its session's idle clock moves (a refused or malformed one does not). */
  acted(): void;
}

/**
 * Checks that an irreversible act carries the confirmation of the preview composed for it now, and
 * answers how to run it: on the journal head that preview was made against (its first record lands
 * right after it, or nothing is recorded).
 */
export type ConfirmCheck = (
  method: ConfirmedMethod,
  input: Readonly<Record<string, unknown>>,
  confirm: Confirmation | undefined,
) => Runner | Promise<Runner>;

type Runner = <T>(run: () => T) => T;

export function createDispatcher(
  handlers: Handlers,
  trusted: TrustedOrigins,
  log: (msg: string, err: unknown) => void,
  operator: ActingOperator,
  confirmAct: ConfirmCheck,
): Dispatch {
  return async (method, input, sender) => {
    if (!isTrustedSender(sender, trusted)) {
      return fail('UNAUTHORIZED_SENDER', `call to ${method} refused: sender is not a station window`, {});
    }
    if (!isMethod(method)) {
      return fail('UNKNOWN_CHANNEL', `no channel named "${method}"`, { field: 'method' });
    }
    const spec = contract[method];
    let given: unknown = input ?? {};
    // An irreversible act's confirmation travels beside its input; it is checked once the act is parsed.
    let confirm: Confirmation | undefined;
    if (
      isConfirmedMethod(method) &&
      given !== null &&
      typeof given === 'object' &&
      Object.hasOwn(given, 'confirm')
    ) {
      const { confirm: sent, ...rest } = given as { confirm: unknown };
      const c = confirmationSchema.safeParse(sent);
      if (!c.success) {
        const { field, message } = describeZodError(c.error, 'confirm');
        return fail('INVALID_INPUT', message, { field, method });
      }
      confirm = c.data;
      given = rest;
    }
    if (ACT_METHODS.has(method)) {
      // OPS-ACTIVE: an act is recorded under the console's signed-in operator, never a name the window
      // sends (a typed name cannot change who the journal says acted).
      if (given !== null && typeof given === 'object' && Object.hasOwn(given, 'actor'))
        return fail(
          'OPERATOR_ACTOR_MISMATCH',
          `${method}: the window may not name the actor; the act is recorded under the signed-in operator`,
          { field: 'actor', method },
        );
      try {
        given = { ...(given as object), actor: operator.actor() };
      } catch (e) {
        return { ok: false, error: toErrorPayload(e, log) };
      }
    }
    // A preview is of the act as it would run: the window names no actor there either.
    if (method === 'actPreview' && previewNamesActor(given))
      return fail(
        'OPERATOR_ACTOR_MISMATCH',
        'actPreview: the window may not name the actor; the act is recorded under the signed-in operator',
        { field: 'input.actor', method },
      );
    const parsed = spec.input.safeParse(given);
    if (!parsed.success) {
      const { field, message } = describeZodError(parsed.error);
      // A preview refuses exactly as its act would, naming the act's own field (not the wrapper's).
      const previewed = method === 'actPreview' ? previewedMethod(given) : null;
      if (previewed !== null && field.startsWith('input.input')) {
        const inner = `input${field.slice('input.input'.length)}`;
        return fail('INVALID_INPUT', `${inner}${message.slice(field.length)}`, {
          field: inner,
          method: previewed,
        });
      }
      return fail('INVALID_INPUT', message, { field, method });
    }
    try {
      const within: Runner = isConfirmedMethod(method)
        ? await confirmAct(method, parsed.data as Readonly<Record<string, unknown>>, confirm)
        : (run) => run();
      const handler = handlers[method] as (input: unknown) => Promise<unknown> | unknown;
      const value: unknown = await within(() => handler(parsed.data));
      if (ACT_METHODS.has(method)) operator.acted();
      const checked = spec.output.safeParse(value);
      if (!checked.success) {
        log(`handler ${method} returned a value outside its contract`, checked.error);
        return fail(
          'INTERNAL',
          'The station produced a response outside its contract; it has been logged.',
          {},
        );
      }
      return { ok: true, value: checked.data };
    } catch (e) {
      return { ok: false, error: toErrorPayload(e, log) };
    }
  };
}

function fail(
  code: 'UNAUTHORIZED_SENDER' | 'UNKNOWN_CHANNEL' | 'INVALID_INPUT' | 'INTERNAL' | 'OPERATOR_ACTOR_MISMATCH',
  message: string,
  data: Record<string, string>,
): Result<never> {
  return { ok: false, error: { code, message, data } };
}

/** The act an actPreview request names, when it names a confirmed one. */
function previewedMethod(given: unknown): string | null {
  const m = given !== null && typeof given === 'object' ? (given as { method?: unknown }).method : undefined;
  return typeof m === 'string' && isConfirmedMethod(m) ? m : null;
}

function previewNamesActor(given: unknown): boolean {
  const input =
    given !== null && typeof given === 'object' ? (given as { input?: unknown }).input : undefined;
  return input !== null && typeof input === 'object' && Object.hasOwn(input, 'actor');
}
