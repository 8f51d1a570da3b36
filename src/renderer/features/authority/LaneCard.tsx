import { Badge } from '../../components/Badge';
import {
  holderLine,
  LANE_WORDS,
  limitWord,
  ruleWord,
  type Authority,
  type AuthorityFocus,
  type Lane,
} from './model';
import { OptionTable } from './OptionTable';

/**
 * One lane of the matrix as the station judged it: its status, who holds it now and how, its triggers
 * and limits with rule ids and titles, the checks that block it (each check ID leads to the rule and its
 * evidence), and — for recommended and viable lanes — its option set.
 */
export function LaneCard(props: {
  lane: Lane;
  authority: Pick<Authority, 'options' | 'lanes'>;
  titles: ReadonlyMap<string, string>;
  onFocus: (f: AuthorityFocus) => void;
}) {
  const { lane, titles, onFocus } = props;
  const open = lane.status === 'recommended' || lane.status === 'viable';
  return (
    <article
      className={`lane-card lane-${lane.status}${open ? ' with-options' : ''}`}
      aria-label={`Lane ${lane.title}`}
    >
      <header className="lane-head">
        <h3>
          <span className="muted">{lane.rank}.</span> {lane.title}
        </h3>
        <Badge word={LANE_WORDS[lane.status]} large />
      </header>
      <p className="muted lane-id">
        <code>{lane.laneId}</code> · decides {lane.decides.join(', ')}
      </p>
      <dl className="holder-line">
        <dt>Held by</dt>
        <dd>{holderLine(lane)}</dd>
      </dl>
      <RuleList label="Triggers" rules={lane.triggers} word={ruleWord} />
      <RuleList label="Limits" rules={lane.limits} word={limitWord} />
      {lane.blocks.length > 0 ? (
        <section aria-label="Blocked by">
          <h4>Blocked by</h4>
          <ul className="plain blocks">
            {lane.blocks.map((b) => (
              <li key={`${b.checkId}:${b.ruleId ?? ''}`}>
                <button
                  type="button"
                  className="badge badge-info check-link"
                  title={titles.get(b.checkId) ?? b.checkId}
                  onClick={() => onFocus({ type: 'rule', checkId: b.checkId })}
                >
                  <code>{b.checkId}</code>
                </button>{' '}
                {b.ruleId ? <code>{b.ruleId}</code> : null} {b.reason}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {open ? (
        <section aria-label="Options">
          <h4>Options (the owner chooses)</h4>
          <OptionTable lane={lane} authority={props.authority} />
        </section>
      ) : null}
    </article>
  );
}

function RuleList(props: {
  label: string;
  rules: Lane['triggers'];
  word: (s: Lane['triggers'][number]['state']) => string;
}) {
  if (props.rules.length === 0) return <p className="muted">{props.label}: none in the matrix</p>;
  return (
    <section aria-label={props.label}>
      <h4>{props.label}</h4>
      <ul className="plain rules">
        {props.rules.map((r) => (
          <li key={r.id}>
            <Badge word={props.word(r.state)} /> <code>{r.id}</code> {r.title}
          </li>
        ))}
      </ul>
    </section>
  );
}
