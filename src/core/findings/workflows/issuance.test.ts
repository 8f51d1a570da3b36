import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  baseline,
  CSR_A,
  custody,
  deadline,
  investigation,
  profile,
  run,
  SPKI_A,
  textSha,
  withRecords,
  withRequest,
} from '../rules/issuance/testkit';
import { ENTRY_TAKES, entryText, issuanceEntrySchema, issuanceOutcome, issuanceWorkflow } from './issuance';
import { WORKFLOWS } from './index';

const nodeSha = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

describe('workflow portal-issuance: outcome and the entry the driver types', () => {
  it('is registered under its id with its policy name, reading its families and the roster', () => {
    expect(WORKFLOWS['portal-issuance']?.policy).toBe('portal-issuance');
    expect(issuanceWorkflow.families).toContain('roster-snapshot');
    expect(issuanceWorkflow.families).toContain('portal-request');
  });

  it('a ready request derives every take of the vocabulary from its records, each with its SHA-256', () => {
    const e = run(baseline());
    expect(e.outcome).toBe('ready-for-portal');
    const entry = issuanceEntrySchema.parse(e.derived);
    expect(Object.keys(entry.values)).toEqual([...ENTRY_TAKES]);
    expect(entry.owner).toBe('elena.park');
    expect(entry.values.profile.value).toBe('Production code signing (HSM)');
    expect(entry.values.subscriberService.value).toBe('Package signing service');
    expect(entry.values.keyFingerprint.value).toBe(SPKI_A);
    expect(entry.values.csrPem.value).toBe(CSR_A.trim());
    expect(entry.values.sans.value).toEqual([
      'dns:pkg-signing.northwind.example',
      'uri:https://releases.northwind.example/signing',
    ]);
    expect(entry.values.approvalRefs.value).toEqual([
      'APR-release-integrity-owner',
      'APR-cryptography-engineering-manager',
      'APR-ca-delegate',
    ]);
    // Each digest is SHA-256 of the value's text (lines joined with \n), as node:crypto computes it.
    for (const t of ENTRY_TAKES)
      expect(entry.values[t].sha256, t).toBe(nodeSha(entryText(entry.values[t].value)));
    expect(entry.values.sans.sha256).toBe(
      textSha('dns:pkg-signing.northwind.example\nuri:https://releases.northwind.example/signing'),
    );
  });

  it('the entry follows the records: another profile label, another custody id', () => {
    const e = run(
      withRequest(
        { custodyAttestationId: 'KCA-7' },
        profile({ portalLabel: 'Production code signing (HSM) v2' }),
        custody({ attestationId: 'KCA-7' }),
      ),
    );
    const entry = issuanceEntrySchema.parse(e.derived);
    expect(entry.values.profile.value).toBe('Production code signing (HSM) v2');
    expect(entry.values.custodyAttestation.value).toBe('KCA-7');
  });

  it('any blocking finding stops before entry and derives no entry; an informational one does not', () => {
    const stopped = run([...baseline(), investigation({ spkiSha256: SPKI_A })]);
    expect(stopped.outcome).toBe('stop-before-entry');
    expect(stopped.derived).toBeUndefined();
    expect(stopped.reason).toContain('ISS-INVESTIGATION INV-1');
    const informed = run(withRecords(baseline(), deadline({ expiresAt: '2026-12-20T00:00:00.000Z' })));
    expect(informed.outcome).toBe('ready-for-portal');
    expect(informed.derived).toBeDefined();
  });

  it('the outcome function alone: blocking findings stop, none is ready', () => {
    const f = {
      checkId: 'ISS-WINDOW',
      category: 'expired' as const,
      blocking: true,
      waivable: false,
      subject: 'WIN-1',
      records: [],
      sentence: 'closed',
    };
    expect(issuanceOutcome([f]).outcome).toBe('stop-before-entry');
    expect(issuanceOutcome([{ ...f, blocking: false }]).outcome).toBe('ready-for-portal');
    expect(issuanceOutcome([]).outcome).toBe('ready-for-portal');
  });

  it('every finding is blocking and non-waivable and names the owner; the trust-deadline notice only informs', () => {
    const e = run(withRequest({ windowId: 'WIN-404' }, profile({ status: 'retired' })));
    expect(e.findings.length).toBeGreaterThan(0);
    for (const f of e.findings) {
      expect(f.waivable).toBe(false);
      expect(f.blocking).toBe(true);
      expect(f.sentence).toContain('Return to elena.park (certificate-operations owner).');
    }
    const notice = run(withRecords(baseline(), deadline({ expiresAt: '2026-12-20T00:00:00.000Z' })))
      .findings[0];
    expect(notice?.blocking).toBe(false);
    expect(notice?.sentence).not.toContain('Return to');
  });
});
