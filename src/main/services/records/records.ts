import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { basename } from 'node:path';
import { z } from 'zod';
import { isRestrictedFamily, journalFileName } from '../../../core/authority/redact';
import { CodedError } from '../../../core/errors';
import { recordsDigest } from '../../../core/findings/engine';
import { exportEnvelopeSchema, recordsFromEnvelope } from '../../../core/findings/envelope';
import { assertActor } from '../../../core/journal/events';
import type { View } from '../../../shared/contract';
import { keepObject, stageCopy } from '../../adapters/fs/staging';
import { readExport, RECORDS_LIMITS, type ExportMeta } from '../../adapters/records/read';
import {
  inWriteTransaction,
  insertRecords,
  insertRecordsImport,
  recordsImportRows,
  recordsOfFamilies,
  recordVersions,
} from '../../adapters/store/repos/records';
import { stationError } from '../../errors';
import type { Station } from '../../station/station';

/**
 * Source records (docs/records.md): exports from media imported as what they are, all or nothing, one
 * journal entry per import, the file kept content-addressed, each record with its provenance.
 */

export const sha256hex = (d: Uint8Array): string => createHash('sha256').update(d).digest('hex');

/** Refusals that are about the file's content: journaled (records.import-refused) with the field. */
const FILE_REFUSALS = new Set(['RECORD_INVALID', 'RECORD_FAMILY_UNKNOWN', 'CANONICAL_JSON_INVALID']);

// The envelope's own fields, read once the records passed (unknown keys are the envelope schema's job).
const envelopeHead = z.object({
  family: exportEnvelopeSchema.shape.family,
  familyVersion: exportEnvelopeSchema.shape.familyVersion,
  system: exportEnvelopeSchema.shape.system,
  exportedAt: exportEnvelopeSchema.shape.exportedAt,
});

/**
 * Imports one export file (JSON envelope or CSV). Staged privately first; every record is validated
 * before anything is kept (RECORD_INVALID names `<file>.records.<i>.<field>`); then the file goes into
 * the object store and its records and journal entry are written in one transaction. The same file again
 * is idempotent: the entry says 0 new records and the view says `alreadyHeld`.
 */
export async function importRecordsFile(
  station: Station,
  input: ExportMeta & { readonly path: string; readonly actor: string },
): Promise<View<'recordsImport'>> {
  assertActor(input.actor);
  station.assertWritable();
  const fileName = basename(input.path);
  const staged = await stageCopy(station, input.path, RECORDS_LIMITS.maxFileBytes);
  try {
    const file = { sha256: staged.sha256, name: fileName };
    let records;
    let head;
    try {
      const envelope = readExport(staged.path, fileName, input);
      records = recordsFromEnvelope(envelope, file, sha256hex);
      head = envelopeHead.parse(envelope);
    } catch (e) {
      if (e instanceof CodedError && FILE_REFUSALS.has(e.code)) journalRefusal(station, input.actor, file, e);
      throw e;
    }
    const digest = recordsDigest(sha256hex, records);
    keepObject(station, staged.sha256, staged.path);
    return inWriteTransaction(station.store.db, () => {
      // The write lock is held: the import's entry gets the next seq, and its rows carry it.
      const seq = station.journal.head().seq + 1;
      const newRecords = insertRecords(station.store.db, records, seq);
      const body = {
        family: head.family,
        familyVersion: head.familyVersion,
        system: head.system,
        exportedAt: head.exportedAt,
        fileSha256: staged.sha256,
        fileName,
        count: records.length,
        recordsDigest: digest,
        newRecords,
      };
      // Every bundle carries the journal: a restricted family's file name (which often says what is
      // inside) is journaled as `<family>-<sha12>.<ext>`; the real name stays in records_import only.
      const journaled = isRestrictedFamily(head.family)
        ? { ...body, fileName: journalFileName(head.family, staged.sha256, fileName) }
        : body;
      const appended = station.record([{ kind: 'records.imported', actor: input.actor, body: journaled }]);
      if (appended.firstSeq !== seq)
        throw new Error(`import entry landed at seq ${appended.firstSeq}, not ${seq}`);
      insertRecordsImport(station.store.db, { seq, ...body });
      return { seq, ...body, alreadyHeld: newRecords === 0 && records.length > 0 };
    });
  } finally {
    rmSync(staged.dir, { recursive: true, force: true });
  }
}

function journalRefusal(
  station: Station,
  actor: string,
  file: { sha256: string; name: string },
  e: CodedError,
): void {
  // A refused file's family may be restricted (workflow 002) or unknown: its name (which often says
  // what is inside) never enters the journal, which every bundle carries. The operator saw the real
  // name in the refusal; the journal keeps the file's digest and a name made from it.
  const name = journalFileName('refused', file.sha256, file.name);
  const field = (typeof e.data.field === 'string' ? e.data.field : file.name).split(file.name).join(name);
  station.record([
    {
      kind: 'records.import-refused',
      actor,
      body: { fileSha256: file.sha256, fileName: name, code: e.code, field: field.slice(0, 300) },
    },
  ]);
}

/** How many records a list shows at most (the rest are counted, not sent). */
const LIST_LIMIT = 10_000;

/** Imports so far and records per family; with a family, the latest version of each of its records. */
export function listRecords(
  station: Station,
  { family }: { family?: string | undefined } = {},
): View<'recordsList'> {
  const db = station.store.db;
  const imports = recordsImportRows(db);
  const counts = new Map<string, number>();
  for (const i of imports) counts.set(i.family, (counts.get(i.family) ?? 0) + i.newRecords);
  const families = [...counts.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([f, records]) => ({ family: f, records }));
  if (family === undefined) return { imports, families, records: [], truncated: false };
  const latest = new Map<string, { summary: View<'recordsList'>['records'][number]; versions: number }>();
  for (const r of recordsOfFamilies(db, [family])) {
    const key = `${r.provenance.system}\u0000${r.provenance.recordId}`;
    const seen = latest.get(key);
    const summary = {
      family: r.family,
      system: r.provenance.system,
      recordId: r.provenance.recordId,
      exportedAt: r.provenance.exportedAt,
      digest: r.digest,
      versions: (seen?.versions ?? 0) + 1,
    };
    // Rows come oldest export first: the last one seen is the current version.
    latest.set(key, { summary, versions: summary.versions });
  }
  const all = [...latest.values()].map((v) => v.summary);
  return { imports, families, records: all.slice(0, LIST_LIMIT), truncated: all.length > LIST_LIMIT };
}

/** Every version of one record, oldest export first (NOT_FOUND when the station holds none). */
export function showRecord(
  station: Station,
  ref: { family: string; system: string; recordId: string },
): View<'recordsShow'> {
  const versions = recordVersions(station.store.db, ref.family, ref.system, ref.recordId);
  if (versions.length === 0)
    throw stationError(
      'NOT_FOUND',
      `no ${ref.family} record ${ref.recordId} from ${ref.system} (station records list --family ${ref.family})`,
      { field: 'recordId' },
    );
  return {
    versions: versions.map((v) => ({
      family: v.family,
      familyVersion: v.familyVersion,
      provenance: v.provenance,
      content: v.content,
      digest: v.digest,
      importSeq: v.importSeq,
    })),
  };
}
