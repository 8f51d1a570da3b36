import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { ModuleView } from '../../../shared/contract';
import { useStation } from '../../app/store';
import { Badge } from '../../components/Badge';
import { useConfirmedAct } from '../../components/ConfirmAct';
import { FieldError } from '../../components/FieldError';
import { byRank, laneWord, type Authority, type Redirect } from './model';

/** What a key file is read as in the window: its text, never more than the station reads. */
const KEY_FILE_MAX_BYTES = 16_384;

/**
 * A person holding one of the matrix's redirect roles sends the case to another lane (design §6), with
 * a reason for a broad audience and, if needed, a RESTRICTED note for the approved channel (only its
 * SHA-256 is journaled). Every lane is offered with the status the station computed for it: a blocked or
 * not-required target is allowed and recorded beside the computed lane, never refused. The person signs
 * with their own key — a passphrase-protected key file, or their token (PIN after the preview) — as the
 * owner's attestation decision is signed; the preview shows exactly what will be recorded first. The key
 * file's text and the passphrase are never part of the preview and go with one attempt only.
 */
export function RedirectForm(props: {
  incidentId: string;
  evaluationSeq: number;
  authority: Pick<Authority, 'lanes' | 'recommended'>;
  onDone: (r: Redirect) => Promise<void>;
}) {
  const api = useStation((s) => s.api);
  const showError = useStation((s) => s.showError);
  const [modules, setModules] = useState<ModuleView[]>([]);
  const [signWith, setSignWith] = useState<'key-file' | 'token'>('key-file');
  const keyFile = useRef<HTMLInputElement>(null);
  const passphrase = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (!api) return;
    void api.devicesModules({}).then((r) => (r.ok ? setModules(r.value) : showError(r.error)));
  }, [api, showError]);

  const withKey = useConfirmedAct('authorityRedirect', { onDone: props.onDone });
  const withToken = useConfirmedAct('authorityRedirectWithToken', { needsPin: true, onDone: props.onDone });

  /** The chosen key file's text, read once and the field emptied; null (with the reason shown) if unfit. */
  const takeKeyFile = async (): Promise<string | null> => {
    const input = keyFile.current;
    const file = input?.files?.[0];
    if (input) input.value = '';
    if (!file) return null;
    if (file.size > KEY_FILE_MAX_BYTES) {
      showError({
        code: 'INVALID_INPUT',
        message: `${file.name} is ${file.size} bytes: a key file is at most ${KEY_FILE_MAX_BYTES}`,
        data: { field: 'keyFile' },
      });
      return null;
    }
    return file.text();
  };

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const d = new FormData(form);
    const note = String(d.get('restrictedNote') ?? '');
    const base = {
      incidentId: props.incidentId,
      evaluationSeq: props.evaluationSeq,
      toLane: String(d.get('toLane') ?? ''),
      reason: String(d.get('reason') ?? ''),
      ...(note.trim() !== '' ? { restrictedNote: note } : {}),
    };
    if (signWith === 'key-file') {
      const secret = passphrase.current?.value ?? '';
      if (passphrase.current) passphrase.current.value = '';
      const text = await takeKeyFile();
      if (text === null) return;
      await withKey.ask({ ...base, keyFile: text, passphrase: secret }, form);
    } else {
      const [moduleId = '', serial = ''] = String(d.get('token') ?? '').split('|');
      await withToken.ask(
        {
          ...base,
          moduleId,
          serial,
          keyId: String(d.get('keyId') ?? '')
            .trim()
            .toLowerCase(),
        },
        form,
      );
    }
  };

  const computed = props.authority.lanes.find((l) => l.laneId === props.authority.recommended);
  return (
    <section className="module" aria-label="Redirect">
      <h2>Redirect the recommendation</h2>
      <form
        // A new evaluation gives a fresh, empty form, never one half-filled for an evaluation not read.
        key={props.evaluationSeq}
        className="act-form redirect-form"
        aria-label="Redirect to another lane"
        onSubmit={(e) => void submit(e)}
      >
        <p>
          A person holding a redirect role of the matrix may send evaluation {props.evaluationSeq} to another
          lane. The station computes <strong>{computed ? computed.title : 'no lane'}</strong>
          {computed ? (
            <>
              {' '}
              <Badge word="RECOMMENDED" />
            </>
          ) : null}
          ; that stays on screen beside your choice. A blocked or not-required lane may be chosen: its
          computed status is recorded with it.
        </p>
        <label className="field">
          <span>Target lane</span>
          <select name="toLane" defaultValue="" required>
            <option value="" disabled>
              — choose —
            </option>
            {byRank(props.authority.lanes).map((l) => (
              <option key={l.laneId} value={l.laneId}>
                {l.title} — computed {laneWord(l.status)}
              </option>
            ))}
          </select>
          <FieldError name="toLane" />
        </label>
        <label className="field">
          <span>Reason (for a broad audience, plain words)</span>
          <textarea name="reason" required maxLength={2000} rows={3} />
          <FieldError name="reason" />
        </label>
        <label className="field">
          <span>
            <Badge word="RESTRICTED" /> Restricted note (optional; approved channel only — kept by its digest,
            never journaled)
          </span>
          <textarea name="restrictedNote" rows={2} maxLength={20_000} />
          <FieldError name="restrictedNote" />
        </label>
        <fieldset className="choice">
          <legend>Sign with your own key</legend>
          <label className="check">
            <input
              type="radio"
              name="signWith"
              checked={signWith === 'key-file'}
              onChange={() => setSignWith('key-file')}
            />{' '}
            Key file and passphrase
          </label>
          <label className="check">
            <input
              type="radio"
              name="signWith"
              checked={signWith === 'token'}
              onChange={() => setSignWith('token')}
            />{' '}
            Token (PIN after the preview)
          </label>
        </fieldset>
        {signWith === 'key-file' ? (
          <>
            <label className="field">
              <span>Your reviewer key file</span>
              <input ref={keyFile} type="file" required />
              <FieldError name="keyFile" />
            </label>
            <label className="field">
              <span>Key file passphrase</span>
              <input
                ref={passphrase}
                type="password"
                autoComplete="off"
                spellCheck={false}
                maxLength={1024}
                required
              />
              <FieldError name="passphrase" />
            </label>
          </>
        ) : (
          <>
            <label className="field">
              <span>Your token</span>
              <select name="token" required defaultValue="">
                <option value="" disabled>
                  — choose —
                </option>
                {modules.flatMap((m) =>
                  m.tokens.map((t) => (
                    <option key={`${m.moduleId}|${t.serial}`} value={`${m.moduleId}|${t.serial}`}>
                      {t.label} ({t.serial})
                    </option>
                  )),
                )}
              </select>
            </label>
            <label className="field">
              <span>Key id on the token (CKA_ID, hex)</span>
              <input name="keyId" required pattern="([0-9a-fA-F]{2}){1,64}" />
            </label>
          </>
        )}
        <FieldError name="key" />
        <FieldError name="evaluationSeq" />
        <button type="submit" className="primary">
          Preview the redirect…
        </button>
      </form>
      {withKey.panel}
      {withToken.panel}
    </section>
  );
}
