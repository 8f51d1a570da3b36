import { useVirtualizer } from '@tanstack/react-virtual';
import { useMemo, useRef } from 'react';
import { findingCategories } from '../../../shared/contract/findings';
import { Badge } from '../../components/Badge';
import { refLabel, sameRef, type Finding, type Focus } from './model';

/** Records cited inline per row; the rest are one click away in the rule's pane. */
const INLINE_RECORDS = 4;

type Item = { kind: 'group'; category: string; count: number } | { kind: 'finding'; finding: Finding };

/**
 * Findings grouped by category in the order the outcome weighs them (stop first), virtualised: an
 * evaluation over a large estate may find hundreds of things, and only the visible rows render.
 */
export function FindingsList(props: {
  findings: readonly Finding[];
  titles: ReadonlyMap<string, string>;
  focus: Focus;
  onFocus: (f: Focus) => void;
}) {
  const { findings, titles, focus, onFocus } = props;
  const items = useMemo(() => {
    const out: Item[] = [];
    for (const category of findingCategories) {
      const inCategory = findings.filter((f) => f.category === category);
      if (inCategory.length === 0) continue;
      out.push({ kind: 'group', category, count: inCategory.length });
      for (const finding of inCategory) out.push({ kind: 'finding', finding });
    }
    return out;
  }, [findings]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => (items[i]?.kind === 'group' ? 34 : 96),
    overscan: 6,
  });
  if (findings.length === 0)
    return <p className="muted">No findings: every check passed on these records.</p>;
  return (
    <div ref={scrollRef} className="findings-scroll" role="list" aria-label={`Findings, ${findings.length}`}>
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((v) => {
          const item = items[v.index];
          if (!item) return null;
          const style = { transform: `translateY(${v.start}px)` };
          if (item.kind === 'group')
            return (
              <div
                key={`g:${item.category}`}
                ref={virtualizer.measureElement}
                data-index={v.index}
                role="listitem"
                className="findings-group"
                style={style}
              >
                <h3>
                  {item.category} <span className="muted">({item.count})</span>
                </h3>
              </div>
            );
          const f = item.finding;
          const selected =
            (focus?.type === 'rule' && focus.checkId === f.checkId) ||
            (focus?.type === 'record' && f.records.some((r) => sameRef(r, focus.ref)));
          return (
            <div
              key={`f:${v.index}:${f.checkId}:${f.subject}`}
              ref={virtualizer.measureElement}
              data-index={v.index}
              role="listitem"
              aria-label={`${f.checkId} ${f.subject}`}
              className={`finding-row${selected ? ' selected' : ''}`}
              style={style}
            >
              <div className="finding-head">
                <button
                  type="button"
                  className="badge badge-info check-link"
                  title={titles.get(f.checkId) ?? f.checkId}
                  onClick={() => onFocus({ type: 'rule', checkId: f.checkId })}
                >
                  <code>{f.checkId}</code>
                </button>
                <strong className="finding-subject">{f.subject}</strong>
                <Badge
                  word={f.blocking ? 'BLOCKING' : 'NOT BLOCKING'}
                  tone={f.blocking ? 'bad' : 'neutral'}
                />
                <Badge
                  word={f.waivable ? 'WAIVABLE' : 'NOT WAIVABLE'}
                  tone={f.waivable ? 'warn' : 'neutral'}
                />
              </div>
              <div className="finding-sentence">{f.sentence}</div>
              <div className="finding-records">
                {f.records.slice(0, INLINE_RECORDS).map((r) => (
                  <button
                    key={refLabel(r)}
                    type="button"
                    className="link"
                    onClick={() => onFocus({ type: 'record', ref: r })}
                  >
                    {refLabel(r)}
                  </button>
                ))}
                {f.records.length > INLINE_RECORDS ? (
                  <button
                    type="button"
                    className="link"
                    onClick={() => onFocus({ type: 'rule', checkId: f.checkId })}
                  >
                    +{f.records.length - INLINE_RECORDS} more
                  </button>
                ) : null}
              </div>
            </div>
          );
        })}
      </div>
    </div>
  );
}
