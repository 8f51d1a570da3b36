import type { StationInfo } from '../../shared/contract';
import { Badge } from '../components/Badge';
import { describeVerdict, journalHold } from '../features/journal/verdict';
import { OperatorCell } from './OperatorCell';
import { useStation } from './store';

/** Always visible: mode, station identity, store state and journal state, readable from two metres. */
export function Banner() {
  const info = useStation((s) => s.info);
  const verdict = useStation((s) => s.verdict);
  const anchor = useStation((s) => s.anchor);
  const verifying = useStation((s) => s.verifying);
  const connection = useStation((s) => s.connection);
  const v = describeVerdict(verdict);
  // The token is read again every few seconds (stationInfo), the verdict only at a verify: a token pulled
  // since holds the verdict at once, never a stale green (journalHold).
  const held = journalHold(info?.hsm, anchor, verdict);
  const hold = held?.reason ?? null;
  const holdCheck = held?.check;
  // Short in the banner (the Journal view says it in full): VERIFIED names its checkpoint, UNANCHORED
  // is told by the unsigned count next to it, TAMPERED keeps its seq.
  const journalDetail =
    verdict?.status === 'VERIFIED'
      ? `checkpoint ${verdict.checkpoint.n}`
      : verdict?.status === 'UNANCHORED'
        ? undefined
        : v.detail;
  const mode = info?.mode ?? null;

  return (
    <header className={`banner banner-${mode ?? 'unknown'}`} role="banner" aria-label="Station status">
      <div className="banner-mode" aria-label="Mode" role="group">
        {mode === null ? 'MODE ?' : mode === 'offline' ? 'OFFLINE' : 'ONLINE'}
      </div>
      <div className="banner-identity" aria-label="Station identity" role="group">
        <div className="banner-name" title={info?.name}>
          {info?.name ?? '…'}
          {info?.demo ? <span className="demo-tag">DEMO</span> : null}
        </div>
        <div className="banner-sub">
          station <code>{info?.stationId.slice(0, 8) ?? '…'}</code>
          {' · '}
          {info?.identity ? (
            <span title={info.identity.fingerprint}>key {info.identity.words.slice(0, 4).join(' ')}</span>
          ) : (
            <span>no identity key</span>
          )}
        </div>
      </div>
      <OperatorCell />
      {info?.quorum ? <QuorumCell quorum={info.quorum} /> : null}
      <div className="banner-cell" aria-label="HSM status" role="group">
        <span className="banner-label">HSM</span>
        {info?.hsm ? (
          <Badge
            word={info.hsm.status}
            tone={info.hsm.status === 'PRESENT' ? 'good' : info.hsm.status === 'BUSY' ? 'warn' : 'bad'}
            detail={info.hsm.detail}
          />
        ) : (
          <Badge word="NOT CHECKED" detail="no station token" />
        )}
      </div>
      <div className="banner-cell" aria-label="Journal state" role="group">
        <span className="banner-label">Journal</span>
        {verifying ? (
          <Badge word="NOT CHECKED" detail="verifying…" />
        ) : v.word === 'VERIFIED' && hold ? (
          // Never green without the token's word for it: the chain verified, the anchor did not.
          <Badge word="HOLD" detail={`${journalDetail ?? ''} · ${hold}`} check={holdCheck} />
        ) : (
          <Badge word={v.word} detail={journalDetail} check={v.check} />
        )}
        {info?.journal ? (
          <span
            // A count of zero may give way on a narrow screen; entries no checkpoint covers never do.
            className={`banner-sub${info.journal.unsigned === 0 ? ' unsigned-none' : ''}`}
            aria-label="Unsigned entries"
            role="group"
            title="entries after the latest signed checkpoint: anyone with write access to the database could still change them undetected"
          >
            {info.journal.unsigned}
            <span className="unsigned-word"> unsigned</span>
          </span>
        ) : null}
      </div>
      {info?.store.readOnly ? (
        <div className="banner-cell" aria-label="Store state" role="group">
          <span className="banner-label">Store</span>
          <Badge word="READ-ONLY" detail="integrity check failed" />
        </div>
      ) : null}
      {connection === 'closed' ? (
        <div className="banner-cell" aria-label="Connection" role="group">
          <Badge word="DISCONNECTED" />
        </div>
      ) : null}
    </header>
  );
}

/**
 * Quorum from two metres: M of N — the roster's quorum of the custodians valid now — and, while a quorum
 * session is open, how many have checked in to it against its threshold (the operation in the title).
 */
function QuorumCell(props: { quorum: NonNullable<StationInfo['quorum']> }) {
  const { threshold, custodians, open } = props.quorum;
  const short = custodians < threshold;
  return (
    <div
      className="banner-cell"
      aria-label="Quorum"
      role="group"
      title={`quorum ${threshold} of the ${custodians} custodians valid now${open ? `; session ${open.sessionId} for ${open.operation}: ${open.checkedIn} checked in of ${open.threshold} needed, open until ${open.expiresAt}` : ''}`}
    >
      <span className="banner-label">Quorum</span>
      <strong>
        {threshold} of {custodians}
      </strong>
      {short ? <Badge word="SHORT" /> : null}
      {open ? (
        <Badge
          word={open.checkedIn >= open.threshold ? 'REACHED' : 'OPEN'}
          tone={open.checkedIn >= open.threshold ? 'good' : 'warn'}
          detail={`${Math.min(open.checkedIn, open.threshold)}/${open.threshold}`}
        />
      ) : null}
    </div>
  );
}
