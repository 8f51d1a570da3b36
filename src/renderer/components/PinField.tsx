import type { RefObject } from 'react';

/**
 * A token PIN input: never echoed, never autofilled, read once on submit and cleared by the caller.
 * The value lives only in the DOM element, never in React or zustand state.
 */
export function PinField({
  inputRef,
  label,
  disabled,
}: {
  inputRef: RefObject<HTMLInputElement | null>;
  label: string;
  disabled?: boolean;
}) {
  return (
    <label className="field">
      <span>{label}</span>
      <input
        ref={inputRef}
        type="password"
        autoComplete="off"
        spellCheck={false}
        minLength={4}
        maxLength={255}
        required
        disabled={disabled}
      />
    </label>
  );
}

/** Reads and clears a PIN field. */
export function takePin(ref: RefObject<HTMLInputElement | null>): string {
  const input = ref.current;
  if (!input) return '';
  const pin = input.value;
  input.value = '';
  return pin;
}
