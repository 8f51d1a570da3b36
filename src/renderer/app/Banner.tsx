import { Badge } from '../components/Badge';
import { describeVerdict } from '../features/journal/verdict';
import { useStation } from './store';

/** Always visible: mode, station identity, store state and journal state, readable from two metres. */
export function Banner() {
  const info = useStation((s) => s.info);
  const verdict = useStation((s) => s.verdict);
  const anchor = useStation((s) => s.anchor);
  const verifying = useStation((s) => s.verifying);
  const connection = useStation((s) => s.connection);
  const v = describeVerdict(verdict);
  const mode = info?.mode ?? null;

  return (
    <header className={`banner banner-${mode ?? 'unknown'}`} role="banner" aria-label="Station status">
      <div className="banner-mode" aria-label="Mode">
        {mode === null ? 'MODE ?' : mode === 'offline' ? 'OFFLINE' : 'ONLINE'}
      </div>
      <div className="banner-identity" aria-label="Station identity">
        <div className="banner-name">
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
      <div className="banner-cell" aria-label="HSM status">
        <span className="banner-label">HSM</span>
        {info?.hsm ? (
          <Badge
            word={info.hsm.status}
            tone={info.hsm.status === 'PRESENT' ? 'good' : 'bad'}
            detail={info.hsm.detail}
          />
        ) : (
          <Badge word="NOT CHECKED" detail="no station token" />
        )}
      </div>
      <div className="banner-cell" aria-label="Journal state">
        <span className="banner-label">Journal</span>
        {verifying ? (
          <Badge word="NOT CHECKED" detail="verifying…" />
        ) : (
          <Badge word={v.word} detail={v.detail} check={v.check} />
        )}
        {!verifying && v.word === 'VERIFIED' && anchor?.token.status !== 'CONFIRMED' ? (
          <Badge word="HOLD" detail="identity key not confirmed on the token" />
        ) : null}
      </div>
      {info?.store.readOnly ? (
        <div className="banner-cell" aria-label="Store state">
          <span className="banner-label">Store</span>
          <Badge word="READ-ONLY" detail="integrity check failed" />
        </div>
      ) : null}
      {connection === 'closed' ? (
        <div className="banner-cell" aria-label="Connection">
          <Badge word="DISCONNECTED" tone="bad" />
        </div>
      ) : null}
    </header>
  );
}
