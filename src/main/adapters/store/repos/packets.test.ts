import { afterEach, describe, expect, it } from 'vitest';
import {
  packetDraftColumn,
  packetExists,
  packetHandoffRows,
  packetRow,
  packetRows,
  packetStopRows,
  packetVersionCount,
  packetVersionRows,
} from './packets';
import { hex, refusal, testStore, type TestStore } from './test-support';

let s: TestStore;
afterEach(() => s.close());

const P = 'deferral-1';

function withPacket(): TestStore {
  s = testStore();
  s.record('packet.created', {
    packetId: P,
    kind: 'rotation-deferral',
    title: 'Deferral',
    scope: { covers: 'the signing key', boundary: 'the board decides' },
    requiredRoles: ['board-reviewer'],
    subject: { keyId: 'k1' },
  });
  s.record('packet.edited', {
    packetId: P,
    change: { op: 'set-reviewers', reviewers: [{ role: 'board-reviewer', name: 'Bob Board' }] },
  });
  return s;
}

describe('packets repository', () => {
  it('reads drafts as packet content, versions, stops and handoffs as typed records', () => {
    withPacket();
    const draft = packetDraftColumn(s.db, P);
    expect(draft?.routing.reviewers).toEqual([{ role: 'board-reviewer', name: 'Bob Board' }]);
    expect(packetRow(s.db, P)).toMatchObject({
      packetId: P,
      kind: 'rotation-deferral',
      createdSeq: 1,
      updatedSeq: 2,
      stoppedSeq: null,
      draft,
    });
    expect(packetRow(s.db, 'nope')).toBeNull();
    expect(packetExists(s.db, P)).toBe(true);
    expect(packetRows(s.db)).toHaveLength(1);
    expect(packetVersionCount(s.db, P)).toBe(0);
    s.record('packet.version-recorded', {
      packetId: P,
      version: 1,
      digest: hex('a'),
      parentDigest: null,
      content: draft!,
      gate: 'HOLD-SOURCE',
      failedChecks: ['PKT-CLAIMS'],
    });
    s.record('packet.handoff-recorded', {
      packetId: P,
      version: 1,
      digest: hex('a'),
      gate: 'HOLD-SOURCE',
      blockers: ['PKT-CLAIMS: no claims'],
      reviewers: [{ role: 'board-reviewer', name: 'Bob Board' }],
      boundary: 'the board decides',
      recordedBy: 'Pat Manager',
      blockersAcknowledged: true,
    });
    s.record('packet.stopped', {
      packetId: P,
      findings: [{ evidenceId: 'ev-1', indicator: 'key-compromise', detail: 'the key leaked' }],
      notice: 'stop',
    });
    expect(packetVersionCount(s.db, P)).toBe(1);
    expect(packetVersionRows(s.db, P)).toEqual([
      {
        version: 1,
        digest: hex('a'),
        parentDigest: null,
        gate: 'HOLD-SOURCE',
        failedChecks: ['PKT-CLAIMS'],
        at: '2026-05-01T10:00:00.000Z',
        seq: 3,
        content: draft,
      },
    ]);
    expect(packetHandoffRows(s.db, P)).toMatchObject([{ version: 1, recordedBy: 'Pat Manager', seq: 4 }]);
    expect(packetStopRows(s.db, P)).toMatchObject([{ seq: 5, clearance: null, clearedSeq: null }]);
    expect(packetRow(s.db, P)?.stoppedSeq).toBe(5);
  });

  it.each([
    ['JSON of another shape', `UPDATE packet SET draft = '{"packetId":7}'`, 'draft.packetId'],
    ['not JSON', "UPDATE packet SET draft = 'draft'", 'draft'],
  ])('a draft that is %s is refused, naming the column, for every reader of it', (_what, sql, path) => {
    withPacket();
    s.tamper(sql);
    const refused = {
      code: 'STORE_ROW_INVALID',
      data: { table: 'packet', row: `packet_id="${P}"`, column: 'draft', path },
    };
    expect(refusal(() => packetRow(s.db, P))).toMatchObject(refused);
    expect(refusal(() => packetRows(s.db))).toMatchObject(refused);
    expect(refusal(() => packetDraftColumn(s.db, P))).toMatchObject({ data: { column: 'draft', path } });
  });

  it('a packet of a kind the station does not know is refused, naming kind', () => {
    withPacket();
    s.tamper("UPDATE packet SET kind = 'free-lunch'");
    expect(refusal(() => packetRow(s.db, P))).toMatchObject({ data: { table: 'packet', column: 'kind' } });
  });

  it('a version row with failed checks that are not a list of check IDs is refused, naming failed_checks', () => {
    withPacket();
    // Versions are append-only (UPDATE is refused by a trigger): a forged row is inserted instead.
    s.tamper(
      `INSERT INTO packet_version (packet_id, version, digest, parent_digest, content, gate, failed_checks, at, seq)
       SELECT packet_id, 1, ?, NULL, draft, 'READY', '"none"', '2026-05-01T10:00:00.000Z', 9 FROM packet`,
      hex('a'),
    );
    expect(refusal(() => packetVersionRows(s.db, P))).toMatchObject({
      code: 'STORE_ROW_INVALID',
      data: { table: 'packet_version', row: `packet_id="${P}" version=1`, column: 'failed_checks' },
    });
  });

  it('a stop clearance that is not a clearance record is refused, naming clearance', () => {
    withPacket();
    s.record('packet.stopped', {
      packetId: P,
      findings: [{ evidenceId: 'ev-1', indicator: 'key-compromise', detail: 'the key leaked' }],
      notice: 'stop',
    });
    s.tamper(`UPDATE packet_stop SET clearance = '{"reason":"trust me"}', cleared_seq = 4`);
    expect(refusal(() => packetStopRows(s.db, P))).toMatchObject({
      code: 'STORE_ROW_INVALID',
      data: { table: 'packet_stop', row: 'seq=3', column: 'clearance' },
    });
  });
});
