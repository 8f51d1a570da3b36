import { describe, expect, it } from 'vitest';
import {
  baseline,
  candidate,
  checks,
  commitment,
  confirmation,
  declaration,
  reading,
  run,
  safeguard,
  SHA_A,
  SHA_X,
  withRecords,
} from '../rules/activation/testkit';

describe('workflow 003: activation gate outcome', () => {
  it('a complete, fresh, consistent baseline is ready for approval with every ledger line ready', () => {
    const e = run(baseline());
    expect(checks(e)).toEqual([]);
    expect(e.outcome).toBe('ready-for-approval');
    const lines = e.derived?.lines ?? [];
    expect(lines.map((l) => l.area)).toEqual(
      expect.arrayContaining([
        'declaration',
        'manifest',
        'digest',
        'enclave',
        'signers',
        'rollback',
        'publication',
      ]),
    );
    expect(lines.every((l) => l.state === 'ready')).toBe(true);
    expect(e.derived?.manifest?.artifacts.map((a) => a.artifact)).toEqual([
      'product-7.4.1.sbom.json',
      'product-7.4.1.tar.gz',
    ]);
  });

  it('a withdrawn declaration escalates; no declaration escalates', () => {
    expect(run(withRecords(baseline(), declaration({ status: 'withdrawn' }))).outcome).toBe(
      'escalate-mismatch',
    );
    expect(run(baseline(), { subject: 'DECL-404' }).outcome).toBe('escalate-mismatch');
  });

  it('a stale digest confirmation is a non-waivable hold; a waivable publication gap alone is ready-with-waivable-holds', () => {
    const stale = run(
      withRecords(
        baseline(),
        confirmation('product-7.4.1.tar.gz', SHA_A, { confirmedAt: '2026-11-20T00:00:00.000Z' }),
      ),
    );
    expect(checks(stale)).toEqual(['ACT-DIGEST-FRESH stale product-7.4.1.tar.gz']);
    expect(stale.findings[0]?.waivable).toBe(false);
    expect(stale.outcome).toBe('hold');
    expect(
      stale.derived?.lines.find((l) => l.area === 'digest' && l.item === 'product-7.4.1.tar.gz')?.state,
    ).toBe('hold');
    const lifted = run(withRecords(baseline(), safeguard('mirror-promotion-hold', { state: 'lifted' })));
    expect(checks(lifted)).toEqual(['ACT-PUBLICATION missing mirror-promotion-hold']);
    expect(lifted.findings[0]?.waivable).toBe(true);
    expect(lifted.outcome).toBe('ready-with-waivable-holds');
  });

  it('a later reading that contradicts the attested firmware holds; a withdrawn signer leaves a shift short', () => {
    const fw = run(withRecords(baseline(), reading({ firmwareVersion: '2.7.0' })));
    expect(checks(fw)).toEqual(['ACT-ENCLAVE disputed HSM-1/K-1']);
    const short = run(withRecords(baseline(), commitment('S-NIGHT', 'dev', { status: 'withdrawn' })));
    expect(checks(short)).toEqual(['ACT-QUORUM-SHIFT missing S-NIGHT']);
    expect(short.findings[0]?.sentence).toContain('1 of 2');
  });

  it('an off-manifest candidate is quarantined without holding the gate; a digest-differing one holds it', () => {
    const off = run([...baseline(), candidate('debug-symbols.zip', SHA_X)]);
    expect(checks(off)).toEqual(['ACT-QUARANTINE invalid CA-debug-symbols.zip']);
    expect(off.findings[0]?.blocking).toBe(false);
    expect(off.outcome).toBe('ready-for-approval');
    expect(off.derived?.lines.find((l) => l.area === 'quarantine')?.state).toBe('quarantined');
    const swapped = run(withRecords(baseline(), candidate('product-7.4.1.tar.gz', SHA_X)));
    expect(checks(swapped)).toEqual(['ACT-QUARANTINE disputed CA-product-7.4.1.tar.gz']);
    expect(swapped.findings[0]?.sentence).toContain(SHA_X);
    expect(swapped.findings[0]?.sentence).toContain(SHA_A);
    expect(swapped.outcome).toBe('hold');
  });
});
