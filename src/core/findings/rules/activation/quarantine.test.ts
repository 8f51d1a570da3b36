import { describe, expect, it } from 'vitest';
import {
  baseline,
  candidate,
  checks,
  exportedAt,
  holds,
  lineOf,
  run,
  SHA_A,
  SHA_X,
  withRecords,
} from './testkit';

const TAR = 'product-7.4.1.tar.gz';

describe('ACT-QUARANTINE: staged candidates off the manifest or with another digest are quarantined', () => {
  it('an off-manifest candidate is quarantined, advisory: the gate stays ready', () => {
    const e = run([...baseline(), candidate('debug-symbols.zip', SHA_X)]);
    expect(holds(e)).toEqual(['ACT-QUARANTINE invalid CA-debug-symbols.zip non-waivable advisory']);
    expect(e.outcome).toBe('ready-for-approval');
    const line = lineOf(e, 'quarantine', 'CA-debug-symbols.zip');
    expect(line?.state).toBe('quarantined');
    expect(line?.facts).toMatchObject({
      artifact: 'debug-symbols.zip',
      candidateSha256: SHA_X,
      manifestSha256: null,
    });
  });

  it('a candidate whose digest differs from the manifest is disputed, blocking and non-waivable, with both digests', () => {
    const e = run(withRecords(baseline(), candidate(TAR, SHA_X)));
    expect(holds(e)).toEqual([`ACT-QUARANTINE disputed CA-${TAR} non-waivable`]);
    expect(e.outcome).toBe('hold');
    expect(e.findings[0]?.sentence).toContain(SHA_X);
    expect(e.findings[0]?.sentence).toContain(SHA_A);
    expect(lineOf(e, `quarantine`, `CA-${TAR}`)?.facts).toMatchObject({
      candidateSha256: SHA_X,
      manifestSha256: SHA_A,
    });
  });

  it('look-alikes: an off-manifest candidate of another train; the right digest staged twice; a candidate re-staged with the right digest', () => {
    const e = run([
      ...baseline(),
      candidate('debug-symbols.zip', SHA_X, { entryId: 'CA-T2-debug', trainId: 'T-2' }),
      candidate(TAR, SHA_A, { entryId: 'CA-again', stagedAt: '2026-12-01T04:00:00.000Z' }),
    ]);
    expect(checks(e)).toEqual([]);
    expect(e.derived?.lines.some((l) => l.area === 'quarantine')).toBe(false);
    // The staging system exported the entry with a wrong digest, then again with the right one.
    const restaged = run([
      ...withRecords(baseline(), exportedAt(candidate(TAR, SHA_X), '2026-12-01T03:30:00.000Z')),
      exportedAt(candidate(TAR, SHA_A, { stagedAt: '2026-12-01T04:30:00.000Z' }), '2026-12-01T05:30:00.000Z'),
    ]);
    expect(checks(restaged)).toEqual([]);
  });
});
