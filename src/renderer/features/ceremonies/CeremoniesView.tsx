import { useCallback, useEffect, useReducer, useState, type FormEvent } from 'react';
import type { Output } from '../../../shared/contract';
import { useStation } from '../../app/store';
import { Badge } from '../../components/Badge';
import { useConfirmedAct } from '../../components/ConfirmAct';
import { Digest } from '../../components/Digest';
import { Runner } from './Runner';
import { modeWord, runEndWord } from './words';
import './ceremonies.css';

type FileEntry = Output<'ceremonyFiles'>[number];
type Loaded = Output<'ceremonyLoad'>;
type RunRow = Output<'ceremonyRuns'>[number];

/**
 * Ceremonies (offline stations, docs/ceremonies.md): the runs of ceremony files on this station, a
 * ceremony file loaded from media and checked (its digest read aloud as words), a run started as a
 * rehearsal on a scratch token or in production, and the runner — one step at a time.
 */
export function CeremoniesView() {
  const api = useStation((s) => s.api);
  const mode = useStation((s) => s.info?.mode ?? null);
  const showError = useStation((s) => s.showError);
  const refreshJournal = useStation((s) => s.verify);
  const [files, setFiles] = useState<FileEntry[]>([]);
  const [runs, setRuns] = useState<RunRow[]>([]);
  const [path, setPath] = useState('');
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [version, reload] = useReducer((n: number) => n + 1, 0);

  useEffect(() => {
    if (!api || mode !== 'offline') return;
    let live = true;
    void Promise.all([api.ceremonyFiles({}), api.ceremonyRuns({})]).then(([f, r]) => {
      if (!live) return;
      if (f.ok) setFiles(f.value);
      else showError(f.error);
      if (r.ok) setRuns(r.value);
      else showError(r.error);
    });
    return () => {
      live = false;
    };
  }, [api, mode, showError, version]);

  const changed = useCallback(async () => {
    reload();
    await refreshJournal();
  }, [refreshJournal]);

  if (mode === 'online')
    return (
      <main className="main ceremonies" aria-labelledby="ceremonies-title">
        <h1 id="ceremonies-title">Ceremonies</h1>
        <p role="note">
          <Badge word="ONLINE" /> Key ceremonies run only on an offline station, which holds the HSM.
        </p>
      </main>
    );

  if (open)
    return (
      <Runner
        runId={open}
        onClose={() => {
          setOpen(null);
          reload();
        }}
        onChanged={changed}
      />
    );

  const load = async (e: FormEvent) => {
    e.preventDefault();
    if (!api || !path) return;
    const r = await api.ceremonyLoad({ path });
    if (!r.ok) {
      setLoaded(null);
      return showError(r.error);
    }
    setLoaded(r.value);
  };

  const blocked = loaded?.participants.filter((p) => p.roster !== 'VALID') ?? [];

  return (
    <main className="main ceremonies" aria-labelledby="ceremonies-title">
      <h1 id="ceremonies-title">Ceremonies</h1>

      <section aria-labelledby="ceremony-runs-title">
        <h2 id="ceremony-runs-title">Runs on this station</h2>
        {runs.length === 0 ? (
          <p>No ceremony run yet. Load a ceremony file from media below and rehearse it first.</p>
        ) : (
          <table className="ceremony-runs">
            <caption className="visually-hidden">Ceremony runs</caption>
            <thead>
              <tr>
                <th scope="col">Ceremony</th>
                <th scope="col">Mode</th>
                <th scope="col">State</th>
                <th scope="col">Started</th>
                <th scope="col">Run</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((r) => (
                <tr key={r.runId}>
                  <td>{r.ceremonyId}</td>
                  <td>
                    <Badge word={modeWord(r.mode)} />
                  </td>
                  <td>
                    <Badge word={runEndWord(r.ended)} />
                  </td>
                  <td>
                    {r.startedAt.replace('T', ' ').slice(0, 19)} UTC by {r.startedBy}
                  </td>
                  <td>
                    <button type="button" onClick={() => setOpen(r.runId)}>
                      Open the runner for {r.runId.slice(0, 8)}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section aria-labelledby="ceremony-load-title">
        <h2 id="ceremony-load-title">Load a ceremony file from media</h2>
        <form className="inline-form" aria-label="Load a ceremony file" onSubmit={(e) => void load(e)}>
          <label className="field">
            <span>Ceremony file on a listed volume</span>
            <select value={path} onChange={(e) => setPath(e.target.value)} required>
              <option value="">— choose —</option>
              {files.map((f) => (
                <option key={f.path} value={f.path}>
                  {f.name} ({f.size} bytes, {f.volume})
                </option>
              ))}
            </select>
          </label>
          <button type="submit">Load and check</button>
          <button type="button" onClick={reload}>
            Look at the media again
          </button>
        </form>
        {files.length === 0 ? (
          <p className="hint">No ceremony file (*.yaml) on a listed volume: insert the reviewed media.</p>
        ) : null}
      </section>

      {loaded ? (
        <article className="ceremony-file" aria-label={`Ceremony file ${loaded.id}`}>
          <h2>
            {loaded.title} <span className="muted">({loaded.type})</span>
          </h2>
          <p>
            Planned {loaded.planned.date} at {loaded.planned.location}. {loaded.steps.length} steps.{' '}
            {loaded.rehearsals > 0
              ? `${loaded.rehearsals} completed rehearsal(s) of exactly these bytes.`
              : 'Not rehearsed at these bytes yet: production is refused until a rehearsal completes.'}
          </p>
          <Digest
            hex={loaded.sha256}
            words={loaded.words}
            label="Ceremony file digest (SHA-256): compare with the copy you reviewed"
          />
          <table>
            <caption>Participants and their roster entries now</caption>
            <thead>
              <tr>
                <th scope="col">Role</th>
                <th scope="col">Name</th>
                <th scope="col">Id</th>
                <th scope="col">Roster</th>
              </tr>
            </thead>
            <tbody>
              {loaded.participants.map((p) => (
                <tr key={p.id}>
                  <td>{p.role}</td>
                  <td>
                    {p.name}
                    {p.organization ? ` (${p.organization})` : ''}
                  </td>
                  <td>
                    <code>{p.id}</code>
                  </td>
                  <td>
                    <Badge word={p.roster} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <ol className="ceremony-steps" aria-label="Steps of the script">
            {loaded.steps.map((s) => (
              <li key={s.id}>
                {s.title} <span className="muted">[{s.act}]</span>
              </li>
            ))}
          </ol>
          {blocked.length > 0 ? (
            <p role="note">
              <Badge word="BLOCKED" /> A run does not start until every participant is a roster custodian
              valid now: {blocked.map((p) => `${p.name} (${p.id}) ${p.roster}`).join('; ')}.
            </p>
          ) : null}
          {/* Keyed by the file's bytes: a preview of another file's start never stays on screen. */}
          <StartRun
            key={`${loaded.path}@${loaded.sha256}`}
            path={loaded.path}
            onStarted={async (runId) => {
              setOpen(runId);
              await changed();
            }}
          />
        </article>
      ) : null}
    </main>
  );
}

/** Starts a run of the loaded file: a confirmed act; a rehearsal's scratch-token PIN is typed with it. */
function StartRun(props: { path: string; onStarted: (runId: string) => Promise<void> }) {
  const [runMode, setRunMode] = useState<'rehearsal' | 'production'>('rehearsal');
  const startAct = useConfirmedAct('ceremonyStart', {
    needsPin: runMode === 'rehearsal',
    onDone: (value) => props.onStarted(value.runId),
  });
  const start = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    void startAct.ask({ path: props.path, mode: runMode }, e.currentTarget);
  };
  return (
    <>
      <form className="act-form" aria-label="Start a run" onSubmit={start}>
        <h3>Start a run</h3>
        <fieldset className="ceremony-mode">
          <legend>Mode</legend>
          <label>
            <input
              type="radio"
              name="run-mode"
              checked={runMode === 'rehearsal'}
              onChange={() => setRunMode('rehearsal')}
            />{' '}
            Rehearsal on a scratch SoftHSM2 token (the PIN typed with the confirmation becomes its user PIN;
            nothing it makes may be used in production; a key backup or destruction is readied with the key it
            acts on, a share re-issue with REHEARSAL shares of that PIN)
          </label>
          <label>
            <input
              type="radio"
              name="run-mode"
              checked={runMode === 'production'}
              onChange={() => setRunMode('production')}
            />{' '}
            Production on the file&apos;s HSM token (needs a completed rehearsal of these bytes)
          </label>
        </fieldset>
        <button type="submit" className="primary">
          Preview the start…
        </button>
      </form>
      {startAct.panel}
    </>
  );
}
