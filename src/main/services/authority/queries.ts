import {
  broadView,
  type BroadView,
  isRestrictedFamily,
  journalFileName,
  restrictedStrings,
} from '../../../core/authority/redact';
import { originOf, recordIdOf } from '../../../core/findings/batch';
import { knownAt } from '../../../core/findings/engine';
import { compromiseWorkflow } from '../../../core/findings/workflows/compromise';
import type { SourceRecord } from '../../../core/findings/model';
import { parseEventBody } from '../../adapters/store/repos/events';
import { recordsImportRows } from '../../adapters/store/repos/records';
import { stationError } from '../../errors';
import type { Station } from '../../station/station';
import { computeEvaluation, evaluationStatus } from '../findings/queries';
import { exportJournal } from '../journal/queries';
import { storedRecords } from '../records/queries';

/**
 * The broad view of a compromise-authority evaluation (src/core/authority/redact.ts) as the station
 * serves it: recomputed from the evaluation's seq — it must be FRESH and reproduce its recorded findings
 * digest — over exactly the records it read. And the check a `packet-broad` bundle passes before it is
 * signed: the journal it carries holds none of those records' restricted values (docs/bundle-format.md).
 */

export const BROAD_WORKFLOW = compromiseWorkflow.id;

export interface BroadEvaluation {
  readonly view: BroadView;
  /** The records the evaluation read (every version known at its instant). */
  readonly records: readonly SourceRecord[];
}

export function broadEvaluation(station: Station, { seq }: { seq: number }): BroadEvaluation {
  const row = station.journal.get(seq);
  if (row?.kind !== 'evaluation.recorded')
    throw stationError('EVALUATION_NOT_FOUND', `journal seq ${seq} is not an evaluation`, { field: 'seq' });
  const recorded = parseEventBody('evaluation.recorded', row.body, seq);
  if (recorded.workflow !== BROAD_WORKFLOW)
    throw stationError(
      'EVALUATION_NOT_FOUND',
      `evaluation ${seq} is of ${recorded.workflow}: only ${BROAD_WORKFLOW} evaluations have a broad view`,
      { field: 'seq' },
    );
  const status = evaluationStatus(station, { seq });
  const again = `evaluate again (station evaluate ${BROAD_WORKFLOW} ${recorded.subject}) and share the new one`;
  if (status.status === 'STALE')
    throw stationError('EVALUATION_STALE', `${status.sentence}: ${again}`, { field: 'seq' });
  const full = computeEvaluation(station, {
    workflow: recorded.workflow,
    subject: recorded.subject,
    asOf: recorded.asOf,
  });
  if (full.findingsDigest !== recorded.findingsDigest || full.authority === undefined)
    throw stationError(
      'EVALUATION_STALE',
      `evaluation ${seq} no longer reproduces its recorded findings: ${again}`,
      { field: 'seq' },
    );
  const records = knownAt(storedRecords(station, compromiseWorkflow.families), recorded.asOf);
  // The broad view names only this incident's records: what its findings, facts, holders and options
  // rest on (the families are shared by every incident; another incident's records are not its
  // business). The journal check below still looks for every record's restricted values.
  const a = full.authority;
  const refKey = (family: string, system: string, recordId: string) =>
    `${family}\u0000${system}\u0000${recordId}`;
  const used = new Set([
    ...full.findings.flatMap((f) => f.records.map((r) => refKey(r.family, r.system, r.recordId))),
    ...a.facts.flatMap((f) => f.records.map((r) => refKey(r.family, r.system, r.recordId))),
  ]);
  const keys = new Set(a.incident?.keyIds ?? []);
  const optionIds = new Set(a.options.map((o) => o.optionId));
  const asOf = Date.parse(recorded.asOf);
  const mine = records.filter((r) => {
    const id = recordIdOf(r);
    const c = r.content as Record<string, unknown>;
    if (used.has(refKey(r.family, originOf(r).system, id))) return true;
    switch (r.family) {
      case 'incident-scope':
        return id === recorded.subject;
      case 'hsm-key-inventory':
        return keys.has(String(c.keyId));
      case 'prior-recommendation':
        return c.incidentId === recorded.subject;
      case 'runbook-option':
        return optionIds.has(id);
      case 'emergency-delegation':
        // Who holds which lane now: the delegations, absences and invocations in force at the instant.
        return (
          Date.parse(String(c.validFrom)) <= asOf &&
          (c.validUntil === null || asOf < Date.parse(String(c.validUntil)))
        );
      default:
        return false;
    }
  });
  return { view: broadView({ seq, ...full, authority: a }, mine), records };
}

/** The `authorityBroadPreview` channel: the broad view of one evaluation. */
export function authorityBroadPreview(station: Station, input: { seq: number }): BroadView {
  return broadEvaluation(station, input).view;
}

/** Journal kinds whose bodies carry what came from records (names, subjects, packet content). */
const SCANNED_KINDS = /^(records|policy|evaluation|packet|authority|attestation)\./;

export interface RestrictedHit {
  readonly seq: number;
  readonly kind: string;
  /** What is wrong, never the restricted value itself. */
  readonly why: string;
}

/**
 * Where a journal segment (lines as `journal export` writes them) carries restricted detail of these
 * records: an import of a restricted family journaled under its real file name (imports made before
 * names were journaled as `<family>-<sha12>.<ext>`), or an entry of a record-derived kind whose body
 * holds a restricted value of the records or a restricted file's real name.
 */
export function restrictedJournalHits(
  station: Station,
  lines: Iterable<string>,
  records: readonly SourceRecord[],
): RestrictedHit[] {
  const values = new Set(restrictedStrings(records));
  for (const i of recordsImportRows(station.store.db))
    if (isRestrictedFamily(i.family) && i.fileName.trim().length >= 3) values.add(i.fileName);
  const hits: RestrictedHit[] = [];
  for (const line of lines) {
    if (line.trim() === '') continue;
    const entry = JSON.parse(line) as { seq: number; kind: string; body: string };
    if (!SCANNED_KINDS.test(entry.kind)) continue;
    const body = JSON.parse(entry.body) as Record<string, unknown>;
    if (entry.kind === 'records.imported') {
      const family = String(body.family);
      const name = String(body.fileName);
      if (isRestrictedFamily(family) && name !== journalFileName(family, String(body.fileSha256), name)) {
        hits.push({
          seq: entry.seq,
          kind: entry.kind,
          why: `an import of ${family} journaled under its real file name`,
        });
        continue;
      }
    }
    const text = `${entry.body}\u0000${JSON.stringify(body)}`;
    for (const v of values)
      if (text.includes(v) || text.includes(JSON.stringify(v).slice(1, -1))) {
        hits.push({ seq: entry.seq, kind: entry.kind, why: 'it holds a restricted value of a record' });
        break;
      }
  }
  return hits;
}

/** Refuses (BUNDLE_RESTRICTED_CONTENT) when the journal segment holds restricted detail. */
export function assertJournalBroad(
  station: Station,
  lines: Iterable<string>,
  records: readonly SourceRecord[],
): void {
  const hits = restrictedJournalHits(station, lines, records);
  if (hits.length === 0) return;
  throw stationError(
    'BUNDLE_RESTRICTED_CONTENT',
    `the journal a broad bundle carries holds restricted detail in ${hits.length} entr${hits.length === 1 ? 'y' : 'ies'} (${hits
      .slice(0, 5)
      .map((h) => `seq ${h.seq} ${h.kind}: ${h.why}`)
      .join('; ')}${hits.length > 5 ? '; …' : ''})`,
    { field: 'evaluationSeq', seqs: hits.map((h) => h.seq).join(',') },
  );
}

/** The station's journal so far, as `journal export` lines (the check before any PIN is asked). */
export function journalLines(station: Station): string[] {
  const lines: string[] = [];
  const head = station.journal.head().seq;
  if (head > 0) exportJournal(station, { fromSeq: 1, toSeq: head }, { write: (l) => lines.push(l) });
  return lines;
}
