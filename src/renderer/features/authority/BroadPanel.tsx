import { Badge } from '../../components/Badge';
import { FACT_LABELS, laneWord, ruleWord, shortTime, type BroadView } from './model';

/**
 * What a broader audience would receive (design §7), exactly as `authorityBroadPreview` builds it for
 * the evaluation on screen: lanes, statuses and holders, rules and their states, routing findings, every
 * record by digest and broad title — and no fact value, custody, exposure or disclosure detail. The
 * withheld statement says what was left out and where the full packet is.
 */
export function BroadPanel({ view: b }: { view: BroadView }) {
  return (
    <section className="module broad" aria-label="Broad preview">
      <h2>
        Broad preview — evaluation {b.evaluation.seq} of {b.evaluation.subject}
      </h2>
      <p role="note" className="withheld-statement" aria-label="Withheld">
        <Badge word="WITHHELD" /> {b.withheld.statement}
      </p>
      <dl className="facts">
        <dt>Incident</dt>
        <dd>
          {b.incident
            ? Object.entries(b.incident)
                .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : v}`)
                .join(' · ')
            : 'no declaration held'}
        </dd>
        <dt>As of</dt>
        <dd>{shortTime(b.evaluation.asOf)}</dd>
        <dt>Outcome</dt>
        <dd>
          <code>{b.evaluation.outcome}</code>; recommended {b.recommended ?? 'no lane'}
        </dd>
        <dt>Matrix</dt>
        <dd>{b.matrix}</dd>
        <dt>Critical window ends</dt>
        <dd>{b.windowEnd ? shortTime(b.windowEnd) : 'UNKNOWN'}</dd>
      </dl>
      <h3>Lanes</h3>
      <ul className="plain">
        {[...b.lanes]
          .sort((x, y) => x.rank - y.rank)
          .map((l) => (
            <li key={l.laneId}>
              <Badge word={laneWord(l.status)} /> <strong>{l.title}</strong> —{' '}
              {l.holder
                ? `${l.holder.person} (${l.holder.via}${l.holder.record ? ` ${l.holder.record}` : ''})`
                : 'nobody holds it'}
              {l.blocks.length > 0 ? (
                <span className="muted">
                  {' '}
                  · blocked by {l.blocks.map((x) => x.checkId + (x.ruleId ? ` ${x.ruleId}` : '')).join(', ')}
                </span>
              ) : null}
            </li>
          ))}
      </ul>
      <h3>Required decisions</h3>
      <ul className="plain">
        {b.requirements.map((r) => (
          <li key={r.id}>
            <Badge word={ruleWord(r.state)} /> <code>{r.id}</code> {r.title}: {r.decision}
          </li>
        ))}
      </ul>
      <h3>Facts judged (values withheld)</h3>
      <ul className="plain">
        {b.facts.map((f) => (
          <li key={f.fact}>
            {FACT_LABELS[f.fact] ?? f.fact}: <Badge word="WITHHELD" />{' '}
            <span className="muted">({f.records.length} records by digest)</span>
          </li>
        ))}
      </ul>
      {b.findings.length > 0 ? (
        <>
          <h3>Routing findings</h3>
          <ul className="plain">
            {b.findings.map((f) => (
              <li key={`${f.checkId} ${f.subject}`}>
                <code>{f.checkId}</code> {f.subject}: {f.sentence}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {b.gaps.length > 0 ? (
        <p>
          Gaps in the facts (counts only):{' '}
          {b.gaps.map((g) => `${g.checkId} ${g.category} × ${g.count}`).join('; ')}
        </p>
      ) : null}
      <details>
        <summary>
          Records ({b.records.length}, by digest and broad title); {b.withheld.records.length} shown reduced
        </summary>
        <ul className="plain">
          {b.records.map((r) => (
            <li key={r.digest}>
              {r.title} <code>{r.digest.slice(0, 16)}…</code>
            </li>
          ))}
        </ul>
        <p>Left out: {b.withheld.parts.join('; ')}</p>
      </details>
    </section>
  );
}
