import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { Output } from '../../../shared/contract';
import { useStation } from '../../app/store';
import { Badge } from '../../components/Badge';
import { useConfirmedAct } from '../../components/ConfirmAct';
import { shortTime, type GateView } from './model';
import './signing.css';

type Status = Output<'signingStatus'>;
type Run = Status['runs'][number];
type Live = NonNullable<Status['live']>;
type Session = Output<'quorumSessions'>[number];
type Volumes = Output<'mediaVolumes'>;

/** How often the panel reads the signing status: quickly while a batch runs here, slowly otherwise. */
const FAST_MS = 700;
const SLOW_MS = 5_000;

/** A run's state in the journal, in words (the journal is the truth for what was signed). */
const RUN_WORD: Readonly<Record<Run['state'], string>> = {
  open: 'INCOMPLETE',
  completed: 'COMPLETED',
  cancelled: 'CANCELLED',
};

/** What this process is doing with a batch now, in words. */
const LIVE_WORD: Readonly<Record<Live['state'], string>> = {
  running: 'RUNNING',
  done: 'COMPLETED',
  failed: 'FAILED',
  cancelled: 'CANCELLED',
};

/** A folder on a volume: the volume's path and a folder under it ("" = the volume itself). */
export function folderOn(volume: string, folder: string): string {
  const base = volume.replace(/\/+$/, '');
  const rest = folder
    .split('/')
    .filter((p) => p !== '' && p !== '.')
    .join('/');
  return rest ? `${base}/${rest}` : base;
}

function climbs(folder: string): boolean {
  return folder.split('/').includes('..');
}

/** Sessions bound to exactly `operation` that an act can still claim: open, unclaimed, unexpired. */
function usable(sessions: readonly Session[], operation: string | null, now: string): Session[] {
  if (!operation) return [];
  return sessions.filter((s) => s.operation === operation && s.closedReason === null && s.expiresAt > now);
}

function rate(perSecond: number | null): string {
  return perSecond === null
    ? 'rate not known yet'
    : `${perSecond.toFixed(perSecond < 10 ? 1 : 0)} artifacts/s`;
}

function eta(seconds: number | null): string {
  if (seconds === null) return 'ETA not known yet';
  if (seconds < 60) return `ETA ${Math.ceil(seconds)} s`;
  return `ETA ${Math.floor(seconds / 60)} min ${Math.ceil(seconds % 60)} s`;
}

/**
 * Gated offline signing of the selected gate's declaration (docs/gated-signing.md). While the gate is not
 * OPEN the panel says why and offers nothing. When it is: the frozen manifest that will be signed, the
 * gated-sign quorum operation and the sessions bound to exactly it (opened here or in Custodians &
 * Quorum, where custodians check in), the media and output folders on the removable volumes, then Start
 * — a confirmed act whose preview takes the station token's PIN. A running batch shows its progress,
 * rate and ETA and can be cancelled between chunks; the journal's runs, the envelope and the quarantined
 * files (both digests) follow, and an open run can be resumed (nothing counted is signed again).
 */
export function SigningPanel(props: { gate: GateView }) {
  const { gate: g } = props;
  const api = useStation((s) => s.api);
  const showError = useStation((s) => s.showError);
  const show = useStation((s) => s.show);
  const refreshJournal = useStation((s) => s.verify);
  const open = g.state === 'OPEN';
  const declarationId = g.declarationId;
  const [status, setStatus] = useState<Status | null>(null);
  const [operation, setOperation] = useState<Output<'signingOperation'> | null>(null);
  const [sessions, setSessions] = useState<Session[]>([]);
  const [volumes, setVolumes] = useState<Volumes | null>(null);
  const [tick, setTick] = useState(0);
  const [busy, setBusy] = useState(false);
  const again = useCallback(() => setTick((n) => n + 1), []);

  const started = useCallback(async () => {
    again();
    await refreshJournal();
  }, [again, refreshJournal]);
  const startAct = useConfirmedAct('signingStart', { needsPin: true, onDone: started });
  const resumeAct = useConfirmedAct('signingResume', { needsPin: true, onDone: started });
  const openAct = useConfirmedAct('quorumOpen', { onDone: started });

  const running = status?.live?.state === 'running';

  // The journal's runs and this process's live batch; fast while it runs.
  useEffect(() => {
    if (!api) return;
    let live = true;
    const read = async () => {
      const [s, q] = await Promise.all([api.signingStatus({ declarationId }), api.quorumSessions({})]);
      if (!live) return;
      if (s.ok) setStatus(s.value);
      else showError(s.error);
      if (q.ok) setSessions(q.value);
    };
    void read();
    const timer = setInterval(() => void read(), running ? FAST_MS : SLOW_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [api, showError, declarationId, running, tick]);

  // The quorum operation and the volumes, only while the gate is OPEN.
  useEffect(() => {
    if (!api || !open) return;
    let live = true;
    void Promise.all([api.signingOperation({ declarationId }), api.mediaVolumes({})]).then(([o, m]) => {
      if (!live) return;
      if (o.ok) setOperation(o.value);
      else showError(o.error);
      if (m.ok) setVolumes(m.value);
      else showError(m.error);
    });
    return () => {
      live = false;
    };
  }, [api, showError, declarationId, open, g.versions.length, g.approvals.length]);

  const cancel = async () => {
    if (!api) return;
    setBusy(true);
    const r = await api.signingCancel({ declarationId });
    setBusy(false);
    if (!r.ok) return showError(r.error);
    await started();
  };

  const runs = status?.runs ?? [];
  const latest = runs.at(-1) ?? null;
  const openRun = runs.find((r) => r.state === 'open') ?? null;
  const now = new Date().toISOString();
  const op = open ? operation : null;
  const bound = usable(sessions, op?.operation ?? null, now);
  const startForm = (
    <StartForm
      declarationId={declarationId}
      operation={op}
      sessions={bound}
      volumes={volumes}
      onAsk={startAct.ask}
      onOpenSession={(o) =>
        void openAct.ask({ operation: o, ceremonyId: 'gated-sign', step: declarationId, ttlMinutes: 60 })
      }
      onCustodians={() => show('custodians')}
      onLookAgain={again}
    />
  );

  return (
    <section className="module signing" aria-label="Offline signing">
      <h2>Gated signing of the frozen manifest</h2>
      {!open ? (
        <div className="signing-closed" role="note" aria-label="Why signing is not possible">
          <p>
            <Badge word={g.state} /> No signing is possible: a batch starts only while the gate is OPEN.
          </p>
          <p className="gate-sentence">{g.sentence}</p>
        </div>
      ) : (
        <>
          <p>
            <Badge word="OPEN" detail="approved for this exact version and ledger" /> The station re-reads the
            gate when the batch starts and at every resume.
          </p>
          <ManifestTable gate={g} />
        </>
      )}
      {status?.live ? <LiveProgress live={status.live} busy={busy} onCancel={() => void cancel()} /> : null}
      {latest ? <RunResult run={latest} /> : null}
      {open && openRun && !running ? (
        <ResumeForm
          run={openRun}
          sessions={bound}
          busy={busy}
          onAsk={(quorumSessionId) =>
            void resumeAct.ask({ declarationId, ...(quorumSessionId ? { quorumSessionId } : {}) })
          }
          onEnd={() => void cancel()}
        />
      ) : null}
      {resumeAct.panel}
      {status && status.quarantined.length > 0 ? <Quarantined items={status.quarantined} /> : null}
      {open && !running && !openRun ? (
        latest?.state === 'completed' ? (
          <details className="signing-again">
            <summary>Start another batch (a new quorum session and an empty output folder)</summary>
            {startForm}
          </details>
        ) : (
          startForm
        )
      ) : null}
      {openAct.panel}
      {startAct.panel}
      {runs.length > 1 ? <EarlierRuns runs={runs.slice(0, -1)} /> : null}
    </section>
  );
}

/** The frozen manifest the gate binds: exactly what will be signed, name and SHA-256. */
function ManifestTable(props: { gate: GateView }) {
  const lines = props.gate.ledger?.lines.filter((l) => l.area === 'manifest') ?? [];
  return (
    <table className="grid signing-manifest" aria-label="Artifacts to sign">
      <caption>
        The frozen manifest: exactly these {lines.length} artifacts are signed, each re-hashed from the media
        first; any other file is quarantined.
      </caption>
      <thead>
        <tr>
          <th scope="col">Artifact</th>
          <th scope="col">SHA-256 (manifest)</th>
        </tr>
      </thead>
      <tbody>
        {lines.map((l) => (
          <tr key={l.item}>
            <th scope="row">{l.item}</th>
            <td>
              <code className="signing-digest">{String(l.facts.sha256 ?? '—')}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Quorum session, media folder, output folder, then Start (the preview takes the PIN). */
function StartForm(props: {
  declarationId: string;
  operation: Output<'signingOperation'> | null;
  sessions: readonly Session[];
  volumes: Volumes | null;
  onAsk: (draft: {
    declarationId: string;
    mediaDir: string;
    outDir: string;
    quorumSessionId: string;
  }) => Promise<void>;
  onOpenSession: (operation: string) => void;
  onCustodians: () => void;
  onLookAgain: () => void;
}) {
  const { operation, sessions } = props;
  const [sessionId, setSessionId] = useState('');
  const [mediaVolume, setMediaVolume] = useState('');
  const [mediaFolder, setMediaFolder] = useState('');
  const [outVolume, setOutVolume] = useState('');
  const [outFolder, setOutFolder] = useState('');
  const readable = props.volumes?.volumes.filter((v) => v.state !== 'unavailable') ?? [];
  const writable = props.volumes?.volumes.filter((v) => v.state === 'ready') ?? [];
  const chosenSession = sessions.find((s) => s.sessionId === sessionId) ?? sessions.at(-1);
  const mediaVol = readable.some((v) => v.path === mediaVolume) ? mediaVolume : (readable[0]?.path ?? '');
  const outVol = writable.some((v) => v.path === outVolume) ? outVolume : (writable[0]?.path ?? '');
  const mediaDir = mediaVol ? folderOn(mediaVol, mediaFolder) : '';
  const outDir = outVol ? folderOn(outVol, outFolder) : '';
  const reached = chosenSession?.reached === true;
  const why = !operation
    ? 'Waiting for the quorum operation'
    : !chosenSession
      ? 'No open quorum session is bound to this operation'
      : !reached
        ? `The session has ${chosenSession.checkedIn} of ${chosenSession.threshold} check-ins: custodians check in first`
        : !mediaDir || !outDir
          ? 'Choose the media and output folders'
          : climbs(mediaFolder) || climbs(outFolder)
            ? 'A folder stays on its volume: no ".." in it'
            : mediaDir === outDir
              ? 'The output folder must not be the media folder'
              : null;

  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (why !== null || !chosenSession) return;
    void props.onAsk({
      declarationId: props.declarationId,
      mediaDir,
      outDir,
      quorumSessionId: chosenSession.sessionId,
    });
  };

  return (
    <form className="act-form signing-start" aria-label="Start signing" onSubmit={submit}>
      <h3>Quorum bound to exactly this batch</h3>
      {operation ? (
        <>
          <p>
            Operation to authorise <code className="operation-text">{operation.operation}</code>
          </p>
          <p className="muted">{operation.description}</p>
        </>
      ) : (
        <p className="muted">Reading the quorum operation…</p>
      )}
      {sessions.length > 0 ? (
        <label className="field">
          <span>Quorum session</span>
          <select value={chosenSession?.sessionId ?? ''} onChange={(e) => setSessionId(e.target.value)}>
            {sessions.map((s) => (
              <option key={s.sessionId} value={s.sessionId}>
                {s.sessionId} — {s.checkedIn} of {s.threshold} checked in
                {s.reached ? ' (reached)' : ''}, until {shortTime(s.expiresAt)}
              </option>
            ))}
          </select>
        </label>
      ) : (
        <p>
          <Badge word="HOLD" detail="no open quorum session is bound to this operation" />
        </p>
      )}
      {chosenSession ? (
        <p>
          <Badge
            word={chosenSession.reached ? 'REACHED' : 'OPEN'}
            detail={`${chosenSession.checkedIn} of ${chosenSession.threshold} checked in`}
          />
        </p>
      ) : null}
      <p className="signing-links">
        Custodians check in with their own tokens in{' '}
        <button type="button" className="link" onClick={props.onCustodians}>
          Custodians &amp; Quorum
        </button>
        {operation && sessions.length === 0 ? (
          <>
            {' '}
            ·{' '}
            <button type="button" className="link" onClick={() => props.onOpenSession(operation.operation)}>
              Preview a quorum session for it…
            </button>
          </>
        ) : null}{' '}
        ·{' '}
        <button type="button" className="link" onClick={props.onLookAgain}>
          Look again
        </button>
      </p>

      <h3>Folders on the removable volumes</h3>
      <div className="inline-form">
        <label className="field">
          <span>Media volume</span>
          <select value={mediaVol} onChange={(e) => setMediaVolume(e.target.value)} required>
            {readable.length === 0 ? <option value="">no volume</option> : null}
            {readable.map((v) => (
              <option key={v.path} value={v.path}>
                {v.label} — {v.path}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Media folder on it</span>
          <input
            value={mediaFolder}
            onChange={(e) => setMediaFolder(e.target.value)}
            placeholder="(the volume itself)"
            spellCheck={false}
          />
        </label>
      </div>
      <div className="inline-form">
        <label className="field">
          <span>Output volume</span>
          <select value={outVol} onChange={(e) => setOutVolume(e.target.value)} required>
            {writable.length === 0 ? <option value="">no writable volume</option> : null}
            {writable.map((v) => (
              <option key={v.path} value={v.path}>
                {v.label} — {v.path}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Output folder on it (it must exist)</span>
          <input
            value={outFolder}
            onChange={(e) => setOutFolder(e.target.value)}
            placeholder="(the volume itself)"
            spellCheck={false}
          />
        </label>
      </div>
      <dl className="facts" aria-label="Signing folders">
        <dt>Media folder</dt>
        <dd>
          <code>{mediaDir || '—'}</code>
        </dd>
        <dt>Output folder</dt>
        <dd>
          <code>{outDir || '—'}</code> <span className="muted">(existing files are never overwritten)</span>
        </dd>
      </dl>
      <div className="actions">
        <button
          type="submit"
          className="primary"
          disabled={why !== null}
          aria-describedby="signing-start-why"
        >
          Start signing…
        </button>
      </div>
      <p id="signing-start-why" className="muted">
        {why ??
          'The preview shows exactly what will be recorded; the station token PIN is asked there. Starting claims the quorum session.'}
      </p>
    </form>
  );
}

/** The batch this process runs: a bar of counted artifacts with the rate and ETA, and Cancel. */
function LiveProgress(props: { live: Live; busy: boolean; onCancel: () => void }) {
  const l = props.live;
  const pct = l.total > 0 ? Math.round((100 * l.done) / l.total) : 0;
  return (
    <div className="signing-live" role="status" aria-label="Signing progress">
      <p>
        <Badge word={LIVE_WORD[l.state]} detail={l.phase ?? undefined} />{' '}
        {l.state === 'running' && l.total === 0 ? (
          <>
            <progress aria-label="Checking the gate, the quorum and the media" />{' '}
            <span className="signing-counts">checking the gate, the quorum and the media…</span>
          </>
        ) : l.state === 'running' ? (
          <>
            <progress
              max={Math.max(l.total, 1)}
              value={l.done}
              aria-label={`Signed ${l.done} of ${l.total} (${pct}%)`}
            />{' '}
            <span className="signing-counts">
              {l.done} of {l.total} signed · {rate(l.perSecond)} · {eta(l.etaSeconds)}
            </span>
          </>
        ) : (
          <span className="signing-counts">
            {l.done} of {l.total} counted by this batch
          </span>
        )}
      </p>
      {l.state === 'running' ? (
        <div className="actions">
          <button type="button" onClick={props.onCancel} disabled={props.busy}>
            Cancel (stops after the current chunk)
          </button>
        </div>
      ) : null}
      {l.error ? (
        <p className="signing-error">
          <code>{l.error.code}</code>: {l.error.message}
        </p>
      ) : null}
    </div>
  );
}

/** The newest run as the journal records it: counted signatures, the envelope, where they went. */
function RunResult(props: { run: Run }) {
  const r = props.run;
  const envelope = r.envelopeFile ? `${r.outDir.replace(/\/+$/, '')}/${r.envelopeFile}` : null;
  return (
    <section className="signing-result" aria-label="Batch result">
      <h3>
        Run {r.runId} <Badge word={RUN_WORD[r.state]} />
      </h3>
      <p className="signing-counts">
        Signed {r.signed} of {r.total} manifest artifacts
        {r.adopted > 0 ? ` (${r.adopted} adopted on resume)` : ''}
        {r.inDoubt > 0 ? ` · ${r.inDoubt} in doubt until a resume` : ''}
      </p>
      <dl className="facts">
        <dt>Output folder</dt>
        <dd>
          <code>{r.outDir}</code>
        </dd>
        <dt>Provenance envelope</dt>
        <dd>{envelope ? <code>{envelope}</code> : <span className="muted">not written yet</span>}</dd>
        <dt>Packet</dt>
        <dd>
          {r.packetId} version {r.version}
        </dd>
        <dt>Key</dt>
        <dd>
          <code>{r.keyId}</code> on token <code>{r.tokenSerial}</code>
        </dd>
        <dt>Quorum session</dt>
        <dd>
          <code>{r.quorumSessionId}</code>
        </dd>
        <dt>Started</dt>
        <dd>{shortTime(r.startedAt)}</dd>
      </dl>
    </section>
  );
}

/** An open run: resume it (the claim still held, or a new session for the same operation), or end it. */
function ResumeForm(props: {
  run: Run;
  sessions: readonly Session[];
  busy: boolean;
  onAsk: (quorumSessionId: string | null) => void;
  onEnd: () => void;
}) {
  const [sessionId, setSessionId] = useState('');
  const others = props.sessions.filter((s) => s.sessionId !== props.run.quorumSessionId);
  return (
    <form
      className="act-form signing-resume"
      aria-label="Resume the open run"
      onSubmit={(e) => {
        e.preventDefault();
        props.onAsk(sessionId || null);
      }}
    >
      <p>
        Run {props.run.runId} is open: {props.run.signed} of {props.run.total} counted. A resume signs only
        what the journal does not count yet.
      </p>
      <label className="field">
        <span>Quorum session for the resume</span>
        <select value={sessionId} onChange={(e) => setSessionId(e.target.value)}>
          <option value="">the run&apos;s own claim ({props.run.quorumSessionId})</option>
          {others.map((s) => (
            <option key={s.sessionId} value={s.sessionId}>
              {s.sessionId} — {s.checkedIn} of {s.threshold} checked in
            </option>
          ))}
        </select>
      </label>
      <div className="actions">
        <button type="submit" className="primary" disabled={props.busy}>
          Resume…
        </button>
        <button type="button" onClick={props.onEnd} disabled={props.busy}>
          End this run (cancel for good)
        </button>
      </div>
    </form>
  );
}

/** Files refused by the batch: never signed, listed with both digests. */
function Quarantined(props: { items: Status['quarantined'] }) {
  return (
    <table className="grid signing-quarantine" aria-label="Quarantined files">
      <caption>Refused and quarantined by the signing runs: never signed.</caption>
      <thead>
        <tr>
          <th scope="col">File</th>
          <th scope="col">Why</th>
          <th scope="col">SHA-256 on the media</th>
          <th scope="col">SHA-256 in the manifest</th>
        </tr>
      </thead>
      <tbody>
        {props.items.map((q) => (
          <tr key={`${q.runId ?? ''} ${q.artifact} ${q.mediaSha256}`}>
            <th scope="row">{q.artifact}</th>
            <td>
              <Badge
                word="QUARANTINED"
                detail={q.reason === 'off-manifest' ? 'not in the manifest' : 'digest differs'}
              />
            </td>
            <td>
              <code className="signing-digest">{q.mediaSha256}</code>
            </td>
            <td>
              {q.manifestSha256 ? (
                <code className="signing-digest">{q.manifestSha256}</code>
              ) : (
                <span className="muted">not in the frozen manifest</span>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function EarlierRuns(props: { runs: readonly Run[] }) {
  return (
    <details>
      <summary>Earlier runs ({props.runs.length})</summary>
      <ul className="plain">
        {props.runs.map((r) => (
          <li key={r.runId}>
            <Badge word={RUN_WORD[r.state]} /> {r.runId}: {r.signed} of {r.total} signed, started{' '}
            {shortTime(r.startedAt)}
          </li>
        ))}
      </ul>
    </details>
  );
}
