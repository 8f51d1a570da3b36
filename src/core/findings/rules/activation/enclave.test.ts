import { describe, expect, it } from 'vitest';
import {
  attestation,
  baseline,
  checks,
  exportedAt,
  firstHand,
  holds,
  inventory,
  lineOf,
  reading,
  run,
  withRecords,
  without,
} from './testkit';

const KEY = 'HSM-1/K-1';
const one = (category: string) => [`ACT-ENCLAVE ${category} ${KEY} non-waivable`];

describe('ACT-ENCLAVE: sealed, passing, fresh attestation; latest reading agrees; inventory agrees', () => {
  it('no attestation is missing; every enclave hold is non-waivable and holds the gate', () => {
    const e = run(without(baseline(), 'enclave-attestation'));
    expect(holds(e)).toEqual(one('missing'));
    expect(e.outcome).toBe('hold');
    expect(lineOf(e, 'enclave', KEY)?.state).toBe('hold');
  });

  it('an unsealed attestation is invalid (a draft)', () => {
    const e = run(withRecords(baseline(), attestation({ sealed: false })));
    expect(holds(e)).toEqual(one('invalid'));
    expect(e.findings[0]?.sentence).toContain('not sealed');
  });

  it('a failing or inconclusive attestation is disputed', () => {
    for (const result of ['fail', 'inconclusive'] as const)
      expect(holds(run(withRecords(baseline(), attestation({ result }))))).toEqual(one('disputed'));
  });

  it('an attestation older than the policy allows is stale; exactly at the limit is not', () => {
    expect(
      holds(run(withRecords(baseline(), attestation({ attestedAt: '2026-11-30T05:00:00.000Z' })))),
    ).toEqual(one('stale'));
    expect(
      checks(run(withRecords(baseline(), attestation({ attestedAt: '2026-11-30T06:00:00.000Z' })))),
    ).toEqual([]);
  });

  it('no reading is missing; a reading of the token absent is missing', () => {
    expect(holds(run(without(baseline(), 'enclave-reading')))).toEqual(one('missing'));
    const absent = run(
      withRecords(baseline(), reading({ present: false, firmwareVersion: null, keyResidency: 'unknown' })),
    );
    expect(holds(absent)).toEqual(one('missing'));
    expect(absent.findings[0]?.sentence).toContain('absent');
  });

  it('a later reading that contradicts the attested firmware is disputed', () => {
    const e = run(withRecords(baseline(), reading({ firmwareVersion: '2.7.0' })));
    expect(holds(e)).toEqual(one('disputed'));
    expect(e.findings[0]?.sentence).toContain('2.7.0');
  });

  it('a key read back exportable, absent or unknown is disputed (not resident)', () => {
    for (const keyResidency of ['exportable', 'absent', 'unknown'] as const)
      expect(holds(run(withRecords(baseline(), reading({ keyResidency }))))).toEqual(one('disputed'));
  });

  it('a reading older than the policy allows is stale', () => {
    const e = run(withRecords(baseline(), reading({ readAt: '2026-11-30T17:59:00.000Z' })));
    expect(holds(e)).toEqual(one('stale'));
  });

  it('no inventory entry of the key on this serial is missing; an inventory not hsm-resident is disputed', () => {
    expect(holds(run(without(baseline(), 'hsm-key-inventory')))).toEqual(one('missing'));
    expect(holds(run(withRecords(baseline(), inventory({ hsmSerial: 'HSM-2' }))))).toEqual(one('missing'));
    expect(holds(run(withRecords(baseline(), inventory({ residency: 'hsm-wrapped-export' }))))).toEqual(
      one('disputed'),
    );
  });

  it('look-alike: a later unsealed, failing attestation of another key on the same HSM', () => {
    const e = run([
      ...baseline(),
      attestation({
        attestationId: 'EA-2',
        keyId: 'K-2',
        sealed: false,
        result: 'fail',
        attestedAt: '2026-12-01T05:00:00.000Z',
      }),
      reading({
        readingId: 'ER-9',
        hsmSerial: 'HSM-9',
        present: false,
        firmwareVersion: null,
        keyResidency: 'absent',
      }),
    ]);
    expect(checks(e)).toEqual([]);
    expect(lineOf(e, 'enclave', KEY)?.facts.attestation).toBe('EA-1');
  });

  it('look-alike: an imported reading contradicting the firmware, superseded by a later first-hand read', () => {
    const imported = reading({
      readingId: 'ER-ADM-7',
      firmwareVersion: '2.5.0',
      readAt: '2026-12-01T03:00:00.000Z',
    });
    const live = firstHand(reading({ readingId: 'live-0042', readAt: '2026-12-01T05:30:00.000Z' }));
    const e = run([...without(baseline(), 'enclave-reading'), imported, live]);
    expect(checks(e)).toEqual([]);
    expect(lineOf(e, 'enclave', KEY)?.facts).toMatchObject({ reading: 'live-0042', readFirstHand: true });
    // The other order: a live read, then the administration's later reading of another firmware wins.
    const later = reading({
      readingId: 'ER-ADM-8',
      firmwareVersion: '2.5.0',
      readAt: '2026-12-01T05:45:00.000Z',
    });
    expect(holds(run([...without(baseline(), 'enclave-reading'), live, later]))).toEqual(one('disputed'));
  });

  it('look-alike: a reading of the old firmware taken before a later attestation of the new firmware', () => {
    const e = run(
      withRecords(
        baseline(),
        reading({ firmwareVersion: '2.6.0', readAt: '2026-12-01T00:30:00.000Z' }),
        attestation({ attestedAt: '2026-12-01T01:00:00.000Z' }),
      ),
    );
    expect(checks(e)).toEqual([]);
  });

  it('a reading exported again with the key gone: the latest export of the reading holds', () => {
    const e = run([
      ...baseline(),
      exportedAt(reading({ keyResidency: 'absent' }), '2026-12-01T05:50:00.000Z'),
    ]);
    expect(holds(e)).toEqual(one('disputed'));
  });

  it('one read that found two keys under the declared name is disputed; an earlier read of another key under it is not', () => {
    const twins = run([...baseline(), reading({ readingId: 'ER-1-twin', spkiSha256: 'f'.repeat(64) })]);
    expect(holds(twins)).toEqual(one('disputed'));
    expect(twins.findings[0]?.sentence).toMatch(/found 2 keys named K-1/);
    const earlier = run([
      ...baseline(),
      reading({ readingId: 'ER-0', spkiSha256: 'f'.repeat(64), readAt: '2026-12-01T03:00:00.000Z' }),
    ]);
    expect(holds(earlier)).toEqual([]);
  });
});
