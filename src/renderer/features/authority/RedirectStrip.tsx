import { Badge } from '../../components/Badge';
import { laneTitle, laneWord, shortTime, type Authority, type Redirect } from './model';

/**
 * The redirect in force (design §6): "REDIRECTED to … by … (role) · station computes … RECOMMENDED". The
 * lane the station computes stands beside it, never replaced; the target's computed status at the time
 * of the redirect is said too (a blocked or not-required target is recorded, never refused). Earlier
 * redirects are listed; all of them stay in the lineage. Renders nothing without a redirect.
 */
export interface RedirectStripProps {
  /** Recorded redirects for this incident, in journal order. */
  redirects: readonly Redirect[];
  /** The latest (the one in force), as the station says. */
  inForce: Redirect | null;
  /** The evaluation on screen: its computed lane stands beside the redirect. */
  authority: Pick<Authority, 'recommended' | 'lanes'>;
  /** The seq of the evaluation on screen (a redirect made on an earlier one says so). */
  evaluationSeq: number;
}

export function RedirectStrip({ redirects, inForce, authority, evaluationSeq }: RedirectStripProps) {
  if (!inForce) return null;
  const title = (id: string | null) => laneTitle(authority.lanes, id);
  const earlier = redirects.filter((r) => r.seq !== inForce.seq);
  return (
    <section className="module redirect-strip" aria-label="Redirect in force">
      <p className="outcome-line">
        <Badge word="REDIRECTED" detail={`to ${title(inForce.toLane)}`} large />
        <span>
          by {inForce.redirectedBy} ({inForce.role})
        </span>
        <span aria-label="Station computes">
          · station computes {title(authority.recommended)}{' '}
          {authority.recommended ? <Badge word="RECOMMENDED" /> : <Badge word="ROUTING-UNCLEAR" />}
        </span>
      </p>
      <p>
        Target computed as <Badge word={laneWord(inForce.targetComputedStatus)} /> on evaluation{' '}
        {inForce.evaluationSeq}
        {inForce.evaluationSeq !== evaluationSeq ? ` (not the one on screen, ${evaluationSeq})` : ''};
        computed lane then: {title(inForce.computedLane)}. Signed with their own key ({inForce.trustId}),
        journal entry {inForce.seq}, {shortTime(inForce.at)}.
      </p>
      <p>
        <strong>Reason:</strong> {inForce.reason}
      </p>
      {inForce.restrictedNoteSha256 ? (
        <p>
          <Badge word="RESTRICTED" detail="note kept for the approved channel" /> only its SHA-256 is
          journaled: <code>{inForce.restrictedNoteSha256}</code>
        </p>
      ) : null}
      {earlier.length > 0 ? (
        <details>
          <summary>Earlier redirects ({earlier.length})</summary>
          <ul className="plain">
            {earlier.map((r) => (
              <li key={r.seq}>
                Entry {r.seq}: to {title(r.toLane)} ({laneWord(r.targetComputedStatus)}) by {r.redirectedBy} (
                {r.role}), {shortTime(r.at)}; computed then: {title(r.computedLane)}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </section>
  );
}
