import { Badge } from '../../components/Badge';
import { DetailPane } from '../findings/DetailPane';
import { refLabel, type Finding } from '../findings/model';
import {
  FACT_LABELS,
  RESTRICTED_FACTS,
  RESTRICTED_FAMILIES,
  type Authority,
  type AuthorityFocus,
} from './model';

/**
 * The right-hand pane: a rule and what it found, a record with its provenance and versions (the findings
 * drill-down), or every record a fact rests on. Restricted detail is labelled RESTRICTED.
 */
export function AuthorityDetail(props: {
  focus: AuthorityFocus;
  facts: Authority['facts'];
  findings: readonly Finding[];
  titles: ReadonlyMap<string, string>;
  onFocus: (f: AuthorityFocus) => void;
}) {
  const { focus } = props;
  if (focus?.type === 'fact') {
    const fact = props.facts.find((f) => f.fact === focus.fact);
    return (
      <>
        <h2>
          {FACT_LABELS[focus.fact] ?? focus.fact}{' '}
          {RESTRICTED_FACTS.has(focus.fact) ? <Badge word="RESTRICTED" /> : null}
        </h2>
        <h3>Records it rests on ({fact?.records.length ?? 0})</h3>
        <ul className="plain">
          {(fact?.records ?? []).map((r) => (
            <li key={refLabel(r)}>
              <button
                type="button"
                className="link"
                onClick={() => props.onFocus({ type: 'record', ref: r })}
              >
                {refLabel(r)}
              </button>
            </li>
          ))}
        </ul>
      </>
    );
  }
  return (
    <>
      {focus?.type === 'record' && RESTRICTED_FAMILIES.has(focus.ref.family) ? (
        <p>
          <Badge word="RESTRICTED" detail="custody, exposure or disclosure detail: approved channel only" />
        </p>
      ) : null}
      <DetailPane focus={focus} findings={props.findings} titles={props.titles} onFocus={props.onFocus} />
    </>
  );
}
