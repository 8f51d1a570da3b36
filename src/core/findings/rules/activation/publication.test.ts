import { describe, expect, it } from 'vitest';
import { baseline, checks, holds, lineOf, run, safeguard, withRecords, without } from './testkit';

const TAR = 'product-7.4.1.tar.gz';
const SBOM = 'product-7.4.1.sbom.json';

describe('ACT-PUBLICATION: each required safeguard in force, naming its targets, covering the manifest', () => {
  it('none recorded: missing for each required control; waivable by default (ready-with-waivable-holds)', () => {
    const e = run(without(baseline(), 'publication-safeguard'));
    expect(holds(e)).toEqual([
      'ACT-PUBLICATION missing mirror-promotion-hold waivable',
      'ACT-PUBLICATION missing registry-release-lock waivable',
    ]);
    expect(e.outcome).toBe('ready-with-waivable-holds');
    expect(lineOf(e, 'publication', 'registry-release-lock')?.state).toBe('hold');
  });

  it('a lifted safeguard is missing; one of unknown state is partial', () => {
    expect(
      holds(run(withRecords(baseline(), safeguard('registry-release-lock', { state: 'lifted' })))),
    ).toEqual(['ACT-PUBLICATION missing registry-release-lock waivable']);
    expect(
      holds(run(withRecords(baseline(), safeguard('registry-release-lock', { state: 'unknown' })))),
    ).toEqual(['ACT-PUBLICATION partial registry-release-lock waivable']);
  });

  it('a listed safeguard that leaves an artifact out is scope-unclear, naming it', () => {
    const e = run(
      withRecords(baseline(), safeguard('mirror-promotion-hold', { covers: 'listed', artifacts: [TAR] })),
    );
    expect(holds(e)).toEqual(['ACT-PUBLICATION scope-unclear mirror-promotion-hold waivable']);
    expect(e.findings[0]?.sentence).toContain(SBOM);
    expect(lineOf(e, 'publication', 'mirror-promotion-hold')?.facts.uncovered).toEqual([SBOM]);
  });

  it('a safeguard that names no registry or mirror is scope-unclear', () => {
    const e = run(withRecords(baseline(), safeguard('registry-release-lock', { targets: [] })));
    expect(holds(e)).toEqual(['ACT-PUBLICATION scope-unclear registry-release-lock waivable']);
  });

  it('the policy decides: publication-scope non-waivable holds the gate; a required embargo is checked', () => {
    const strict = run(without(baseline(), 'publication-safeguard'), {
      policy: { nonWaivable: ['manifest-binding', 'publication-scope'] },
    });
    expect(holds(strict)).toEqual([
      'ACT-PUBLICATION missing mirror-promotion-hold non-waivable',
      'ACT-PUBLICATION missing registry-release-lock non-waivable',
    ]);
    expect(strict.outcome).toBe('hold');
    const embargo = run(baseline(), {
      policy: { requiredSafeguards: ['registry-release-lock', 'mirror-promotion-hold', 'advisory-embargo'] },
    });
    expect(checks(embargo)).toEqual(['ACT-PUBLICATION missing advisory-embargo']);
  });

  it('look-alikes: a lifted safeguard of another train; a lifted old one beside one in force; a listed one covering all; an embargo not required', () => {
    const e = run([
      ...withRecords(
        baseline(),
        safeguard('mirror-promotion-hold', { covers: 'listed', artifacts: [TAR, SBOM] }),
      ),
      safeguard('registry-release-lock', {
        safeguardId: 'PS-T2',
        trainId: 'T-2',
        state: 'lifted',
        targets: [],
      }),
      safeguard('registry-release-lock', { safeguardId: 'PS-OLD', state: 'lifted' }),
      safeguard('advisory-embargo', { safeguardId: 'PS-EMB', state: 'unknown' }),
    ]);
    expect(checks(e)).toEqual([]);
    expect(e.outcome).toBe('ready-for-approval');
  });
});
