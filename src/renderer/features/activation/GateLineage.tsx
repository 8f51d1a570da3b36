import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef } from 'react';
import { Badge } from '../../components/Badge';
import { shortTime, type LineageStep } from './model';

/** Rows estimated at this height; each is measured once drawn (a version's changes can be many). */
const ROW_ESTIMATE = 72;
const CHANGE_WORD = { added: 'ADDED', removed: 'REMOVED', changed: 'CHANGED' } as const;

/**
 * Append-only lineage (`gateLineage`): for each version, exactly which ledger lines changed since the
 * one before — manifest references, signer commitments, enclave checks, custody, safeguards — with the
 * facts before and after, and the holds it opened and cleared. A packet's life in an outage can be long:
 * the list is virtualised and scrolls on its own, opening at the newest version.
 */
export function GateLineage({ steps }: { steps: readonly LineageStep[] }) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: steps.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_ESTIMATE,
    overscan: 4,
  });
  const items = virtualizer.getVirtualItems();
  const count = steps.length;
  useEffect(() => {
    if (count > 0) virtualizer.scrollToIndex(count - 1, { align: 'end' });
  }, [count, virtualizer]);
  return (
    <section className="module" aria-label="Lineage">
      <h2>
        Lineage ({steps.length} {steps.length === 1 ? 'version' : 'versions'})
      </h2>
      {steps.length === 0 ? (
        <p className="muted">No version yet: the lineage starts with version 1.</p>
      ) : (
        <div
          className="lineage-scroll gate-lineage-scroll"
          ref={scrollRef}
          tabIndex={0}
          role="region"
          aria-label="Lineage versions"
        >
          <ol className="plain lineage" style={{ height: virtualizer.getTotalSize() }}>
            {items.map((it) => {
              const s = steps[it.index];
              if (!s) return null;
              return (
                <li
                  key={s.version}
                  data-index={it.index}
                  ref={virtualizer.measureElement}
                  className="lineage-row"
                  style={{ transform: `translateY(${it.start}px)` }}
                  aria-setsize={steps.length}
                  aria-posinset={it.index + 1}
                  aria-label={`Version ${s.version}`}
                >
                  <StepLine s={s} first={it.index === 0} />
                </li>
              );
            })}
          </ol>
        </div>
      )}
    </section>
  );
}

function StepLine({ s, first }: { s: LineageStep; first: boolean }) {
  return (
    <>
      <div>
        <strong>Version {s.version}</strong>{' '}
        <span className="muted">
          {shortTime(s.at)} · evaluation {s.evaluationSeq === null ? 'none bound' : `#${s.evaluationSeq}`}
        </span>{' '}
        {s.reproduced ? null : <Badge word="STALE" detail="its evaluation does not reproduce" />}
      </div>
      {first ? (
        <div className="muted">The first version: everything in its ledger is new.</div>
      ) : s.changes.length === 0 && s.holdsOpened.length === 0 && s.holdsCleared.length === 0 ? (
        <div className="muted">No ledger line changed from the version before.</div>
      ) : null}
      {s.changes.length > 0 ? (
        <ul className="plain lineage-changes">
          {s.changes.map((c) => (
            <li key={`${c.area} ${c.item}`}>
              <Badge word={CHANGE_WORD[c.change]} /> {c.area} <code>{c.item}</code>
              {c.facts.length > 0 ? (
                <span>
                  :{' '}
                  {c.facts.map((f, i) => (
                    <span key={f.fact}>
                      {i > 0 ? '; ' : ''}
                      {f.fact} {f.before} → {f.after}
                    </span>
                  ))}
                </span>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
      {s.holdsOpened.length > 0 ? (
        <div>
          <Badge word="APPEARED" detail="holds" /> {s.holdsOpened.join('; ')}
        </div>
      ) : null}
      {s.holdsCleared.length > 0 ? (
        <div>
          <Badge word="RESOLVED" detail="holds" /> {s.holdsCleared.join('; ')}
        </div>
      ) : null}
    </>
  );
}
