import { Badge } from '../../components/Badge';
import { refLabel } from '../findings/model';
import {
  FACT_LABELS,
  factValue,
  RESTRICTED_FACTS,
  ruleWord,
  type Authority,
  type AuthorityFocus,
} from './model';

/** Records cited inline per fact; every record is one click away in the detail pane. */
const INLINE = 3;

/**
 * The facts the matrix routed on, each with its value (unknown is UNKNOWN, never blank or zero) and the
 * records it rests on one click away; custody, exposure and disclosure facts are labelled RESTRICTED.
 */
export function FactsPanel(props: { facts: Authority['facts']; onFocus: (f: AuthorityFocus) => void }) {
  return (
    <section className="module" aria-label="Facts">
      <h2>Facts</h2>
      <table className="grid facts-table" aria-label="Facts the matrix reads">
        <thead>
          <tr>
            <th scope="col">Fact</th>
            <th scope="col">Value</th>
            <th scope="col">Records</th>
          </tr>
        </thead>
        <tbody>
          {props.facts.map((f) => {
            const v = factValue(f);
            return (
              <tr key={f.fact} aria-label={FACT_LABELS[f.fact] ?? f.fact}>
                <th scope="row">
                  {FACT_LABELS[f.fact] ?? f.fact}
                  <div className="muted">
                    <code>{f.fact}</code>
                  </div>
                </th>
                <td>
                  {v.unknown ? <Badge word="UNKNOWN" /> : <strong>{v.text}</strong>}{' '}
                  {RESTRICTED_FACTS.has(f.fact) ? <Badge word="RESTRICTED" /> : null}
                </td>
                <td className="fact-records">
                  {f.records.length === 0 ? <span className="muted">no record</span> : null}
                  {f.records.slice(0, INLINE).map((r) => (
                    <button
                      key={refLabel(r)}
                      type="button"
                      className="link"
                      onClick={() => props.onFocus({ type: 'record', ref: r })}
                    >
                      {refLabel(r)}
                    </button>
                  ))}
                  {f.records.length > INLINE ? (
                    <button
                      type="button"
                      className="link"
                      onClick={() => props.onFocus({ type: 'fact', fact: f.fact })}
                    >
                      all {f.records.length} records
                    </button>
                  ) : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

/** The decisions the facts require (an unknown requirement counts as required), with their state. */
export function RequirementsList(props: { requirements: Authority['requirements'] }) {
  return (
    <section className="module" aria-label="Requirements">
      <h2>Required decisions</h2>
      <ul className="plain rules">
        {props.requirements.map((r) => (
          <li key={r.id} aria-label={r.id}>
            <Badge word={ruleWord(r.state)} /> <code>{r.id}</code> {r.title}: <strong>{r.decision}</strong>{' '}
            {r.state === 'holds'
              ? 'is required'
              : r.state === 'unknown'
                ? 'may be required (counted as required)'
                : 'is not required'}
          </li>
        ))}
      </ul>
    </section>
  );
}
