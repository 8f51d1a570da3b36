import { Badge } from '../../components/Badge';
import { registerOrder, type GateFocus, type GateHold, type GateView } from './model';
import { RecordLinks } from './RecordLinks';

/**
 * The hold register: every missing, stale or contradicted prerequisite the station found, with its kind,
 * whether policy lets anybody waive it, its check, subject and sentence. A non-waivable hold has no act
 * that clears it, here or in the CLI: only a record that fixes the fact does.
 */
export function HoldRegister(props: {
  holds: readonly GateHold[];
  evaluated: boolean;
  onFocus: (f: GateFocus) => void;
}) {
  const holds = registerOrder(props.holds);
  const fixed = holds.filter((h) => !h.waivable).length;
  return (
    <section className="module hold-register" aria-label="Hold register">
      <h2>
        Hold register ({holds.length}
        {holds.length ? `, ${fixed} non-waivable` : ''})
      </h2>
      <p className="hold-rule" role="note">
        <Badge word="NON-WAIVABLE" /> No act clears a non-waivable hold — not here, not in the CLI, not by
        approval. Only a record that fixes the fact (imported, then evaluated again) does.
      </p>
      {!props.evaluated ? (
        <p className="muted">Not evaluated yet: the register is empty because nothing was judged.</p>
      ) : holds.length === 0 ? (
        <p>No hold: every prerequisite the policy names is met on the records.</p>
      ) : (
        <table className="grid hold-table" aria-label="Holds">
          <thead>
            <tr>
              <th scope="col">Kind</th>
              <th scope="col">Waiver</th>
              <th scope="col">Check</th>
              <th scope="col">Subject</th>
              <th scope="col">Why</th>
            </tr>
          </thead>
          <tbody>
            {holds.map((h) => (
              <tr
                key={`${h.checkId} ${h.subject} ${h.sentence}`}
                data-waivable={h.waivable ? 'true' : 'false'}
              >
                <th scope="row">{h.kind}</th>
                <td>
                  <Badge word={h.waivable ? 'WAIVABLE' : 'NON-WAIVABLE'} />
                </td>
                <td>
                  <button
                    type="button"
                    className="link"
                    onClick={() => props.onFocus({ type: 'rule', checkId: h.checkId })}
                  >
                    {h.checkId}
                  </button>
                  <div className="muted">{h.category}</div>
                </td>
                <td>
                  <code>{h.subject}</code>
                </td>
                <td>
                  {h.sentence}
                  <div>
                    <RecordLinks records={h.records} onFocus={props.onFocus} />
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/**
 * Quarantined candidates: staged artifacts not in the frozen manifest, or whose digest differs, each with
 * both digests (the candidate's and the manifest's). None of them will be signed.
 */
export function QuarantineList(props: { gate: GateView; onFocus: (f: GateFocus) => void }) {
  const lines = (props.gate.ledger?.lines ?? []).filter((l) => l.area === 'quarantine');
  const sentence = new Map(props.gate.quarantine.map((q) => [q.subject, q.sentence]));
  return (
    <section className="module" aria-label="Quarantined candidates">
      <h2>Quarantined candidates ({lines.length})</h2>
      {lines.length === 0 ? (
        <p className="muted">
          {props.gate.ledger
            ? 'No candidate artifact outside the frozen manifest or with another digest.'
            : 'Not evaluated yet.'}
        </p>
      ) : (
        <ul className="plain quarantine-list">
          {lines.map((l) => {
            const candidate = typeof l.facts.candidateSha256 === 'string' ? l.facts.candidateSha256 : '';
            const manifest = typeof l.facts.manifestSha256 === 'string' ? l.facts.manifestSha256 : null;
            return (
              <li key={l.item} className="quarantine-item" aria-label={`Quarantined ${l.item}`}>
                <p>
                  <Badge word="QUARANTINED" /> <strong>{String(l.facts.artifact ?? l.item)}</strong>{' '}
                  <span className="muted">({l.item})</span>
                </p>
                <dl className="facts">
                  <dt>Candidate SHA-256</dt>
                  <dd>
                    <code className="hash">{candidate}</code>
                  </dd>
                  <dt>Frozen manifest SHA-256</dt>
                  <dd>
                    {manifest ? (
                      <code className="hash">{manifest}</code>
                    ) : (
                      <span>not in the frozen manifest</span>
                    )}
                  </dd>
                </dl>
                {sentence.get(l.item) ? <p>{sentence.get(l.item)}</p> : null}
                <RecordLinks records={l.records} onFocus={props.onFocus} />
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
