import { useEffect, useState } from 'react';
import type { KeyView, ModuleView, TokenView } from '../../../shared/contract';
import { useStation } from '../../app/store';
import { Badge } from '../../components/Badge';
import { busyDetail } from './busy';
import { KeyDetail, TokenPanel } from './TokenPanel';

/** Devices: registered PKCS#11 modules → their tokens → (after login) each token's keys. */
export function DevicesView() {
  const api = useStation((s) => s.api);
  const showError = useStation((s) => s.showError);
  const [modules, setModules] = useState<ModuleView[] | null>(null);
  const [selected, setSelected] = useState<{ moduleId: string; serial: string } | null>(null);
  const [selectedKey, setSelectedKey] = useState<KeyView | null>(null);

  useEffect(() => {
    if (!api) return;
    let live = true;
    void api.devicesModules({}).then((r) => {
      if (!live) return;
      if (r.ok) setModules(r.value);
      else showError(r.error);
    });
    return () => {
      live = false;
    };
  }, [api, showError]);

  const token: TokenView | undefined = selected
    ? modules?.find((m) => m.moduleId === selected.moduleId)?.tokens.find((t) => t.serial === selected.serial)
    : undefined;

  return (
    <>
      <main className="main" aria-labelledby="devices-title">
        <h1 id="devices-title">Devices</h1>
        {modules === null ? <p>Reading modules…</p> : null}
        {modules?.length === 0 ? <p>No PKCS#11 module is registered with this station.</p> : null}
        {modules?.map((m) => (
          <section key={m.moduleId} className="module" aria-label={`Module ${m.moduleId}`}>
            <h2>
              {m.moduleId} <span className="muted">({m.profile})</span>
            </h2>
            <p className="muted">
              {m.library ?? 'not loaded'} · Cryptoki {m.cryptoki ?? '?'} · <code>{m.path}</code> · library
              SHA-256 <code title={m.librarySha256}>{m.librarySha256.slice(0, 16)}…</code>
            </p>
            {m.error ? (
              <p role="alert">
                <Badge word="BLOCKED" /> {m.error.code}: {m.error.message}
              </p>
            ) : null}
            <table className="grid">
              <caption className="sr-only">Tokens of {m.moduleId}</caption>
              <thead>
                <tr>
                  <th scope="col">Label</th>
                  <th scope="col">Serial</th>
                  <th scope="col">Device</th>
                  <th scope="col">Firmware / hardware</th>
                  <th scope="col">State</th>
                </tr>
              </thead>
              <tbody>
                {m.tokens.map((t) => (
                  <tr key={t.serial} className={selected?.serial === t.serial ? 'selected' : undefined}>
                    <td>
                      <button
                        type="button"
                        className="link"
                        onClick={() => (
                          setSelected({ moduleId: m.moduleId, serial: t.serial }),
                          setSelectedKey(null)
                        )}
                      >
                        {t.label || '(no label)'}
                      </button>
                    </td>
                    <td>
                      <code>{t.serial}</code>
                    </td>
                    <td>
                      {t.manufacturer} {t.model}
                    </td>
                    <td>
                      {t.firmware} / {t.hardware}
                    </td>
                    <td>
                      {t.busy ? <Badge word="BUSY" detail={busyDetail(t.busy)} /> : null}
                      {t.warnings.length > 0 ? (
                        t.warnings.map((w) => <Badge key={w} word="HOLD" detail={w} />)
                      ) : (
                        <Badge word="READY" />
                      )}
                      {t.flags.includes('loginRequired') ? (
                        <span className="muted"> login required</span>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        ))}
        {selected && token ? (
          <TokenPanel
            key={`${selected.moduleId}/${selected.serial}`}
            moduleId={selected.moduleId}
            token={token}
            selectedKey={selectedKey}
            onSelectKey={setSelectedKey}
          />
        ) : null}
      </main>
      {/* Focusable: the pane scrolls on its own, and a keyboard must be able to scroll it. */}
      <aside className="detail" aria-label="Key detail" tabIndex={0}>
        {selectedKey ? (
          <KeyDetail keyView={selectedKey} />
        ) : (
          <p className="hint">Select a token, list its keys, and select a key to see its evidence.</p>
        )}
      </aside>
    </>
  );
}
