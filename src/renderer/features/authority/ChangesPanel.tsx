import { Badge } from '../../components/Badge';
import { refLabel } from '../findings/model';
import { LANE_WORDS, ruleWord, type Lane } from './model';
import type { AuthorityChanges } from './slots';

/**
 * SLOT — the changes panel (design §5), fed later by the diff channel: per lane, status and holder from
 * → to and exactly the rule flips behind them; findings appeared and resolved; options and records.
 * Renders nothing without changes.
 */
export interface ChangesPanelProps {
  changes: AuthorityChanges;
}

const laneWord = (s: string) => LANE_WORDS[s as Lane['status']] ?? s.toUpperCase();

export function ChangesPanel({ changes: c }: ChangesPanelProps) {
  return (
    <section className="module" aria-label="Changes">
      <h2>
        Changes from evaluation {c.fromSeq} to {c.toSeq}
      </h2>
      {c.withinWindow ? <p>Within the critical window.</p> : null}
      {c.matrix ? (
        <p>
          Matrix: {c.matrix.from} → {c.matrix.to}
        </p>
      ) : null}
      <ul className="plain">
        {c.lanes.map((l) => (
          <li key={l.laneId}>
            <strong>{l.laneId}</strong>
            {l.status ? (
              <>
                {' '}
                <Badge word={laneWord(l.status.from)} /> → <Badge word={laneWord(l.status.to)} />
              </>
            ) : null}
            {l.holder ? (
              <span>
                {' '}
                holder {l.holder.from ?? 'nobody'} → {l.holder.to ?? 'nobody'}
              </span>
            ) : null}
            {l.flips.map((f) => (
              <div key={`${f.kind}:${f.ruleId}`}>
                {f.kind} <code>{f.ruleId}</code> <Badge word={ruleWord(f.from)} /> →{' '}
                <Badge word={ruleWord(f.to)} />
              </div>
            ))}
          </li>
        ))}
      </ul>
      <p>
        Findings: {c.findings.appeared.length} appeared, {c.findings.resolved.length} resolved · options:{' '}
        {c.options.added.length} added, {c.options.removed.length} removed · records:{' '}
        {c.records.added.map(refLabel).join(', ') || 'none new'}
        {c.records.superseded.length > 0
          ? `; superseded ${c.records.superseded.map(refLabel).join(', ')}`
          : ''}
      </p>
    </section>
  );
}
