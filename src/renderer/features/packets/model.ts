import type { PacketSummaryView } from '../../../shared/contract';

/** What the packet views share: the workflow kind, the gate's words, what is selected. */
export type PacketKind = PacketSummaryView['kind'];

export const GATE_WORD: Record<PacketSummaryView['gate'], { word: string; detail: string }> = {
  STOPPED: { word: 'BLOCKED', detail: 'stopped: escalate' },
  'HOLD-SOURCE': { word: 'HOLD', detail: 'for source completion' },
  'HOLD-ROUTING': { word: 'HOLD', detail: 'for scope or reviewer routing' },
  READY: { word: 'READY', detail: 'for handoff' },
};

/** The claim or evidence the detail pane shows. */
export type Selection =
  | { type: 'claim'; id: string }
  | { type: 'evidence'; id: string }
  /** A finding of the packet's evaluation: its rule and the exact records it rests on. */
  | { type: 'finding'; checkId: string; subject: string }
  | null;
