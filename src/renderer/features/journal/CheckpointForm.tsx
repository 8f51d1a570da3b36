import { useRef, useState, type FormEvent } from 'react';
import { useStation } from '../../app/store';
import { PinField, takePin } from '../../components/PinField';

/**
 * Signing a checkpoint is an act: the form says exactly what will be signed and by which key, and asks
 * for the station token PIN. The PIN lives only in the input until submit, is sent for one login and
 * cleared; it never enters the store, a log or the journal.
 */
export function CheckpointForm() {
  const api = useStation((s) => s.api);
  const info = useStation((s) => s.info);
  const total = useStation((s) => s.journalTotal);
  const verify = useStation((s) => s.verify);
  const showError = useStation((s) => s.showError);
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const pinRef = useRef<HTMLInputElement>(null);

  if (!info?.identity) return null;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!api) return;
    const pin = takePin(pinRef);
    setBusy(true);
    const r = await api.journalCheckpoint({ pin, expectedSize: total });
    setBusy(false);
    if (!r.ok) return showError(r.error);
    setOpen(false);
    // A warning (e.g. a planted object beside the token's mark: JNL-MARK) does not undo the checkpoint.
    const warnings = r.value.warnings.map((w) => ` Warning ${w.code}: ${w.message}`).join('');
    setDone(`Checkpoint ${r.value.n} signed over ${r.value.size} entries.${warnings}`);
    await verify();
  };

  if (!open) {
    return (
      <div className="checkpoint">
        <button type="button" onClick={() => (setDone(null), setOpen(true))}>
          Sign checkpoint…
        </button>
        {done ? <span role="status">{done}</span> : null}
      </div>
    );
  }
  return (
    <form className="checkpoint-form" onSubmit={(e) => void submit(e)} aria-label="Sign checkpoint">
      <p>
        Signs <strong>the journal head (seq {total})</strong> with the station identity key{' '}
        <code>{info.identity.words.slice(0, 4).join(' ')}</code> on token{' '}
        <code>{info.identity.tokenSerial}</code>. One login, one signature, then logout.
      </p>
      <PinField inputRef={pinRef} label="Station token user PIN" disabled={busy} />
      <button type="submit" className="primary" disabled={busy}>
        {busy ? 'Signing…' : 'Sign checkpoint'}
      </button>
      <button type="button" onClick={() => setOpen(false)} disabled={busy}>
        Cancel
      </button>
    </form>
  );
}
