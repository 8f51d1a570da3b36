import { useCallback, useEffect, useMemo, useReducer, useState, type FormEvent } from 'react';
import { useStation } from '../../app/store';
import { Badge } from '../../components/Badge';
import { DetailPane } from './DetailPane';
import { FindingsList } from './FindingsList';
import {
  nowIso,
  outcomeWord,
  workflowEntry,
  WORKFLOWS,
  type Evaluation,
  type Focus,
  type FreshStatus,
  type Workflow,
} from './model';
import { RecordsPanel } from './RecordsPanel';
import './findings.css';

/**
 * Findings: a workflow judged for a subject as of an instant over the records and policy the station
 * holds. The station finds, people decide: nothing here sets an outcome, a category or a flag; the view
 * shows what the rules found, what they read, and whether those facts have changed since (STALE).
 */
export function FindingsView() {
  const api = useStation((s) => s.api);
  const showError = useStation((s) => s.showError);
  const loadJournalPage = useStation((s) => s.loadJournalPage);
  const [workflow, setWorkflow] = useState<Workflow>('deferral');
  const [subject, setSubject] = useState('');
  const [asOf, setAsOf] = useState(nowIso);
  const [subjects, setSubjects] = useState<readonly string[]>([]);
  const [rules, setRules] = useState<readonly { checkId: string; title: string }[]>([]);
  const [evaluation, setEvaluation] = useState<Evaluation | null>(null);
  const [status, setStatus] = useState<FreshStatus | null>(null);
  const [focus, setFocus] = useState<Focus>(null);
  const [busy, setBusy] = useState(false);

  const [held, recordsChanged] = useReducer((n: number) => n + 1, 0);
  useEffect(() => {
    if (!api) return;
    let live = true;
    void api.findingsSubjects({ workflow }).then((r) => {
      if (!live) return;
      if (!r.ok) return showError(r.error);
      setSubjects(r.value.subjects);
      setRules(r.value.rules);
      setSubject((s) => (s === '' ? (r.value.subjects[0] ?? '') : s));
    });
    return () => {
      live = false;
    };
  }, [api, workflow, showError, held]);

  const refreshStatus = useCallback(
    async (seq: number) => {
      if (!api) return;
      const r = await api.evaluationStatus({ seq });
      if (r.ok) setStatus(r.value);
      else showError(r.error);
    },
    [api, showError],
  );

  const titles = useMemo(() => new Map(rules.map((r) => [r.checkId, r.title])), [rules]);
  const wf = workflowEntry(workflow);

  const evaluate = async (e: FormEvent) => {
    e.preventDefault();
    if (!api) return;
    setBusy(true);
    const r = await api.findingsEvaluate({
      workflow,
      subject: subject.trim(),
      ...(asOf.trim() ? { asOf: asOf.trim() } : {}),
    });
    setBusy(false);
    if (!r.ok) return showError(r.error);
    // The outcome and its freshness appear together: never an outcome without its FRESH/STALE word.
    const fresh = await api.evaluationStatus({ seq: r.value.seq });
    setEvaluation(r.value);
    setFocus(null);
    if (fresh.ok) setStatus(fresh.value);
    else {
      setStatus(null);
      showError(fresh.error);
    }
    await loadJournalPage(0);
  };

  const onImported = async () => {
    recordsChanged();
    if (evaluation) await refreshStatus(evaluation.seq);
    await loadJournalPage(0);
  };

  return (
    <>
      <main className="main findings" aria-labelledby="findings-title">
        <h1 id="findings-title">Findings</h1>
        {evaluation && status?.status === 'STALE' ? (
          <div className="stale-banner" role="alert" aria-label="Evaluation is stale">
            <Badge word="STALE" /> {status.sentence}. Evaluate again before anyone decides on it.
          </div>
        ) : null}
        <form className="act-form findings-form" aria-label="Evaluate" onSubmit={(e) => void evaluate(e)}>
          <label className="field">
            <span>Workflow</span>
            <select
              value={workflow}
              onChange={(e) => {
                setWorkflow(e.target.value as Workflow);
                setSubject('');
              }}
            >
              {WORKFLOWS.map((w) => (
                <option key={w.id} value={w.id}>
                  {w.label}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>Subject ({wf.subject.toLowerCase()})</span>
            <input
              value={subject}
              list="findings-subjects"
              onChange={(e) => setSubject(e.target.value)}
              required
              spellCheck={false}
            />
            <datalist id="findings-subjects">
              {subjects.map((s) => (
                <option key={s} value={s} />
              ))}
            </datalist>
          </label>
          <label className="field">
            <span>As of (ISO UTC; empty: now)</span>
            <input value={asOf} onChange={(e) => setAsOf(e.target.value)} spellCheck={false} />
          </label>
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Evaluating…' : 'Evaluate'}
          </button>
          {subjects.length === 0 ? (
            <p className="muted">
              No {wf.label.toLowerCase()} subject record is held yet: import the exports below.
            </p>
          ) : null}
        </form>
        {evaluation ? (
          <EvaluationPanel
            evaluation={evaluation}
            status={status}
            titles={titles}
            focus={focus}
            onFocus={setFocus}
          />
        ) : null}
        <RecordsPanel onImported={onImported} />
      </main>
      {/* Focusable: the pane scrolls on its own, and a keyboard must be able to scroll it. */}
      <aside className="detail" aria-label="Detail" tabIndex={0}>
        <DetailPane focus={focus} findings={evaluation?.findings ?? []} titles={titles} onFocus={setFocus} />
      </aside>
    </>
  );
}

function EvaluationPanel(props: {
  evaluation: Evaluation;
  status: FreshStatus | null;
  titles: ReadonlyMap<string, string>;
  focus: Focus;
  onFocus: (f: Focus) => void;
}) {
  const { evaluation: ev, status } = props;
  const o = outcomeWord(ev.outcome, ev.findings);
  const stale = status?.status === 'STALE';
  const blocking = ev.findings.filter((f) => f.blocking).length;
  return (
    <>
      <section className="module outcome" aria-label="Outcome">
        <h2>
          Evaluation {ev.seq}: {ev.workflow} {ev.subject}
        </h2>
        <p className="outcome-line">
          <Badge word={o.word} tone={o.tone} detail={o.detail} large />
          {stale ? <Badge word="STALE" large /> : null}
          {status && !stale ? <Badge word="FRESH" /> : null}
        </p>
        <p>
          <code>{ev.outcome}</code>: {ev.reason}
        </p>
        <p className="muted">
          {ev.findings.length} finding{ev.findings.length === 1 ? '' : 's'}, {blocking} blocking
        </p>
        <dl className="facts" aria-label="Evaluation inputs">
          <dt>As of</dt>
          <dd>{ev.inputs.asOf}</dd>
          <dt>Policy</dt>
          <dd>
            {ev.policy.policy} v{ev.policy.version} ({ev.policy.source}
            {ev.policy.source === 'imported'
              ? `: ${ev.policy.fileName ?? '?'} from ${ev.policy.system ?? '?'}, ${ev.policy.exportedAt ?? '?'}`
              : ''}
            )
          </dd>
          <dt>Policy digest</dt>
          <dd>
            <code className="hash">{ev.inputs.policyDigest}</code>
          </dd>
          <dt>Records read</dt>
          <dd>
            {ev.inputs.recordCount} <span className="muted">digest</span>{' '}
            <code className="hash">{ev.inputs.recordsDigest}</code>
          </dd>
          <dt>Findings digest</dt>
          <dd>
            <code className="hash">{ev.findingsDigest}</code>
          </dd>
        </dl>
      </section>
      <section className="module" aria-label="Findings by category">
        <h2>Findings</h2>
        <FindingsList
          findings={ev.findings}
          titles={props.titles}
          focus={props.focus}
          onFocus={props.onFocus}
        />
      </section>
    </>
  );
}
