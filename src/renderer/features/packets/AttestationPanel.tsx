import { useEffect, useState } from 'react';
import type { AttestStatusView } from '../../../shared/contract';
import { useStation } from '../../app/store';
import { Badge } from '../../components/Badge';
import type { Selection } from './PacketsView';

const STATUS_WORD: Record<string, string> = {
  satisfied: 'SATISFIED',
  partial: 'PARTIAL',
  stale: 'STALE',
  missing: 'MISSING',
  'exception-backed': 'EXCEPTION-BACKED',
};
const RECOMMENDATION: Record<string, { word: string; tone: 'good' | 'warn' | 'bad'; text: string }> = {
  approvable: { word: 'APPROVABLE', tone: 'good', text: 'approvable as submitted' },
  remediate: { word: 'REMEDIATE', tone: 'bad', text: 'recommend targeted remediation' },
  escalate: { word: 'ESCALATE', tone: 'warn', text: 'recommend escalation to release security governance' },
};

/**
 * Custody attestation: every control-library requirement with its status, rationale and findings, each
 * finding linking to the exact record; the recommendation and why; the owner's signed decisions. The
 * station recommends and never signs the attestation.
 */
export function AttestationPanel(props: {
  packetId: string;
  onFocus: (s: Selection) => void;
  onChanged: () => Promise<void>;
}) {
  const { packetId, onFocus, onChanged } = props;
  const api = useStation((s) => s.api);
  const showError = useStation((s) => s.showError);
  const [status, setStatus] = useState<AttestStatusView | null>(null);
  const [version, setVersion] = useState(0);

  useEffect(() => {
    if (!api) return;
    let live = true;
    void api.attestStatus({ packetId }).then((r) => {
      if (!live) return;
      if (r.ok) setStatus(r.value);
      else showError(r.error);
    });
    return () => {
      live = false;
    };
  }, [api, packetId, showError, version]);

  const evaluate = async () => {
    if (!api) return;
    const r = await api.attestEvaluate({ packetId, actor: 'operator:station' });
    if (!r.ok) return showError(r.error);
    setVersion((v) => v + 1);
    await onChanged();
  };
  const follow = (ref: string) => {
    if (ref.startsWith('evidence:')) onFocus({ type: 'evidence', id: ref.slice(9) });
    else if (ref.startsWith('journal:')) onFocus({ type: 'evidence', id: `ev-journal-${ref.slice(8)}` });
  };

  const latest = status?.latest ?? null;
  const rec = latest ? RECOMMENDATION[latest.recommendation] : null;
  return (
    <section className="module" aria-label="Attestation recommendation">
      <h3>Control library evaluation</h3>
      {latest && rec ? (
        <>
          <p>
            <Badge word={rec.word} tone={rec.tone} detail={rec.text} large />{' '}
            <span className="muted">
              library v{latest.libraryVersion}, evaluated {latest.at.slice(0, 19).replace('T', ' ')} (journal
              seq {latest.seq})
            </span>
          </p>
          {latest.because.length > 0 ? (
            <ul aria-label="Why">
              {latest.because.map((b) => (
                <li key={b}>{b}</li>
              ))}
            </ul>
          ) : null}
          <table className="grid" aria-label="Requirements">
            <thead>
              <tr>
                <th scope="col">Requirement</th>
                <th scope="col">Status</th>
                <th scope="col">Findings and records</th>
              </tr>
            </thead>
            <tbody>
              {latest.requirements.map((r) => (
                <tr key={r.id}>
                  <td>
                    <code>{r.id}</code>
                    {r.waivable ? <span className="muted"> (waivable)</span> : null}
                    <div>{r.text}</div>
                  </td>
                  <td>
                    <Badge word={STATUS_WORD[r.status] ?? r.status} check={r.id} />
                    <div className="muted">{r.rationale}</div>
                  </td>
                  <td>
                    <ul className="plain">
                      {r.findings.map((f) => (
                        <li key={f.text}>
                          <strong>{f.kind}</strong>: {f.text}{' '}
                          {f.refs.map((ref) =>
                            ref.startsWith('evidence:') || ref.startsWith('journal:') ? (
                              <button
                                key={ref}
                                type="button"
                                className="link chip"
                                onClick={() => follow(ref)}
                              >
                                {ref}
                              </button>
                            ) : (
                              <code key={ref} className="chip">
                                {ref}
                              </code>
                            ),
                          )}
                        </li>
                      ))}
                      {r.findings.length === 0 ? <li className="muted">no findings</li> : null}
                    </ul>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : (
        <p className="muted">Not evaluated yet.</p>
      )}
      <div className="actions">
        <button type="button" onClick={() => void evaluate()}>
          Evaluate now
        </button>
      </div>
      <h3>Owner&rsquo;s decision</h3>
      {status?.decisions.length ? (
        <ul className="plain" aria-label="Decisions">
          {status.decisions.map((d) => (
            <li key={d.seq}>
              <Badge word={d.decision.toUpperCase()} tone="info" /> by {d.decidedBy} ({d.trustId}), signed
              with their own key, on evaluation {d.evaluationSeq}
              {d.followsRecommendation ? '' : ' — differs from the recommendation'}
              {d.comment ? <div className="muted">{d.comment}</div> : null}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">
          No decision recorded. The release security owner signs it with their own key:{' '}
          <code>
            station attest decide {packetId} --decision approve|remediate|escalate --name … --key FILE
          </code>{' '}
          (or <code>--token SERIAL --key-id HEX</code>). The station never signs the attestation.
        </p>
      )}
    </section>
  );
}
