import { useCallback, useEffect, useMemo, useReducer, useState, type FormEvent } from 'react';
import { hexDigestWords } from '../../../shared/words';
import { useStation } from '../../app/store';
import { Badge } from '../../components/Badge';
import { Digest } from '../../components/Digest';
import { nowIso, type Evaluation, type FreshStatus } from '../findings/model';
import { RecordsPanel } from '../findings/RecordsPanel';
import { AuthorityDetail } from './AuthorityDetail';
import { ChangesPanel } from './ChangesPanel';
import { FactsPanel, RequirementsList } from './FactsPanel';
import { LaneCard } from './LaneCard';
import {
  byRank,
  hasAuthority,
  outcomeWords,
  shortTime,
  WORKFLOW,
  type AuthorityEvaluation,
  type AuthorityFocus,
} from './model';
import { RedirectStrip } from './RedirectStrip';
import type { AuthorityChanges, RedirectEntry } from './slots';
import '../findings/findings.css';
import './authority.css';

export interface AuthorityViewProps {
  /**
   * SLOT: recorded redirects of the incident on screen (design §6), from the redirect/lineage channel
   * once it exists. Omitted: no strip.
   */
  redirects?: readonly RedirectEntry[];
  /**
   * SLOT: what changed between two evaluations (design §5), from the diff channel once it exists.
   * Omitted: no changes panel.
   */
  changes?: AuthorityChanges | null;
}

/**
 * Packets → Compromise authority (workflow 002): which lane of the authority matrix should own the
 * decision after a severe incident, who holds each lane now, the facts it rests on, and the bounded
 * option sets. The station computes and people decide: nothing here revokes, freezes or publishes, no
 * option is preferred, and RECOMMENDED is never green. An evaluation whose records or policy changed is
 * marked STALE and nobody decides on it.
 */
export function AuthorityView(props: AuthorityViewProps) {
  const api = useStation((s) => s.api);
  const showError = useStation((s) => s.showError);
  const loadJournalPage = useStation((s) => s.loadJournalPage);
  const [subject, setSubject] = useState('');
  const [asOf, setAsOf] = useState(nowIso);
  const [subjects, setSubjects] = useState<readonly string[]>([]);
  /** The subject family the station lists incidents from ('' when it lists none for this workflow). */
  const [family, setFamily] = useState<string | null>(null);
  const [rules, setRules] = useState<readonly { checkId: string; title: string }[]>([]);
  const [evaluation, setEvaluation] = useState<Evaluation | null>(null);
  const [status, setStatus] = useState<FreshStatus | null>(null);
  const [focus, setFocus] = useState<AuthorityFocus>(null);
  const [busy, setBusy] = useState(false);

  const [held, recordsChanged] = useReducer((n: number) => n + 1, 0);
  useEffect(() => {
    if (!api) return;
    let live = true;
    void api.findingsSubjects({ workflow: WORKFLOW }).then((r) => {
      if (!live) return;
      if (!r.ok) return showError(r.error);
      setSubjects(r.value.subjects);
      setFamily(r.value.family);
      setRules(r.value.rules);
      setSubject((s) => (s === '' ? (r.value.subjects[0] ?? '') : s));
    });
    return () => {
      live = false;
    };
  }, [api, showError, held]);

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

  const evaluate = async (e: FormEvent) => {
    e.preventDefault();
    if (!api) return;
    setBusy(true);
    const r = await api.findingsEvaluate({
      workflow: WORKFLOW,
      subject: subject.trim(),
      ...(asOf.trim() ? { asOf: asOf.trim() } : {}),
    });
    setBusy(false);
    if (!r.ok) return showError(r.error);
    // The lanes and their freshness appear together: never a recommendation without FRESH/STALE.
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

  const stale = evaluation !== null && status?.status === 'STALE';
  return (
    <>
      <main className="main findings authority" aria-labelledby="authority-title">
        <h1 id="authority-title">Compromise authority</h1>
        {stale ? (
          <div className="stale-banner" role="alert" aria-label="Evaluation is stale">
            <Badge word="STALE" /> {status.sentence}. Evaluate again before anyone decides on it.
          </div>
        ) : null}
        <form className="act-form findings-form" aria-label="Evaluate" onSubmit={(e) => void evaluate(e)}>
          <label className="field">
            <span>Incident id</span>
            <input
              value={subject}
              list="authority-incidents"
              onChange={(e) => setSubject(e.target.value)}
              required
              spellCheck={false}
            />
            <datalist id="authority-incidents">
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
          {family !== null && family !== '' && subjects.length === 0 ? (
            <p className="muted">No declared incident is held yet: import the incident-scope export below.</p>
          ) : null}
        </form>
        {evaluation && hasAuthority(evaluation) ? (
          <AuthorityPanel
            evaluation={evaluation}
            status={status}
            titles={titles}
            onFocus={setFocus}
            redirects={props.redirects ?? []}
            changes={props.changes ?? null}
          />
        ) : evaluation ? (
          <p role="alert">
            Evaluation {evaluation.seq} carries no lane view: {evaluation.outcome}: {evaluation.reason}
          </p>
        ) : null}
        <RecordsPanel onImported={onImported} />
      </main>
      {/* Focusable: the pane scrolls on its own, and a keyboard must be able to scroll it. */}
      <aside className="detail" aria-label="Detail" tabIndex={0}>
        {focus === null ? (
          <p className="hint">
            Select a check ID, a fact&apos;s record or a lane&apos;s rule to see it here.
          </p>
        ) : (
          <AuthorityDetail
            focus={focus}
            facts={evaluation?.authority?.facts ?? []}
            findings={evaluation?.findings ?? []}
            titles={titles}
            onFocus={setFocus}
          />
        )}
      </aside>
    </>
  );
}

function AuthorityPanel(props: {
  evaluation: AuthorityEvaluation;
  status: FreshStatus | null;
  titles: ReadonlyMap<string, string>;
  onFocus: (f: AuthorityFocus) => void;
  redirects: readonly RedirectEntry[];
  changes: AuthorityChanges | null;
}) {
  const { evaluation: ev, status } = props;
  const a = ev.authority;
  const stale = status?.status === 'STALE';
  const lanes = byRank(a.lanes);
  return (
    <>
      <section className="module outcome" aria-label="Outcome">
        <h2>
          Evaluation {ev.seq}: {a.incident ? `${a.incident.incidentId} — ${a.incident.title}` : ev.subject}
        </h2>
        <p className="outcome-line">
          {outcomeWords(ev.outcome, a.recommended).map((o) => (
            <Badge key={o.word} word={o.word} tone={o.tone} detail={o.detail} large />
          ))}
          {stale ? <Badge word="STALE" large /> : null}
          {status && !stale ? <Badge word="FRESH" /> : null}
        </p>
        <p>
          <code>{ev.outcome}</code>: {ev.reason}
        </p>
        <dl className="facts" aria-label="Evaluation inputs">
          <dt>Incident</dt>
          <dd>
            {a.incident
              ? `${a.incident.incidentId}, ${a.incident.severity}, ${a.incident.status}, declared ${shortTime(a.incident.declaredAt)}; keys ${a.incident.keyIds.join(', ')}`
              : `${ev.subject}: no declaration held`}
          </dd>
          <dt>As of</dt>
          <dd>{ev.inputs.asOf}</dd>
          <dt>Critical window ends</dt>
          <dd>{a.windowEnd ? <time dateTime={a.windowEnd}>{shortTime(a.windowEnd)}</time> : 'UNKNOWN'}</dd>
          <dt>Matrix</dt>
          <dd>
            {a.matrix}{' '}
            <span className="muted">
              ({ev.policy.policy} v{ev.policy.version}, {ev.policy.source})
            </span>
          </dd>
          <dt>Floor</dt>
          <dd>{a.floor === null ? 'no trigger fired' : `rank ${a.floor}`}</dd>
        </dl>
        <Digest
          label="Matrix (policy) digest"
          hex={ev.inputs.policyDigest}
          words={hexDigestWords(ev.inputs.policyDigest)}
        />
      </section>
      {/* SLOT: the redirect strip (fed by the redirect/lineage channel once it exists). */}
      <RedirectStrip redirects={props.redirects} authority={a} />
      <section className="module" aria-label="Lanes">
        <h2>Lanes in rank order</h2>
        <div className="lane-grid">
          {lanes.map((l) => (
            <LaneCard key={l.laneId} lane={l} authority={a} titles={props.titles} onFocus={props.onFocus} />
          ))}
        </div>
      </section>
      <RequirementsList requirements={a.requirements} />
      <FactsPanel facts={a.facts} onFocus={props.onFocus} />
      {/* SLOT: the changes panel (fed by the diff channel once it exists). */}
      {props.changes ? <ChangesPanel changes={props.changes} /> : null}
    </>
  );
}
