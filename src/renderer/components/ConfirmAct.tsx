import { useEffect, useRef, useState, type ReactNode } from 'react';
import {
  PREVIEW_REDACTED_FIELDS,
  type ActPreview,
  type ConfirmedMethod,
  type Output,
  type WindowInput,
} from '../../shared/contract';
import type { Result } from '../../shared/errors';
import { useStation } from '../app/store';
import { Digest } from './Digest';
import { PinField, takePin } from './PinField';
import './confirm-act.css';

/** The act's input as the form builds it: no confirmation (the preview supplies it), no PIN yet. */
export type ActDraft<M extends ConfirmedMethod> = Omit<WindowInput<M>, 'confirm' | 'pin'>;

interface Pending<M extends ConfirmedMethod> {
  draft: ActDraft<M>;
  preview: ActPreview;
  form: HTMLFormElement | null;
}

/**
 * An irreversible act in two steps (contract/acts.ts): the form asks for the preview — exactly what
 * will be recorded, under whom, against which journal head, and its digest in hex and words — and only
 * "Confirm and record" on that preview runs the act, carrying the digest. A destructive act also needs
 * the named value typed; an act on a token takes its PIN here, after the preview. If anything changed
 * since the preview the station refuses the act (PREVIEW_STALE) and the preview says it is stale.
 */
export function useConfirmedAct<M extends ConfirmedMethod>(
  method: M,
  opts: { needsPin?: boolean; onDone: (value: Output<M>) => void | Promise<void> },
): { ask: (draft: ActDraft<M>, form?: HTMLFormElement | null) => Promise<void>; panel: ReactNode } {
  const api = useStation((s) => s.api);
  const showError = useStation((s) => s.showError);
  const dismissError = useStation((s) => s.dismissError);
  const [pending, setPending] = useState<Pending<M> | null>(null);
  const [stale, setStale] = useState(false);
  const [busy, setBusy] = useState(false);
  const typedRef = useRef<HTMLInputElement>(null);
  const pinRef = useRef<HTMLInputElement>(null);

  // While a preview is open, the journal is watched: any new entry (an act here or elsewhere, a
  // sign-in or sign-out) makes it stale at once, before anybody tries to confirm it.
  const watching = pending !== null && !stale && !busy;
  const basedOnSeq = pending?.preview.basedOn.seq ?? null;
  useEffect(() => {
    if (!api || !watching || basedOnSeq === null) return;
    let live = true;
    const look = () =>
      void api.journalPage({ fromSeq: 1, limit: 1 }).then((r) => {
        if (live && r.ok && r.value.total !== basedOnSeq) setStale(true);
      });
    const timer = setInterval(look, 2_000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [api, watching, basedOnSeq]);

  const ask = async (draft: ActDraft<M>, form: HTMLFormElement | null = null) => {
    if (!api) return;
    // The preview never holds a secret (a PIN, a passphrase, shares): they go with the act only.
    const shown = Object.fromEntries(
      Object.entries(draft as Record<string, unknown>).filter(([k]) => !PREVIEW_REDACTED_FIELDS.includes(k)),
    );
    const r = await api.actPreview({ method, input: shown });
    if (!r.ok) return showError(r.error);
    dismissError();
    setStale(false);
    setPending({ draft, preview: r.value, form });
  };

  const confirm = async () => {
    if (!api || !pending) return;
    const typed = typedRef.current?.value ?? undefined;
    const input = {
      ...pending.draft,
      ...(opts.needsPin ? { pin: takePin(pinRef) } : {}),
      confirm: { digest: pending.preview.digest, ...(pending.preview.typeToConfirm ? { typed } : {}) },
    };
    setBusy(true);
    const call = api[method] as (i: unknown) => Promise<Result<Output<M>>>;
    const r = await call(input);
    setBusy(false);
    // Secrets (shares typed in, a passphrase) go with one attempt only: after it, whatever came of it,
    // nothing keeps them — the form asks for them again.
    const heldSecrets = Object.keys(pending.draft as object).some((k) => PREVIEW_REDACTED_FIELDS.includes(k));
    if (!r.ok) {
      if (heldSecrets) setPending(null);
      else if (r.error.code === 'PREVIEW_STALE') setStale(true);
      return showError(r.error);
    }
    pending.form?.reset();
    setPending(null);
    await opts.onDone(r.value);
  };

  const back = () => {
    setPending(null);
    setStale(false);
  };

  const p = pending?.preview;
  const panel = p ? (
    <section className="act-preview" aria-label={`Preview: ${p.title}`}>
      <h3>
        Preview — {p.title} {stale ? <span className="stale-word">STALE</span> : null}
      </h3>
      <p>
        Will be recorded under <strong>{p.actor}</strong> as journal entry {p.nextSeq} (after seq{' '}
        {p.basedOn.seq}
        {p.basedOn.hash ? `, head ${p.basedOn.hash.slice(0, 12)}…` : ''}).
      </p>
      <table className="act-preview-fields">
        <caption className="visually-hidden">What will be recorded</caption>
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Value</th>
          </tr>
        </thead>
        <tbody>
          {p.fields.map((f) => (
            <tr key={f.path}>
              <th scope="row">{f.path}</th>
              <td>{f.value}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Digest hex={p.digest} words={p.words} label="Digest of this preview (SHA-256 of its canonical JSON)" />
      <details>
        <summary>The statement, exactly as digested</summary>
        <pre className="act-preview-statement">{p.statement}</pre>
      </details>
      {stale ? (
        <p className="stale-note" role="status">
          Something changed since this preview (a field, the signed-in person or the journal): it cannot be
          confirmed. Preview again to see what would be recorded now.
        </p>
      ) : null}
      {p.typeToConfirm && !stale ? (
        <label className="field">
          <span>
            This cannot be undone. Type the {p.typeToConfirm.label} <code>{p.typeToConfirm.value}</code> to
            confirm
          </span>
          <input ref={typedRef} autoComplete="off" spellCheck={false} required />
        </label>
      ) : null}
      {opts.needsPin && !stale ? <PinField inputRef={pinRef} label="Token user PIN" disabled={busy} /> : null}
      <div className="actions">
        {stale ? (
          <button type="button" className="primary" onClick={() => void ask(pending.draft, pending.form)}>
            Preview again
          </button>
        ) : (
          <button type="button" className="primary" disabled={busy} onClick={() => void confirm()}>
            {busy ? 'Recording…' : 'Confirm and record'}
          </button>
        )}
        <button type="button" onClick={back} disabled={busy}>
          Back to the form
        </button>
      </div>
    </section>
  ) : null;

  return { ask, panel };
}
