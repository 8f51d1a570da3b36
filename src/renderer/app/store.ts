import { create } from 'zustand';
import {
  ACT_METHODS,
  type JournalSummary,
  type Output,
  type StationApi,
  type StationInfo,
} from '../../shared/contract';
import type { StationErrorPayload } from '../../shared/errors';

export type JournalVerdict = Output<'journalVerify'>['verdict'];
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
  | 'findings'
  | 'bundles'
  | 'journal';
export const JOURNAL_PAGE_SIZE = 200;

interface StationState {
  api: StationApi | null;
  connection: 'connecting' | 'open' | 'closed' | 'failed';
  connectError: string | null;
  info: StationInfo | null;
  verdict: JournalVerdict | null;
  /** The identity key the checkpoints were checked with, and whether the station token confirmed it. */
  anchor: IdentityAnchor;
  verifying: boolean;
  /** This console's signed-in operator (whether acts need one, and the session in any state). */
  operator: ConsoleOperatorView | null;
  /** The last error shown to the operator (code, message, what to do). */
  error: StationErrorPayload | null;
  view: View;
  selectedSeq: number | null;
  journalTotal: number;
  /** Loaded pages of journal summaries by page index; cleared when the journal grows. */
  journalPages: Record<number, JournalSummary[]>;

  attach(api: StationApi): Promise<void>;
  setConnection(state: 'open' | 'closed', error?: string): void;
  failConnect(message: string): void;
  refreshInfo(): Promise<void>;
  refreshOperator(): Promise<void>;
  verify(): Promise<void>;
  show(view: View): void;
  select(seq: number | null): void;
  loadJournalPage(index: number): Promise<void>;
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
  operator: null,
  error: null,
  view: 'journal',
  selectedSeq: null,
  journalTotal: 0,
  journalPages: {},

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
    const r = await api.journalVerify({});
    set({ verifying: false });
    if (r.ok) set({ verdict: r.value.verdict, anchor: r.value.identity });
    else set({ error: r.error });
    await get().loadJournalPage(0);
  },

  show(view) {
    // An error belongs to the view it happened in: it does not follow the operator elsewhere.
    set({ view, error: null });
  },

  select(seq) {
    set({ selectedSeq: seq });
  },

  async loadJournalPage(index) {
    const api = get().api;
    if (!api) return;
    const r = await api.journalPage({ fromSeq: index * JOURNAL_PAGE_SIZE + 1, limit: JOURNAL_PAGE_SIZE });
    if (!r.ok) return set({ error: r.error });
    const grew = r.value.total !== get().journalTotal;
    set((s) => ({
      journalTotal: r.value.total,
      journalPages: { ...(grew ? {} : s.journalPages), [index]: r.value.entries },
    }));
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
