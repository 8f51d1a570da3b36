import { describe, expect, it } from 'vitest';
import {
  baseline,
  candidate,
  checks,
  confirmation,
  holds,
  lineOf,
  run,
  SHA_A,
  SHA_X,
  withRecords,
  without,
} from './testkit';

const TAR = 'product-7.4.1.tar.gz';
const SBOM = 'product-7.4.1.sbom.json';

describe('ACT-DIGEST-FRESH: each artifact’s digest confirmed, equal to the manifest, within the window', () => {
  it('no confirmation is missing; a different digest is disputed; both non-waivable holds', () => {
    const none = run(without(baseline(), 'digest-confirmation'));
    expect(holds(none)).toEqual([
      `ACT-DIGEST-FRESH missing ${SBOM} non-waivable`,
      `ACT-DIGEST-FRESH missing ${TAR} non-waivable`,
    ]);
    expect(none.outcome).toBe('hold');
    const differs = run(withRecords(baseline(), confirmation(TAR, SHA_X)));
    expect(holds(differs)).toEqual([`ACT-DIGEST-FRESH disputed ${TAR} non-waivable`]);
    expect(differs.outcome).toBe('hold');
  });

  it('older than the policy window is stale; exactly at the limit is not; the policy sets the limit', () => {
    const at = (confirmedAt: string) => withRecords(baseline(), confirmation(TAR, SHA_A, { confirmedAt }));
    expect(checks(run(at('2026-11-28T06:00:00.000Z')))).toEqual([]);
    const stale = run(at('2026-11-28T05:59:00.000Z'));
    expect(holds(stale)).toEqual([`ACT-DIGEST-FRESH stale ${TAR} non-waivable`]);
    expect(lineOf(stale, 'digest', TAR)?.facts).toMatchObject({ limitHours: 72 });
    expect(checks(run(baseline(), { policy: { digestFreshnessHours: 3 } }))).toEqual([
      `ACT-DIGEST-FRESH stale ${SBOM}`,
      `ACT-DIGEST-FRESH stale ${TAR}`,
    ]);
  });

  it('look-alikes: a confirmation of another train with another digest; a stale one followed by a fresh one', () => {
    const e = run([
      ...withRecords(baseline(), confirmation(TAR, SHA_A, { confirmedAt: '2026-11-20T00:00:00.000Z' })),
      confirmation(TAR, SHA_X, {
        confirmationId: 'DC-T2',
        trainId: 'T-2',
        confirmedAt: '2026-12-01T05:00:00.000Z',
      }),
      confirmation(TAR, SHA_A, { confirmationId: 'DC-fresh', confirmedAt: '2026-12-01T04:00:00.000Z' }),
    ]);
    expect(checks(e)).toEqual([]);
    expect(lineOf(e, 'digest', TAR)?.facts.confirmedAt).toBe('2026-12-01T04:00:00.000Z');
    // A confirmation dated after the instant is not yet a fact.
    const future = run([
      ...withRecords(baseline(), confirmation(TAR, SHA_A, { confirmedAt: '2026-11-20T00:00:00.000Z' })),
      confirmation(TAR, SHA_A, { confirmationId: 'DC-later', confirmedAt: '2026-12-01T07:00:00.000Z' }),
    ]);
    expect(checks(future)).toEqual([`ACT-DIGEST-FRESH stale ${TAR}`]);
  });

  it('a candidate never stands in for a confirmation', () => {
    const e = run([
      ...without(baseline(), 'digest-confirmation'),
      candidate(TAR, SHA_A, { entryId: 'CA-2' }),
    ]);
    expect(checks(e).filter((c) => c.startsWith('ACT-DIGEST-FRESH'))).toHaveLength(2);
  });
});
