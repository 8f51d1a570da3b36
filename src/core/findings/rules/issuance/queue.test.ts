import { describe, expect, it } from 'vitest';
import {
  SPKI_A,
  baseline,
  checks,
  exportedAt,
  fingerprintOf,
  CSR_A,
  investigation,
  only,
  portal,
  run,
} from './testkit';

describe('ISS-DUPLICATE: no pending portal request for the same subject or key', () => {
  it('a pending request for the same subject (any letter case) or the same key is a duplicate', () => {
    const sameSubject = portal({ subject: 'NORTHWIND PACKAGE SIGNING 2027' });
    expect(only(run([...baseline(), sameSubject]), 'ISS-DUPLICATE')).toEqual([
      'ISS-DUPLICATE disputed PKI-REQ-000100',
    ]);
    for (const fingerprint of [SPKI_A, fingerprintOf(CSR_A)]) {
      const sameKey = portal({ portalRequestId: 'PKI-REQ-000101', fingerprint });
      expect(only(run([...baseline(), sameKey]), 'ISS-DUPLICATE')).toEqual([
        'ISS-DUPLICATE disputed PKI-REQ-000101',
      ]);
    }
  });

  it('look-alikes: a pending request for another subject and key; the same subject issued or cancelled', () => {
    expect(checks(run([...baseline(), portal()]))).toEqual([]);
    for (const state of ['issued', 'cancelled', 'rejected'] as const)
      expect(
        checks(run([...baseline(), portal({ subject: 'Northwind Package Signing 2027', state })])),
      ).toEqual([]);
  });

  it('the latest observation of a portal request holds: pending, then cancelled, is no duplicate', () => {
    const pending = portal({ subject: 'Northwind Package Signing 2027' });
    const cancelled = exportedAt(
      portal({
        subject: 'Northwind Package Signing 2027',
        state: 'cancelled',
        observedAt: '2026-12-01T09:30:00.000Z',
      }),
      '2026-12-01T09:40:00.000Z',
    );
    expect(checks(run([...baseline(), pending, cancelled]))).toEqual([]);
  });
});

describe('ISS-INVESTIGATION: no open compromise or revocation investigation on the key or subscriber', () => {
  it('an open investigation on the key or the subscriber stops', () => {
    const onKey = investigation({ spkiSha256: SPKI_A });
    const e = run([...baseline(), onKey]);
    expect(only(e, 'ISS-INVESTIGATION')).toEqual(['ISS-INVESTIGATION stop INV-1']);
    expect(e.outcome).toBe('stop-before-entry');
    const onSubscriber = investigation({ kind: 'revocation', subscriberId: 'SUB-1' });
    expect(only(run([...baseline(), onSubscriber]), 'ISS-INVESTIGATION')).toEqual([
      'ISS-INVESTIGATION stop INV-1',
    ]);
  });

  it('look-alikes: a closed one, and an open one on another key and subscriber', () => {
    expect(checks(run([...baseline(), investigation({ spkiSha256: SPKI_A, status: 'closed' })]))).toEqual([]);
    expect(
      checks(run([...baseline(), investigation({ spkiSha256: 'f'.repeat(64), subscriberId: 'SUB-9' })])),
    ).toEqual([]);
  });
});
