import { create } from 'zustand';
import {
  ACT_METHODS,
  type CancelledVerification,
  type JournalFilterInput,
  type JournalSummary,
  type Output,
  type StationApi,
  type StationInfo,
} from '../../shared/contract';
import type { StationErrorPayload } from '../../shared/errors';

/** The last verification's verdict, or a verification cancelled before the head: never VERIFIED. */
export type JournalVerdict = Output<'journalVerify'>['verdict'] | CancelledVerification;
export type JournalFilterChoices = Output<'journalFilterChoices'>;
/** A filter field's refusal, shown at that field (fromSeq, toSeq, kinds, actor). */
export interface FilterFieldError {
  field: 'fromSeq' | 'toSeq' | 'kinds' | 'actor';
  message: string;
}
export type ConsoleOperatorView = Output<'operatorSession'>;
export type IdentityAnchor = Output<'journalVerify'>['identity'];
export type View =
  | 'decisions'
  | 'station'
  | 'devices'
  | 'custodians'
  | 'custody'
  | 'deferral'
  | 'attestation'
  | 'authority'
  | 'authority-packets'
  | 'activation'
  | 'activation-packets'
  | 'portal'
  | 'ceremonies'
  | 'findings'
  | 'bundles'
  | 'journal';
export const JOURNAL_PAGE_SIZE = 200;

/** What the compromise-authority packets view opens at: a packet, or an incident's packets. */
export interface PacketIntent {
  readonly packetId?: string;
  readonly incidentId?: string;
}

interface StationState {
  api: StationApi | null;
  connection: 'connecting' | 'open' | 'closed' | 'failed';
  connectError: string | null;
  info: StationInfo | null;
  verdict: JournalVerdict | null;
  /** The identity key the checkpoints were checked with, and whether the station token confirmed it. */
  anchor: IdentityAnchor;
  verifying: boolean;
  /** The running verification job: entries checked of total (jobStatus), and whether a cancel was asked. */
  verifyJob: { jobId: string; done: number; total: number; cancelling: boolean } | null;
  /** This console's signed-in operator (whether acts need one, and the session in any state). */
  operator: ConsoleOperatorView | null;
  /** The last error shown to the operator (code, message, what to do). */
  error: StationErrorPayload | null;
  view: View;
  /** Where the compromise-authority packets view opens (set by the authority view's links). */
  packetIntent: PacketIntent | null;
  /** The incident the compromise-authority view opens on (from Decisions pending), or null. */
  authorityIntent: string | null;
  selectedSeq: number | null;
  journalTotal: number;
  /** Loaded pages of journal summaries by page index; cleared when the journal grows. */
  journalPages: Record<number, JournalSummary[]>;
  /** The filter the list shows (null: the whole journal), and how many entries match it. */
  journalFilter: JournalFilterInput | null;
  journalMatched: number;
  /** The kinds and actors present in the journal, with counts (read when the filter form opens). */
  journalChoices: JournalFilterChoices | null;
  journalFilterError: FilterFieldError | null;

  attach(api: StationApi): Promise<void>;
  setConnection(state: 'open' | 'closed', error?: string): void;
  failConnect(message: string): void;
  refreshInfo(): Promise<void>;
  refreshOperator(): Promise<void>;
  verify(): Promise<void>;
  cancelVerify(): Promise<void>;
  show(view: View): void;
  /** Shows the compromise-authority packets at a packet or an incident's packets. */
  openPackets(intent: PacketIntent): void;
  openAuthority(incidentId: string): void;
  /** Shows the activation-gate packets (handoff, export, approval import) at a packet. */
  openGatePackets(intent: PacketIntent): void;
  select(seq: number | null): void;
  loadJournalPage(index: number): Promise<void>;
  loadJournalChoices(): Promise<void>;
  /** Shows only the entries that match (null: all); false when the filter was refused (journalFilterError). */
  setJournalFilter(filter: JournalFilterInput | null): Promise<boolean>;
  /** Where a seq sits in the list as filtered: its row index, or null when the filter leaves it out. */
  locateSeq(seq: number): Promise<number | null>;
  dismissError(): void;
  showError(error: StationErrorPayload): void;
}

export const useStation = create<StationState>()((set, get) => ({
  api: null,
  connection: 'connecting',
  connectError: null,
  info: null,
  verdict: null,
  anchor: null,
  verifying: false,
  verifyJob: null,
  operator: null,
  error: null,
  view: 'journal',
  packetIntent: null,
  authorityIntent: null,
  selectedSeq: null,
  journalTotal: 0,
  journalPages: {},
  journalFilter: null,
  journalMatched: 0,
  journalChoices: null,
  journalFilterError: null,

  async attach(api) {
    // After every act the banner reads the station again: the act moved the operator's idle lock, and
    // may have changed what the banner shows (quorum, the unsigned tail).
    set({
      api: withActRefresh(api, () => {
        // An act that went through fixed whatever the error on screen was about.
        set({ error: null });
        void get().refreshOperator();
        void get().refreshInfo();
      }),
    });
    await get().refreshInfo();
    await get().refreshOperator();
    await get().loadJournalPage(0);
    await get().verify();
  },

  setConnection(state, error) {
    set({ connection: state, connectError: error ?? null });
  },

  failConnect(message) {
    set({ connection: 'failed', connectError: message });
  },

  async refreshInfo() {
    const api = get().api;
    if (!api) return;
    const r = await api.stationInfo({});
    if (r.ok) set({ info: r.value });
    else set({ error: r.error });
  },

  async refreshOperator() {
    const api = get().api;
    if (!api) return;
    const r = await api.operatorSession({});
    if (r.ok) set({ operator: r.value });
    else set({ error: r.error });
  },

  async verify() {
    const api = get().api;
    if (!api || get().verifying) return;
    set({ verifying: true });
    // A job: entries checked of total while it runs, and a cancel that leaves the journal NOT CHECKED.
    const started = await api.journalVerifyStart({});
    if (!started.ok) {
      set({ verifying: false, error: started.error });
      return;
    }
    const { jobId } = started.value;
    set({ verifyJob: { jobId, done: 0, total: 0, cancelling: false } });
    for (;;) {
      const job = await api.jobStatus({ jobId });
      if (!job.ok) {
        set({ verifying: false, verifyJob: null, error: job.error });
        return;
      }
      // Ended: the outcome says how (a job that failed answers with its error, as a coded refusal).
      if (job.value.state !== 'running') break;
      set((s) => ({
        verifyJob: s.verifyJob && { ...s.verifyJob, done: job.value.done, total: job.value.total },
      }));
      await new Promise((resolve) => setTimeout(resolve, VERIFY_POLL_MS));
    }
    const r = await api.journalVerifyOutcome({ jobId });
    set({ verifying: false, verifyJob: null });
    if (!r.ok) set({ verdict: null, anchor: null, error: r.error });
    else if (r.value.state === 'complete')
      set({ verdict: r.value.report.verdict, anchor: r.value.report.identity });
    // Cancelled: no verdict and no anchor — what an earlier verify said no longer stands either.
    else if (r.value.state === 'cancelled') set({ verdict: r.value.verdict, anchor: null });
    await get().loadJournalPage(0);
  },

  async cancelVerify() {
    const api = get().api;
    const job = get().verifyJob;
    if (!api || !job || job.cancelling) return;
    set({ verifyJob: { ...job, cancelling: true } });
    const r = await api.jobCancel({ jobId: job.jobId });
    if (!r.ok) set({ error: r.error });
  },

  show(view) {
    // An error belongs to the view it happened in: it does not follow the operator elsewhere.
    set({ view, error: null, packetIntent: null, authorityIntent: null });
  },

  openPackets(intent) {
    set({ view: 'authority-packets', error: null, packetIntent: intent, authorityIntent: null });
  },

  openAuthority(incidentId) {
    set({ view: 'authority', error: null, packetIntent: null, authorityIntent: incidentId });
  },

  openGatePackets(intent) {
    set({ view: 'activation-packets', error: null, packetIntent: intent, authorityIntent: null });
  },

  select(seq) {
    set({ selectedSeq: seq });
  },

  async loadJournalPage(index) {
    const api = get().api;
    if (!api) return;
    const filter = get().journalFilter;
    // Filtered, a page is the matches from a row index on; unfiltered, row index i is seq i + 1.
    const r = await api.journalPage(
      filter
        ? { fromSeq: 1, offset: index * JOURNAL_PAGE_SIZE, limit: JOURNAL_PAGE_SIZE, filter }
        : { fromSeq: index * JOURNAL_PAGE_SIZE + 1, limit: JOURNAL_PAGE_SIZE },
    );
    // A filter changed while the page was on its way: the answer belongs to the old list.
    if (get().journalFilter !== filter) return;
    if (!r.ok) return set({ error: r.error });
    const matched = r.value.matched ?? r.value.total;
    const changed = r.value.total !== get().journalTotal || matched !== get().journalMatched;
    set((s) => ({
      journalTotal: r.value.total,
      journalMatched: matched,
      journalPages: { ...(changed ? {} : s.journalPages), [index]: r.value.entries },
    }));
  },

  async loadJournalChoices() {
    const api = get().api;
    if (!api) return;
    const r = await api.journalFilterChoices({});
    if (r.ok) set({ journalChoices: r.value });
    else set({ error: r.error });
  },

  async setJournalFilter(filter) {
    const api = get().api;
    if (!api) return false;
    // The station checks the filter (the same rule the CLI meets); a refusal names its field.
    if (filter) {
      const r = await api.journalPage({ fromSeq: 1, limit: JOURNAL_PAGE_SIZE, filter });
      if (!r.ok) {
        const field = filterField(r.error.data.field);
        if (field) set({ journalFilterError: { field, message: r.error.message } });
        else set({ error: r.error });
        return false;
      }
      set({
        journalFilter: filter,
        journalFilterError: null,
        journalTotal: r.value.total,
        journalMatched: r.value.matched ?? r.value.total,
        journalPages: { 0: r.value.entries },
      });
      return true;
    }
    set({ journalFilter: null, journalFilterError: null, journalPages: {} });
    await get().loadJournalPage(0);
    return true;
  },

  async locateSeq(seq) {
    const api = get().api;
    const filter = get().journalFilter;
    if (!filter) return seq - 1;
    if (!api) return null;
    // The row index of seq is how many matches come before it; it is in the list only if it matches.
    const here = await api.journalPage({ fromSeq: seq, limit: 1, filter });
    if (!here.ok || here.value.entries[0]?.seq !== seq) return null;
    const from = filter.fromSeq ?? 1;
    if (seq <= from) return 0;
    const before = await api.journalPage({ fromSeq: 1, limit: 1, filter: { ...filter, toSeq: seq - 1 } });
    return before.ok ? (before.value.matched ?? null) : null;
  },

  dismissError() {
    set({ error: null });
  },

  showError(error) {
    set({ error });
    // A refused act may mean the session ended, expired or locked: the banner says so at once.
    if (error.code.startsWith('OPERATOR_')) void get().refreshOperator();
  },
}));

const VERIFY_POLL_MS = 120;

function filterField(field: unknown): FilterFieldError['field'] | null {
  if (typeof field !== 'string') return null;
  const last = field.split('.').at(-1);
  return last === 'fromSeq' || last === 'toSeq' || last === 'kinds' || last === 'actor' ? last : null;
}

/**
 * The station API with `refresh` called after each act that went through: the ACT_METHODS, and a
 * check-in (an act recorded under the key that signed it).
 */
function withActRefresh(api: StationApi, refresh: () => void): StationApi {
  const wrapped: Record<string, (input: never) => Promise<unknown>> = {};
  for (const [method, call] of Object.entries(api) as [string, (input: never) => Promise<{ ok: boolean }>][])
    wrapped[method] =
      ACT_METHODS.has(method as keyof StationApi) || method === 'quorumCheckIn'
        ? async (input) => {
            const r = await call(input);
            if (r.ok) refresh();
            return r;
          }
        : call;
  return Object.freeze(wrapped) as unknown as StationApi;
}
