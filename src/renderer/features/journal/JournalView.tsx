import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { JournalEntry } from '../../../shared/contract';
import { JOURNAL_PAGE_SIZE, useStation } from '../../app/store';
import { Badge } from '../../components/Badge';
import { CheckpointForm } from './CheckpointForm';
import { FilterForm } from './FilterForm';
import { describeVerdict, rowState } from './verdict';
import './journal.css';

const ROW_HEIGHT = 36;

/**
 * The journal: verify panel (a job with progress and cancel), a filter, a virtualised list of the
 * events it matches, and the selected event's detail.
 */
export function JournalView() {
  return (
    <>
      <main className="main journal" aria-labelledby="journal-title">
        <h1 id="journal-title">Journal</h1>
        <VerifyPanel />
        <CheckpointForm />
        <JournalList />
      </main>
      <EntryDetail />
    </>
  );
}

function VerifyPanel() {
  const verdict = useStation((s) => s.verdict);
  const anchor = useStation((s) => s.anchor);
  const verifying = useStation((s) => s.verifying);
  const job = useStation((s) => s.verifyJob);
  const verify = useStation((s) => s.verify);
  const cancel = useStation((s) => s.cancelVerify);
  const v = describeVerdict(verdict);
  return (
    <section className="verify-panel" aria-label="Journal verification">
      <div className="verify-actions">
        <button type="button" className="primary" onClick={() => void verify()} disabled={verifying}>
          {verifying ? 'Verifying…' : 'Verify journal'}
        </button>
        {job ? (
          <button type="button" onClick={() => void cancel()} disabled={job.cancelling}>
            {job.cancelling ? 'Cancelling…' : 'Cancel verification'}
          </button>
        ) : null}
      </div>
      {job ? (
        <div className="verify-progress">
          <progress
            max={Math.max(1, job.total)}
            value={job.done}
            aria-label="Entries checked"
            aria-valuetext={`${job.done} of ${job.total} entries checked`}
          />
          <span>
            {job.done} of {job.total} entries checked
          </span>
        </div>
      ) : null}
      <div role="status" aria-live="polite" aria-label="Verification result">
        <Badge word={v.word} detail={v.detail} check={v.check} large />
        {verdict && verdict.status !== 'VERIFIED' ? <p className="verdict-reason">{verdict.reason}</p> : null}
        {anchor ? (
          <p className="verdict-meta" role="group" aria-label="Identity key on the station token">
            <Badge
              word={
                anchor.token.status === 'CONFIRMED'
                  ? 'VERIFIED'
                  : anchor.token.status === 'MISMATCH'
                    ? 'TAMPERED'
                    : 'NOT CHECKED'
              }
              detail={`identity key on token ${anchor.tokenSerial}`}
              check="JNL-IDENTITY"
            />{' '}
            {anchor.token.reason}
          </p>
        ) : null}
        {verdict ? (
          <p className="verdict-meta">
            {verdict.status === 'CANCELLED'
              ? `${verdict.entries} of ${verdict.total} entries checked`
              : `${verdict.entries} entr${verdict.entries === 1 ? 'y' : 'ies'} checked`}
          </p>
        ) : null}
      </div>
    </section>
  );
}

function JournalList() {
  const journalTotal = useStation((s) => s.journalTotal);
  const matched = useStation((s) => s.journalMatched);
  const filter = useStation((s) => s.journalFilter);
  const locateSeq = useStation((s) => s.locateSeq);
  // Rows in the list: the matches under a filter, else every entry (row index i is seq i + 1).
  const total = filter ? matched : journalTotal;
  const pages = useStation((s) => s.journalPages);
  const loadPage = useStation((s) => s.loadJournalPage);
  const verdict = useStation((s) => s.verdict);
  const selected = useStation((s) => s.selectedSeq);
  const select = useStation((s) => s.select);
  const scrollRef = useRef<HTMLDivElement>(null);
  const requested = useRef(new Set<number>());

  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const [jumpNote, setJumpNote] = useState<string | null>(null);

  // The journal opens at its head: the newest entries are what an operator came to see. A new filter
  // (or clearing one) opens its list at the head again.
  const atHead = useRef(false);
  const [listing, setListing] = useState(0);
  useEffect(() => {
    if (atHead.current || total === 0) return;
    atHead.current = true;
    virtualizer.scrollToIndex(total - 1, { align: 'end' });
  }, [total, virtualizer, listing]);
  const applied = (filtered: boolean) => {
    atHead.current = false;
    setListing((n) => n + 1);
    setJumpNote(null);
    requested.current.clear();
    if (!filtered) select(null);
  };

  const jump = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const seq = Number(new FormData(e.currentTarget).get('seq'));
    if (!Number.isInteger(seq) || seq < 1 || seq > journalTotal) return;
    select(seq);
    // Under a filter the entry's row is found by the station; one the filter leaves out is still shown.
    const index = await locateSeq(seq);
    setJumpNote(index === null ? `seq ${seq} is not among the filtered entries (shown in the detail)` : null);
    if (index !== null) virtualizer.scrollToIndex(index, { align: 'center' });
  };

  /** The seq of a list row: known from its index unfiltered, else from its loaded page. */
  const seqAt = (index: number): number | null =>
    filter
      ? (pages[Math.floor(index / JOURNAL_PAGE_SIZE)]?.[index % JOURNAL_PAGE_SIZE]?.seq ?? null)
      : index + 1;

  // Load the pages that the visible rows fall into (once per page and journal size).
  useEffect(() => {
    requested.current.forEach((p) => {
      if (pages[p]) requested.current.delete(p);
    });
    for (const item of items) {
      const page = Math.floor(item.index / JOURNAL_PAGE_SIZE);
      if (!pages[page] && !requested.current.has(page)) {
        requested.current.add(page);
        void loadPage(page);
      }
    }
  }, [items, pages, loadPage]);

  // Keys move by row of the list (the selected row's index: its seq unfiltered, found in the loaded
  // pages under a filter).
  const selectedIndex = (): number => {
    if (selected === null) return -1;
    if (!filter) return selected - 1;
    for (const [p, rows] of Object.entries(pages)) {
      const i = rows.findIndex((r) => r.seq === selected);
      if (i >= 0) return Number(p) * JOURNAL_PAGE_SIZE + i;
    }
    return -1;
  };
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    if (total === 0) return;
    const cur = selectedIndex();
    let next: number | null = null;
    if (e.key === 'ArrowDown') next = Math.min(total - 1, cur + 1);
    else if (e.key === 'ArrowUp') next = Math.max(0, cur - 1);
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = total - 1;
    else if (e.key === 'PageDown') next = Math.min(total - 1, cur + 15);
    else if (e.key === 'PageUp') next = Math.max(0, cur - 15);
    if (next !== null) {
      e.preventDefault();
      virtualizer.scrollToIndex(next, { align: 'auto' });
      const seq = seqAt(next);
      if (seq !== null) select(seq);
    }
  };

  return (
    <section className="journal-list" aria-label="Journal entries">
      <FilterForm onApplied={applied} />
      <form className="inline-form" aria-label="Jump to entry" onSubmit={(e) => void jump(e)}>
        <label className="field">
          <span>Jump to seq (1–{journalTotal})</span>
          <input name="seq" type="number" min={1} max={Math.max(1, journalTotal)} required />
        </label>
        <button type="submit">Show</button>
        {jumpNote ? <span className="hint">{jumpNote}</span> : null}
      </form>
      <div className="journal-header" aria-hidden="true">
        <span>seq</span>
        <span>time (UTC)</span>
        <span>actor</span>
        <span>kind</span>
        <span>body</span>
        <span>chain</span>
      </div>
      <div
        ref={scrollRef}
        className="journal-scroll"
        role="listbox"
        aria-label={
          filter ? `Journal entries, ${total} of ${journalTotal} match` : `Journal entries, ${total} in all`
        }
        // Only a row that is drawn can be the active one (the list is virtualised).
        aria-activedescendant={
          selected !== null && items.some((item) => seqAt(item.index) === selected)
            ? `journal-row-${selected}`
            : undefined
        }
        tabIndex={0}
        onKeyDown={onKey}
      >
        <div role="presentation" style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((item) => {
            const seq = seqAt(item.index);
            const row = pages[Math.floor(item.index / JOURNAL_PAGE_SIZE)]?.[item.index % JOURNAL_PAGE_SIZE];
            const state = seq === null ? null : rowState(verdict, seq);
            const isSelected = seq !== null && selected === seq;
            return (
              <div
                key={item.key}
                id={seq === null ? undefined : `journal-row-${seq}`}
                role="option"
                aria-selected={isSelected}
                className={`journal-row${isSelected ? ' selected' : ''}${state === 'TAMPERED' ? ' tampered' : ''}`}
                style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
                onClick={() => seq !== null && select(seq)}
              >
                <span className="seq">{seq ?? '…'}</span>
                <span>{row ? row.at.slice(0, 19).replace('T', ' ') : '…'}</span>
                <span>{row?.actor ?? ''}</span>
                <span className="kind">{row?.kind ?? ''}</span>
                <span className="preview">{row?.preview ?? ''}</span>
                <span>{state ? <Badge word={state} /> : null}</span>
              </div>
            );
          })}
        </div>
      </div>
    </section>
  );
}

function EntryDetail() {
  const api = useStation((s) => s.api);
  const seq = useStation((s) => s.selectedSeq);
  const verdict = useStation((s) => s.verdict);
  // The loaded entry remembers which seq it belongs to, so a stale answer is never shown.
  const [loaded, setLoaded] = useState<{
    seq: number;
    entry: JournalEntry | null;
    error: string | null;
  } | null>(null);

  useEffect(() => {
    if (!api || seq === null) return;
    let live = true;
    void api.journalEntry({ seq }).then((r) => {
      if (!live) return;
      setLoaded(
        r.ok
          ? { seq, entry: r.value, error: null }
          : { seq, entry: null, error: `${r.error.code}: ${r.error.message}` },
      );
    });
    return () => {
      live = false;
    };
  }, [api, seq, verdict]);

  const current = loaded && loaded.seq === seq ? loaded : null;
  const entry = current?.entry ?? null;
  const error = current?.error ?? null;

  return (
    <aside className="detail" aria-label="Event detail" tabIndex={0}>
      {seq === null ? <p className="hint">Select an event to see its stored bytes and hashes.</p> : null}
      {error ? <p role="alert">{error}</p> : null}
      {entry ? (
        <>
          <h2>
            seq {entry.seq} · <code>{entry.kind}</code>
          </h2>
          <dl className="facts">
            <dt>Time</dt>
            <dd>{entry.at}</dd>
            <dt>Actor</dt>
            <dd>{entry.actor}</dd>
            <dt>Chain</dt>
            <dd>
              {(() => {
                const st = rowState(verdict, entry.seq);
                return st ? <Badge word={st} /> : 'links verified, not anchored';
              })()}
            </dd>
            <dt>Hash</dt>
            <dd>
              <code className="hash">{entry.hash}</code>
            </dd>
            <dt>Previous</dt>
            <dd>
              <code className="hash">{entry.prevHash}</code>
            </dd>
          </dl>
          <h3>Body (canonical JSON, as stored and hashed)</h3>
          <pre className="body">{prettyJson(entry.bodyText)}</pre>
        </>
      ) : null}
    </aside>
  );
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
