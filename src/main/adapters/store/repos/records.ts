import type Database from 'better-sqlite3';
import { z } from 'zod';
import { RecordBatch } from '../../../../core/findings/batch';
import { FAMILIES, isFamilyName } from '../../../../core/findings/families/catalogue';
import type { SourceRecord } from '../../../../core/findings/model';
import { EVENT_BODIES } from '../../../../core/journal/events';
import { sha256Hex } from '../../../../core/schema';
import { countColumn, flag, jsonColumn, parseRow, parseRows, seqColumn, statement } from './rows';

/**
 * Source records and policy records (migration 0011): imported facts, each row kept with its provenance
 * and the seq of the journal entry that imported it. Rows are parsed by zod on the way out; a record's
 * content is parsed as a JSON object here and by its family schema where the engine reads it.
 */

export interface StoredRecord extends SourceRecord<Record<string, unknown>> {
  readonly importSeq: number;
}

const recordColumns = z.object({
  family: z.string().min(1),
  family_version: z.number().int().min(1),
  system: z.string().min(1),
  record_id: z.string().min(1),
  exported_at: z.string(),
  file_sha256: sha256Hex,
  first_hand: flag,
  content: jsonColumn(z.record(z.string(), z.unknown())),
  digest: sha256Hex,
  import_seq: seqColumn,
});

const recordRow = recordColumns.transform((r): StoredRecord => ({
  family: r.family,
  familyVersion: r.family_version,
  provenance: {
    system: r.system,
    recordId: r.record_id,
    exportedAt: r.exported_at,
    fileSha256: r.file_sha256,
    firstHand: r.first_hand,
  },
  content: r.content,
  digest: r.digest,
  importSeq: r.import_seq,
}));

const RECORD_KEY = ['family', 'system', 'record_id', 'digest'];
const RECORD_COLUMNS =
  'family, family_version, system, record_id, exported_at, file_sha256, first_hand, content, digest, import_seq';

const insertRecord = statement(
  `INSERT OR IGNORE INTO source_record (${RECORD_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
);

/** Inserts the records of one import; a version already held is left as it is. Returns how many were new. */
export function insertRecords(
  db: Database.Database,
  records: readonly SourceRecord[],
  importSeq: number,
): number {
  const insert = insertRecord(db);
  let added = 0;
  for (const r of records) {
    const p = r.provenance;
    added += insert.run(
      r.family,
      r.familyVersion,
      p.system,
      p.recordId,
      p.exportedAt,
      p.fileSha256,
      p.firstHand ? 1 : 0,
      JSON.stringify(r.content),
      r.digest,
      importSeq,
    ).changes;
  }
  return added;
}

const selectByFamily = statement(
  `SELECT ${RECORD_COLUMNS} FROM source_record WHERE family = ? ORDER BY exported_at, system, record_id, digest`,
);

/**
 * Every stored record of the given families (all versions), ordered by export time. Rows are parsed as
 * they are read, so a large audit log is never held twice (raw rows and records) at once, and the rows
 * of one import are held as one batch (src/core/findings/batch.ts: their provenance once, digests as
 * bytes, repeating values once), as the records of an export are when it is read from a file.
 */
export function recordsOfFamilies(db: Database.Database, families: readonly string[]): SourceRecord[] {
  const out: SourceRecord[] = [];
  const batches = new Map<string, RecordBatch>();
  for (const f of families) {
    const family = isFamilyName(f) ? FAMILIES[f] : null;
    for (const row of selectByFamily(db).iterate(f)) {
      const r = parseRow('source_record', recordColumns, row, RECORD_KEY);
      const key = [r.family_version, r.system, r.exported_at, r.file_sha256, r.first_hand, r.import_seq].join(
        '\u0000',
      );
      let batch = batches.get(key);
      if (!batch) {
        const origin = {
          family: r.family,
          familyVersion: r.family_version,
          system: r.system,
          exportedAt: r.exported_at,
          fileSha256: r.file_sha256,
          firstHand: r.first_hand,
        };
        // The catalogue's id and time fields are those of its own version of the family: rows of another
        // version keep their stored ids beside them.
        const same = family !== null && family.version === r.family_version;
        batch = new RecordBatch(
          origin,
          same ? family.idField : null,
          same && family.timeField !== null ? [family.timeField] : [],
        );
        batches.set(key, batch);
      }
      out.push(batch.add(r.record_id, r.content, r.digest));
    }
    for (const b of batches.values()) b.seal();
    batches.clear();
  }
  return out;
}

const selectVersions = statement(
  `SELECT ${RECORD_COLUMNS} FROM source_record WHERE family = ? AND system = ? AND record_id = ?
   ORDER BY exported_at, import_seq, digest`,
);

/** Every stored version of one record (family, system, the source's record id), oldest export first. */
export function recordVersions(
  db: Database.Database,
  family: string,
  system: string,
  recordId: string,
): StoredRecord[] {
  return parseRows('source_record', recordRow, selectVersions(db).all(family, system, recordId), RECORD_KEY);
}

const countAfterRow = z.object({ n: countColumn });
const selectCountAfter = statement(
  'SELECT count(*) AS n FROM source_record WHERE family = ? AND import_seq > ?',
);

/** How many records of these families came in with imports after `seq`. */
export function recordsImportedAfter(
  db: Database.Database,
  families: readonly string[],
  seq: number,
): number {
  return families.reduce(
    (n, f) =>
      n + parseRow('source_record', countAfterRow, selectCountAfter(db).get(f, seq), () => `family=${f}`).n,
    0,
  );
}

const imported = EVENT_BODIES['records.imported'].shape;

const importRow = z
  .object({
    seq: seqColumn,
    family: imported.family,
    family_version: imported.familyVersion,
    system: imported.system,
    exported_at: imported.exportedAt,
    file_sha256: imported.fileSha256,
    file_name: imported.fileName,
    record_count: imported.count,
    new_records: imported.newRecords,
    records_digest: imported.recordsDigest,
  })
  .transform((r) => ({
    seq: r.seq,
    family: r.family,
    familyVersion: r.family_version,
    system: r.system,
    exportedAt: r.exported_at,
    fileSha256: r.file_sha256,
    fileName: r.file_name,
    count: r.record_count,
    newRecords: r.new_records,
    recordsDigest: r.records_digest,
  }));
export type RecordsImportRow = z.output<typeof importRow>;

const insertImport = statement(
  `INSERT INTO records_import (seq, family, family_version, system, exported_at, file_sha256, file_name,
     record_count, new_records, records_digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
);

export function insertRecordsImport(db: Database.Database, row: RecordsImportRow): void {
  insertImport(db).run(
    row.seq,
    row.family,
    row.familyVersion,
    row.system,
    row.exportedAt,
    row.fileSha256,
    row.fileName,
    row.count,
    row.newRecords,
    row.recordsDigest,
  );
}

const selectImports = statement(
  `SELECT seq, family, family_version, system, exported_at, file_sha256, file_name, record_count, new_records,
     records_digest FROM records_import ORDER BY seq`,
);

/** Every import, oldest first. */
export function recordsImportRows(db: Database.Database): RecordsImportRow[] {
  return parseRows('records_import', importRow, selectImports(db).all(), 'seq');
}

const policyImported = EVENT_BODIES['policy.imported'].shape;

const policyRow = z
  .object({
    seq: seqColumn,
    policy: policyImported.policy,
    version: policyImported.version,
    system: policyImported.system,
    exported_at: policyImported.exportedAt,
    file_sha256: policyImported.fileSha256,
    file_name: policyImported.fileName,
    content: jsonColumn(z.unknown()),
    digest: policyImported.digest,
  })
  .transform((r) => ({
    seq: r.seq,
    policy: r.policy,
    version: r.version,
    system: r.system,
    exportedAt: r.exported_at,
    fileSha256: r.file_sha256,
    fileName: r.file_name,
    content: r.content,
    digest: r.digest,
  }));
export type PolicyRecordRow = z.output<typeof policyRow>;

const insertPolicy = statement(
  `INSERT INTO policy_record (seq, policy, version, system, exported_at, file_sha256, file_name, content, digest)
   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
);

export function insertPolicyRecord(db: Database.Database, row: PolicyRecordRow): void {
  insertPolicy(db).run(
    row.seq,
    row.policy,
    row.version,
    row.system,
    row.exportedAt,
    row.fileSha256,
    row.fileName,
    JSON.stringify(row.content),
    row.digest,
  );
}

const POLICY_COLUMNS = 'seq, policy, version, system, exported_at, file_sha256, file_name, content, digest';
const selectInForce = statement(
  `SELECT ${POLICY_COLUMNS} FROM policy_record WHERE policy = ? AND exported_at <= ?
   ORDER BY exported_at DESC, seq DESC LIMIT 1`,
);

/** The imported version of a policy in force at `asOf`: the latest to take effect by then, or null. */
export function policyInForce(db: Database.Database, policy: string, asOf: string): PolicyRecordRow | null {
  const row = selectInForce(db).get(policy, asOf);
  return row === undefined ? null : parseRow('policy_record', policyRow, row, 'seq');
}

const selectPolicies = statement(`SELECT ${POLICY_COLUMNS} FROM policy_record ORDER BY seq`);

/** Every imported policy version, oldest import first. */
export function policyRecordRows(db: Database.Database): PolicyRecordRow[] {
  return parseRows('policy_record', policyRow, selectPolicies(db).all(), 'seq');
}

const selectPolicyAfter = statement('SELECT count(*) AS n FROM policy_record WHERE policy = ? AND seq > ?');

/** How many versions of a policy were imported after `seq`. */
export function policiesImportedAfter(db: Database.Database, policy: string, seq: number): number {
  return parseRow(
    'policy_record',
    countAfterRow,
    selectPolicyAfter(db).get(policy, seq),
    () => `policy=${policy}`,
  ).n;
}

/**
 * Runs `work` in one IMMEDIATE write transaction: the journal entry of an import and its rows land
 * together or not at all (the journal's own append nests inside as a savepoint).
 */
export function inWriteTransaction<T>(db: Database.Database, work: () => T): T {
  return db.transaction(work).immediate();
}
