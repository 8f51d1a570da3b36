/**
 * What print.css cannot know by itself: the instant of printing (the banner's header line ends with
 * "printed <UTC>") and, for each virtualised list, how much of it is on the page. A virtualised list
 * renders only some of its rows; in print it shows the rows it has, and a line above them says which
 * ("entries 412–520 of 4,210 printed; print the journal from the CLI for all") — never a silent cut.
 *
 * Both are written when printing starts (beforeprint, or the print media query turning on as
 * Playwright's emulateMedia and Chromium's print-to-PDF do), and the notes again whenever the lists
 * change while printing.
 */

const LISTS = '.journal-scroll, .evidence-scroll, .findings-scroll';

const utc = (d: Date) => `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;

/** The total a list's accessible name states ("Journal entries, 120 in all", "Evidence, 3 items"). */
function statedTotal(list: Element): number | null {
  const m = /(\d+)\D*$/.exec(list.getAttribute('aria-label') ?? '');
  return m ? Number(m[1]) : null;
}

function noteFor(list: Element): string | null {
  const total = statedTotal(list);
  if (total === 0) return null;
  if (list.classList.contains('journal-scroll')) {
    const seqs = [...list.querySelectorAll('[id^="journal-row-"]')]
      .map((row) => Number(row.id.slice('journal-row-'.length)))
      .filter((n) => Number.isInteger(n));
    const unloaded = [...list.querySelectorAll('[id^="journal-row-"]')].filter(
      (row) => row.children[1]?.textContent === '…',
    ).length;
    const gaps = unloaded > 0 ? ` (${unloaded} not loaded yet, shown as …)` : '';
    if (seqs.length === 0) return `no entries printed of ${total ?? '?'}; print the journal from the CLI`;
    const from = Math.min(...seqs);
    const to = Math.max(...seqs);
    if (total !== null && from === 1 && to === total && unloaded === 0) return `all ${total} entries printed`;
    return `entries ${from}–${to} of ${total ?? '?'} printed${gaps}; print the journal from the CLI for all (station journal export)`;
  }
  const rows = list.querySelectorAll(
    list.classList.contains('findings-scroll') ? '.finding-row' : '[role="listitem"]',
  ).length;
  if (total !== null && rows >= total) return `all ${total} printed`;
  return `${rows} of ${total ?? '?'} printed; the others are not on this page (the CLI's --json lists all)`;
}

/** Writes each virtualised list's note (data-print-note, which print.css shows above its rows). */
export function noteLists(doc: Document = document): void {
  for (const list of doc.querySelectorAll(LISTS)) {
    const note = noteFor(list);
    if (note === null) list.removeAttribute('data-print-note');
    else if (list.getAttribute('data-print-note') !== note) list.setAttribute('data-print-note', note);
  }
}

/** Installs the print hooks once, at start-up. */
export function installPrintHooks(win: Window = window): void {
  const media = win.matchMedia('print');
  let observer: MutationObserver | null = null;
  const start = () => {
    win.document.documentElement.style.setProperty(
      '--station-printed-at',
      JSON.stringify(`printed ${utc(new Date())}`),
    );
    noteLists(win.document);
    if (observer) return;
    // Rows render as the lists grow into the page: keep each list's note true to what it holds.
    observer = new MutationObserver(() => noteLists(win.document));
    observer.observe(win.document.body, { childList: true, subtree: true, characterData: true });
  };
  const stop = () => {
    observer?.disconnect();
    observer = null;
  };
  win.addEventListener('beforeprint', start);
  win.addEventListener('afterprint', () => {
    if (!media.matches) stop();
  });
  media.addEventListener('change', () => (media.matches ? start() : stop()));
  if (media.matches) start();
}
