import { Badge } from '../../components/Badge';
import {
  laneWord,
  limitWord,
  ruleWord,
  shortTime,
  type AuthorityDiffView,
  type LaneChange,
  type RuleState,
} from './model';

/**
 * What changed (design §5), from `authorityDiff`: the recommendation, per lane its status and holder
 * from → to with exactly the rule flips behind them (its "why"), blocks added or lifted, requirements,
 * findings appeared and resolved, options and the matrix. Every change made inside the incident's
 * critical window is marked so. Both sides are recomputed by the station; nothing here is inferred.
 */
export interface ChangesPanelProps {
  diff: AuthorityDiffView;
  /** The panel's accessible name and heading (two panels may be on screen: recorded, and facts now). */
  label: string;
}

type Flip = LaneChange['triggers'][number];
type Why = LaneChange['why'][number];

const stateWord = (kind: Flip['kind'], s: RuleState | null) =>
  s === null ? 'ABSENT' : kind === 'limit' ? limitWord(s) : ruleWord(s);

function Window({ inside }: { inside: boolean }) {
  return inside ? <Badge word="IN CRITICAL WINDOW" /> : null;
}

function FlipLine({ f, via }: { f: Flip; via?: string | null }) {
  return (
    <>
      {f.kind} <code>{f.id}</code> {f.title}: <Badge word={stateWord(f.kind, f.from)} /> →{' '}
      <Badge word={stateWord(f.kind, f.to)} />
      {via ? <span className="muted"> (of lane {via})</span> : null} <Window inside={f.inCriticalWindow} />
    </>
  );
}

function WhyLine({ w }: { w: Why }) {
  if (w.kind === 'holder')
    return (
      <>
        holder {w.from?.person ?? 'nobody'} → {w.to?.person ?? 'nobody'}
        {w.via ? <span className="muted"> (of lane {w.via})</span> : null}{' '}
        <Window inside={w.inCriticalWindow} />
      </>
    );
  return <FlipLine f={w} via={w.via} />;
}

export function ChangesPanel({ diff: v, label }: ChangesPanelProps) {
  const d = v.diff;
  const side = (s: AuthorityDiffView['from']) =>
    s.seq === null
      ? `facts now (as of ${shortTime(s.asOf)})`
      : `evaluation ${s.seq} (as of ${shortTime(s.asOf)})`;
  return (
    <section className="module changes" aria-label={label}>
      <h2>{label}</h2>
      <p>
        From {side(v.from)} to {side(v.to)}. <Window inside={d.inCriticalWindow} />
      </p>
      {!d.changed ? <p role="status">Nothing changed between them.</p> : null}
      {d.recommended ? (
        <p>
          Recommended lane: <strong>{d.recommended.from ?? 'none'}</strong> →{' '}
          <strong>{d.recommended.to ?? 'none'}</strong> <Window inside={d.recommended.inCriticalWindow} />
        </p>
      ) : null}
      {d.floor ? (
        <p>
          Floor: {d.floor.from === null ? 'none' : `rank ${d.floor.from}`} →{' '}
          {d.floor.to === null ? 'none' : `rank ${d.floor.to}`}
        </p>
      ) : null}
      {d.matrix ? (
        <p>
          Matrix: {d.matrix.from.matrix} ({d.matrix.from.policyDigest.slice(0, 12)}…) → {d.matrix.to.matrix} (
          {d.matrix.to.policyDigest.slice(0, 12)}…)
        </p>
      ) : null}
      {d.lanes.length > 0 ? (
        <ul className="plain lane-changes" aria-label="Lane changes">
          {d.lanes.map((l) => (
            <li key={l.laneId} aria-label={`Lane change ${l.title}`}>
              <strong>{l.title}</strong>{' '}
              {l.statusChanged ? (
                <>
                  <Badge word={l.status.from ? laneWord(l.status.from) : 'ABSENT'} /> →{' '}
                  <Badge word={l.status.to ? laneWord(l.status.to) : 'ABSENT'} />
                </>
              ) : (
                <span className="muted">
                  status unchanged ({l.status.to ? laneWord(l.status.to) : 'absent'})
                </span>
              )}{' '}
              <Window inside={l.inCriticalWindow} />
              {l.holder ? (
                <div>
                  Holder {l.holder.from?.person ?? 'nobody'} → {l.holder.to?.person ?? 'nobody'}
                </div>
              ) : null}
              {l.why.length > 0 ? (
                <div>
                  Why:
                  <ul className="plain why">
                    {l.why.map((w, i) => (
                      <li key={i}>
                        <WhyLine w={w} />
                      </li>
                    ))}
                  </ul>
                </div>
              ) : null}
              {l.blocks.added.length + l.blocks.lifted.length > 0 ? (
                <div>
                  {l.blocks.added.map((b) => (
                    <span key={`+${b.checkId}${b.ruleId ?? ''}`}>
                      blocked by <code>{b.checkId}</code>
                      {b.ruleId ? <> {b.ruleId}</> : null};{' '}
                    </span>
                  ))}
                  {l.blocks.lifted.map((b) => (
                    <span key={`-${b.checkId}${b.ruleId ?? ''}`}>
                      block lifted <code>{b.checkId}</code>
                      {b.ruleId ? <> {b.ruleId}</> : null};{' '}
                    </span>
                  ))}
                </div>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
      {d.requirements.length > 0 ? (
        <>
          <h3>Requirements</h3>
          <ul className="plain">
            {d.requirements.map((f) => (
              <li key={f.id}>
                <FlipLine f={f} />
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {d.findings.appeared.length + d.findings.resolved.length > 0 ? (
        <>
          <h3>
            Findings: {d.findings.appeared.length} appeared, {d.findings.resolved.length} resolved
          </h3>
          <ul className="plain" aria-label="Findings changed">
            {d.findings.appeared.map((f) => (
              <li key={`a ${f.checkId} ${f.subject}`}>
                <Badge word="APPEARED" /> <code>{f.checkId}</code> {f.subject}: {f.sentence}{' '}
                <Window inside={f.inCriticalWindow} />
              </li>
            ))}
            {d.findings.resolved.map((f) => (
              <li key={`r ${f.checkId} ${f.subject}`}>
                <Badge word="RESOLVED" /> <code>{f.checkId}</code> {f.subject}: {f.sentence}{' '}
                <Window inside={f.inCriticalWindow} />
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {d.options.length > 0 ? (
        <p>
          Options:{' '}
          {d.options
            .map((o) => `${o.optionId} ${o.change}${o.fields.length ? ` (${o.fields.join(', ')})` : ''}`)
            .join('; ')}
        </p>
      ) : null}
    </section>
  );
}
