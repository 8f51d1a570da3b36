import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import type { Output } from '../../../shared/contract';
import { hexDigestWords } from '../../../shared/words';
import { useStation } from '../../app/store';
import { Badge } from '../../components/Badge';
import { Digest } from '../../components/Digest';
import { nowIso } from '../findings/model';
import { RecordsPanel } from '../findings/RecordsPanel';
import { AuthorityDetail } from './AuthorityDetail';
import { BroadPanel } from './BroadPanel';
import { ChangesPanel } from './ChangesPanel';
import { FactsPanel, RequirementsList } from './FactsPanel';
import { LaneCard } from './LaneCard';
import { LineageList } from './LineageList';
import {
  byRank,
  outcomeWords,
  shortTime,
  WORKFLOW,
  type AuthorityDiffView,
  type AuthorityEvaluation,
  type AuthorityFocus,
  type AuthorityStatus,
  type BroadView,
  type CurrentEvaluation,
  type LineageEntry,
  type RedirectsView,
} from './model';
import { RedirectForm } from './RedirectForm';
import { RedirectStrip } from './RedirectStrip';
import '../findings/findings.css';
import './authority.css';

type Pending = Output<'decisionsPending'>[number];

/** Everything the view shows for one incident, read together from the authority channels. */
interface Loaded {
  incidentId: string;
  status: AuthorityStatus;
  redirects: RedirectsView;
  lineage: readonly LineageEntry[];
  /** The latest evaluation against the one before it (null with fewer than two). */
  changes: AuthorityDiffView | null;
  /** When the current evaluation is STALE: it against the facts now, at its own instant. */
  sinceChanges: AuthorityDiffView | null;
}

/** How often the view reads the incident's status again (facts change from the CLI, other windows). */
const POLL_MS = 15_000;

/**
 * Packets → Compromise authority (workflow 002): which lane of the authority matrix should own the
 * decision after a severe incident, who holds each lane now, the facts it rests on, the bounded option
 * sets, people's redirects beside what the station computes, what changed between evaluations, the
 * incident's lineage, and what a broader audience would receive. The station computes and people
 * decide: nothing here revokes, freezes or publishes, no option is preferred, and RECOMMENDED is never
 * green. An evaluation whose records or policy changed is marked STALE and nobody decides on it.
 */
export function AuthorityView() {
  const api = useStation((s) => s.api);
  const showError = useStation((s) => s.showError);
  const loadJournalPage = useStation((s) => s.loadJournalPage);
  const openPackets = useStation((s) => s.openPackets);
  const intent = useStation((s) => s.authorityIntent);
  const [subject, setSubject] = useState('');
  const [asOf, setAsOf] = useState(nowIso);
  const [subjects, setSubjects] = useState<readonly string[]>([]);
  /** The subject family the station lists incidents from ('' when it lists none for this workflow). */
  const [family, setFamily] = useState<string | null>(null);
  const [rules, setRules] = useState<readonly { checkId: string; title: string }[]>([]);
  const [pending, setPending] = useState<readonly Pending[]>([]);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [focus, setFocus] = useState<AuthorityFocus>(null);
  const [busy, setBusy] = useState(false);
  const [broad, setBroad] = useState<BroadView | null>(null);
  const [version, setVersion] = useState(0);
  const changed = () => setVersion((n) => n + 1);

  useEffect(() => {
    if (!api) return;
    let live = true;
    void Promise.all([api.findingsSubjects({ workflow: WORKFLOW }), api.decisionsPending({})]).then(
      ([r, p]) => {
        if (!live) return;
        if (!r.ok) return showError(r.error);
        const mine = p.ok ? p.value.filter((x) => x.view === 'authority') : [];
        setPending(mine);
        setSubjects(r.value.subjects);
        setFamily(r.value.family);
        setRules(r.value.rules);
        // Arriving from Decisions pending: the incident chosen there, else the first waiting here.
        const first = mine.find((x) => x.kind.startsWith('authority-'))?.subject;
        setSubject((s) => (s === '' ? (intent ?? first ?? r.value.subjects[0] ?? '') : s));
      },
    );
    return () => {
      live = false;
    };
  }, [api, showError, version, intent]);
  const titles = useMemo(() => new Map(rules.map((r) => [r.checkId, r.title])), [rules]);

  /** Reads the incident's status (lanes with FRESH/STALE, never one without the other), redirects, lineage. */
  const load = useCallback(
    async (incidentId: string): Promise<Loaded | null> => {
      if (!api) return null;
      const [status, redirects, lineage] = await Promise.all([
        api.authorityStatus({ incidentId }),
        api.authorityRedirects({ incidentId }),
        api.authorityLineage({ incidentId }),
      ]);
      for (const r of [status, redirects, lineage])
        if (!r.ok) {
          showError(r.error);
          return null;
        }
      if (!status.ok || !redirects.ok || !lineage.ok) return null;
      return {
        incidentId,
        status: status.value,
        redirects: redirects.value,
        lineage: lineage.value.entries,
        changes: null,
        sinceChanges: null,
      };
    },
    [api, showError],
  );

  /** What changed: the latest evaluation against the one before; when STALE, it against the facts now. */
  const loadChanges = useCallback(
    async (l: Loaded): Promise<Pick<Loaded, 'changes' | 'sinceChanges'>> => {
      const out: Pick<Loaded, 'changes' | 'sinceChanges'> = { changes: null, sinceChanges: null };
      const cur = l.status.current;
      if (!api || !cur) return out;
      const incidentId = l.incidentId;
      if ((l.status.evaluations[0]?.seq ?? cur.seq) < cur.seq) {
        const d = await api.authorityDiff({ incidentId, to: cur.seq });
        if (d.ok) out.changes = d.value;
        else showError(d.error);
      }
      if (cur.status === 'STALE' && cur.evaluation) {
        // The facts now, at the evaluation's own instant: what the new records change, nothing else.
        const d = await api.authorityDiff({ incidentId, from: cur.seq, asOf: cur.evaluation.inputs.asOf });
        if (d.ok) out.sinceChanges = d.value;
        else showError(d.error);
      }
      return out;
    },
    [api, showError],
  );

  // The incident on screen: read when one the station holds is chosen, after every act, and on a poll.
  // The lanes show first; the changes (two more recomputations) follow.
  const known = subjects.includes(subject.trim());
  const shown = useRef<string | null>(null);
  useEffect(() => {
    if (!known) return;
    const incidentId = subject.trim();
    let live = true;
    const read = async () => {
      const l = await load(incidentId);
      if (!live || !l) return;
      const cur = l.status.current;
      const key = `${l.incidentId} ${cur?.seq ?? 0} ${cur?.status ?? ''} ${l.redirects.redirects.length} ${l.lineage.length}`;
      if (key === shown.current) return;
      shown.current = key;
      setLoaded(l);
      setBroad(null);
      const c = await loadChanges(l);
      if (live) setLoaded((now) => (now === l ? { ...l, ...c } : now));
    };
    void read();
    const poll = setInterval(() => void read(), POLL_MS);
    return () => {
      live = false;
      clearInterval(poll);
    };
  }, [known, subject, load, loadChanges, version]);

  const evaluate = async (e: FormEvent) => {
    e.preventDefault();
    if (!api) return;
    setBusy(true);
    const r = await api.authorityEvaluate({
      incidentId: subject.trim(),
      ...(asOf.trim() ? { asOf: asOf.trim() } : {}),
    });
    setBusy(false);
    if (!r.ok) return showError(r.error);
    setFocus(null);
    shown.current = null;
    changed();
    await loadJournalPage(0);
  };

  const onImported = async () => {
    shown.current = null;
    changed();
    await loadJournalPage(0);
  };

  const toggleBroad = async () => {
    if (!api || !loaded?.status.current) return;
    if (broad) return setBroad(null);
    const r = await api.authorityBroadPreview({ seq: loaded.status.current.seq });
    if (!r.ok) return showError(r.error);
    setFocus(null);
    setBroad(r.value);
  };

  const cur = loaded && loaded.incidentId === subject.trim() ? loaded.status.current : null;
  const stale = cur?.status === 'STALE';
  const latestSeq = loaded?.status.evaluations.at(-1)?.seq ?? null;
  const waiting = pending.filter((p) => p.kind.startsWith('authority-'));
  const packetsWaiting = pending.filter((p) => !p.kind.startsWith('authority-'));
  return (
    <>
      <main className="main findings authority" aria-labelledby="authority-title">
        <h1 id="authority-title">Compromise authority</h1>
        {pending.length > 0 ? (
          <section className="module" aria-label="Pending here">
            <h2>Decisions pending here ({pending.length})</h2>
            <ul className="plain">
              {waiting.map((p) => (
                <li key={`${p.kind} ${p.subject}`}>
                  <Badge word={p.kind === 'authority-redirect' ? 'REDIRECT' : 'EVALUATE'} tone="info" />
                  {p.overdue ? <Badge word="OVERDUE" /> : null} {p.what}{' '}
                  {p.by ? <span className="muted">by {shortTime(p.by)}</span> : null}{' '}
                  <button type="button" className="link" onClick={() => setSubject(p.subject)}>
                    Show {p.subject}
                  </button>
                </li>
              ))}
              {packetsWaiting.map((p) => (
                <li key={`${p.kind} ${p.subject}`}>
                  <Badge word={p.kind === 'packet-handoff' ? 'HANDOFF' : 'PACKET'} /> {p.what}{' '}
                  <button type="button" className="link" onClick={() => openPackets({ packetId: p.subject })}>
                    Open packet {p.subject}
                  </button>
                </li>
              ))}
            </ul>
          </section>
        ) : null}
        {stale ? (
          <div className="stale-banner" role="alert" aria-label="Evaluation is stale">
            <Badge word="STALE" /> {cur.sentence}. Evaluate again before anyone decides on it.
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
          {known ? (
            <button type="button" onClick={() => openPackets({ incidentId: subject.trim() })}>
              Packets for {subject.trim()}…
            </button>
          ) : null}
          {family !== null && family !== '' && subjects.length === 0 ? (
            <p className="muted">No declared incident is held yet: import the incident-scope export below.</p>
          ) : null}
        </form>
        {loaded && loaded.incidentId === subject.trim() && !cur ? (
          <p role="status">{subject.trim()} has not been evaluated yet.</p>
        ) : null}
        {cur && !cur.evaluation ? (
          <p role="alert">
            Evaluation {cur.seq} no longer reproduces ({cur.irreproducible.join(', ')} differ from what it
            recorded): <Badge word="STALE" /> evaluate again.
          </p>
        ) : null}
        {cur?.evaluation && loaded ? (
          <>
            <section className="module broad-toggle" aria-label="Audience">
              <button type="button" aria-pressed={broad !== null} onClick={() => void toggleBroad()}>
                {broad ? 'Back to the full view' : 'Broad preview (what a broader audience receives)'}
              </button>{' '}
              {broad ? (
                <span>
                  Showing the broad view of evaluation {broad.evaluation.seq}: no fact value, custody,
                  exposure or disclosure detail.
                </span>
              ) : (
                <span>
                  Full view: <Badge word="RESTRICTED" /> marks custody, exposure and disclosure detail
                  (approved channel only).
                </span>
              )}
            </section>
            {broad ? (
              <BroadPanel view={broad} />
            ) : (
              <AuthorityPanel
                current={cur}
                evaluation={cur.evaluation}
                latest={latestSeq === cur.seq}
                loaded={loaded}
                titles={titles}
                onFocus={setFocus}
                onRedirected={async () => {
                  shown.current = null;
                  changed();
                  await loadJournalPage(0);
                }}
              />
            )}
          </>
        ) : null}
        {!broad && loaded && loaded.incidentId === subject.trim() ? (
          <LineageList entries={loaded.lineage} />
        ) : null}
        <RecordsPanel onImported={onImported} />
      </main>
      {/* Focusable: the pane scrolls on its own, and a keyboard must be able to scroll it. */}
      <aside className="detail" aria-label="Detail" tabIndex={0}>
        {broad ? (
          <p className="hint">Broad preview: record detail is withheld from a broader audience.</p>
        ) : focus === null ? (
          <p className="hint">
            Select a check ID, a fact&apos;s record or a lane&apos;s rule to see it here.
          </p>
        ) : (
          <AuthorityDetail
            focus={focus}
            facts={cur?.evaluation?.authority.facts ?? []}
            findings={cur?.evaluation?.findings ?? []}
            titles={titles}
            onFocus={setFocus}
          />
        )}
      </aside>
    </>
  );
}

function AuthorityPanel(props: {
  current: CurrentEvaluation;
  evaluation: AuthorityEvaluation;
  /** Whether it is the incident's latest evaluation (only the latest FRESH one can be redirected). */
  latest: boolean;
  loaded: Loaded;
  titles: ReadonlyMap<string, string>;
  onFocus: (f: AuthorityFocus) => void;
  onRedirected: () => Promise<void>;
}) {
  const { evaluation: ev, current } = props;
  const a = ev.authority;
  const stale = current.status === 'STALE';
  const lanes = byRank(a.lanes);
  const { redirects, changes, sinceChanges } = props.loaded;
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
          {stale ? <Badge word="STALE" large /> : <Badge word="FRESH" />}
          {redirects.inForce ? <Badge word="REDIRECTED" detail={`to ${redirects.inForce.toLane}`} /> : null}
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
      <RedirectStrip
        redirects={redirects.redirects}
        inForce={redirects.inForce}
        authority={a}
        evaluationSeq={ev.seq}
      />
      {sinceChanges ? (
        <ChangesPanel diff={sinceChanges} label={`Since evaluation ${ev.seq}: facts now`} />
      ) : null}
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
      {changes ? (
        <ChangesPanel
          diff={changes}
          label={`Changes from evaluation ${changes.from.seq ?? '?'} to ${changes.to.seq ?? 'now'}`}
        />
      ) : null}
      {!stale && props.latest ? (
        <RedirectForm
          incidentId={ev.subject}
          evaluationSeq={ev.seq}
          authority={a}
          onDone={props.onRedirected}
        />
      ) : (
        <p className="muted">
          A redirect is made on the latest FRESH evaluation:{' '}
          {stale ? 'evaluate again first.' : 'this is not the latest.'}
        </p>
      )}
    </>
  );
}
