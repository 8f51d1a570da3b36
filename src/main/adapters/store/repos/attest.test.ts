import { afterEach, describe, expect, it } from 'vitest';
import type { EventBody } from '../../../../core/journal/events';
import { decisionEvents, evaluationEvents, inventoryEvents, rosterChangeEvents } from './attest';
import { hex, refusal, SPKI, testStore, type TestStore } from './test-support';

let s: TestStore;
afterEach(() => s.close());

const EVALUATION: EventBody<'attestation.evaluated'> = {
  packetId: 'attest-1',
  library: 'custody-controls',
  libraryVersion: 1,
  recommendation: 'remediate',
  because: ['ATT-ROSTER is partial'],
  requirements: [
    {
      id: 'ATT-ROSTER',
      status: 'partial',
      rationale: 'one operator is not on the roster',
      findings: [],
      refs: ['seq 1'],
    },
  ],
  inputs: { evidence: [], journalHead: 1 },
};

function withEvaluation(): TestStore {
  s = testStore();
  s.record('roster.initialised', {
    quorum: 2,
    custodians: ['ada', 'bob'].map((id, i) => ({
      custodianId: id,
      name: id === 'ada' ? 'Ada Lovelace' : 'Bob Board',
      roles: ['custodian'],
      spki: SPKI,
      fingerprint: hex(String(i + 1)),
      algorithm: 'ecdsa-p256-sha256' as const,
      validFrom: '2026-01-01T00:00:00.000Z',
      validUntil: '2027-01-01T00:00:00.000Z',
    })),
    witnesses: ['Wendy Witness'],
  });
  s.record('attestation.evaluated', EVALUATION);
  s.record('attestation.evaluated', { ...EVALUATION, packetId: 'attest-2' });
  return s;
}

describe('attest repository (journal entries it reads)', () => {
  it("reads a packet's evaluations and the roster changes with typed bodies", () => {
    withEvaluation();
    expect(evaluationEvents(s.db, 'attest-1')).toEqual([
      {
        seq: 2,
        at: '2026-05-01T10:00:00.000Z',
        actor: 'operator:test',
        kind: 'attestation.evaluated',
        body: EVALUATION,
      },
    ]);
    expect(rosterChangeEvents(s.db).map((e) => [e.seq, e.kind])).toEqual([[1, 'roster.initialised']]);
    expect(inventoryEvents(s.db)).toEqual([]);
    expect(decisionEvents(s.db, 'attest-1')).toEqual([]);
  });

  it('an evaluation entry with a recommendation the library never makes is refused, naming the entry and field', () => {
    withEvaluation();
    const seq = s.forgeEntry('attestation.evaluated', { ...EVALUATION, recommendation: 'ship-it' });
    expect(refusal(() => evaluationEvents(s.db, 'attest-1'))).toMatchObject({
      code: 'STORE_ROW_INVALID',
      data: {
        table: 'journal',
        row: `seq ${seq} (attestation.evaluated)`,
        column: 'body',
        path: 'body.recommendation',
      },
    });
  });

  it('an inventory entry without its keys is refused rather than read as an empty token', () => {
    withEvaluation();
    const seq = s.forgeEntry('hsm.inventory-recorded', {
      moduleId: 'softhsm',
      librarySha256: hex('a'),
      token: {
        serial: '1',
        label: 'x',
        manufacturer: 'x',
        model: 'x',
        firmware: '1',
        hardware: '1',
        flags: [],
      },
      digest: hex('b'),
    });
    expect(refusal(() => inventoryEvents(s.db))).toMatchObject({
      data: { row: `seq ${seq} (hsm.inventory-recorded)`, path: 'body.keys' },
    });
  });
});
