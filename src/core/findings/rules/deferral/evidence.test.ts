import { describe, expect, it } from 'vitest';
import { defBuild } from './build';
import { defHsmAttest } from './hsm-attest';
import { defIncident } from './incident';
import { defInventory } from './inventory';
import { defRunway } from './runway';
import { ctxOf, ids, inventory, rec, request } from './testkit';

const cert = (serial: string, notAfter: string, status: 'valid' | 'revoked' | 'superseded' = 'valid') =>
  rec('certificate', {
    serial,
    subject: 'CN=Release Signing Intermediate',
    keyId: 'K-1',
    issuer: 'CN=Root',
    notBefore: '2025-01-01',
    notAfter,
    status,
  });
const attest = (
  attestationId: string,
  checkedAt: string,
  result: 'pass' | 'mismatch' | 'fail' | 'inconclusive',
) =>
  rec('hsm-attestation', {
    attestationId,
    hsmSerial: 'HSM-A',
    firmwareVersion: result === 'pass' ? '7.8.4' : '7.8.3',
    expectedFirmware: '7.8.4',
    result,
    checkedAt,
  });
const build = (
  enrollmentId: string,
  system: string,
  reportedAt: string,
  enrollment: 'enrolled' | 'pending' | 'failed' | 'disputed' = 'enrolled',
  trustChainDistributed = true,
) =>
  rec('build-enrollment', {
    enrollmentId,
    system,
    keyId: 'K-1',
    enrollment,
    trustChainDistributed,
    verificationFailures: 0,
    reportedAt,
  });

describe('DEF-RUNWAY', () => {
  it('DEF-RUNWAY: a certificate valid past window end + 30 days is enough runway', () => {
    expect(defRunway.run(ctxOf([request(), cert('C-1', '2027-06-30')]))).toEqual([]);
  });
  it('DEF-RUNWAY: inside the window is expired, inside the margin is policy-criterion-unmet, none is missing', () => {
    expect(
      ids(defRunway.run(ctxOf([request(), cert('C-1', '2027-03-01'), cert('C-2', '2027-04-01')]))),
    ).toEqual(['DEF-RUNWAY expired C-1', 'DEF-RUNWAY policy-criterion-unmet C-2']);
    expect(ids(defRunway.run(ctxOf([request(), cert('C-1', '2027-03-01', 'superseded')])))).toEqual([
      'DEF-RUNWAY missing K-1',
    ]);
  });
  it('DEF-RUNWAY: a superseded short certificate beside a long valid one is not flagged', () => {
    expect(
      defRunway.run(ctxOf([request(), cert('C-1', '2027-02-01', 'superseded'), cert('C-2', '2028-01-01')])),
    ).toEqual([]);
  });
});

describe('DEF-HSM-ATTEST', () => {
  it('DEF-HSM-ATTEST: a mismatch not followed by a pass is disputed', () => {
    const f = defHsmAttest.run(
      ctxOf([
        request(),
        inventory(),
        attest('A-1', '2026-11-01', 'pass'),
        attest('A-2', '2026-11-20', 'mismatch'),
      ]),
    );
    expect(ids(f)).toEqual(['DEF-HSM-ATTEST disputed HSM-A']);
  });
  it('DEF-HSM-ATTEST: a mismatch followed by a passing re-check is not a gap', () => {
    expect(
      defHsmAttest.run(
        ctxOf([
          request(),
          inventory(),
          attest('A-2', '2026-11-20', 'mismatch'),
          attest('A-3', '2026-11-25', 'pass'),
        ]),
      ),
    ).toEqual([]);
  });
  it('DEF-HSM-ATTEST: a pass older than 30 days is stale; none is missing; a re-check after as-of is not seen', () => {
    expect(
      ids(defHsmAttest.run(ctxOf([request(), inventory(), attest('A-1', '2026-09-01', 'pass')]))),
    ).toEqual(['DEF-HSM-ATTEST stale HSM-A']);
    expect(ids(defHsmAttest.run(ctxOf([request(), inventory()])))).toEqual(['DEF-HSM-ATTEST missing HSM-A']);
    expect(
      ids(
        defHsmAttest.run(
          ctxOf([
            request(),
            inventory(),
            attest('A-2', '2026-11-20', 'mismatch'),
            attest('A-3', '2026-12-03', 'pass'),
          ]),
        ),
      ),
    ).toEqual(['DEF-HSM-ATTEST disputed HSM-A']);
  });
});

describe('DEF-BUILD', () => {
  it('DEF-BUILD: disputed enrollment, undistributed chain and an old report are flagged per system', () => {
    expect(
      ids(
        defBuild.run(
          ctxOf([
            request(),
            build('B-1', 'ci-main', '2026-11-28', 'disputed'),
            build('B-2', 'ci-mobile', '2026-11-28', 'enrolled', false),
            build('B-3', 'ci-legacy', '2026-10-01'),
          ]),
        ),
      ),
    ).toEqual(['DEF-BUILD stale ci-legacy', 'DEF-BUILD disputed ci-main', 'DEF-BUILD partial ci-mobile']);
    expect(ids(defBuild.run(ctxOf([request()])))).toEqual(['DEF-BUILD missing K-1']);
  });
  it('DEF-BUILD: a disputed enrollment followed by a fresh enrolled report is not a gap', () => {
    expect(
      defBuild.run(
        ctxOf([
          request(),
          build('B-1', 'ci-main', '2026-11-10', 'disputed'),
          build('B-2', 'ci-main', '2026-11-28'),
        ]),
      ),
    ).toEqual([]);
  });
});

describe('DEF-INCIDENT', () => {
  const notice = (
    noticeId: string,
    keyId: string | null,
    status: 'open' | 'closed-false-positive',
    exportedAt?: string,
  ) =>
    rec(
      'incident-notice',
      {
        noticeId,
        indicator: 'unauthorised-signing',
        keyId,
        reportedAt: '2026-11-25',
        status,
        summary: 'unexpected sign events',
      },
      exportedAt,
    );
  it('DEF-INCIDENT: an open notice for the key stops the packet', () => {
    expect(ids(defIncident.run(ctxOf([request(), notice('IN-1', 'K-1', 'open')])))).toEqual([
      'DEF-INCIDENT stop IN-1',
    ]);
  });
  it('DEF-INCIDENT: a notice for another key, or one closed in a later export, does not stop it', () => {
    expect(
      defIncident.run(
        ctxOf([
          request(),
          notice('IN-2', 'K-OTHER', 'open'),
          notice('IN-1', 'K-1', 'open', '2026-11-26T00:00:00.000Z'),
          notice('IN-1', 'K-1', 'closed-false-positive', '2026-11-28T00:00:00.000Z'),
        ]),
      ),
    ).toEqual([]);
  });
});

describe('DEF-INVENTORY', () => {
  it('DEF-INVENTORY: an observation older than 7 days is stale, a wrapped export is invalid', () => {
    expect(ids(defInventory.run(ctxOf([request(), inventory({ observedAt: '2026-11-10' })])))).toEqual([
      'DEF-INVENTORY stale K-1@HSM-A',
    ]);
    expect(ids(defInventory.run(ctxOf([request(), inventory({ residency: 'hsm-wrapped-export' })])))).toEqual(
      ['DEF-INVENTORY invalid K-1@HSM-A'],
    );
  });
  it('DEF-INVENTORY: an old observation followed by a recent one is fresh', () => {
    expect(
      defInventory.run(
        ctxOf([
          request(),
          inventory({ observedAt: '2026-11-10' }),
          inventory({ entryId: 'INV-2', observedAt: '2026-11-29' }),
        ]),
      ),
    ).toEqual([]);
  });
});
