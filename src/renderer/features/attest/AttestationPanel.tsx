import { useEffect, useState, type FormEvent } from 'react';
import type { AttestStatusView, ModuleView } from '../../../shared/contract';
import { useStation } from '../../app/store';
import { Badge } from '../../components/Badge';
import { useConfirmedAct } from '../../components/ConfirmAct';
import type { Selection } from '../packets/model';

/** A finding's record reference (the contract's finding.records). */
type RecordRef = NonNullable<AttestStatusView['latest']>['findings'][number]['records'][number];
/** The system first-hand records carry (services/records/firsthand.ts STATION_SYSTEM). */
const STATION_SYSTEM = 'ceremony-station';

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
 * Custody attestation: the 'attestation' workflow's evaluation of one attestation (an attestation-scope
 * record id) over imported and first-hand records — the recommendation and its reason, each requirement's
 * status, every finding with its check ID and the records it rests on (one click to the record's
 * provenance and content), the control library version and digest, the as-of instant, the evaluation
 * seq and the STALE banner — and the owner's signed decisions. The same view as `station attest status`.
 */
export function AttestationPanel(props: {
  packetId: string;
  onFocus: (s: Selection) => void;
  onChanged: () => Promise<void>;
}) {
  const { packetId, onChanged } = props;
  const api = useStation((s) => s.api);
  const showError = useStation((s) => s.showError);
  const [subjects, setSubjects] = useState<string[]>([]);
  const [subject, setSubject] = useState('');
  const [status, setStatus] = useState<AttestStatusView | null>(null);
  const [version, setVersion] = useState(0);
  const [modules, setModules] = useState<ModuleView[]>([]);
  const [record, setRecord] = useState<{ ref: RecordRef; text: string } | null>(null);

  useEffect(() => {
    if (!api) return;
    void api.devicesModules({}).then((r) => (r.ok ? setModules(r.value) : showError(r.error)));
    void api.recordsList({ family: 'attestation-scope' }).then((r) => {
      if (!r.ok) return showError(r.error);
      const ids = [...new Set(r.value.records.map((x) => x.recordId))].sort();
      setSubjects(ids);
      setSubject((s) => s || (ids.at(-1) ?? ''));
    });
  }, [api, showError, version]);

  // The decision is previewed (what will be signed and recorded, its digest); the PIN is asked after.
  const decideAct = useConfirmedAct('attestDecideWithToken', {
    needsPin: true,
    onDone: async () => {
      setVersion((v) => v + 1);
      await onChanged();
    },
  });
  const decide = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const d = new FormData(form);
    const [moduleId = '', serial = ''] = String(d.get('token') ?? '').split('|');
    await decideAct.ask(
      {
        subject,
        moduleId,
        serial,
        keyId: String(d.get('keyId') ?? '')
          .trim()
          .toLowerCase(),
        decision: String(d.get('decision')) as 'approve',
        comment: String(d.get('comment') ?? ''),
        decidedBy: String(d.get('decidedBy') ?? '').trim(),
      },
      form,
    );
  };

  useEffect(() => {
    if (!api || !subject) return;
    let live = true;
    const read = () =>
      void api.attestStatus({ subject }).then((r) => {
        if (!live) return;
        if (r.ok) setStatus(r.value);
        else showError(r.error);
      });
    read();
    // Facts change from other places too (the CLI, another act): read again, so an evaluation whose
    // facts moved shows STALE and loses its decision form without a reload.
    const poll = setInterval(read, 10_000);
    return () => {
      live = false;
      clearInterval(poll);
    };
  }, [api, subject, showError, version]);

  const evaluate = async () => {
    if (!api || !subject) return;
    const r = await api.attestEvaluate({ subject });
    if (!r.ok) return showError(r.error);
    setVersion((v) => v + 1);
    await onChanged();
  };
  const open = async (ref: RecordRef) => {
    if (!api) return;
    if (ref.system === STATION_SYSTEM)
      return setRecord({ ref, text: 'First-hand: made by this station from its own journal.' });
    const r = await api.recordsShow(ref);
    if (!r.ok) return showError(r.error);
    setRecord({ ref, text: JSON.stringify(r.value.versions.at(-1) ?? null, null, 2) });
  };

  const latest = status?.latest ?? null;
  const rec = latest ? RECOMMENDATION[latest.recommendation] : null;
  return (
    <section className="module" aria-label="Attestation recommendation">
      <h3>Attestation evaluation</h3>
      <label className="field">
        <span>Attestation (scope record)</span>
        <select value={subject} onChange={(e) => setSubject(e.target.value)}>
          {subjects.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </label>
      {subjects.length === 0 ? (
        <p className="muted">Import an attestation-scope record first (station records import FILE).</p>
      ) : null}
      {latest && rec ? (
        <>
          {latest.status.status === 'STALE' ? (
            <p role="alert">
              <Badge word="STALE" /> {latest.status.sentence}. Evaluate again before deciding.
            </p>
          ) : null}
          <p>
            <Badge word={rec.word} tone={rec.tone} detail={rec.text} large />{' '}
            <span className="muted">
              evaluation seq {latest.seq}, as of {latest.asOf.slice(0, 19).replace('T', ' ')}; policy{' '}
              {latest.policy.library} v{latest.policy.version} ({latest.policy.source}), digest{' '}
              <code>{latest.policy.digest.slice(0, 16)}…</code>
            </span>
          </p>
          <pre className="reason" role="group" aria-label="Why">
            {latest.reason}
          </pre>
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
                  </td>
                  <td>
                    <ul className="plain">
                      {latest.findings
                        .filter((f) => r.checks.includes(f.checkId))
                        .map((f) => (
                          <li key={`${f.checkId} ${f.subject} ${f.sentence}`}>
                            <code>{f.checkId}</code> <strong>{f.category}</strong>
                            {f.blocking ? ' (blocking)' : ''}: {f.sentence}{' '}
                            {f.records.map((ref) => (
                              <button
                                key={`${ref.family}/${ref.system}/${ref.recordId}`}
                                type="button"
                                className="link chip"
                                onClick={() => void open(ref)}
                              >
                                {ref.family}/{ref.recordId}
                              </button>
                            ))}
                          </li>
                        ))}
                      {r.checks.length === 0 ? <li className="muted">no findings</li> : null}
                    </ul>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {record ? (
            <div aria-label="Record">
              <h4>
                {record.ref.family} {record.ref.recordId} from {record.ref.system}
              </h4>
              <pre>{record.text}</pre>
            </div>
          ) : null}
        </>
      ) : (
        <p className="muted">Not evaluated yet.</p>
      )}
      <div className="actions">
        <button
          type="button"
          onClick={() => void evaluate()}
          disabled={!subject}
          title={subject ? undefined : 'No attestation scope record is imported yet'}
        >
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
      {latest && latest.status.status === 'FRESH' ? (
        // Keyed by the evaluation: a newer one arriving by the poll gives a fresh, empty form, never a
        // half-filled one carried over to an evaluation its owner did not read.
        <form
          key={latest.seq}
          className="act-form"
          aria-label="Record the owner's decision"
          onSubmit={(e) => void decide(e)}
        >
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
            {/* The owner decides: never pre-set, least of all to the station's own recommendation. */}
            <select name="decision" defaultValue="" required>
              <option value="" disabled>
                — choose —
              </option>
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
            <span>Your name (as your key is registered in the trust store; a different name is refused)</span>
            <input name="decidedBy" required />
          </label>
          <button type="submit" className="primary">
            Preview my decision…
          </button>
        </form>
      ) : null}
      {decideAct.panel}
      {status?.decisions.length ? null : (
        <p className="muted">
          No decision recorded. The release security owner signs it with their own key:{' '}
          <code>
            station attest decide {subject || packetId} --decision approve|remediate|escalate --name … --key
            FILE
          </code>{' '}
          (or <code>--token SERIAL --key-id HEX</code>). The station never signs the attestation.
        </p>
      )}
    </section>
  );
}
