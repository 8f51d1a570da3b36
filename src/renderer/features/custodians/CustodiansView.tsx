import { useEffect, useReducer, useRef, useState, type FormEvent } from 'react';
import type { CoverageView, ModuleView, QuorumSessionView, RosterEntryView } from '../../../shared/contract';
import { FieldError } from '../../components/FieldError';
import { useStation } from '../../app/store';
import { Badge } from '../../components/Badge';
import { useConfirmedAct } from '../../components/ConfirmAct';
import { Digest } from '../../components/Digest';
import { PinField, takePin } from '../../components/PinField';
import { ActivationPanel } from './ActivationPanel';
import { CoverageGrid } from './CoverageGrid';
import type { SessionSummary } from './QuorumBinding';
import { QuorumSeats } from './QuorumSeats';
import { RosterChanges } from './RosterChanges';
import { ShareSplitPanel } from './ShareSplitPanel';

const today = () => new Date().toISOString().slice(0, 10);
/** quorum_session.closed_reason while an act holds the session (QUORUM-CLAIM). */
const CLAIMED = 'claimed';

/** Custodians & quorum: the approved roster, quorum sessions with check-ins, and shift coverage. */
export function CustodiansView() {
  const api = useStation((s) => s.api);
  const showError = useStation((s) => s.showError);
  const refreshJournal = useStation((s) => s.verify);
  const [roster, setRoster] = useState<{ quorum: number | null; custodians: RosterEntryView[] } | null>(null);
  const [sessions, setSessions] = useState<SessionSummary[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [view, setView] = useState<QuorumSessionView | null>(null);
  const [modules, setModules] = useState<ModuleView[]>([]);
  const [coverage, setCoverage] = useState<CoverageView | null>(null);

  // Bumping `version` reloads the lists; bumping `sessionVersion` reloads the selected session.
  const [version, reload] = useReducer((n: number) => n + 1, 0);
  const [sessionVersion, reloadSession] = useReducer((n: number) => n + 1, 0);
  const [splitsVersion, reloadSplits] = useReducer((n: number) => n + 1, 0);
  /** An act used (and so closed) a quorum session, or changed the roster: everything is read again. */
  const acted = async () => {
    reload();
    reloadSession();
    await refreshJournal();
  };
  const opened = async (id: string) => {
    reload();
    setSelected(id);
    await refreshJournal();
  };

  useEffect(() => {
    if (!api) return;
    let live = true;
    void Promise.all([
      api.rosterList({}),
      api.quorumSessions({}),
      api.devicesModules({}),
      api.coverageGrid({ from: today(), days: 7, shifts: ['day', 'night'] }),
    ]).then(([r, q, m, c]) => {
      if (!live) return;
      if (r.ok) setRoster(r.value);
      else showError(r.error);
      if (q.ok) setSessions(q.value);
      if (m.ok) setModules(m.value);
      if (c.ok) setCoverage(c.value);
    });
    return () => {
      live = false;
    };
  }, [api, showError, version]);

  useEffect(() => {
    if (!api || !selected) return;
    let live = true;
    void api.quorumSession({ sessionId: selected }).then((r) => {
      if (!live) return;
      if (r.ok) setView(r.value);
      else showError(r.error);
    });
    return () => {
      live = false;
    };
  }, [api, showError, selected, sessionVersion]);

  return (
    <>
      <main className="main" aria-labelledby="custodians-title">
        <h1 id="custodians-title">Custodians &amp; Quorum</h1>
        <section className="module" aria-label="Approved roster">
          <h2>
            Approved roster {roster?.quorum ? <span className="muted">· quorum {roster.quorum}</span> : null}
          </h2>
          {roster && roster.custodians.length === 0 ? (
            <p>No roster yet: initialise it with `station roster init`.</p>
          ) : null}
          <table className="grid" aria-label="Approved roster">
            <thead>
              <tr>
                <th scope="col">Custodian</th>
                <th scope="col">Roles</th>
                <th scope="col">Key</th>
                <th scope="col">Valid</th>
                <th scope="col">Sign-in</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {roster?.custodians.map((c) => (
                <tr key={c.custodianId}>
                  <td>
                    {c.name} <code className="muted">{c.custodianId}</code>
                  </td>
                  <td>{c.roles.join(', ')}</td>
                  <td title={c.fingerprint}>
                    {c.algorithm} · {c.words.slice(0, 3).join(' ')}
                  </td>
                  <td>
                    {c.validFrom.slice(0, 10)} → {c.validUntil.slice(0, 10)}
                  </td>
                  <td>{c.credentials.map((k) => (k === 'key-file' ? 'key file' : 'token')).join(', ')}</td>
                  <td>
                    <Badge
                      word={c.status === 'VALID' ? 'READY' : 'BLOCKED'}
                      detail={c.status}
                      check="ROSTER-VALID"
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>

        <section className="module" aria-label="Quorum sessions">
          <h2>Quorum sessions</h2>
          <OpenSessionForm
            onOpened={async (id) => {
              reload();
              setSelected(id);
              await refreshJournal();
            }}
          />
          <ul className="plain">
            {sessions.map((s) => (
              <li key={s.sessionId}>
                <button type="button" className="link" onClick={() => setSelected(s.sessionId)}>
                  {s.ceremonyId} / step {s.step}
                </button>{' '}
                <code className="muted">{s.operation}</code>{' '}
                {s.closedReason === CLAIMED ? (
                  <Badge word="CLAIMED" detail="an act holds it" check="QUORUM-CLAIM" />
                ) : s.closedReason ? (
                  <Badge word="CLOSED" detail={s.closedReason} />
                ) : (
                  <Badge word="OPEN" />
                )}
              </li>
            ))}
          </ul>
        </section>

        {view ? (
          <SessionPanel
            view={view}
            modules={modules}
            onChanged={async () => {
              // A check-in moves the session towards its quorum: the list (and every act bound to it)
              // reads it again.
              reload();
              reloadSession();
              await refreshJournal();
            }}
          />
        ) : null}

        {roster && roster.quorum !== null ? (
          <RosterChanges roster={roster.custodians} sessions={sessions} onOpened={opened} onChanged={acted} />
        ) : null}

        {roster ? (
          <ActivationPanel
            roster={roster.custodians}
            openSessions={sessions}
            onOpened={opened}
            splitsVersion={splitsVersion}
            onActed={acted}
          />
        ) : null}

        {roster && roster.quorum !== null ? (
          <ShareSplitPanel
            roster={roster.custodians}
            modules={modules}
            onSplit={async () => {
              reloadSplits();
              await refreshJournal();
            }}
          />
        ) : null}

        {coverage ? (
          <section className="module" aria-label="Signer coverage">
            <h2>Signer coverage by shift (next 7 days)</h2>
            <CoverageGrid grid={coverage} />
          </section>
        ) : null}
      </main>
      {/* Focusable: the pane scrolls on its own, and a keyboard must be able to scroll it. */}
      <aside className="detail" aria-label="Challenge" tabIndex={0}>
        {view ? (
          <>
            <h2>Challenge</h2>
            <Digest
              label="Challenge SHA-256 (custodians compare before signing)"
              hex={view.challenge.sha256}
              words={view.challenge.words}
            />
            <pre className="body">{JSON.stringify(JSON.parse(view.challenge.text), null, 2)}</pre>
          </>
        ) : (
          <p className="hint">Select or open a quorum session.</p>
        )}
      </aside>
    </>
  );
}

function OpenSessionForm(props: { onOpened: (sessionId: string) => Promise<void> }) {
  const [f, setF] = useState({ binding: 'act', operation: '', ceremonyId: '', step: '' });
  const open = useConfirmedAct('quorumOpen', { onDone: (v) => props.onOpened(v.sessionId) });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await open.ask({
      // A presence purpose goes as typed (the station encodes it); an act's binding as its exact text.
      operation: f.binding === 'presence' ? { kind: 'ceremony-presence', purpose: f.operation } : f.operation,
      ceremonyId: f.ceremonyId,
      step: f.step,
      ttlMinutes: 60,
    });
  };
  return (
    <>
      <form className="inline-form" aria-label="Open quorum session" onSubmit={(e) => void submit(e)}>
        <label className="field">
          <span>Bound to</span>
          <select value={f.binding} onChange={(e) => setF({ ...f, binding: e.target.value })}>
            <option value="act">a station act (exact operation)</option>
            <option value="presence">presence of custodians only (authorises no act)</option>
          </select>
        </label>
        <label className="field">
          <span>{f.binding === 'presence' ? 'Purpose' : 'Operation (exact binding)'}</span>
          <input
            value={f.operation}
            onChange={(e) => setF({ ...f, operation: e.target.value })}
            required
            placeholder={f.binding === 'presence' ? 'e.g. rehearsal of step 7' : 'ceremony-keygen:…'}
          />
          <FieldError name="operation" />
        </label>
        <label className="field">
          <span>Ceremony</span>
          <input value={f.ceremonyId} onChange={(e) => setF({ ...f, ceremonyId: e.target.value })} required />
          <FieldError name="ceremonyId" />
        </label>
        <label className="field">
          <span>Step</span>
          <input value={f.step} onChange={(e) => setF({ ...f, step: e.target.value })} required />
          <FieldError name="step" />
        </label>
        <button type="submit" className="primary">
          Preview the session…
        </button>
      </form>
      {open.panel}
    </>
  );
}

function SessionPanel(props: {
  view: QuorumSessionView;
  modules: ModuleView[];
  onChanged: () => Promise<void>;
}) {
  const api = useStation((s) => s.api);
  const showError = useStation((s) => s.showError);
  const { view } = props;
  const tokens = props.modules.flatMap((m) => m.tokens.map((t) => ({ moduleId: m.moduleId, ...t })));
  const [token, setToken] = useState('');
  const [outcome, setOutcome] = useState<string | null>(null);
  const pinRef = useRef<HTMLInputElement>(null);
  const checkedIn = view.state.checkedIn.map((c) => c.custodianId);

  const checkIn = async (e: FormEvent) => {
    e.preventDefault();
    const t = tokens.find((x) => x.serial === token);
    const pin = takePin(pinRef);
    if (!api || !t) return;
    const r = await api.quorumCheckIn({
      sessionId: view.session.sessionId,
      moduleId: t.moduleId,
      serial: t.serial,
      pin,
    });
    if (!r.ok) return showError(r.error);
    setOutcome(
      r.value.ok ? `${r.value.custodianId} checked in.` : `Refused (${r.value.code}): ${r.value.reason}`,
    );
    await props.onChanged();
  };

  return (
    <section className="token-panel" aria-label="Quorum session">
      <h2>
        {view.session.ceremonyId} / step {view.session.step}{' '}
        {view.state.reached ? (
          <Badge word="READY" detail="quorum reached" large />
        ) : (
          <Badge word="HOLD" detail="quorum not reached" large />
        )}
      </h2>
      <p>
        Authorises <code>{view.session.operation}</code> · expires{' '}
        {view.session.expiresAt.replace('T', ' ').slice(0, 19)} UTC
        {view.closed && !view.claim ? ` · closed (${view.closedReason})` : ''}
      </p>
      {view.claim ? (
        <p role="status">
          <Badge
            word="CLAIMED"
            detail={view.status === 'CLAIMED' ? undefined : 'expired while claimed'}
            check="QUORUM-CLAIM"
          />{' '}
          An act holds this session (claimed by {view.claim.actor} at{' '}
          {view.claim.at.replace('T', ' ').slice(0, 19)} UTC, seq {view.claim.seq}): no other act may use it.
          If the station stopped during that act, it stays claimed until it expires.
        </p>
      ) : null}
      <QuorumSeats seats={view.seats} checkedIn={checkedIn} threshold={view.state.threshold} />
      <h3>Checked in ({view.state.checkedIn.length})</h3>
      <ul className="plain" aria-label="Checked in">
        {view.state.checkedIn.map((c) => (
          <li key={c.custodianId}>
            <Badge word="VERIFIED" detail={c.custodianId} check="QUORUM-SIGNATURE" /> at{' '}
            {c.at.replace('T', ' ').slice(0, 19)}
          </li>
        ))}
      </ul>
      {view.refusals.length > 0 ? (
        <>
          <h3>Refused</h3>
          <ul className="plain" aria-label="Refused check-ins">
            {view.refusals.map((r) => (
              <li key={r.seq}>
                <Badge word="REFUSED" check={r.code} /> {r.reason}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {!view.closed ? (
        <form className="act-form" aria-label="Check in" onSubmit={(e) => void checkIn(e)}>
          <h3>Check in with your own token</h3>
          <p>
            Your token signs the challenge shown on the right. Compare its words with the ones read aloud
            first. The check-in is recorded under the roster entry of the key that signs, never a typed name.
          </p>
          <label className="field">
            <span>Your token</span>
            <select value={token} onChange={(e) => setToken(e.target.value)} required>
              <option value="">— choose —</option>
              {tokens.map((t) => (
                <option key={t.serial} value={t.serial}>
                  {t.label} ({t.serial})
                </option>
              ))}
            </select>
          </label>
          <PinField inputRef={pinRef} label="Token PIN" />
          <button type="submit" className="primary">
            Sign challenge and check in
          </button>
          {outcome ? <p role="status">{outcome}</p> : null}
        </form>
      ) : null}
    </section>
  );
}
