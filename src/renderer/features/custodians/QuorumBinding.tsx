import type { ReactNode } from 'react';
import { Badge } from '../../components/Badge';
import { useConfirmedAct } from '../../components/ConfirmAct';

/** A quorum session as the Custodians view lists it. */
export interface SessionSummary {
  readonly sessionId: string;
  readonly operation: string;
  readonly ceremonyId: string;
  readonly step: string;
  readonly expiresAt: string;
  readonly closedReason: string | null;
  readonly checkedIn: number;
  readonly threshold: number;
  /** The station's word: enough valid check-ins, unexpired. Only then may the bound act run. */
  readonly reached: boolean;
}

/**
 * The open session bound to exactly `operation` that an act can use now: not closed or claimed, not
 * expired; the newest when there are several. Whether it has reached its quorum the session panel shows
 * (and the act's own check refuses it if not).
 */
export function boundSession(
  sessions: readonly SessionSummary[],
  operation: string | null,
  now = new Date().toISOString(),
): SessionSummary | undefined {
  if (!operation) return undefined;
  return sessions
    .filter((s) => s.operation === operation && s.closedReason === null && s.expiresAt > now)
    .at(-1);
}

/**
 * The quorum step every custodian act shares: the exact operation it needs (as the station computed it),
 * a quorum session opened for exactly that through the session preview, and whether one is open now.
 * The custodians then check in on the session panel above; the act itself is the caller's.
 */
export function QuorumBinding(props: {
  operation: string | null;
  session: SessionSummary | undefined;
  ceremonyId: string;
  step: string;
  onOpened: (sessionId: string) => Promise<void>;
  /** Where the station computes the operation on request: the button that asks for it comes first. */
  onShow?: () => void;
}) {
  const openAct = useConfirmedAct('quorumOpen', { onDone: (v) => props.onOpened(v.sessionId) });
  const show = props.onShow ? (
    <div className="actions">
      <button type="button" onClick={props.onShow}>
        Show the operation to authorise
      </button>
    </div>
  ) : null;
  if (!props.operation) return show;
  const operation = props.operation;
  return (
    <>
      {show}
      <p>
        Operation to authorise <code className="operation-text">{operation}</code>{' '}
        {props.session?.reached ? (
          <Badge
            word="REACHED"
            detail={`${props.session.checkedIn} of ${props.session.threshold} checked in: the act may run`}
          />
        ) : props.session ? (
          <Badge
            word="OPEN"
            detail={`${props.session.checkedIn} of ${props.session.threshold} checked in — custodians check in on the session panel`}
          />
        ) : (
          <Badge word="HOLD" detail="no open session bound to it" />
        )}
      </p>
      {!props.session ? (
        <div className="actions">
          <button
            type="button"
            onClick={() =>
              void openAct.ask({ operation, ceremonyId: props.ceremonyId, step: props.step, ttlMinutes: 60 })
            }
          >
            Preview a quorum session for it…
          </button>
        </div>
      ) : null}
      {openAct.panel}
    </>
  );
}

/**
 * The submit button of an act bound to a quorum session: enabled only once the station says the
 * session bound to exactly this act REACHED its quorum, and saying why while it waits.
 */
export function QuorumActButton(props: {
  session: SessionSummary | undefined;
  /** What the session is bound to, in words: "this change", "this signing". */
  bound: string;
  children: ReactNode;
}) {
  const reached = props.session?.reached === true;
  return (
    <button
      type="submit"
      className="primary"
      disabled={!reached}
      title={
        reached ? undefined : `Waits for a quorum session bound to exactly ${props.bound} to reach its quorum`
      }
    >
      {props.children}
    </button>
  );
}
