import { useState } from 'react';
import { KEY_ALGORITHMS as ALGORITHMS } from '../../../shared/contract';
import type { KeyRecipe, KeyView, TokenView } from '../../../shared/contract';
import { useStation } from '../../app/store';
import { Badge } from '../../components/Badge';
import { Digest } from '../../components/Digest';
import { ActForm } from './ActForm';
import { busyDetail } from './busy';

type Act = 'keys' | 'inventory' | 'generate' | 'csr' | null;

/** One token: its keys (after login), and the acts an operator can take on it. */
export function TokenPanel(props: {
  moduleId: string;
  token: TokenView;
  onSelectKey: (k: KeyView | null) => void;
  selectedKey: KeyView | null;
}) {
  const api = useStation((s) => s.api);
  const showError = useStation((s) => s.showError);
  const refreshJournal = useStation((s) => s.verify);
  const { moduleId, token } = props;
  const signedIn = useStation((s) => s.operator?.session);
  const [act, setAct] = useState<Act>(null);
  const [keys, setKeys] = useState<KeyView[] | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [spec, setSpec] = useState({
    label: '',
    algorithm: 'ec-p256' as (typeof ALGORITHMS)[number],
    id: '',
  });
  const [recipe, setRecipe] = useState<(KeyRecipe & { digest: string }) | null>(null);
  const [csr, setCsr] = useState({ cn: '', o: '', c: '', dns: '' });
  const [csrResult, setCsrResult] = useState<{ pem: string; sha256: string; words: string[] } | null>(null);

  const actor = signedIn?.state === 'ACTIVE' ? signedIn.actor : 'nobody: sign in first';
  const ref = { moduleId, serial: token.serial };
  const keySpec = () => ({
    label: spec.label,
    algorithm: spec.algorithm,
    ...(spec.id ? { id: spec.id } : {}),
  });

  const open = (next: Act) => {
    setNotice(null);
    setRecipe(null);
    setCsrResult(null);
    setAct(next);
  };

  const preview = async () => {
    if (!api) return;
    const r = await api.devicesPreviewKey({ moduleId, key: keySpec() });
    if (r.ok) setRecipe(r.value);
    else showError(r.error);
  };

  return (
    <section className="token-panel" aria-label={`Token ${token.serial}`}>
      <h2>
        Token “{token.label}” <code>{token.serial}</code>
      </h2>
      {token.busy ? (
        <p role="status">
          <Badge word="BUSY" detail={busyDetail(token.busy)} /> An act started now waits its turn.
        </p>
      ) : null}
      <div className="actions">
        <button type="button" onClick={() => open('keys')}>
          Show keys…
        </button>
        <button type="button" onClick={() => open('inventory')}>
          Record inventory…
        </button>
        <button type="button" onClick={() => open('generate')}>
          Generate key…
        </button>
        <button
          type="button"
          onClick={() => open('csr')}
          disabled={!props.selectedKey?.hasPrivate}
          title={
            props.selectedKey?.hasPrivate ? undefined : 'Select a key with its private half on this token'
          }
        >
          Make CSR for selected key…
        </button>
      </div>
      {notice ? <p role="status">{notice}</p> : null}

      {act === 'keys' ? (
        <ActForm
          title="Show keys"
          submitLabel="Log in and list keys"
          onCancel={() => setAct(null)}
          onSubmit={async (pin) => {
            if (!api) return false;
            const r = await api.devicesKeys({ ...ref, pin });
            if (!r.ok) return (showError(r.error), false);
            setKeys(r.value);
            return true;
          }}
        >
          <p>Logs in to token {token.serial}, reads every key’s attributes, logs out. Nothing is recorded.</p>
        </ActForm>
      ) : null}

      {act === 'inventory' ? (
        <ActForm
          title="Record inventory"
          submitLabel="Record inventory"
          onCancel={() => setAct(null)}
          onSubmit={async (pin) => {
            if (!api) return false;
            const r = await api.devicesRecordInventory({ ...ref, pin });
            if (!r.ok) return (showError(r.error), false);
            setNotice(
              `Inventory of ${r.value.keys} key(s) recorded at seq ${r.value.seq}; digest ${r.value.digest}.`,
            );
            await refreshJournal();
            return true;
          }}
        >
          <p>
            Records in the journal, as <code>{actor}</code>: this token’s information and every key’s
            attributes as read back now, with a digest packets can cite.
          </p>
        </ActForm>
      ) : null}

      {act === 'generate' ? (
        <ActForm
          title="Generate key"
          submitLabel={`Generate on token ${token.serial}`}
          submitDisabled={!recipe}
          onCancel={() => setAct(null)}
          onSubmit={async (pin) => {
            if (!api) return false;
            // Generation confirms the exact template shown; the button is disabled until it has been.
            if (!recipe) return false;
            const r = await api.devicesGenerateKey({
              ...ref,
              pin,
              key: keySpec(),
              confirmedRecipe: recipe.digest,
            });
            if (!r.ok) return (showError(r.error), false);
            setNotice(
              `Generated ${r.value.keyType} ${r.value.size} key “${r.value.label}” (${r.value.residency?.verdict ?? '?'}).`,
            );
            setKeys((k) => (k ? [...k, r.value] : k));
            await refreshJournal();
            return true;
          }}
        >
          <label className="field">
            <span>Label (CKA_LABEL)</span>
            <input
              value={spec.label}
              onChange={(e) => (setSpec({ ...spec, label: e.target.value }), setRecipe(null))}
              required
            />
          </label>
          <label className="field">
            <span>Algorithm</span>
            <select
              value={spec.algorithm}
              onChange={(e) => (
                setSpec({ ...spec, algorithm: e.target.value as typeof spec.algorithm }),
                setRecipe(null)
              )}
            >
              {ALGORITHMS.map((a) => (
                <option key={a}>{a}</option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>CKA_ID (hex, optional)</span>
            <input
              value={spec.id}
              onChange={(e) => (setSpec({ ...spec, id: e.target.value }), setRecipe(null))}
            />
          </label>
          <button type="button" onClick={() => void preview()}>
            Show what will be created
          </button>
          {recipe ? (
            <RecipeTable recipe={recipe} />
          ) : (
            <p className="muted">Review the exact template before generating.</p>
          )}
        </ActForm>
      ) : null}

      {act === 'csr' && props.selectedKey ? (
        <ActForm
          title="Make CSR"
          submitLabel="Sign request on the token"
          onCancel={() => setAct(null)}
          onSubmit={async (pin) => {
            if (!api || !props.selectedKey) return false;
            const request = {
              subject: {
                commonName: csr.cn,
                ...(csr.o ? { organization: csr.o } : {}),
                ...(csr.c ? { country: csr.c } : {}),
              },
              san: { dns: csr.dns.split(/[\s,]+/).filter(Boolean), email: [], ip: [] },
            };
            const r = await api.devicesCsr({ ...ref, pin, keyId: props.selectedKey.id, request });
            if (!r.ok) return (showError(r.error), false);
            setCsrResult(r.value);
            await refreshJournal();
            return false;
          }}
        >
          <p>
            Key “{props.selectedKey.label}” ({props.selectedKey.keyType} {props.selectedKey.size}). The
            request is verified against the public key read from the token, then recorded.
          </p>
          <label className="field">
            <span>Common name</span>
            <input value={csr.cn} onChange={(e) => setCsr({ ...csr, cn: e.target.value })} required />
          </label>
          <label className="field">
            <span>Organization</span>
            <input value={csr.o} onChange={(e) => setCsr({ ...csr, o: e.target.value })} />
          </label>
          <label className="field">
            <span>Country (two letters)</span>
            <input value={csr.c} onChange={(e) => setCsr({ ...csr, c: e.target.value })} maxLength={2} />
          </label>
          <label className="field">
            <span>DNS names (comma separated)</span>
            <input value={csr.dns} onChange={(e) => setCsr({ ...csr, dns: e.target.value })} />
          </label>
          {csrResult ? (
            <>
              <Digest label="Request SHA-256" hex={csrResult.sha256} words={csrResult.words} />
              <textarea className="pem" readOnly value={csrResult.pem} aria-label="Request (PEM)" rows={8} />
            </>
          ) : null}
        </ActForm>
      ) : null}

      {keys ? (
        <table className="grid" aria-label="Keys">
          <thead>
            <tr>
              <th scope="col">Label</th>
              <th scope="col">CKA_ID</th>
              <th scope="col">Key</th>
              <th scope="col">Residency</th>
            </tr>
          </thead>
          <tbody>
            {keys.map((k) => (
              <tr
                key={`${k.id}/${k.label}`}
                className={props.selectedKey?.id === k.id ? 'selected' : undefined}
              >
                <td>
                  <button type="button" className="link" onClick={() => props.onSelectKey(k)}>
                    {k.label || '(no label)'}
                  </button>
                </td>
                <td>
                  <code>{k.id}</code>
                </td>
                <td>
                  {k.keyType} {k.size}
                </td>
                <td>
                  {k.residency ? (
                    <Badge word={k.residency.verdict} check={k.residency.failed.join(' ') || undefined} />
                  ) : (
                    <span className="muted">public key only</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

function RecipeTable({ recipe }: { recipe: KeyRecipe }) {
  return (
    <div className="recipe" aria-label="Key template">
      <p>
        Mechanism <code>{recipe.mechanism}</code>
      </p>
      {(['privateKey', 'publicKey'] as const).map((half) => (
        <table key={half} className="grid">
          <caption>{half === 'privateKey' ? 'Private key' : 'Public key'}</caption>
          <tbody>
            {recipe[half].map((a) => (
              <tr key={a.attribute}>
                <th scope="row">
                  <code>{a.attribute}</code>
                </th>
                <td>
                  <code>{a.value}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ))}
    </div>
  );
}

/** The detail pane for a selected key: its fingerprint as hex and words, and every read-back attribute. */
export function KeyDetail({ keyView }: { keyView: KeyView }) {
  return (
    <div>
      <h2>
        {keyView.label} <code>{keyView.id}</code>
      </h2>
      {keyView.residency ? (
        <p>
          <Badge word={keyView.residency.verdict} large />{' '}
          {keyView.residency.failed.map((c) => (
            <Badge key={c} word="FAILED" check={c} />
          ))}
        </p>
      ) : null}
      {keyView.spkiSha256 ? (
        <Digest label="Public key (SPKI) SHA-256" hex={keyView.spkiSha256} words={keyView.spkiWords ?? []} />
      ) : null}
      {keyView.attributes ? (
        <table className="grid" aria-label="Read-back attributes">
          <tbody>
            {Object.entries(keyView.attributes).map(([name, value]) => (
              <tr key={name}>
                <th scope="row">{name}</th>
                <td>{value === null ? 'not reported' : String(value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}
