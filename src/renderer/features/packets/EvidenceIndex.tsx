import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef } from 'react';
import type { PacketView } from '../../../shared/contract';
import { Badge } from '../../components/Badge';
import type { Selection } from './model';

const ROW_HEIGHT = 46;

/** The evidence index, virtualised: a packet may carry up to 2,000 items, and only the visible rows render. */
export function EvidenceIndex(props: {
  evidence: PacketView['draft']['evidence'];
  freshness: PacketView['freshness'];
  focus: Selection;
  onFocus: (s: Selection) => void;
}) {
  const { evidence, freshness, focus, onFocus } = props;
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: evidence.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
  });
  if (evidence.length === 0)
    return (
      <p className="muted">
        No evidence yet: import it from media, cite a journal entry or record a typed attestation.
      </p>
    );
  return (
    <div className="evidence-index">
      <div className="evidence-row evidence-header" aria-hidden="true">
        <span>evidence</span>
        <span>source</span>
        <span>effective</span>
        <span>received</span>
      </div>
      <div
        ref={scrollRef}
        className="evidence-scroll"
        role="list"
        aria-label={`Evidence, ${evidence.length} items`}
      >
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const e = evidence[item.index];
            if (!e) return null;
            const selected = focus?.type === 'evidence' && focus.id === e.evidenceId;
            return (
              <div
                key={e.evidenceId}
                role="listitem"
                className={`evidence-row${selected ? ' selected' : ''}`}
                style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
              >
                <span>
                  <button
                    type="button"
                    className="link"
                    onClick={() => onFocus({ type: 'evidence', id: e.evidenceId })}
                  >
                    {e.evidenceId}
                  </button>
                  <span className="muted">
                    {' '}
                    {e.title}
                    {e.origin === 'attestation' ? ` (attestation by ${e.attestedBy ?? '?'})` : ''}
                  </span>
                </span>
                <span>
                  {e.source.system} <span className="muted">{e.source.recordId}</span>
                </span>
                <span>
                  {e.effectiveAt?.slice(0, 10) ?? '—'}
                  {freshness[e.evidenceId]?.fresh === false ? <Badge word="STALE" /> : null}
                </span>
                <span>
                  {e.receivedAt.slice(0, 10)} <span className="muted">{e.importedBy}</span>
                </span>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
