import { useRef, useState, type FormEvent, type ReactNode } from 'react';
import { PinField, takePin } from '../../components/PinField';

/**
 * An act on a token: shows exactly what will happen, asks for the token PIN, and runs once on a
 * deliberate submit. The PIN is read from the field and cleared before the call starts.
 */
export function ActForm(props: {
  title: string;
  submitLabel: string;
  /** True while the act may not be confirmed yet (e.g. its exact content has not been shown). */
  submitDisabled?: boolean;
  children: ReactNode;
  onSubmit: (pin: string) => Promise<boolean>;
  onCancel: () => void;
}) {
  const pinRef = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const pin = takePin(pinRef);
    setBusy(true);
    const done = await props.onSubmit(pin);
    setBusy(false);
    if (done) props.onCancel();
  };

  return (
    <form className="act-form" aria-label={props.title} onSubmit={(e) => void submit(e)}>
      <h3>{props.title}</h3>
      {props.children}
      <PinField inputRef={pinRef} label="Token user PIN" disabled={busy} />
      <div className="actions">
        <button type="submit" className="primary" disabled={busy || props.submitDisabled}>
          {busy ? 'Working…' : props.submitLabel}
        </button>
        <button type="button" onClick={props.onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </form>
  );
}
