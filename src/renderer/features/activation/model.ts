import type { Output } from '../../../shared/contract';
import type { Focus } from '../findings/model';

/**
 * What the activation-gate view shares (workflow 003, services/activation): the gate as `gateStatus`
 * answers it, the words it shows, the ledger grouped by area, and the shift coverage drawn from the
 * signers' ledger lines. Pure: every value comes from the station's answer, nothing is judged here.
 */
export type GateView = Output<'gateStatus'>;
export type Ledger = NonNullable<GateView['ledger']>;
export type LedgerLine = Ledger['lines'][number];
export type GateHold = GateView['holds'][number];
export type GateApproval = GateView['approvals'][number];
export type GateVersion = GateView['versions'][number];
export type LineageStep = Output<'gateLineage'>[number];
export type FactValue = LedgerLine['facts'][string];
export type GateFocus = Focus;

export const AREAS: readonly { area: LedgerLine['area']; label: string }[] = [
  { area: 'declaration', label: 'Declaration' },
  { area: 'manifest', label: 'Frozen manifest' },
  { area: 'digest', label: 'Digest confirmations' },
  { area: 'enclave', label: 'Enclave' },
  { area: 'signers', label: 'Signers by shift' },
  { area: 'rollback', label: 'Rollback custody' },
  { area: 'publication', label: 'Publication safeguards' },
  { area: 'quarantine', label: 'Quarantine' },
];

/** The words of a ledger line's state. */
export const LINE_WORD: Readonly<Record<LedgerLine['state'], string>> = {
  ready: 'READY',
  hold: 'HOLD',
  quarantined: 'QUARANTINED',
};

/** An approval's standing, in words (why it counts or does not is in its `why`). */
export const STANDING_WORD: Readonly<Record<GateApproval['standing'], string>> = {
  valid: 'VALID',
  invalidated: 'INVALIDATED',
  expired: 'EXPIRED',
  'key-revoked': 'REVOKED',
  'not-the-owner': 'NOT-THE-OWNER',
  'wrong-role': 'WRONG-ROLE',
};

/** A reviewer's decision, in words. */
export function decisionWord(decision: string): string {
  return decision.toUpperCase();
}

/** The ledger's lines by area, in the ledger's order of areas; areas with no line are kept (empty). */
export function groupLines(
  lines: readonly LedgerLine[],
): { area: LedgerLine['area']; label: string; lines: LedgerLine[] }[] {
  return AREAS.map((a) => ({ ...a, lines: lines.filter((l) => l.area === a.area) }));
}

/** Counts of a group's lines by state ("2 READY · 1 HOLD"). */
export function stateCounts(lines: readonly LedgerLine[]): { word: string; count: number }[] {
  return (['ready', 'hold', 'quarantined'] as const)
    .map((s) => ({ word: LINE_WORD[s], count: lines.filter((l) => l.state === s).length }))
    .filter((c) => c.count > 0);
}

/** A fact's value as text; null (not known) is shown as UNKNOWN, never as an empty cell. */
export function factText(v: FactValue | undefined, fact = ''): string {
  // A quarantined candidate's manifest digest is null when the manifest has no such artifact.
  if ((v === undefined || v === null) && fact === 'manifestSha256') return 'not in the frozen manifest';
  if (v === undefined || v === null) return 'UNKNOWN';
  if (Array.isArray(v)) return v.length === 0 ? 'none' : v.join(', ');
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return String(v);
}

/** "2026-06-11T06:00:00.000Z" → "2026-06-11 06:00 UTC". */
export function shortTime(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
}

export interface Shift {
  readonly shiftId: string;
  readonly label: string;
  readonly from: string;
  readonly until: string;
  readonly role: string;
  readonly needed: number;
  readonly committed: readonly string[];
  readonly notCounted: readonly string[];
  /** The quorum is met in this shift (committed signers ≥ needed), as the line's state agrees. */
  readonly met: boolean;
  readonly state: LedgerLine['state'];
}

export interface Coverage {
  /** The signing window of the declaration (null when no declaration line names it). */
  readonly window: { from: string; until: string } | null;
  readonly shifts: readonly Shift[];
  /** Stretches of the window no scheduled shift covers (the station's ACT-QUORUM-SHIFT holds). */
  readonly gaps: readonly { from: string; until: string; sentence: string }[];
}

/** The check of shift coverage (a template literal: check IDs are not status words). */
const QUORUM_CHECK = `ACT-QUORUM-SHIFT`;

const text = (v: FactValue | undefined): string => (typeof v === 'string' ? v : '');
const list = (v: FactValue | undefined): string[] => (Array.isArray(v) ? [...(v as string[])] : []);

/**
 * The shift coverage of the signing window, from the ledger's declaration and signers lines and the
 * station's holds: each shift with its committed signers of the quorum it needs. A shift counts as met
 * only when its committed signers reach the quorum and the station holds nothing on it.
 */
export function shiftCoverage(ledger: Ledger | null, holds: readonly GateHold[]): Coverage {
  const decl = ledger?.lines.find((l) => l.area === 'declaration');
  const from = text(decl?.facts.windowFrom);
  const until = text(decl?.facts.windowUntil);
  const shifts = (ledger?.lines ?? [])
    .filter((l) => l.area === 'signers')
    .map((l): Shift => {
      const needed = typeof l.facts.needed === 'number' ? l.facts.needed : 0;
      const committed = list(l.facts.committed);
      return {
        shiftId: l.item,
        label: text(l.facts.label) || l.item,
        from: text(l.facts.from),
        until: text(l.facts.until),
        role: text(l.facts.role),
        needed,
        committed,
        notCounted: list(l.facts.notCounted),
        met: needed > 0 && committed.length >= needed && l.state === 'ready',
        state: l.state,
      };
    })
    .sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : a.shiftId < b.shiftId ? -1 : 1));
  const gaps = holds
    .filter((h) => h.checkId === QUORUM_CHECK && /^[^/]+Z\/[^/]+Z$/.test(h.subject))
    .map((h) => {
      const [f = '', u = ''] = h.subject.split('/');
      return { from: f, until: u, sentence: h.sentence };
    });
  return { window: from && until ? { from, until } : null, shifts, gaps };
}

/** Where an instant sits on the window, 0..100 (clamped). */
export function place(window: { from: string; until: string }, at: string): number {
  const a = Date.parse(window.from);
  const b = Date.parse(window.until);
  const t = Date.parse(at);
  if (!(b > a) || Number.isNaN(t)) return 0;
  return Math.min(100, Math.max(0, ((t - a) / (b - a)) * 100));
}

const HOUR = 3_600_000;
const STEPS = [1, 2, 3, 6, 12, 24, 48, 168].map((h) => h * HOUR);

/** Axis ticks for the window: whole UTC hours/days, at most `max` of them inside it. */
export function ticks(window: { from: string; until: string }, max = 8): string[] {
  const a = Date.parse(window.from);
  const b = Date.parse(window.until);
  if (!(b > a)) return [];
  const step = STEPS.find((s) => Math.floor((b - a) / s) + 1 <= max) ?? 168 * HOUR;
  const out: string[] = [];
  for (let t = Math.ceil(a / step) * step; t <= b; t += step) out.push(new Date(t).toISOString());
  return out;
}

/** The holds split as the register shows them: the non-waivable ones first, each group in station order. */
export function registerOrder(holds: readonly GateHold[]): GateHold[] {
  return [...holds.filter((h) => !h.waivable), ...holds.filter((h) => h.waivable)];
}
