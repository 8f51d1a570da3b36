import { Badge } from '../../components/Badge';
import { LANE_WORDS, shortTime, type Authority } from './model';
import type { RedirectEntry } from './slots';

/**
 * SLOT — the redirect strip (design §6), fed later by the redirect/lineage channel: the latest redirect
 * on screen ("REDIRECTED to … by … · station computes … RECOMMENDED"), earlier ones listed, the computed
 * lane always beside. Renders nothing without redirects.
 */
export interface RedirectStripProps {
  /** Recorded redirects for this incident, in journal order (the last supersedes on screen). */
  redirects: readonly RedirectEntry[];
  /** The evaluation on screen: its computed lane stands beside every redirect. */
  authority: Pick<Authority, 'recommended' | 'lanes'>;
}

export function RedirectStrip({ redirects, authority }: RedirectStripProps) {
  const latest = redirects.at(-1);
  if (!latest) return null;
  const title = (id: string | null) => authority.lanes.find((l) => l.laneId === id)?.title ?? id ?? 'no lane';
  return (
    <section className="module redirect-strip" aria-label="Redirects">
      <p className="outcome-line">
        <Badge word="REDIRECTED" detail={`to ${title(latest.toLane)}`} large />
        <span>
          by {latest.redirectedBy} ({latest.role}) at {shortTime(latest.at)}, journal entry {latest.seq}
        </span>
        <span>· station computes {title(authority.recommended)}</span>
        {authority.recommended ? <Badge word={LANE_WORDS.recommended} /> : null}
      </p>
      <p>{latest.reason}</p>
      {redirects.length > 1 ? (
        <details>
          <summary>Earlier redirects ({redirects.length - 1})</summary>
          <ul className="plain">
            {redirects.slice(0, -1).map((r) => (
              <li key={r.seq}>
                Entry {r.seq}: to {title(r.toLane)} by {r.redirectedBy}, {shortTime(r.at)} (computed then:{' '}
                {title(r.computedLane)})
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </section>
  );
}
