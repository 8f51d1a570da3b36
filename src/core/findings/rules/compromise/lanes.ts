import type { AuthorityMatrix, Lane } from '../../policy/authority-matrix';
import { ruleState, type Facts, type Tri } from './conditions';

/**
 * Which lane owns the decision, from the matrix and the facts alone (docs/findings.md, CMP-*):
 * - the floor is the highest rank whose trigger fired: no lane below it may decide (CMP-FLOOR);
 * - a lane is blocked when it has nobody to hold it (CMP-HOLDER), sits below the floor, has a limit
 *   that holds or cannot be shown not to (CMP-LIMIT), or cannot take a decision the facts require —
 *   an unknown requirement counts as required (CMP-COVER);
 * - recommended is the lowest unblocked lane at or above the floor (ranks are unique: never a tie);
 * - viable is any other unblocked lane that is triggered, may be (an unknown trigger), or stands by
 *   the matrix's word (assumeUntriggered); not_required is the rest — routing there over-escalates.
 * The station recommends; a person decides (a redirect is a recorded act, kept beside this).
 */
export type LaneStatus = 'recommended' | 'viable' | 'blocked' | 'not_required';

/** Who holds a lane at the as-of instant, and the decisions they may take there (null: the lane's). */
export interface LaneHolder {
  readonly person: string;
  readonly via: 'holder' | 'succession' | 'delegation';
  /** A delegate's scope (the delegated decisions); null for a holder or successor (the lane's own). */
  readonly scope: readonly string[] | null;
}

export interface LaneBlock {
  readonly checkId: 'CMP-HOLDER' | 'CMP-FLOOR' | 'CMP-LIMIT' | 'CMP-COVER';
  /** The matrix rule behind it, where one is (a limit's or a requirement's id). */
  readonly ruleId: string | null;
  readonly reason: string;
}

export interface LaneVerdict {
  readonly laneId: string;
  readonly rank: number;
  readonly status: LaneStatus;
  readonly holder: LaneHolder | null;
  readonly triggers: readonly { readonly id: string; readonly state: Tri }[];
  readonly limits: readonly { readonly id: string; readonly state: Tri }[];
  readonly blocks: readonly LaneBlock[];
}

export interface Routing {
  /** The highest rank with a fired trigger, or null when none fired. */
  readonly floor: number | null;
  /** Requirements and their state (true and unknown both require the decision). */
  readonly requirements: readonly { readonly id: string; readonly decision: string; readonly state: Tri }[];
  readonly lanes: readonly LaneVerdict[];
  readonly recommended: string | null;
}

const fired = (states: readonly { state: Tri }[]) => states.some((s) => s.state === true);
const maybe = (states: readonly { state: Tri }[]) => states.some((s) => s.state === null);

export function routeLanes(
  matrix: AuthorityMatrix,
  facts: Facts,
  holders: Readonly<Record<string, LaneHolder | null>>,
): Routing {
  const byRank = [...matrix.lanes].sort((a, b) => a.rank - b.rank);
  const judged = byRank.map((lane) => ({
    lane,
    triggers: lane.triggers.map((r) => ({ id: r.id, state: ruleState(r, facts) })),
    limits: lane.limits.map((r) => ({ id: r.id, state: ruleState(r, facts) })),
  }));
  const floor = judged
    .filter((j) => fired(j.triggers))
    .reduce<number | null>((top, j) => (top === null || j.lane.rank > top ? j.lane.rank : top), null);
  const requirements = matrix.requires.map((r) => ({
    id: r.id,
    decision: r.decision,
    state: ruleState(r, facts),
  }));
  const needed = requirements.filter((r) => r.state !== false);

  const blocksOf = (lane: Lane, limits: readonly { id: string; state: Tri }[]): LaneBlock[] => {
    const holder = holders[lane.laneId] ?? null;
    const blocks: LaneBlock[] = [];
    if (holder === null)
      blocks.push({ checkId: 'CMP-HOLDER', ruleId: null, reason: `nobody holds ${lane.laneId} now` });
    if (floor !== null && lane.rank < floor)
      blocks.push({
        checkId: 'CMP-FLOOR',
        ruleId: null,
        reason: `a trigger of a rank-${floor} lane fired: rank ${lane.rank} may not decide`,
      });
    for (const l of limits)
      if (l.state !== false)
        blocks.push({
          checkId: 'CMP-LIMIT',
          ruleId: l.id,
          reason:
            l.state === true ? `limit ${l.id} is passed` : `limit ${l.id} cannot be shown not to be passed`,
        });
    const scope = holder?.scope ?? lane.decides;
    for (const r of needed)
      if (!scope.includes(r.decision))
        blocks.push({
          checkId: 'CMP-COVER',
          ruleId: r.id,
          reason: `${r.decision} is ${r.state === true ? 'required' : 'possibly required'} (${r.id}) and ${
            holder?.via === 'delegation' && lane.decides.includes(r.decision)
              ? `outside what ${holder.person} was delegated`
              : `not a decision of ${lane.laneId}`
          }`,
        });
    return blocks;
  };

  const withBlocks = judged.map((j) => ({ ...j, blocks: blocksOf(j.lane, j.limits) }));
  const recommended =
    withBlocks.find((j) => j.blocks.length === 0 && (floor === null || j.lane.rank >= floor))?.lane.laneId ??
    null;
  const lanes: LaneVerdict[] = withBlocks.map((j) => ({
    laneId: j.lane.laneId,
    rank: j.lane.rank,
    holder: holders[j.lane.laneId] ?? null,
    triggers: j.triggers,
    limits: j.limits,
    blocks: j.blocks,
    status:
      j.blocks.length > 0
        ? 'blocked'
        : j.lane.laneId === recommended
          ? 'recommended'
          : fired(j.triggers) || maybe(j.triggers) || j.lane.assumeUntriggered
            ? 'viable'
            : 'not_required',
  }));
  return { floor, requirements, lanes, recommended };
}
