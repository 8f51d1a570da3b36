import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef } from 'react';
import { Badge } from '../../components/Badge';
import { laneWord, shortTime, type LineageEntry } from './model';

/** Rows estimated at this height; each is measured once drawn (a long reason wraps). */
const ROW_ESTIMATE = 48;

/**
 * The incident's lineage (design §6), from `authorityLineage`: its evaluations, the records and matrix
 * versions imported, and people's redirects, in journal order. An incident's life can be long (every
 * import of every family): the list is virtualised like the journal's, and scrolls on its own.
 */
export function LineageList({ entries }: { entries: readonly LineageEntry[] }) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: entries.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_ESTIMATE,
    overscan: 8,
  });
  const items = virtualizer.getVirtualItems();
  // The lineage opens at its newest entry (the latest evaluation, the redirect in force), as the journal
  // opens at its head; scrolling up goes back in time.
  const count = entries.length;
  useEffect(() => {
    if (count > 0) virtualizer.scrollToIndex(count - 1, { align: 'end' });
  }, [count, virtualizer]);
  return (
    <section className="module" aria-label="Lineage">
      <h2>Lineage ({entries.length} entries, journal order)</h2>
      {entries.length === 0 ? (
        <p className="muted">Nothing in the journal for this incident yet.</p>
      ) : (
        // Focusable: the list scrolls on its own and a keyboard must be able to scroll it.
        <div
          className="lineage-scroll"
          ref={scrollRef}
          tabIndex={0}
          role="region"
          aria-label="Lineage entries"
        >
          <ol className="plain lineage" style={{ height: virtualizer.getTotalSize() }}>
            {items.map((it) => {
              const e = entries[it.index];
              if (!e) return null;
              return (
                <li
                  key={e.seq}
                  data-index={it.index}
                  ref={virtualizer.measureElement}
                  className="lineage-row"
                  style={{ transform: `translateY(${it.start}px)` }}
                  aria-setsize={entries.length}
                  aria-posinset={it.index + 1}
                >
                  <span className="lineage-seq">#{e.seq}</span> <LineageLine e={e} />
                  <div className="muted">
                    {shortTime(e.at)} · {e.actor}
                  </div>
                </li>
              );
            })}
          </ol>
        </div>
      )}
    </section>
  );
}

function LineageLine({ e }: { e: LineageEntry }) {
  switch (e.type) {
    case 'evaluation':
      return (
        <>
          <Badge word="EVALUATION" /> as of {shortTime(e.asOf)}: <code>{e.outcome}</code>
          {e.reproduced ? (
            e.recommended ? (
              <> · recommended {e.recommended}</>
            ) : null
          ) : (
            <> · does not reproduce</>
          )}
        </>
      );
    case 'records':
      return (
        <>
          <Badge word="RECORDS" /> {e.family} from {e.system}: {e.count} records ({e.newRecords} new),{' '}
          {e.fileName}
        </>
      );
    case 'policy':
      return (
        <>
          <Badge word="MATRIX" /> {e.policy} v{e.version} ({e.digest.slice(0, 12)}…)
        </>
      );
    case 'redirect':
      return (
        <>
          <Badge word="REDIRECTED" /> to {e.toLane} ({laneWord(e.targetComputedStatus)}) by {e.redirectedBy} (
          {e.role}) on evaluation {e.evaluationSeq} · station computed {e.computedLane ?? 'no lane'}:{' '}
          {e.reason}
        </>
      );
  }
}
