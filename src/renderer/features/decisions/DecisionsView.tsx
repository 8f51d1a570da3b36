import { useEffect, useState } from 'react';
import type { Output } from '../../../shared/contract';
import { useStation } from '../../app/store';
import { Badge } from '../../components/Badge';

type Pending = Output<'decisionsPending'>[number];

const KIND_WORDS: Record<Pending['kind'], string> = {
  'packet-stop': 'STOP TO CLEAR',
  'packet-evaluate': 'EVALUATE',
  'packet-handoff': 'HANDOFF',
  'finding-owner': 'FINDING',
  'attestation-evaluate': 'EVALUATE',
  'attestation-decision': 'OWNER DECIDES',
  'quorum-check-in': 'CHECK-IN',
  'authority-evaluate': 'EVALUATE',
  'authority-redirect': 'REDIRECT',
  'gate-version': 'VERSION-NEEDED',
  'gate-approval': 'AWAITING-APPROVAL',
  'gate-escalate': 'ESCALATE',
};

/**
 * Decisions pending: every packet, attestation, quorum session and owned finding waiting for a named
 * person, what they must decide and by when — deadlines first, overdue ones said so. The station finds;
 * each row leads to the view where the person decides.
 */
export function DecisionsView() {
  const api = useStation((s) => s.api);
  const showError = useStation((s) => s.showError);
  const show = useStation((s) => s.show);
  const openAuthority = useStation((s) => s.openAuthority);
  const openPackets = useStation((s) => s.openPackets);
  /** Where a pending decision is decided: its incident, its packet, or its view. */
  const open = (p: Pending) =>
    p.kind === 'authority-evaluate' || p.kind === 'authority-redirect'
      ? openAuthority(p.subject)
      : p.view === 'authority'
        ? openPackets({ packetId: p.subject })
        : show(p.view);
  const [pending, setPending] = useState<readonly Pending[] | null>(null);

  useEffect(() => {
    if (!api) return;
    let live = true;
    const read = () =>
      void api.decisionsPending({}).then((r) => {
        if (!live) return;
        if (r.ok) setPending(r.value);
        else showError(r.error);
      });
    read();
    // Decisions come and go with acts elsewhere (the CLI, another view): read again every 30 s.
    const poll = setInterval(read, 30_000);
    return () => {
      live = false;
      clearInterval(poll);
    };
  }, [api, showError]);

  return (
    <main className="main" aria-labelledby="decisions-title">
      <h1 id="decisions-title">Decisions pending</h1>
      <p className="muted">
        What the station is waiting on people for, derived from the records and the journal. It decides none
        of them.
      </p>
      {pending === null ? (
        <p role="status">Reading…</p>
      ) : pending.length === 0 ? (
        <p role="status">Nothing is waiting for a decision.</p>
      ) : (
        <table className="grid" aria-label="Pending decisions">
          <thead>
            <tr>
              <th scope="col">Decision</th>
              <th scope="col">Who</th>
              <th scope="col">By</th>
              <th scope="col">What</th>
              <th scope="col">Where</th>
            </tr>
          </thead>
          <tbody>
            {pending.map((p, i) => (
              <tr key={`${p.kind}-${p.subject}-${i}`}>
                <td>
                  <Badge
                    word={KIND_WORDS[p.kind]}
                    tone={p.overdue || p.kind === 'packet-stop' ? 'bad' : 'info'}
                  />
                  {p.overdue ? <Badge word="OVERDUE" /> : null}
                </td>
                <td title={p.who}>{p.who}</td>
                <td>{p.by ? p.by.slice(0, 16).replace('T', ' ') : '—'}</td>
                <td title={p.what}>{p.what}</td>
                <td>
                  <button type="button" onClick={() => open(p)}>
                    Open {p.view}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}
