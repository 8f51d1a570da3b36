import type { Output } from '../../../shared/contract';
import type { Tone } from '../../components/Badge';

export type Evaluation = Output<'findingsEvaluate'>;
export type Finding = Evaluation['findings'][number];
export type RecordRef = Finding['records'][number];
export type FreshStatus = Output<'evaluationStatus'>;
export type Workflow = 'deferral' | 'attestation';

/** What the right-hand pane shows: one record with its provenance, or one rule with its title. */
export type Focus = { type: 'record'; ref: RecordRef } | { type: 'rule'; checkId: string } | null;

export const WORKFLOWS: readonly { id: Workflow; label: string; subject: string }[] = [
  { id: 'deferral', label: 'Key-rotation deferral', subject: 'Request id' },
  { id: 'attestation', label: 'Custody attestation', subject: 'Attestation id' },
];

export function workflowEntry(id: Workflow): { id: Workflow; label: string; subject: string } {
  return WORKFLOWS.find((w) => w.id === id) ?? { id, label: id, subject: 'Subject id' };
}

/**
 * The outcome as a status word (../shared/UI.md): green READY only for a clean outcome with no blocking
 * finding; holds, escalations and exceptions amber; stop and remediate red. The outcome id and the
 * engine's reason are always shown beside it.
 */
export function outcomeWord(
  outcome: string,
  findings: readonly Finding[],
): { word: string; tone: Tone; detail: string } {
  const blocking = findings.some((f) => f.blocking);
  switch (outcome) {
    case 'handoff-clean':
    case 'approvable':
      return blocking
        ? { word: 'HOLD', tone: 'warn', detail: `${outcome} with a blocking finding` }
        : {
            word: 'READY',
            tone: 'good',
            detail: outcome === 'approvable' ? 'approvable' : 'for a clean handoff',
          };
    case 'handoff-with-exceptions':
      return { word: 'EXCEPTION-BACKED', tone: 'warn', detail: 'handoff with open exceptions' };
    case 'hold-scope-routing':
      return { word: 'HOLD', tone: 'warn', detail: 'for scope and routing' };
    case 'hold-source-completion':
      return { word: 'HOLD', tone: 'warn', detail: 'for source completion' };
    case 'escalate':
      return { word: 'HOLD', tone: 'warn', detail: 'escalate' };
    case 'remediate':
      return { word: 'REMEDIATE', tone: 'bad', detail: 'targeted remediation' };
    case 'stop-and-escalate':
      return { word: 'BLOCKED', tone: 'bad', detail: 'stop and escalate' };
    default:
      return { word: outcome.toUpperCase(), tone: 'neutral', detail: '' };
  }
}

/** A record as one short label: family, system and the system's own id. */
export function refLabel(r: RecordRef): string {
  return `${r.family}:${r.system}/${r.recordId}`;
}

export function sameRef(a: RecordRef, b: RecordRef): boolean {
  return a.family === b.family && a.system === b.system && a.recordId === b.recordId;
}

/** The current instant as the station's ISO form (milliseconds, Z). */
export function nowIso(): string {
  return new Date().toISOString();
}
