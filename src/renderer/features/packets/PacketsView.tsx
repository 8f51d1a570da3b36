import { useCallback, useEffect, useReducer, useState, type FormEvent } from 'react';
import type { PacketSummaryView, PacketView } from '../../../shared/contract';
import { useStation } from '../../app/store';
import { Badge } from '../../components/Badge';
import { EvidencePane } from './EvidencePane';
import { PacketDetail } from './PacketDetail';
import { GATE_WORD, type PacketKind, type Selection } from './model';

export type { PacketKind, Selection } from './model';

const TITLES: Record<PacketKind, string> = {
  'rotation-deferral': 'Rotation deferral packets',
  'custody-attestation': 'Custody attestation packets',
  'compromise-authority': 'Compromise authority packets',
  'activation-gate': 'Activation gate packets',
  'portal-issuance': 'Portal issuance packets',
};

/**
 * One workflow's packets: the list with each packet's gate, a form to open one, and the selected
 * packet's claims, evidence, exceptions, completeness, versions and handoff. The right-hand pane shows
 * the evidence behind whatever is selected.
 */
export function PacketsView({ kind }: { kind: PacketKind }) {
  const api = useStation((s) => s.api);
  const showError = useStation((s) => s.showError);
  const refreshJournal = useStation((s) => s.verify);
  /** Where the authority view sent the operator: a packet, or an incident to open a packet for. */
  const intent = useStation((s) => s.packetIntent);
  const show = useStation((s) => s.show);
  const [packets, setPackets] = useState<PacketSummaryView[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [packet, setPacket] = useState<PacketView | null>(null);
  const [focus, setFocus] = useState<Selection>(null);
  const [version, reload] = useReducer((n: number) => n + 1, 0);

  useEffect(() => {
    if (!api) return;
    let live = true;
    void api.packetList({}).then((r) => {
      if (!live) return;
      if (!r.ok) return showError(r.error);
      const mine = r.value.filter((p) => p.kind === kind);
      setPackets(mine);
      const wanted = intent?.packetId;
      setSelected(
        (s) => s ?? (wanted && mine.some((p) => p.packetId === wanted) ? wanted : mine[0]?.packetId) ?? null,
      );
    });
    return () => {
      live = false;
    };
  }, [api, kind, showError, version, intent]);

  useEffect(() => {
    if (!api || !selected) return;
    let live = true;
    void api.packetGet({ packetId: selected }).then((r) => {
      if (!live) return;
      if (r.ok) setPacket(r.value);
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

  const create = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (!api) return;
    // Read before any await: React empties the event's currentTarget once the handler returns.
    const form = e.currentTarget;
    const data = new FormData(form);
    const day = (name: string) => {
      const v = String(data.get(name) ?? '');
      return v ? new Date(`${v}T00:00:00.000Z`).toISOString() : '';
    };
    const subject: Record<string, string> = {};
    for (const [k, v] of [
      ['key', String(data.get('key') ?? '')],
      ['reason', String(data.get('reason') ?? '')],
      ['windowStart', day('windowStart')],
      ['windowEnd', day('windowEnd')],
      ['rotationDue', day('rotationDue')],
      ['incidentId', String(data.get('incidentId') ?? '').trim()],
    ] as const)
      if (v) subject[k] = v;
    const r = await api.packetCreate({
      packetId: String(data.get('packetId')),
      kind,
      covers: String(data.get('covers')),
      subject,
    });
    if (!r.ok) return showError(r.error);
    form.reset();
    setSelected(r.value.packetId);
    await changed();
  };

  return (
    <>
      <main className="main" aria-labelledby="packets-title">
        <h1 id="packets-title">{TITLES[kind]}</h1>
        <table className="grid" aria-label="Packets">
          <thead>
            <tr>
              <th scope="col">Packet</th>
              <th scope="col">Gate</th>
              <th scope="col">Versions</th>
            </tr>
          </thead>
          <tbody>
            {packets.map((p) => (
              <tr key={p.packetId} className={selected === p.packetId ? 'selected' : undefined}>
                <td>
                  <button type="button" className="link" onClick={() => setSelected(p.packetId)}>
                    {p.packetId}
                  </button>
                  <div className="muted">{p.title}</div>
                </td>
                <td>
                  <Badge word={GATE_WORD[p.gate].word} detail={GATE_WORD[p.gate].detail} />
                  <div className="muted">{p.failed} checks fail</div>
                </td>
                <td>{p.versions}</td>
              </tr>
            ))}
            {packets.length === 0 ? (
              <tr>
                <td colSpan={3} className="muted">
                  No packets of this kind yet.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
        {kind === 'compromise-authority' ? (
          <p>
            Each packet is for one incident: its claims are computed from the incident&apos;s
            compromise-authority evaluation.{' '}
            <button type="button" className="link" onClick={() => show('authority')}>
              Back to the authority view
            </button>
          </p>
        ) : null}
        <details open={intent?.incidentId !== undefined}>
          <summary>Open a new packet</summary>
          <form className="act-form" aria-label="Open a packet" onSubmit={(e) => void create(e)}>
            <label className="field">
              <span>Packet id</span>
              <input name="packetId" required pattern="[a-z0-9][a-z0-9.\-]{0,79}" />
            </label>
            <label className="field">
              <span>What it covers</span>
              <input name="covers" required />
            </label>
            {kind === 'rotation-deferral' ? (
              <>
                <label className="field">
                  <span>Key</span>
                  <input name="key" />
                </label>
                <label className="field">
                  <span>Reason for deferral</span>
                  <input name="reason" />
                </label>
                <label className="field">
                  <span>Requested window starts</span>
                  <input name="windowStart" type="date" />
                </label>
                <label className="field">
                  <span>Requested window ends</span>
                  <input name="windowEnd" type="date" />
                </label>
                <label className="field">
                  <span>Rotation due (policy)</span>
                  <input name="rotationDue" type="date" />
                </label>
              </>
            ) : null}
            {kind === 'compromise-authority' ? (
              <label className="field">
                <span>Incident (incident-scope record id)</span>
                <input name="incidentId" required defaultValue={intent?.incidentId ?? ''} />
              </label>
            ) : null}
            <button type="submit" className="primary">
              Open packet
            </button>
          </form>
        </details>
        {packet ? (
          <PacketDetail packet={packet} focus={focus} onFocus={setFocus} onChanged={changed} />
        ) : null}
      </main>
      <aside className="detail" aria-label="Evidence">
        <EvidencePane packet={packet} focus={focus} onFocus={setFocus} />
      </aside>
    </>
  );
}
