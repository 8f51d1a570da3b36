import { useCallback, useEffect, useReducer, useState, type FormEvent } from 'react';
import type { Output } from '../../../shared/contract';
import { useStation } from '../../app/store';
import { Badge } from '../../components/Badge';
import { useConfirmedAct } from '../../components/ConfirmAct';
import { Digest } from '../../components/Digest';
import { FindingsList } from '../findings/FindingsList';
import type { Focus } from '../findings/model';
import '../findings/findings.css';
import './portal.css';

const WORKFLOW = 'portal-issuance';
type Status = Output<'portalStatus'>;
type Run = Status['runs'][number];
type Stop = Status['stops'][number];
type Evaluation = Output<'findingsEvaluate'>;
type Profile = Output<'portalProfiles'>[number];
type Exported = Output<'portalEvidence'>;
/** Volumes an evidence bundle may be written to (ready ones only). */
type Volume = { path: string; label: string };
/** The workflow's derived entry (the values a run types); no fields when the pre-check stops it. */
type Entry = NonNullable<Evaluation['entry']>;

/** Values a witness needs to see, but that a screen across the room should not show whole. */
const LONG_VALUES = new Set(['csrPem', 'keyFingerprint']);
const preview = (take: string, v: string | string[]): string => {
  const text = Array.isArray(v) ? v.join(', ') : v;
  if (LONG_VALUES.has(take) && text.length > 24) return `${text.slice(0, 10)}…${text.slice(-8)}`;
  return text;
};

/**
 * Portal submissions (online stations, docs/portal-submission.md): the approved issuance requests the
 * station holds records for, each one's pre-check (the portal-issuance findings and the entry they
 * derive), the submit act (a confirmed act: the request id is typed), the runs with their halts and
 * outcomes, and reconciliation of a HALTED-AMBIGUOUS run. The station never issues or activates.
 */
export function PortalView() {
  const api = useStation((s) => s.api);
  const mode = useStation((s) => s.info?.mode ?? null);
  const showError = useStation((s) => s.showError);
  const refreshJournal = useStation((s) => s.verify);
  const [requests, setRequests] = useState<string[]>([]);
  const [titles, setTitles] = useState<ReadonlyMap<string, string>>(new Map());
  const [status, setStatus] = useState<Status | null>(null);
  const [profiles, setProfiles] = useState<Profile[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [evaluation, setEvaluation] = useState<Evaluation | null>(null);
  const [focus, setFocus] = useState<Focus>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [volumes, setVolumes] = useState<Volume[]>([]);
  const [exported, setExported] = useState<Exported | null>(null);
  const [version, reload] = useReducer((n: number) => n + 1, 0);

  useEffect(() => {
    if (!api || mode !== 'online') return;
    let live = true;
    void Promise.all([
      api.findingsSubjects({ workflow: WORKFLOW }),
      api.portalStatus({}),
      api.portalProfiles({}),
    ]).then(([subjects, st, pr]) => {
      if (!live) return;
      if (subjects.ok) {
        setRequests(subjects.value.subjects);
        setTitles(new Map(subjects.value.rules.map((x) => [x.checkId, x.title])));
        setSelected((s) => s ?? subjects.value.subjects[0] ?? null);
      } else showError(subjects.error);
      if (st.ok) setStatus(st.value);
      else showError(st.error);
      if (pr.ok) setProfiles(pr.value);
      else showError(pr.error);
    });
    return () => {
      live = false;
    };
  }, [api, mode, showError, version]);

  const changed = useCallback(async () => {
    reload();
    await refreshJournal();
  }, [refreshJournal]);

  const submitAct = useConfirmedAct('portalSubmit', {
    onDone: async () => {
      setBusy(null);
      await changed();
    },
  });
  const reconcileAct = useConfirmedAct('portalReconcile', {
    onDone: async () => {
      setBusy(null);
      await changed();
    },
  });
  const evidenceAct = useConfirmedAct('portalEvidence', {
    needsPin: true,
    onDone: async (value) => {
      setExported(value);
      await changed();
    },
  });
  // The volumes an evidence bundle can go to, listed when the view opens (and after each act).
  useEffect(() => {
    if (!api || mode !== 'online') return;
    let live = true;
    void api.mediaVolumes({}).then((r) => {
      if (!live) return;
      if (r.ok)
        setVolumes(
          r.value.volumes.filter((v) => v.state === 'ready').map((v) => ({ path: v.path, label: v.label })),
        );
      else showError(r.error);
    });
    return () => {
      live = false;
    };
  }, [api, mode, showError, version]);

  if (mode === 'offline')
    return (
      <main className="main portal" aria-labelledby="portal-title">
        <h1 id="portal-title">Portal submissions</h1>
        <p role="note">
          <Badge word="OFFLINE" /> This is an offline ceremony station: portal submission runs only on a
          station created in online mode, which never touches a ceremony HSM.
        </p>
      </main>
    );

  const precheck = async () => {
    if (!api || !selected) return;
    setBusy('precheck');
    const r = await api.findingsEvaluate({ workflow: WORKFLOW, subject: selected });
    setBusy(null);
    if (!r.ok) return showError(r.error);
    setEvaluation(r.value);
    setFocus(null);
    await changed();
  };

  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (!selected) return;
    const data = new FormData(e.currentTarget);
    const username = String(data.get('username') ?? '').trim();
    const password = String(data.get('password') ?? '');
    void submitAct.ask(
      {
        requestId: selected,
        profile: String(data.get('profile') ?? ''),
        url: String(data.get('url') ?? '').trim(),
        headless: data.get('window') !== 'on',
        ...(username ? { username } : {}),
        ...(password ? { password } : {}),
      },
      e.currentTarget,
    );
  };

  const runs = (status?.runs ?? []).filter((r) => r.requestId === selected).reverse();
  const stops = (status?.stops ?? []).filter((s) => s.requestId === selected).reverse();
  const latest = (req: string): string | null =>
    [...(status?.runs ?? [])].reverse().find((r) => r.requestId === req)?.state ?? null;
  const entry: Entry | null = evaluation?.subject === selected ? (evaluation.entry ?? null) : null;
  const ambiguous = runs.find((r) => r.next === 'reconcile') ?? null;
  // A submitted request is done: the station refuses another run (PORTAL_ALREADY_SUBMITTED), so the form
  // does not offer one.
  const submitted = runs.find((r) => r.state === 'SUBMITTED') ?? null;

  return (
    <main className="main findings portal" aria-labelledby="portal-title">
      <h1 id="portal-title">Portal submissions</h1>
      <table className="grid" aria-label="Issuance requests">
        <thead>
          <tr>
            <th scope="col">Request</th>
            <th scope="col">Latest run</th>
          </tr>
        </thead>
        <tbody>
          {requests.map((req) => (
            <tr key={req} className={selected === req ? 'selected' : undefined}>
              <td>
                <button
                  type="button"
                  className="link"
                  aria-current={selected === req ? 'true' : undefined}
                  onClick={() => {
                    setSelected(req);
                    setEvaluation(null);
                  }}
                >
                  {req}
                </button>
              </td>
              <td>
                {latest(req) ? <Badge word={latest(req) ?? ''} /> : <span className="muted">no run yet</span>}
              </td>
            </tr>
          ))}
          {requests.length === 0 ? (
            <tr>
              <td colSpan={2} className="muted">
                No issuance request yet: import the approved packet’s records (Findings → Import records).
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>

      {selected ? (
        <section aria-labelledby="precheck-title" className="portal-section">
          <h2 id="precheck-title">Pre-check of {selected}</h2>
          <p className="muted">
            The same rules run again immediately before entry and before submit; this one is for you to read.
          </p>
          <button type="button" onClick={() => void precheck()} disabled={busy !== null}>
            {busy === 'precheck' ? 'Checking…' : 'Run the pre-check now'}
          </button>
          {evaluation && evaluation.subject === selected ? (
            <div className="portal-precheck">
              <p>
                <Badge word={evaluation.outcome === 'ready-for-portal' ? 'READY' : 'STOPPED'} />{' '}
                <strong>{evaluation.outcome}</strong> — {evaluation.reason}{' '}
                <span className="muted">(evaluation seq {evaluation.seq})</span>
              </p>
              <FindingsList findings={evaluation.findings} titles={titles} focus={focus} onFocus={setFocus} />
              {entry && entry.fields.length > 0 ? (
                <table className="grid" aria-label="Values the run will enter">
                  <thead>
                    <tr>
                      <th scope="col">Field</th>
                      <th scope="col">Value (from records)</th>
                      <th scope="col">SHA-256</th>
                    </tr>
                  </thead>
                  <tbody>
                    {entry.fields.map((f) => (
                      <tr key={f.take}>
                        <th scope="row">{f.take}</th>
                        <td className="mono">{preview(f.take, f.value)}</td>
                        <td className="mono">{f.sha256.slice(0, 16)}…</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              ) : null}
            </div>
          ) : null}
        </section>
      ) : null}

      {selected ? (
        <section aria-labelledby="submit-title" className="portal-section">
          <h2 id="submit-title">Submit through the portal</h2>
          {ambiguous ? (
            <p role="note">
              <Badge word="HALTED-AMBIGUOUS" /> Run {ambiguous.runId.slice(0, 8)} may already have submitted
              this request: reconcile it below before anything else.
            </p>
          ) : null}
          {submitted ? (
            <p role="note">
              <Badge word="SUBMITTED" /> Run {submitted.runId.slice(0, 8)} submitted this request
              {submitted.portalRequestId ? (
                <>
                  {' '}
                  as <strong className="mono">{submitted.portalRequestId}</strong>
                </>
              ) : null}
              : the station is done with it and does not submit it again.
            </p>
          ) : null}
          <form className="act-form" aria-label="Submit through the portal" onSubmit={submit}>
            <label className="field">
              <span>Portal profile</span>
              <select name="profile" required defaultValue={profiles[0]?.name ?? ''}>
                {profiles.map((p) => (
                  <option key={p.name} value={p.name}>
                    {p.title} ({p.name})
                  </option>
                ))}
              </select>
            </label>
            <label className="field">
              <span>Portal address</span>
              <input name="url" type="url" required spellCheck={false} />
            </label>
            <label className="field">
              <span>Portal user name</span>
              <input name="username" autoComplete="off" spellCheck={false} />
            </label>
            <label className="field">
              <span>Portal password (used once, never recorded)</span>
              <input name="password" type="password" autoComplete="off" />
            </label>
            <label className="field checkbox">
              <input name="window" type="checkbox" defaultChecked />
              <span>Show the portal window (to watch and take over at a halt)</span>
            </label>
            <button
              type="submit"
              className="primary"
              disabled={busy !== null || ambiguous !== null || submitted !== null}
            >
              Preview the submission
            </button>
          </form>
          {submitAct.panel}
        </section>
      ) : null}

      {selected ? (
        <section aria-labelledby="runs-title" className="portal-section">
          <h2 id="runs-title">Runs of {selected}</h2>
          {runs.length === 0 && stops.length === 0 ? <p className="muted">No run yet.</p> : null}
          {stops.map((s) => (
            <StopCard key={s.seq} stop={s} />
          ))}
          {runs.map((r) => (
            <RunCard
              key={r.runId}
              run={r}
              volumes={volumes}
              onExport={(volume, form) => {
                setExported(null);
                void evidenceAct.ask({ runId: r.runId, ...(volume ? { volume } : {}) }, form);
              }}
              onReconcile={(url, username, password, form) =>
                void reconcileAct.ask(
                  {
                    runId: r.runId,
                    url,
                    headless: true,
                    ...(username ? { username } : {}),
                    ...(password ? { password } : {}),
                  },
                  form,
                )
              }
            />
          ))}
          {reconcileAct.panel}
          {evidenceAct.panel}
          {exported ? (
            <div role="status" aria-label="Evidence bundle exported" className="portal-exported">
              <p>
                <Badge word="VERIFIED" /> Evidence bundle written and read back: <code>{exported.path}</code>{' '}
                ({exported.packetId} version {exported.version}, {exported.files.length} files)
              </p>
              <Digest hex={exported.digest} words={exported.words} label="Bundle digest" />
            </div>
          ) : null}
        </section>
      ) : null}
    </main>
  );
}

function StopCard({ stop }: { stop: Stop }) {
  return (
    <article className="portal-run" aria-label={`Pre-check stop ${stop.seq}`}>
      <header>
        <Badge word="STOPPED" /> <strong>pre-check {stop.stage}</strong>{' '}
        <span className="muted">
          seq {stop.seq} · {stop.at} · {stop.actor}
        </span>
      </header>
      <p>
        Nothing was entered. Back to <strong>{stop.owner ?? 'the request’s owner'}</strong>: {stop.outcome}
      </p>
      <ul>
        {stop.blockers.map((b) => (
          <li key={`${b.checkId}:${b.sentence}`}>
            <code>{b.checkId}</code> {b.sentence}
          </li>
        ))}
      </ul>
    </article>
  );
}

function RunCard(props: {
  run: Run;
  volumes: readonly Volume[];
  onExport: (volume: string | null, form: HTMLFormElement) => void;
  onReconcile: (url: string, username: string, password: string, form: HTMLFormElement) => void;
}) {
  const r = props.run;
  const mismatched = r.readBack.filter((x) => !x.match);
  return (
    <article className="portal-run" aria-label={`Run ${r.runId}`}>
      <header>
        <Badge word={r.state} /> <strong>run {r.runId.slice(0, 8)}</strong>{' '}
        <span className="muted">
          {r.startedAt} · {r.actor} · {r.profile} at {r.origin}
        </span>
      </header>
      <p>{r.sentence}</p>
      {r.portalRequestId ? (
        <p>
          Portal request id: <strong className="mono">{r.portalRequestId}</strong>
        </p>
      ) : null}
      {r.halt ? (
        <dl className="portal-halt">
          <dt>Halt</dt>
          <dd>
            {r.halt.kind}
            {r.halt.tab ? ` on tab ${r.halt.tab}` : ''}
            {r.halt.field ? ` (${r.halt.field})` : ''}
          </dd>
          <dt>Why</dt>
          <dd>{r.halt.detail}</dd>
          <dt>Draft</dt>
          <dd>
            {r.halt.disposition}
            {r.halt.draftId ? ` ${r.halt.draftId}` : ''}
          </dd>
        </dl>
      ) : null}
      {r.stopped ? (
        <ul>
          {r.stopped.blockers.map((b) => (
            <li key={`${b.checkId}:${b.sentence}`}>
              <code>{b.checkId}</code> {b.sentence}
            </li>
          ))}
        </ul>
      ) : null}
      {r.readBack.length > 0 ? (
        <p>
          Read back: {r.readBack.length - mismatched.length} of {r.readBack.length} fields as entered
          {mismatched.length > 0
            ? ` — differs: ${mismatched.map((x) => `${x.tab}/${x.take}`).join(', ')}`
            : ''}
        </p>
      ) : null}
      {r.intentSeq !== null ? <p className="muted">Submit intent journaled at seq {r.intentSeq}.</p> : null}
      {r.reconciliations.map((c) => (
        <p key={c.seq}>
          Reconciliation seq {c.seq} by {c.actor}: <strong>{c.result}</strong>
          {c.portalRequestId ? ` ${c.portalRequestId}` : ''} ({c.rows} rows seen)
        </p>
      ))}
      {r.screenshots.length > 0 ? (
        <p className="muted">
          {r.screenshots.length} masked screenshot{r.screenshots.length === 1 ? '' : 's'} in the evidence
          store
        </p>
      ) : null}
      {r.next === 'reconcile' ? (
        <form
          className="act-form"
          aria-label={`Reconcile run ${r.runId.slice(0, 8)}`}
          onSubmit={(e) => {
            e.preventDefault();
            const d = new FormData(e.currentTarget);
            props.onReconcile(
              String(d.get('url') ?? '').trim(),
              String(d.get('username') ?? '').trim(),
              String(d.get('password') ?? ''),
              e.currentTarget,
            );
          }}
        >
          <label className="field">
            <span>Portal address</span>
            <input name="url" type="url" required defaultValue={r.origin} spellCheck={false} />
          </label>
          <label className="field">
            <span>Portal user name</span>
            <input name="username" autoComplete="off" spellCheck={false} />
          </label>
          <label className="field">
            <span>Portal password (used once, never recorded)</span>
            <input name="password" type="password" autoComplete="off" />
          </label>
          <button type="submit" className="primary">
            Reconcile (search the portal, never submit)
          </button>
        </form>
      ) : null}
      {r.state !== 'RUNNING' && r.state !== 'SUBMITTING' ? (
        <form
          className="act-form"
          aria-label={`Evidence of run ${r.runId.slice(0, 8)}`}
          onSubmit={(e) => {
            e.preventDefault();
            const d = new FormData(e.currentTarget);
            const volume = String(d.get('volume') ?? '');
            props.onExport(volume || null, e.currentTarget);
          }}
        >
          <label className="field">
            <span>Volume for the evidence bundle</span>
            <select name="volume" defaultValue={props.volumes[0]?.path ?? ''}>
              {props.volumes.length === 0 ? <option value="">no ready volume</option> : null}
              {props.volumes.map((v) => (
                <option key={v.path} value={v.path}>
                  {v.label} ({v.path})
                </option>
              ))}
            </select>
          </label>
          <button type="submit">Export the evidence bundle</button>
        </form>
      ) : null}
    </article>
  );
}
