import { useEffect, useState, type FormEvent } from 'react';
import type { Output } from '../../../shared/contract';
import { useStation } from '../../app/store';
import { useConfirmedAct } from '../../components/ConfirmAct';
import { Digest } from '../../components/Digest';
import { boundSession, QuorumActButton, QuorumBinding, type SessionSummary } from './QuorumBinding';
import './roster-changes.css';

type Split = Output<'sharesList'>[number];

/**
 * Signs a file from the removable volume with a key on the share-activated ceremony token, as keygen
 * does: the operation (bound to the token, the key and the file's SHA-256), a quorum session for exactly
 * it, M shares typed in, then the preview and the act. The raw signature is written beside the file and
 * shown with its digest. Share text is cleared from the fields as soon as it is read.
 */
export function CeremonySignForm(props: {
  split: Split;
  /** Changes when a key was generated on the token here: the journaled keys are read again. */
  keysVersion: string;
  nameOf: (custodianId: string) => string;
  sessions: readonly SessionSummary[];
  onOpened: (sessionId: string) => Promise<void>;
  onSigned: () => Promise<void>;
}) {
  const api = useStation((s) => s.api);
  const showError = useStation((s) => s.showError);
  const dismissError = useStation((s) => s.dismissError);
  const { split } = props;
  const [keys, setKeys] = useState<Output<'ceremonyKeys'>>([]);
  const [files, setFiles] = useState<Output<'packetEvidenceFiles'>>([]);
  const [keyId, setKeyId] = useState('');
  const [path, setPath] = useState('');
  const [bound, setBound] = useState<Output<'ceremonySignOperation'> | null>(null);
  const [signed, setSigned] = useState<Output<'ceremonySign'> | null>(null);
  const act = useConfirmedAct('ceremonySign', {
    onDone: async (v) => {
      setSigned(v);
      setBound(null);
      await props.onSigned();
    },
  });

  useEffect(() => {
    if (!api) return;
    let live = true;
    void Promise.all([api.ceremonyKeys({ splitId: split.splitId }), api.packetEvidenceFiles({})]).then(
      ([k, f]) => {
        if (!live) return;
        if (k.ok) setKeys(k.value);
        else showError(k.error);
        if (f.ok) setFiles(f.value);
        else showError(f.error);
      },
    );
    return () => {
      live = false;
    };
  }, [api, showError, split.splitId, signed, props.keysVersion]);

  const show = async () => {
    if (!api) return;
    const r = await api.ceremonySignOperation({ splitId: split.splitId, keyId, path });
    if (!r.ok) return showError(r.error);
    dismissError();
    setSigned(null);
    setBound(r.value);
  };
  const session = boundSession(props.sessions, bound?.operation ?? null);

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (!session || !bound) return;
    const form = e.currentTarget;
    const data = new FormData(form);
    const shares = Array.from({ length: split.threshold }, (_, i) => {
      const input = form.elements.namedItem(`sign-share-${i}`) as HTMLInputElement;
      const text = input.value;
      input.value = '';
      return { text, enteredBy: String(data.get(`sign-holder-${i}`)) };
    });
    await act.ask(
      {
        splitId: split.splitId,
        keyId,
        path,
        dataSha256: bound.dataSha256,
        quorumSessionId: session.sessionId,
        shares,
      },
      form,
    );
  };

  return (
    <form className="act-form" aria-label="Sign a file with a ceremony key" onSubmit={(e) => void submit(e)}>
      <h3>Sign a file with a key on the ceremony token</h3>
      {keys.length === 0 ? (
        <p className="muted">The journal records no key generated on token {split.tokenSerial} yet.</p>
      ) : null}
      <div className="inline-form">
        <label className="field">
          <span>Ceremony key</span>
          <select value={keyId} onChange={(e) => (setKeyId(e.target.value), setBound(null))} required>
            <option value="">— choose —</option>
            {keys.map((k) => (
              <option key={k.id} value={k.id}>
                {k.label} · {k.keyType} {k.size} · {k.id.slice(0, 12)}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>File on the removable volume</span>
          <select value={path} onChange={(e) => (setPath(e.target.value), setBound(null))} required>
            <option value="">— choose —</option>
            {files.map((f) => (
              <option key={f.path} value={f.path}>
                {f.name} ({f.size} bytes)
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="actions">
        <button
          type="button"
          disabled={!keyId || !path}
          title={!keyId || !path ? 'Choose the key and the file to sign first' : undefined}
          onClick={() => void show()}
        >
          Show the operation to authorise
        </button>
      </div>
      {bound ? (
        <>
          <Digest
            hex={bound.dataSha256}
            words={bound.words}
            label={`SHA-256 of ${bound.name} (${bound.size} bytes): the exact bytes to be signed`}
          />
          <p>
            The signature will be written beside it as <code>{bound.signatureName}</code>.
          </p>
        </>
      ) : null}
      <QuorumBinding
        operation={bound?.operation ?? null}
        session={session}
        ceremonyId={`sign-${split.tokenSerial}`}
        step={`sign ${bound?.name ?? ''}`.slice(0, 80)}
        onOpened={props.onOpened}
      />
      {session
        ? Array.from({ length: split.threshold }, (_, i) => (
            <div key={i} className="inline-form">
              <label className="field">
                <span>Signing share {i + 1} entered by</span>
                <select name={`sign-holder-${i}`} defaultValue={split.holders[i]?.custodianId}>
                  {split.holders.map((h) => (
                    <option key={h.custodianId} value={h.custodianId}>
                      {props.nameOf(h.custodianId)}
                    </option>
                  ))}
                </select>
              </label>
              <label className="field">
                <span>Signing share {i + 1}</span>
                <input
                  name={`sign-share-${i}`}
                  type="password"
                  autoComplete="off"
                  spellCheck={false}
                  required
                />
              </label>
            </div>
          ))
        : null}
      <QuorumActButton session={session} bound="this signing">
        Preview the signing…
      </QuorumActButton>
      {act.panel}
      {signed ? (
        <div role="status">
          <p>
            Signed with {signed.algorithm}: signature written to <code>{signed.path}</code>.
          </p>
          <Digest hex={signed.signatureSha256} words={signed.words} label="SHA-256 of the signature file" />
          <Digest hex={signed.dataSha256} label="SHA-256 of the signed file" />
        </div>
      ) : null}
    </form>
  );
}
