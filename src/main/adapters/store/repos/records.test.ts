import { afterEach, describe, expect, it } from 'vitest';
import type { SourceRecord } from '../../../../core/findings/model';
import {
  insertPolicyRecord,
  insertRecords,
  policyInForce,
  recordsImportedAfter,
  recordsOfFamilies,
  recordVersions,
} from './records';
import { hex, refusal, testStore, type TestStore } from './test-support';

let s: TestStore;
afterEach(() => s.close());

const record = (recordId: string, digest: string, exportedAt: string): SourceRecord => ({
  family: 'roster-snapshot',
  familyVersion: 1,
  provenance: { system: 'iam', recordId, exportedAt, fileSha256: hex('f'), firstHand: false },
  content: { entryId: recordId, person: 'alice' },
  digest,
});

describe('records repository', () => {
  it('inserts versions once, counts only new ones, reads them back typed and in export order', () => {
    s = testStore();
    expect(insertRecords(s.db, [record('r-1', hex('1'), '2026-11-02T00:00:00.000Z')], 2)).toBe(1);
    expect(
      insertRecords(
        s.db,
        [
          record('r-1', hex('1'), '2026-11-02T00:00:00.000Z'),
          record('r-1', hex('2'), '2026-11-01T00:00:00.000Z'),
        ],
        3,
      ),
    ).toBe(1);
    expect(recordVersions(s.db, 'roster-snapshot', 'iam', 'r-1').map((r) => [r.digest, r.importSeq])).toEqual(
      [
        [hex('2'), 3],
        [hex('1'), 2],
      ],
    );
    expect(recordsOfFamilies(s.db, ['roster-snapshot'])).toHaveLength(2);
    expect(recordsImportedAfter(s.db, ['roster-snapshot'], 2)).toBe(1);
    expect(recordsImportedAfter(s.db, ['roster-snapshot'], 3)).toBe(0);
  });

  it('a content column that is not a JSON object is STORE_ROW_INVALID naming the row and column', () => {
    s = testStore();
    insertRecords(s.db, [record('r-1', hex('1'), '2026-11-02T00:00:00.000Z')], 2);
    // The append-only trigger stops an UPDATE; someone with the file drops it first.
    s.tamper('DROP TRIGGER source_record_append_only');
    s.tamper("UPDATE source_record SET content = '[1]'");
    const e = refusal(() => recordsOfFamilies(s.db, ['roster-snapshot']));
    expect(e).toMatchObject({
      code: 'STORE_ROW_INVALID',
      data: { table: 'source_record', column: 'content' },
    });
  });

  it('the policy in force at an instant is the latest to take effect by then', () => {
    s = testStore();
    const row = (seq: number, version: number, exportedAt: string) => ({
      seq,
      policy: 'deferral',
      version,
      system: 'grc',
      exportedAt,
      fileSha256: hex('a'),
      fileName: 'p.json',
      content: { limitDays: version },
      digest: hex(String(version)),
    });
    insertPolicyRecord(s.db, row(5, 1, '2026-01-01T00:00:00.000Z'));
    insertPolicyRecord(s.db, row(6, 2, '2026-06-01T00:00:00.000Z'));
    expect(policyInForce(s.db, 'deferral', '2025-12-31T00:00:00.000Z')).toBeNull();
    expect(policyInForce(s.db, 'deferral', '2026-03-01T00:00:00.000Z')?.version).toBe(1);
    expect(policyInForce(s.db, 'deferral', '2026-07-01T00:00:00.000Z')).toMatchObject({
      version: 2,
      content: { limitDays: 2 },
    });
  });
});
