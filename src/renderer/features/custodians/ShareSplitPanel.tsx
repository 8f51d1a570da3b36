import { useEffect, useState, type FormEvent } from 'react';
import type { ModuleView, Output, RosterEntryView } from '../../../shared/contract';
import { useStation } from '../../app/store';
import { useConfirmedAct } from '../../components/ConfirmAct';
import './roster-changes.css';

/**
 * `station shares split` at the console: a fresh random PIN is set on a ceremony token and split M-of-N
 * among custodians; each share's text and PDF sheet are written to the removable volume chosen here. The
 * token's current PIN is asked for on the preview, and its serial typed, since only the shares open the
 * token afterwards. The station refuses its own identity token and a token already split.
 */
export function ShareSplitPanel(props: {
  roster: readonly RosterEntryView[];
  modules: readonly ModuleView[];
  onSplit: () => Promise<void>;
}) {
  const api = useStation((s) => s.api);
  const showError = useStation((s) => s.showError);
  const [media, setMedia] = useState<Output<'mediaVolumes'> | null>(null);
  const [token, setToken] = useState('');
  const [holders, setHolders] = useState<string[]>([]);
  const [threshold, setThreshold] = useState(2);
  const [volume, setVolume] = useState('');
  const [written, setWritten] = useState<Output<'sharesSplit'> | null>(null);
  const act = useConfirmedAct('sharesSplit', {
    needsPin: true,
    onDone: async (v) => {
      setWritten(v);
      setToken('');
      setHolders([]);
      await props.onSplit();
    },
  });

  useEffect(() => {
    if (!api) return;
    let live = true;
    void api.mediaVolumes({}).then((r) => {
      if (!live) return;
      if (r.ok) setMedia(r.value);
      else showError(r.error);
    });
    return () => {
      live = false;
    };
  }, [api, showError]);

  const tokens = props.modules.flatMap((m) => m.tokens.map((t) => ({ moduleId: m.moduleId, ...t })));
  const valid = props.roster.filter((c) => c.status === 'VALID');
  const ready = media?.volumes.filter((v) => v.state === 'ready') ?? [];
  const chosenVolume = ready.some((v) => v.path === volume) ? volume : (ready[0]?.path ?? '');
  // Share positions follow the roster's order, as the CLI's --holders list gives them.
  const ordered = valid.map((c) => c.custodianId).filter((id) => holders.includes(id));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const t = tokens.find((x) => x.serial === token);
    if (!t) return;
    setWritten(null);
    await act.ask({
      moduleId: t.moduleId,
      serial: t.serial,
      holders: ordered,
      threshold,
      volume: chosenVolume,
    });
  };

  return (
    <section className="module" aria-label="Split a ceremony token's PIN">
      <h2>Split a ceremony token’s PIN among custodians</h2>
      <form className="act-form" aria-label="Split activation PIN" onSubmit={(e) => void submit(e)}>
        <p>
          Sets a new random PIN on the token and splits it {threshold} of {ordered.length || 'N'}: each chosen
          custodian’s share (text and PDF sheet) is written to the volume below, and only commitments are
          journaled. Afterwards the token opens only with {threshold} shares under a quorum.
        </p>
        <div className="inline-form">
          <label className="field">
            <span>Ceremony token</span>
            <select value={token} onChange={(e) => setToken(e.target.value)} required>
              <option value="">— choose —</option>
              {tokens.map((t) => (
                <option key={`${t.moduleId}/${t.serial}`} value={t.serial}>
                  {t.label} ({t.serial})
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>Shares needed (M)</span>
            <input
              type="number"
              min={2}
              max={Math.max(2, ordered.length)}
              value={threshold}
              onChange={(e) => setThreshold(Number(e.target.value))}
              required
            />
          </label>
          <label className="field">
            <span>Share sheets go to</span>
            <select value={chosenVolume} onChange={(e) => setVolume(e.target.value)} required>
              {ready.length === 0 ? <option value="">no ready removable volume</option> : null}
              {ready.map((v) => (
                <option key={v.path} value={v.path}>
                  {v.label} ({v.path})
                </option>
              ))}
            </select>
          </label>
        </div>
        <fieldset>
          <legend>Share holders (one share each, in roster order)</legend>
          {valid.map((c) => (
            <label key={c.custodianId} className="check">
              <input
                type="checkbox"
                checked={holders.includes(c.custodianId)}
                onChange={(e) =>
                  setHolders(
                    e.target.checked
                      ? [...holders, c.custodianId]
                      : holders.filter((h) => h !== c.custodianId),
                  )
                }
              />{' '}
              {c.name} ({c.custodianId})
            </label>
          ))}
        </fieldset>
        <button
          type="submit"
          className="primary"
          disabled={!chosenVolume}
          title={chosenVolume ? undefined : 'No removable volume is ready for the share sheets'}
        >
          Preview the split…
        </button>
        {act.panel}
        {written ? (
          <div role="status">
            <p>
              Split <code>{written.splitId}</code>: share sheets written to {written.volume} — hand each to
              its custodian and seal it.
            </p>
            <ul className="plain files" aria-label="Share files written">
              {written.files.map((f) => (
                <li key={f.path}>{f.name}</li>
              ))}
            </ul>
          </div>
        ) : null}
      </form>
    </section>
  );
}
