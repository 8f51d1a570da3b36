import { useCallback, useEffect, useReducer, useState, type FormEvent } from 'react';
import type { PacketSummaryView } from '../../../shared/contract';
import { useStation } from '../../app/store';
import { Badge } from '../../components/Badge';
import { DetailPane } from '../findings/DetailPane';
import { GateDetail } from './GateDetail';
import type { GateFocus, GateView, LineageStep } from './model';
import '../findings/findings.css';
import './activation.css';

const KIND = 'activation-gate';
/** How often the view reads the gate again (records come in from the CLI, approvals from Bundles). */
const POLL_MS = 15_000;

/**
 * Activation gate (workflow 003, issue #15): the activation-gate packets, and for the one selected the
 * gate's state, the readiness ledger with the shift coverage of the signing window, the hold register,
 * the quarantine, the versions that bind a ledger and the approvals of them, and the lineage. The
 * station derives all of it from records; nothing here signs, publishes or clears a hold — a hold clears
 * only when a record fixes the fact. Handoff, export and the approval import are the Packets and Bundles
 * views' acts, linked from here.
 */
export function ActivationView() {
  const api = useStation((s) => s.api);
  const showError = useStation((s) => s.showError);
  const refreshJournal = useStation((s) => s.verify);
  const intent = useStation((s) => s.packetIntent);
  const [packets, setPackets] = useState<PacketSummaryView[]>([]);
  const [gates, setGates] = useState<ReadonlyMap<string, GateView>>(new Map());
  const [selected, setSelected] = useState<string | null>(null);
  const [lineage, setLineage] = useState<readonly LineageStep[]>([]);
  const [focus, setFocus] = useState<GateFocus>(null);
  const [version, reload] = useReducer((n: number) => n + 1, 0);
  const [titles, setTitles] = useState<ReadonlyMap<string, string>>(new Map());

  // The rules' titles (ACT-*), for the detail pane.
  useEffect(() => {
    if (!api) return;
    let live = true;
    void api.findingsSubjects({ workflow: KIND }).then((r) => {
      if (live && r.ok) setTitles(new Map(r.value.rules.map((x) => [x.checkId, x.title])));
    });
    return () => {
      live = false;
    };
  }, [api]);

  // The packets of this kind and each one's gate (a station holds a few: one per declaration).
  useEffect(() => {
    if (!api) return;
    let live = true;
    const read = async () => {
      const r = await api.packetList({});
      if (!live) return;
      if (!r.ok) return showError(r.error);
      const mine = r.value.filter((p) => p.kind === KIND);
      const views = await Promise.all(mine.map((p) => api.gateStatus({ packetId: p.packetId })));
      if (!live) return;
      const next = new Map<string, GateView>();
      views.forEach((v, i) => {
        const p = mine[i];
        if (v.ok && p) next.set(p.packetId, v.value);
      });
      const refused = views.find((v) => !v.ok);
      if (refused && !refused.ok) showError(refused.error);
      setPackets(mine);
      setGates(next);
      const wanted = intent?.packetId;
      setSelected(
        (s) =>
          (s && mine.some((p) => p.packetId === s) ? s : null) ??
          (wanted && mine.some((p) => p.packetId === wanted) ? wanted : mine[0]?.packetId) ??
          null,
      );
    };
    void read();
    const poll = setInterval(() => void read(), POLL_MS);
    return () => {
      live = false;
      clearInterval(poll);
    };
  }, [api, showError, version, intent]);

  useEffect(() => {
    if (!api || !selected) return;
    let live = true;
    void api.gateLineage({ packetId: selected }).then((r) => {
      if (!live) return;
      if (r.ok) setLineage(r.value);
      else showError(r.error);
    });
    return () => {
      live = false;
    };
  }, [api, selected, showError, version]);

  const changed = useCallback(async () => {
    reload();
    await refreshJournal();
  }, [refreshJournal]);

  /** An act answered with the gate as it is now: show it at once, then read the rest again. */
  const onGate = useCallback(
    async (g: GateView) => {
      setGates((m) => new Map(m).set(g.packetId, g));
      await changed();
    },
    [changed],
  );

  const create = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (!api) return;
    const form = e.currentTarget;
    const data = new FormData(form);
    const r = await api.packetCreate({
      packetId: String(data.get('packetId') ?? '').trim(),
      kind: KIND,
      covers: String(data.get('covers') ?? '').trim(),
      subject: { declarationId: String(data.get('declarationId') ?? '').trim() },
    });
    if (!r.ok) return showError(r.error);
    form.reset();
    setSelected(r.value.packetId);
    await changed();
  };

  const gate = selected ? (gates.get(selected) ?? null) : null;
  return (
    <>
      <main className="main findings activation" aria-labelledby="activation-title">
        <h1 id="activation-title">Activation gate</h1>
        <table className="grid" aria-label="Activation gate packets">
          <thead>
            <tr>
              <th scope="col">Packet</th>
              <th scope="col">Declaration</th>
              <th scope="col">Gate</th>
              <th scope="col">Versions</th>
            </tr>
          </thead>
          <tbody>
            {packets.map((p) => {
              const g = gates.get(p.packetId);
              return (
                <tr key={p.packetId} className={selected === p.packetId ? 'selected' : undefined}>
                  <td>
                    <button
                      type="button"
                      className="link"
                      aria-current={selected === p.packetId ? 'true' : undefined}
                      onClick={() => {
                        setSelected(p.packetId);
                        setFocus(null);
                      }}
                    >
                      {p.packetId}
                    </button>
                    <div className="muted">{p.title}</div>
                  </td>
                  <td>{g?.declarationId ?? '—'}</td>
                  <td>{g ? <Badge word={g.state} /> : <span className="muted">not read</span>}</td>
                  <td>{p.versions}</td>
                </tr>
              );
            })}
            {packets.length === 0 ? (
              <tr>
                <td colSpan={4} className="muted">
                  No activation-gate packet yet: open one for a continuity declaration below.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
        <details open={packets.length === 0}>
          <summary>Open a gate packet for a declaration</summary>
          <form className="act-form" aria-label="Open a gate packet" onSubmit={(e) => void create(e)}>
            <label className="field">
              <span>Packet id</span>
              <input name="packetId" required pattern="[a-z0-9][a-z0-9.\-]{0,79}" spellCheck={false} />
            </label>
            <label className="field">
              <span>What it covers</span>
              <input name="covers" required />
            </label>
            <label className="field">
              <span>Declaration (continuity-declaration record id)</span>
              <input name="declarationId" required spellCheck={false} />
            </label>
            <button type="submit" className="primary">
              Open packet
            </button>
          </form>
        </details>
        {gate ? (
          <GateDetail key={gate.packetId} gate={gate} lineage={lineage} onGate={onGate} onFocus={setFocus} />
        ) : null}
      </main>
      {/* Focusable: the pane scrolls on its own, and a keyboard must be able to scroll it. */}
      <aside className="detail" aria-label="Detail" tabIndex={0}>
        {focus === null ? (
          <p className="hint">Select a record or a check ID to see it here.</p>
        ) : (
          <DetailPane focus={focus} findings={findingsOf(gate)} titles={titles} onFocus={setFocus} />
        )}
      </aside>
    </>
  );
}

/** What the gate found, each once: the holds and the quarantined candidates (a blocking one is in both). */
function findingsOf(gate: GateView | null): GateView['holds'] {
  if (!gate) return [];
  const key = (h: GateView['holds'][number]) => `${h.checkId} ${h.subject} ${h.sentence}`;
  const seen = new Set(gate.holds.map(key));
  return [...gate.holds, ...gate.quarantine.filter((q) => !seen.has(key(q)))];
}
