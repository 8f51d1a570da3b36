import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { JournalEntry } from '../../../shared/contract';
import { JOURNAL_PAGE_SIZE, useStation } from '../../app/store';
import { Badge } from '../../components/Badge';
import { CheckpointForm } from './CheckpointForm';
import { describeVerdict, rowState } from './verdict';

const ROW_HEIGHT = 36;

/** The journal: verify panel, a virtualised list of every event, and the selected event's detail. */
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
  const verify = useStation((s) => s.verify);
  const v = describeVerdict(verdict);
  return (
    <section className="verify-panel" aria-label="Journal verification">
      <button type="button" className="primary" onClick={() => void verify()} disabled={verifying}>
        {verifying ? 'Verifying…' : 'Verify journal'}
      </button>
      <div role="status" aria-live="polite" aria-label="Verification result">
        <Badge word={v.word} detail={v.detail} check={v.check} large />
        {verdict && verdict.status !== 'VERIFIED' ? <p className="verdict-reason">{verdict.reason}</p> : null}
        {anchor ? (
          <p className="verdict-meta" aria-label="Identity key on the station token">
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
            {verdict.entries} entr{verdict.entries === 1 ? 'y' : 'ies'} checked
          </p>
        ) : null}
      </div>
    </section>
  );
}

function JournalList() {
  const total = useStation((s) => s.journalTotal);
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

  // The journal opens at its head: the newest entries are what an operator came to see.
  const atHead = useRef(false);
  useEffect(() => {
    if (atHead.current || total === 0) return;
    atHead.current = true;
    virtualizer.scrollToIndex(total - 1, { align: 'end' });
  }, [total, virtualizer]);

  const jump = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const seq = Number(new FormData(e.currentTarget).get('seq'));
    if (!Number.isInteger(seq) || seq < 1 || seq > total) return;
    select(seq);
    virtualizer.scrollToIndex(seq - 1, { align: 'center' });
  };

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

  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    if (total === 0) return;
    const cur = selected ?? 0;
    let next: number | null = null;
    if (e.key === 'ArrowDown') next = Math.min(total, cur + 1);
    else if (e.key === 'ArrowUp') next = Math.max(1, cur - 1);
    else if (e.key === 'Home') next = 1;
    else if (e.key === 'End') next = total;
    else if (e.key === 'PageDown') next = Math.min(total, cur + 15);
    else if (e.key === 'PageUp') next = Math.max(1, cur - 15);
    if (next !== null) {
      e.preventDefault();
      select(next);
      virtualizer.scrollToIndex(next - 1, { align: 'auto' });
    }
  };

  return (
    <section className="journal-list" aria-label="Journal entries">
      <form className="inline-form" aria-label="Jump to entry" onSubmit={jump}>
        <label className="field">
          <span>Jump to seq (1–{total})</span>
          <input name="seq" type="number" min={1} max={Math.max(1, total)} required />
        </label>
        <button type="submit">Show</button>
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
        aria-label={`Journal entries, ${total} in all`}
        aria-activedescendant={selected ? `journal-row-${selected}` : undefined}
        tabIndex={0}
        onKeyDown={onKey}
      >
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((item) => {
            const seq = item.index + 1;
            const row = pages[Math.floor(item.index / JOURNAL_PAGE_SIZE)]?.[item.index % JOURNAL_PAGE_SIZE];
            const state = rowState(verdict, seq);
            return (
              <div
                key={item.key}
                id={`journal-row-${seq}`}
                role="option"
                aria-selected={selected === seq}
                className={`journal-row${selected === seq ? ' selected' : ''}${state === 'TAMPERED' ? ' tampered' : ''}`}
                style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
                onClick={() => select(seq)}
              >
                <span className="seq">{seq}</span>
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
    <aside className="detail" aria-label="Event detail">
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
