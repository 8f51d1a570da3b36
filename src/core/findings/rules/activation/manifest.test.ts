import { describe, expect, it } from 'vitest';
import {
  ARTIFACTS,
  baseline,
  checks,
  holds,
  lineOf,
  manifestLine,
  repro,
  run,
  SHA_A,
  SHA_B,
  SHA_X,
  trusted,
  withRecords,
  without,
} from './testkit';

const TAR = 'product-7.4.1.tar.gz';
const SBOM = 'product-7.4.1.sbom.json';
const only = (e: ReturnType<typeof run>, checkId: string) =>
  holds(e).filter((h) => h.startsWith(`${checkId} `));

describe('ACT-MANIFEST: the manifest in force binds each artifact to an accepted trusted source', () => {
  it('no line of the manifest is known: missing, on the manifest id; staged candidates are all off-manifest', () => {
    const e = run(without(baseline(), 'frozen-manifest'));
    expect(only(e, 'ACT-MANIFEST')).toEqual(['ACT-MANIFEST missing M-1 non-waivable']);
    expect(only(e, 'ACT-QUARANTINE')).toEqual([
      `ACT-QUARANTINE invalid CA-${SBOM} non-waivable advisory`,
      `ACT-QUARANTINE invalid CA-${TAR} non-waivable advisory`,
    ]);
    expect(e.outcome).toBe('hold');
    expect(e.derived?.manifest).toBeNull();
  });

  it('every line of the newest version withdrawn: missing (an older frozen version does not come back)', () => {
    const records = [
      ...without(baseline(), 'frozen-manifest'),
      ...ARTIFACTS.map(([n, s]) => manifestLine(n, s)),
      ...ARTIFACTS.map(([n, s]) =>
        manifestLine(n, s, { entryId: `M-1:2:${n}`, manifestVersion: 2, status: 'withdrawn' }),
      ),
    ];
    const e = run(records);
    expect(only(e, 'ACT-MANIFEST')).toEqual(['ACT-MANIFEST missing M-1 non-waivable']);
    expect(e.findings.find((f) => f.checkId === 'ACT-MANIFEST')?.sentence).toContain('v2 has no frozen line');
  });

  it('one artifact named twice with different digests is invalid and escalates', () => {
    const e = run([...baseline(), manifestLine(TAR, SHA_X, { entryId: `M-1:1:${TAR}:dup` })]);
    expect(only(e, 'ACT-MANIFEST')).toEqual([`ACT-MANIFEST invalid ${TAR} non-waivable`]);
    expect(e.outcome).toBe('escalate-mismatch');
  });

  it('a line of another train is disputed and escalates', () => {
    const e = run(withRecords(baseline(), manifestLine(SBOM, SHA_B, { trainId: 'T-2' })));
    expect(only(e, 'ACT-MANIFEST')).toEqual([`ACT-MANIFEST disputed ${SBOM} non-waivable`]);
    expect(e.outcome).toBe('escalate-mismatch');
    expect(lineOf(e, 'manifest', SBOM)?.state).toBe('hold');
    expect(lineOf(e, 'manifest', TAR)?.state).toBe('ready');
  });

  it('no trusted source accepted for the train: each artifact missing, a hold (not an escalation)', () => {
    const e = run(without(baseline(), 'trusted-source'));
    expect(checks(e)).toEqual([`ACT-MANIFEST missing ${SBOM}`, `ACT-MANIFEST missing ${TAR}`]);
    expect(e.outcome).toBe('hold');
  });

  it('the source was revoked, or the manifest names a commit that is not the accepted one: disputed, escalates', () => {
    const revoked = run(withRecords(baseline(), trusted({ status: 'revoked' })));
    expect(checks(revoked)).toEqual([`ACT-MANIFEST disputed ${SBOM}`, `ACT-MANIFEST disputed ${TAR}`]);
    expect(revoked.findings[0]?.sentence).toContain('revoked');
    expect(revoked.outcome).toBe('escalate-mismatch');
    const moved = run(
      withRecords(
        baseline(),
        manifestLine(TAR, SHA_A, { commit: 'feedfacefeedfacefeedfacefeedfacefeedface' }),
      ),
    );
    expect(holds(moved)).toEqual([`ACT-MANIFEST disputed ${TAR} non-waivable`]);
    expect(moved.findings[0]?.sentence).toContain('not the accepted trusted source');
    expect(moved.outcome).toBe('escalate-mismatch');
  });

  it('look-alikes: a line of another manifest, a withdrawn older version, a revoked source of another commit', () => {
    const e = run([
      ...baseline(),
      manifestLine('tools-2.0.zip', SHA_X, { entryId: 'M-2:1:tools', manifestId: 'M-2' }),
      trusted({ sourceId: 'TS-0', commit: '89abcdef0123456789abcdef0123456789abcdef', status: 'revoked' }),
    ]);
    expect(checks(e)).toEqual([]);
    expect(e.derived?.manifest?.artifacts.map((a) => a.artifact)).toEqual([SBOM, TAR]);
    // v1 had a third artifact and the old tarball digest; v2 is in force and v1 lines are withdrawn.
    const v1 = [
      manifestLine(TAR, SHA_X, { status: 'withdrawn' }),
      manifestLine(SBOM, SHA_B, { status: 'withdrawn' }),
      manifestLine('debug.zip', SHA_X, { status: 'withdrawn', reproducibilityRefs: [] }),
    ];
    const v2 = ARTIFACTS.map(([n, s]) => manifestLine(n, s, { entryId: `M-1:2:${n}`, manifestVersion: 2 }));
    const versioned = run([...without(baseline(), 'frozen-manifest'), ...v1, ...v2]);
    expect(checks(versioned)).toEqual([]);
    expect(versioned.derived?.manifest?.manifestVersion).toBe(2);
    expect(lineOf(versioned, 'manifest', TAR)?.facts.manifestVersion).toBe(2);
  });

  it('a new version that drops an artifact: the dropped one leaves the ledger, a staged copy of it is quarantined', () => {
    const v2 = manifestLine(TAR, SHA_A, { entryId: `M-1:2:${TAR}`, manifestVersion: 2 });
    const e = run([...baseline(), v2]);
    expect(e.derived?.manifest?.artifacts.map((a) => a.artifact)).toEqual([TAR]);
    expect(lineOf(e, 'manifest', SBOM)).toBeUndefined();
    expect(holds(e)).toEqual([`ACT-QUARANTINE invalid CA-${SBOM} non-waivable advisory`]);
    expect(e.outcome).toBe('ready-for-approval');
  });
});

describe('ACT-REPRO: each reproducibility reference has a matching reproducible-build check', () => {
  it('a line citing no reference is missing (a hold, not an escalation)', () => {
    const e = run(withRecords(baseline(), manifestLine(TAR, SHA_A, { reproducibilityRefs: [] })));
    expect(holds(e)).toEqual([`ACT-REPRO missing ${TAR} non-waivable`]);
    expect(e.outcome).toBe('hold');
  });

  it('a cited reference with no check is missing', () => {
    const e = run(
      withRecords(baseline(), manifestLine(TAR, SHA_A, { reproducibilityRefs: [`RR-${TAR}`, 'RR-2'] })),
    );
    expect(holds(e)).toEqual([`ACT-REPRO missing ${TAR} non-waivable`]);
    expect(e.findings[0]?.sentence).toContain('RR-2');
  });

  it('a mismatch, or a "match" whose digest is not the manifest’s, is disputed and escalates', () => {
    const mismatch = run(withRecords(baseline(), repro(TAR, SHA_X, { result: 'mismatch' })));
    expect(holds(mismatch)).toEqual([`ACT-REPRO disputed ${TAR} non-waivable`]);
    expect(mismatch.outcome).toBe('escalate-mismatch');
    const wrongDigest = run(withRecords(baseline(), repro(TAR, SHA_X)));
    expect(checks(wrongDigest)).toEqual([`ACT-REPRO disputed ${TAR}`]);
    expect(wrongDigest.outcome).toBe('escalate-mismatch');
    expect(lineOf(wrongDigest, 'manifest', TAR)?.state).toBe('hold');
  });

  it('an inconclusive rebuild is partial: a hold', () => {
    const e = run(withRecords(baseline(), repro(TAR, SHA_A, { result: 'inconclusive' })));
    expect(holds(e)).toEqual([`ACT-REPRO partial ${TAR} non-waivable`]);
    expect(e.outcome).toBe('hold');
  });

  it('look-alikes: a mismatch superseded by a later match; a mismatch of another artifact under the same reference', () => {
    const e = run([
      ...baseline(),
      repro(TAR, SHA_X, { checkId: 'RC-old', result: 'mismatch', checkedAt: '2026-11-30T21:00:00.000Z' }),
      repro(SBOM, SHA_X, { checkId: 'RC-other', ref: `RR-${TAR}`, result: 'mismatch' }),
    ]);
    expect(checks(e)).toEqual([]);
    // The other way round the later mismatch wins.
    const later = run([
      ...baseline(),
      repro(TAR, SHA_X, { checkId: 'RC-new', result: 'mismatch', checkedAt: '2026-11-30T23:00:00.000Z' }),
    ]);
    expect(checks(later)).toEqual([`ACT-REPRO disputed ${TAR}`]);
  });

  it('the manifest line is READY with its trusted source and references as facts', () => {
    const line = lineOf(run(baseline()), 'manifest', TAR);
    expect(line?.state).toBe('ready');
    expect(line?.facts).toMatchObject({
      sha256: SHA_A,
      trustedSource: 'TS-1',
      reproducibilityRefs: [`RR-${TAR}`],
    });
    expect(line?.checks).toEqual(['ACT-MANIFEST', 'ACT-REPRO']);
  });
});
