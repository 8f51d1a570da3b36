import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { AttestStatusView, ModuleView } from '../../../shared/contract';
import { useStation } from '../../app/store';
import { Badge } from '../../components/Badge';
import { PinField, takePin } from '../../components/PinField';
import type { Selection } from './model';

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
  const [modules, setModules] = useState<ModuleView[]>([]);
  const pin = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (!api) return;
    void api.devicesModules({}).then((r) => (r.ok ? setModules(r.value) : showError(r.error)));
  }, [api, showError]);

  const decide = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (!api) return;
    const form = e.currentTarget;
    const d = new FormData(form);
    const [moduleId = '', serial = ''] = String(d.get('token') ?? '').split('|');
    const r = await api.attestDecideWithToken({
      packetId,
      moduleId,
      serial,
      keyId: String(d.get('keyId') ?? '')
        .trim()
        .toLowerCase(),
      pin: takePin(pin),
      decision: String(d.get('decision')) as 'approve',
      comment: String(d.get('comment') ?? ''),
      decidedBy: String(d.get('decidedBy') ?? '').trim(),
      actor: 'operator:station',
    });
    if (!r.ok) return showError(r.error);
    form.reset();
    setVersion((v) => v + 1);
    await onChanged();
  };

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
      ) : null}
      {latest ? (
        <form className="act-form" aria-label="Record the owner's decision" onSubmit={(e) => void decide(e)}>
          <p>
            The release security owner decides on evaluation {latest.seq} and signs the decision with their
            own key on their token. The station checks the signature against the trust store (role
            release-security-owner) and records it; it never signs the attestation.
          </p>
          <label className="field">
            <span>Your token</span>
            <select name="token" required>
              {modules.flatMap((m) =>
                m.tokens.map((t) => (
                  <option key={`${m.moduleId}|${t.serial}`} value={`${m.moduleId}|${t.serial}`}>
                    {t.label} ({t.serial})
                  </option>
                )),
              )}
            </select>
          </label>
          <label className="field">
            <span>Key id on the token (CKA_ID, hex)</span>
            <input name="keyId" required pattern="([0-9a-fA-F]{2}){1,64}" />
          </label>
          <label className="field">
            <span>Decision</span>
            <select
              name="decision"
              defaultValue={latest.recommendation === 'approvable' ? 'approve' : latest.recommendation}
            >
              <option value="approve">approve</option>
              <option value="remediate">remediate</option>
              <option value="escalate">escalate</option>
            </select>
          </label>
          <label className="field">
            <span>Rationale</span>
            <input name="comment" />
          </label>
          <label className="field">
            <span>Your name</span>
            <input name="decidedBy" required />
          </label>
          <PinField inputRef={pin} label="Token PIN" />
          <button type="submit" className="primary">
            Sign and record my decision
          </button>
        </form>
      ) : null}
      {status?.decisions.length ? null : (
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
