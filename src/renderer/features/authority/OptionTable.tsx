import { Badge } from '../../components/Badge';
import { laneOptions, reversibilityWord, type Authority, type Lane } from './model';

/**
 * The bounded option set of one lane: every applicable option in optionId order, its effects with their
 * reversibility, the lanes it fits inside, and whether it stays inside a delegate's boundary. No option
 * is highlighted, ranked or preferred: the owner chooses.
 */
export function OptionTable(props: { lane: Lane; authority: Pick<Authority, 'options' | 'lanes'> }) {
  const { lane, authority } = props;
  const rows = laneOptions(lane, authority.options);
  const title = (id: string) => authority.lanes.find((l) => l.laneId === id)?.title ?? id;
  const delegate = lane.holder?.via === 'delegation' ? lane.holder.person : null;
  if (rows.length === 0)
    return <p className="muted">No approved, current runbook option applies to the incident keys.</p>;
  return (
    <table className="grid option-table" aria-label={`Options for ${lane.title}`}>
      <thead>
        <tr>
          <th scope="col">Option</th>
          <th scope="col">Effects</th>
          <th scope="col">Fits inside</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(({ option: o, inside }) => (
          <tr key={o.optionId}>
            <th scope="row">
              <code>{o.optionId}</code>
              <div>{o.title}</div>
              <div className="muted">{o.decisions.join(', ')}</div>
            </th>
            <td>
              <ul className="plain">
                {o.effects.map((e, i) => (
                  <li key={`${e.effect}:${i}`}>
                    {e.effect} ({e.scope}) <Badge word={reversibilityWord(e.reversibility)} />
                    {e.note ? <div className="muted">{e.note}</div> : null}
                  </li>
                ))}
              </ul>
            </td>
            <td>
              <div>{inside ? 'inside this lane' : 'outside this lane'}</div>
              <div className="muted">
                {o.insideLanes.length > 0 ? o.insideLanes.map(title).join(', ') : 'no lane'}
              </div>
              <div>
                {delegate
                  ? o.insideDelegated.includes(lane.laneId)
                    ? `inside ${delegate}'s delegated boundary`
                    : `outside ${delegate}'s delegated boundary`
                  : 'no delegate acts here'}
              </div>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
